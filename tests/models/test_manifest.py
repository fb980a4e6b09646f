"""The skill manifest (models/skill.json): publishing information, example phrases that match the
model, the endpoint, permissions and events."""

from __future__ import annotations




from skill.dev import MODELS_DIR as MODELS

from .rules import (
    INVOCATION, LAUNCH_VERBS, LOCALES, custom_intents, fold, matches_model, utterance_of,
)


def test_manifest_example_phrases_use_the_invocation_name(manifest):
    for locale, info in manifest["publishingInformation"]["locales"].items():
        for phrase in info["examplePhrases"]:
            assert INVOCATION in fold(phrase), (locale, phrase)


def test_every_manifest_locale_has_a_model(manifest):
    locales = set(manifest["publishingInformation"]["locales"])
    assert locales == set(LOCALES)
    for locale in locales:
        assert (MODELS / f"{locale}.json").is_file(), locale
    privacy = manifest["privacyAndCompliance"].get("locales", {})
    assert set(privacy) == locales


# --- manifest ------------------------------------------------------------------------------


def test_manifest_publishing_information(manifest):
    info = manifest["publishingInformation"]
    assert manifest["manifestVersion"] == "1.0"
    assert info["isAvailableWorldwide"] is False
    assert set(info["distributionCountries"]) == {"US", "GB", "CA", "AU", "IN"}
    assert info["category"]
    assert info["testingInstructions"].strip()
    for locale, text in info["locales"].items():
        assert text["name"] == "Our Check-In", locale
        assert 0 < len(text["summary"]) <= 160, locale
        assert 0 < len(text["description"]) <= 4000, locale
        assert 1 <= len(text["examplePhrases"]) <= 3, locale
        assert text["keywords"] and len(text["keywords"]) <= 30, locale


def test_example_phrases_map_to_the_model(manifest, intents, types):
    first_phrases = set()
    for locale, info in manifest["publishingInformation"]["locales"].items():
        phrases = info["examplePhrases"]
        first_phrases.add(phrases[0])
        for phrase in phrases:
            verb, rest = utterance_of(phrase)
            if not rest:
                assert verb in LAUNCH_VERBS, f"{phrase!r} is not a launch phrase"
                continue
            assert verb in {"ask", "tell"} | LAUNCH_VERBS, phrase
            assert matches_model(rest, custom_intents(intents), types), f"{phrase!r}: {rest!r} is no sample"
    # the first example must be a plain launch phrase
    for phrase in first_phrases:
        assert utterance_of(phrase)[1] == "", phrase


def test_manifest_endpoint_permissions_and_events(manifest):
    custom = manifest["apis"]["custom"]
    assert custom["endpoint"]["uri"].startswith("https://")
    assert custom["endpoint"]["sslCertificateType"] in {"Trusted", "Wildcard", "SelfSigned"}
    interfaces = {i["type"] for i in custom.get("interfaces", [])}
    assert "ALEXA_PRESENTATION_APL" in interfaces
    permissions = {p["name"] for p in manifest["permissions"]}
    assert {"alexa::alerts:reminders:skill:readwrite", "alexa::person_id:read"} <= permissions
    events = manifest["events"]
    assert events["endpoint"]["uri"].startswith("https://")
    subscribed = {s["eventName"] for s in events["subscriptions"]}
    assert "SKILL_DISABLED" in subscribed
    assert {"SKILL_ENABLED", "SKILL_PERMISSION_ACCEPTED", "SKILL_PERMISSION_CHANGED"} <= subscribed
