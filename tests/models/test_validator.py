"""The validator finds each kind of violation: every case breaks one rule in a copy of the real
package and expects the problem that names it (and the untouched package has none)."""

from __future__ import annotations

import copy

import pytest

from skill.dev.skill_package import validate

US = "en-US"


def _manifest(p):
    return p.skill["manifest"]


def _text(p, locale=US):
    return _manifest(p)["publishingInformation"]["locales"][locale]


def _lm(p, locale=US):
    return p.models[locale]["interactionModel"]["languageModel"]


def _intent(p, name, locale=US):
    return next(i for i in _lm(p, locale)["intents"] if i["name"] == name)


def _type(p, name, locale=US):
    return next(t for t in _lm(p, locale)["types"] if t["name"] == name)


def _set(p, path, value):
    target = _manifest(p)
    *parents, last = path.split(".")
    for key in parents:
        target = target[key]
    target[last] = value


CASES = {
    # the manifest
    "summary too long": (lambda p: _text(p).update(summary="x" * 161), "summary has 161 characters"),
    "name missing": (lambda p: _text(p).pop("name"), "en-US.name is missing"),
    "four example phrases": (lambda p: _text(p)["examplePhrases"].append("Alexa, open our check in"),
                             "examplePhrases: one to 3"),
    "thirty-one keywords": (lambda p: _text(p).update(keywords=["k"] * 31), "keywords: at most 30"),
    "icon over http": (lambda p: _text(p).update(smallIconUri="http://x.org/i.png"), "not an https:// URL"),
    "icon not a png": (lambda p: _text(p).update(largeIconUri="https://x.org/i.jpg"), "icons are PNG"),
    "endpoint on port 8443": (lambda p: _set(p, "apis.custom.endpoint.uri", "https://x.org:8443/"),
                              "Alexa calls port 443 only"),
    "unknown certificate type": (lambda p: _set(p, "apis.custom.endpoint.sslCertificateType", "Free"),
                                 "sslCertificateType must be one of"),
    "events endpoint missing": (lambda p: _manifest(p)["events"].pop("endpoint"), "events.endpoint is missing"),
    "usesPersonalInfo false": (lambda p: _set(p, "privacyAndCompliance.usesPersonalInfo", False),
                               "usesPersonalInfo must be true"),
    "a privacy flag missing": (lambda p: _manifest(p)["privacyAndCompliance"].pop("containsAds"),
                               "containsAds must be true or false"),
    "privacy locale missing": (lambda p: _manifest(p)["privacyAndCompliance"]["locales"].pop("en-GB"),
                               "privacyAndCompliance.locales must name the same locales"),
    "no privacy policy": (lambda p: _manifest(p)["privacyAndCompliance"]["locales"][US].pop("privacyPolicyUrl"),
                          "privacyPolicyUrl: None is not an https:// URL"),
    "bad country code": (lambda p: _set(p, "publishingInformation.distributionCountries", ["USA"]),
                         "distributionCountries: ISO 3166-1"),
    "no testing instructions": (lambda p: _set(p, "publishingInformation.testingInstructions", ""),
                                "testingInstructions"),
    "unknown event": (lambda p: _manifest(p)["events"]["subscriptions"].append({"eventName": "SKILL_DANCED"}),
                      "unknown events ['SKILL_DANCED']"),
    "manifest without a model": (lambda p: p.models.pop("en-IN"), "every locale needs both"),
    # example phrases
    "example phrase matches no sample": (
        lambda p: _text(p)["examplePhrases"].append("Alexa, ask our check in to dance"),
        "'dance' matches no sample utterance"),
    "first example is a one-shot": (
        lambda p: _text(p).update(examplePhrases=["Alexa, tell our check in we're done"]),
        "the first example is a plain launch phrase"),
    "example phrase with another name": (
        lambda p: _text(p)["examplePhrases"].append("Alexa, open our chat"), "is not 'Alexa, <verb> our check in"),
    "example phrase with a made-up verb": (
        lambda p: _text(p)["examplePhrases"].append("Alexa, wake our check in"), "'wake' is not a launch word"),
    # the invocation name
    "invocation with a wake word": (lambda p: _lm(p).update(invocationName="alexa check in"),
                                    "may not contain ['alexa']"),
    "one-word invocation": (lambda p: _lm(p).update(invocationName="checkin"), "needs two or more words"),
    "two words with an article": (lambda p: _lm(p).update(invocationName="the checkin"),
                                  "a two-word name may not contain ['the']"),
    "invocation with a digit": (lambda p: _lm(p).update(invocationName="check in two 2"),
                                "only lower-case letters"),
    # the interaction model
    "no languageModel": (lambda p: p.models[US].update(interactionModel={}), "no interactionModel.languageModel"),
    "intent without a name": (lambda p: _lm(p)["intents"].append({"samples": []}), "not an object with a name"),
    "intent name with a digit": (lambda p: _intent(p, "DoneIntent").update(name="Done2Intent"),
                                 "names are letters and underscores"),
    "intent declared twice": (lambda p: _lm(p)["intents"].append(copy.deepcopy(_intent(p, "DoneIntent"))),
                              "intent DoneIntent is declared twice"),
    "no fallback intent": (lambda p: _lm(p).update(intents=[i for i in _lm(p)["intents"]
                                                            if i["name"] != "AMAZON.FallbackIntent"]),
                           "missing built-in intents ['AMAZON.FallbackIntent']"),
    "custom intent without samples": (lambda p: _intent(p, "StreakIntent").update(samples=[]),
                                      "StreakIntent: a custom intent needs sample utterances"),
    "sample with a numeral": (lambda p: _intent(p, "DoneIntent")["samples"].append("we are done 4 tonight"),
                              "numbers must be spelled out"),
    "sample with punctuation": (lambda p: _intent(p, "DoneIntent")["samples"].append("we are done!"),
                                "only letters, spaces, apostrophes"),
    "sample in capitals": (lambda p: _intent(p, "DoneIntent")["samples"].append("We are all done"),
                           "lower case please"),
    "sample over 200 characters": (lambda p: _intent(p, "DoneIntent")["samples"].append("done " * 41),
                                   "longer than 200 characters"),
    "sample in two intents": (lambda p: _intent(p, "StreakIntent")["samples"].append("we're done"),
                              "is in StreakIntent and DoneIntent"),
    "sample is a built-in phrasing": (lambda p: _intent(p, "DoneIntent")["samples"].append("stop"),
                                      "belongs to a built-in intent"),
    "undeclared slot": (lambda p: _intent(p, "DoneIntent")["samples"].append("done with {mood}"),
                        "uses {mood}, which is not declared"),
    "slot used twice": (lambda p: _intent(p, "TipIntent")["samples"].append("{topic} and {topic}"),
                        "uses a slot twice"),
    "slot glued to a word": (lambda p: _intent(p, "TipIntent")["samples"].append("tips{topic}"),
                             "a slot must stand as a word of its own"),
    "declared slot unused": (lambda p: _intent(p, "DoneIntent").update(slots=[{"name": "x", "type": "DepthType"}]),
                             "slots ['x'] are declared but no sample uses them"),
    "undefined slot type": (lambda p: _intent(p, "TipIntent")["slots"][0].update(type="NoSuchType"),
                            "has undefined type NoSuchType"),
    "slot value over 140 characters": (
        lambda p: _type(p, "DepthType")["values"][0]["name"]["synonyms"].append("light " * 24),
        "longer than 140 characters"),
    "slot value with a digit": (lambda p: _type(p, "DepthType")["values"][0]["name"]["synonyms"].append("level 1"),
                                "numbers must be spelled out"),
    "slot value in two ids": (lambda p: _type(p, "DepthType")["values"][1]["name"]["synonyms"].append("lighter"),
                              "also a form of LIGHT"),
    "duplicate value id": (lambda p: _type(p, "DepthType")["values"][1].update(id="LIGHT"),
                           "value ids must be unique"),
    "slot value steals a sample": (
        lambda p: _type(p, "ChallengeType")["values"][0]["name"]["synonyms"].append("we're done"),
        "also fits ['ChallengeIntent']"),
    # across locales
    "an intent only in one locale": (lambda p: _intent(p, "DoneIntent", "en-GB").update(name="FinishedIntent"),
                                     "intent DoneIntent is in"),
    "a slot type differs": (lambda p: _intent(p, "TipIntent", "en-AU")["slots"][0].update(type="DepthType"),
                            "TipIntent: slots differ between"),
    "a value id differs": (lambda p: _type(p, "DepthType", "en-CA")["values"][0].update(id="LITE"),
                           "slot type DepthType: values differ between"),
}


def test_the_real_package_has_no_problem(package):
    assert validate.problems(package) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_violation_is_found(package, case):
    breaks, expected = CASES[case]
    broken = copy.deepcopy(package)
    breaks(broken)
    found = validate.problems(broken)
    assert any(expected in problem for problem in found), found
