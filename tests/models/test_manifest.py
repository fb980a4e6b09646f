"""The skill manifest as `checkin package` builds it from models/skill.json: publishing
information, example phrases that match the model, the endpoint, links, permissions and events.
The rules themselves are the validator's (skill/dev/skill_package/validate.py)."""

from __future__ import annotations

from skill import pages
from skill.dev import MODELS_DIR as MODELS
from skill.dev.skill_package import validate

from .conftest import PUBLIC_URL
from .rules import ENGLISH, LOCALES, fold, invocation_of, load


def test_the_built_package_breaks_no_rule(package):
    assert validate.problems(package) == []


def test_manifest_rules(package):
    assert validate.manifest_problems(package.skill) == []


def test_example_phrases_map_to_the_model(manifest, package):
    for locale, info in manifest["publishingInformation"]["locales"].items():
        phrases = info["examplePhrases"]
        assert validate.example_phrase_problems(locale, phrases, package.models[locale]) == []
        for phrase in phrases:
            assert invocation_of(locale) in fold(phrase), (locale, phrase)


def test_every_locale_with_a_model_is_published(manifest):
    locales = set(manifest["publishingInformation"]["locales"])
    assert locales == set(LOCALES)
    for locale in locales:
        assert (MODELS / f"{locale}.json").is_file(), locale
    assert set(manifest["privacyAndCompliance"]["locales"]) == locales
    assert set(manifest["publishingInformation"]["distributionCountries"]) == {
        locale.split("-")[1] for locale in LOCALES}
    assert {"US", "GB", "CA", "AU", "IN"} <= set(manifest["publishingInformation"]["distributionCountries"])


def test_manifest_publishing_information(manifest):
    info = manifest["publishingInformation"]
    assert info["isAvailableWorldwide"] is False
    assert info["category"] == "HEALTH_AND_FITNESS"
    for locale, text in info["locales"].items():
        if locale in ENGLISH:
            assert text["name"] == "Our Check-In", locale
        assert text["name"].strip(), locale  # each language names the skill in its own words
        assert text["smallIconUri"] == f"{PUBLIC_URL}/static/icon-108.png"
        assert text["largeIconUri"] == f"{PUBLIC_URL}/static/icon-512.png"


def test_the_manifest_tells_the_truth_about_personal_information(manifest):
    """Recognised voices and reminders are personal information: usesPersonalInfo is true, and
    each locale links the service's own privacy and terms pages."""
    privacy = manifest["privacyAndCompliance"]
    assert privacy["usesPersonalInfo"] is True
    assert privacy["allowsPurchases"] is False and privacy["containsAds"] is False
    for locale, urls in privacy["locales"].items():
        language = locale.split("-")[0]
        language = language if language in pages.languages() else pages.DEFAULT_LANGUAGE
        assert urls == {"privacyPolicyUrl": PUBLIC_URL + pages.path_of("privacy", language),
                        "termsOfUseUrl": PUBLIC_URL + pages.path_of("terms", language)}
        if locale in ENGLISH:
            assert urls["privacyPolicyUrl"] == f"{PUBLIC_URL}/privacy"
    permissions = {p["name"] for p in manifest["permissions"]}
    assert permissions == {"alexa::alerts:reminders:skill:readwrite", "alexa::person_id:read"}


def test_manifest_endpoint_and_events(manifest):
    endpoint = {"uri": f"{PUBLIC_URL}/", "sslCertificateType": "Trusted"}
    custom = manifest["apis"]["custom"]
    assert custom["endpoint"] == endpoint
    assert "ALEXA_PRESENTATION_APL" in {i["type"] for i in custom.get("interfaces", [])}
    events = manifest["events"]
    assert events["endpoint"] == endpoint
    assert {s["eventName"] for s in events["subscriptions"]} == {
        "SKILL_ENABLED", "SKILL_DISABLED", "SKILL_PERMISSION_ACCEPTED", "SKILL_PERMISSION_CHANGED"}


def test_the_tracked_manifest_source_holds_no_endpoint_or_url():
    text = (MODELS / "skill.json").read_text(encoding="utf-8")
    assert "://" not in text
    source = load("skill.json")["manifest"]
    assert "endpoint" not in source["apis"]["custom"] and "endpoint" not in source["events"]
    assert "distributionCountries" not in source["publishingInformation"]
