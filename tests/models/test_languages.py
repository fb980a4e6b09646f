"""The validator in every language: each language's rules (skill/dev/skill_package/lang/<lang>.toml)
load, every language with a model has them, and the invocation name, the example phrases and the
samples are checked with the words of the locale's language."""

from __future__ import annotations

import copy

import pytest

from skill.dev.skill_package import lang, model_rules, validate
from skill.dev.skill_package.matching import split_phrase

from .rules import LOCALES, model


def test_every_rules_file_loads_and_every_model_language_has_one():
    assert {"en", "de", "es", "fr"} <= set(lang.languages())
    for code in lang.languages():
        rules = lang.rules(code)
        assert rules.launch and rules.one_shot and {"alexa", "amazon", "echo"} <= rules.forbidden
    assert {locale.split("-")[0] for locale in LOCALES} <= set(lang.languages())


@pytest.mark.parametrize("language, name, problem", [
    ("en", "our check in", None),
    ("de", "zeit zu zweit", None),
    ("de", "paarabend", None),  # German alone takes a one-word compound (Amazon)
    ("en", "checkin", "needs two or more words"),
    ("de", "frag paarabend", "may not contain ['frag']"),
    ("de", "öffne den abend", "may not contain ['öffne']"),
    ("de", "der abend", "a two-word name may not contain ['der']"),
    ("de", "unser alexa abend", "may not contain ['alexa']"),
    ("es", "nuestro momento juntos", None),
    ("es", "pídele al momento", "may not contain ['al', 'pídele']"),
    ("es", "la pareja", "a two-word name may not contain ['la']"),
    ("fr", "notre soirée", None),
    ("fr", "ouvre notre soirée", "may not contain ['ouvre']"),
    ("fr", "la soirée", "a two-word name may not contain ['la']"),
    ("fr", "notre app du soir", "may not contain ['app']"),
    ("xx", "unser abend", "no rules for language 'xx': add skill/dev/skill_package/lang/xx.toml"),
])
def test_invocation_names_in_each_language(language, name, problem):
    found = model_rules.invocation_problems(name, language)
    if problem is None:
        assert found == []
    else:
        assert any(problem in p for p in found), found


@pytest.mark.parametrize("language, phrase, invocation, split", [
    ("en", "Alexa, ask our check in for a tip.", "our check in", ("ask", "a tip")),
    ("de", "Alexa, frage zeit zu zweit nach einer Frage", "zeit zu zweit", ("frage", "einer frage")),
    ("de", "Alexa, öffne zeit zu zweit", "zeit zu zweit", ("öffne", "")),
    ("de", "Alexa, sag zeit zu zweit, wir sind fertig.", "zeit zu zweit", ("sag", "wir sind fertig")),
    ("de", "Alexa, frag zeit zu zweit, ob wir heute, bitte, aussetzen können", "zeit zu zweit",
     ("frag", "wir heute bitte aussetzen können")),
    ("es", "Alexa, pídele a nuestro momento un consejo", "nuestro momento", ("pídele a", "un consejo")),
    ("es", "Alexa, ¿pregúntale a nuestro momento si hay racha?", "nuestro momento",
     ("pregúntale a", "hay racha")),
    ("fr", "Alexa, dis à notre soirée qu'on a fini", "notre soirée", ("dis à", "on a fini")),
    ("fr", "Alexa, demande à notre soirée un conseil", "notre soirée", ("demande à", "un conseil")),
    ("fr", "Alexa, réveille notre soirée", "notre soirée", ("réveille", "")),  # reported later
    ("fr", "Alexa, ouvre autre chose", "notre soirée", None),
])
def test_example_phrases_split_in_each_language(language, phrase, invocation, split):
    assert split_phrase(phrase, invocation, language) == split


@pytest.fixture(scope="module")
def german_model():
    """The English model renamed and given one German sample: enough for the phrase rules."""
    m = copy.deepcopy(model("en-US"))
    lm = m["interactionModel"]["languageModel"]
    lm["invocationName"] = "zeit zu zweit"
    tip = next(i for i in lm["intents"] if i["name"] == "TipIntent")
    tip["samples"].append("einen tipp")
    return m


@pytest.mark.parametrize("phrase, problem", [
    ("Alexa, öffne zeit zu zweit", None),
    ("Alexa, frage zeit zu zweit nach einen tipp", None),
    ("Alexa, ask zeit zu zweit for a tip", "'ask' is not a launch word"),
    ("Alexa, frage zeit zu zweit nach einem rezept", "'einem rezept' matches no sample utterance"),
    ("Alexa, weck zeit zu zweit", "'weck' is not a launch word"),
])
def test_example_phrases_use_the_locales_language(german_model, phrase, problem):
    phrases = ["Alexa, öffne zeit zu zweit", phrase] if phrase != "Alexa, öffne zeit zu zweit" \
        else [phrase]
    found = validate.example_phrase_problems("de-DE", phrases, german_model)
    if problem is None:
        assert found == []
    else:
        assert any(problem in p for p in found), found


def test_a_sample_may_not_take_a_builtin_phrasing_of_its_language(german_model):
    broken = copy.deepcopy(german_model)
    lm = broken["interactionModel"]["languageModel"]
    next(i for i in lm["intents"] if i["name"] == "DoneIntent")["samples"].append("hilfe")
    assert any("'hilfe': belongs to a built-in intent" in p
               for p in model_rules.sample_problems(broken, "de"))
    assert not any("'hilfe'" in p for p in model_rules.sample_problems(broken, "en"))
