"""The skill package's rules: the manifest (shape, lengths, URLs, endpoint, permissions, the
example phrases against the models) and every locale's interaction model (model_rules.py), and
that the manifest and the models name the same locales. ``problems(package)`` lists every
violation; ``checkin package`` writes nothing while the list is not empty, and the tests call the
same functions.

Sources are named as in model_rules.py: "Amazon" is the Alexa Skills Kit documentation ("Skill
Manifest Schema", developer.amazon.com/docs/smapi/skill-manifest.html; certification
requirements as summarised in ALEXA.md); "ours" is a house rule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .lang import RulesError, rules
from .matching import custom_intents, intents_of, matches_model, split_phrase, types_of
from .model_rules import consistency_problems, model_problems

# Amazon: lengths of the store text of each locale (the console enforces the same limits).
TEXT_LIMITS = {"name": 50, "summary": 160, "description": 4000}
MAX_EXAMPLE_PHRASES = 3  # Amazon: one to three; the first is shown most
MAX_KEYWORDS = 30  # Amazon
MAX_TESTING_INSTRUCTIONS = 4000  # Amazon
CERTIFICATE_TYPES = frozenset({"Trusted", "Wildcard", "SelfSigned"})  # Amazon: sslCertificateType
PRIVACY_FLAGS = ("allowsPurchases", "usesPersonalInfo", "isChildDirected", "isExportCompliant",
                 "containsAds")  # Amazon: required booleans
# Amazon (certification): a skill that collects personal information, a recognised voice or a
# reminder included, says usesPersonalInfo true and links a privacy policy.
PERSONAL_PERMISSIONS = frozenset({
    "alexa::person_id:read", "alexa::alerts:reminders:skill:readwrite",
    "alexa::profile:name:read", "alexa::profile:given_name:read", "alexa::profile:email:read",
    "alexa::profile:mobile_number:read", "read::alexa:device:all:address",
    "read::alexa:device:all:address:country_and_postal_code",
})
EVENT_NAMES = frozenset({"SKILL_ENABLED", "SKILL_DISABLED", "SKILL_PERMISSION_ACCEPTED",
                         "SKILL_PERMISSION_CHANGED", "SKILL_ACCOUNT_LINKED"})


@dataclass
class Package:
    """What ``checkin package`` writes: skill.json and one interaction model per locale."""

    skill: dict  # {"manifest": {...}}
    models: dict[str, dict]  # locale -> {"interactionModel": {...}}


def _https(url, where: str, *, path_ok: bool = True) -> list[str]:
    try:
        parts = urlsplit(url) if isinstance(url, str) else None
        port = parts.port if parts else None
    except ValueError:
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname:
        return [f"{where}: {url!r} is not an https:// URL (Amazon)"]
    if port not in (None, 443):
        return [f"{where}: {url!r} uses port {port}; Alexa calls port 443 only (Amazon)"]
    return []


def _locale_text_problems(locale: str, text) -> list[str]:
    where = f"publishingInformation.locales.{locale}"
    if not isinstance(text, dict):
        return [f"{where} is not an object"]
    out = []
    for field, limit in TEXT_LIMITS.items():
        value = text.get(field)
        if not isinstance(value, str) or not value.strip():
            out.append(f"{where}.{field} is missing (Amazon; the store text of a language is "
                       f"publishingInformation.locales.{locale.split('-')[0]} in models/skill.json)")
        elif len(value) > limit:
            out.append(f"{where}.{field} has {len(value)} characters, more than {limit} (Amazon)")
    phrases = text.get("examplePhrases")
    if not isinstance(phrases, list) or not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
        out.append(f"{where}.examplePhrases: one to {MAX_EXAMPLE_PHRASES} phrases (Amazon)")
    keywords = text.get("keywords", [])
    if not isinstance(keywords, list) or len(keywords) > MAX_KEYWORDS:
        out.append(f"{where}.keywords: at most {MAX_KEYWORDS} (Amazon)")
    for icon in ("smallIconUri", "largeIconUri"):
        out += _https(text.get(icon), f"{where}.{icon}")
        if isinstance(text.get(icon), str) and not text[icon].lower().endswith(".png"):
            out.append(f"{where}.{icon}: the icons are PNG files (Amazon)")
    return out


def _endpoint_problems(endpoint, where: str) -> list[str]:
    if not isinstance(endpoint, dict):
        return [f"{where} is missing (Amazon)"]
    out = _https(endpoint.get("uri"), f"{where}.uri")
    if endpoint.get("sslCertificateType") not in CERTIFICATE_TYPES:
        out.append(f"{where}.sslCertificateType must be one of {sorted(CERTIFICATE_TYPES)} (Amazon)")
    return out


def _privacy_problems(manifest: dict, locales: set[str]) -> list[str]:
    privacy = manifest.get("privacyAndCompliance")
    if not isinstance(privacy, dict):
        return ["privacyAndCompliance is missing (Amazon)"]
    out = [f"privacyAndCompliance.{flag} must be true or false (Amazon)"
           for flag in PRIVACY_FLAGS if not isinstance(privacy.get(flag), bool)]
    asked = {p.get("name") for p in manifest.get("permissions", []) if isinstance(p, dict)}
    personal = sorted(asked & PERSONAL_PERMISSIONS)
    if personal and privacy.get("usesPersonalInfo") is not True:
        out.append(f"privacyAndCompliance.usesPersonalInfo must be true: the skill asks for "
                   f"{personal} (Amazon certification)")
    by_locale = privacy.get("locales", {})
    if not isinstance(by_locale, dict) or set(by_locale) != locales:
        out.append("privacyAndCompliance.locales must name the same locales as "
                   "publishingInformation.locales (ours)")
        by_locale = by_locale if isinstance(by_locale, dict) else {}
    for locale, urls in sorted(by_locale.items()):
        urls = urls if isinstance(urls, dict) else {}
        if privacy.get("usesPersonalInfo") or "privacyPolicyUrl" in urls:
            out += _https(urls.get("privacyPolicyUrl"), f"privacyAndCompliance.locales.{locale}.privacyPolicyUrl")
        if "termsOfUseUrl" in urls:
            out += _https(urls["termsOfUseUrl"], f"privacyAndCompliance.locales.{locale}.termsOfUseUrl")
    return out


def _publishing_problems(info) -> list[str]:
    if not isinstance(info, dict) or not isinstance(info.get("locales"), dict) or not info["locales"]:
        return ["publishingInformation.locales is missing (Amazon)"]
    out = []
    for locale, text in sorted(info["locales"].items()):
        out += _locale_text_problems(locale, text)
    if info.get("isAvailableWorldwide") is not True:
        countries = info.get("distributionCountries")
        if not isinstance(countries, list) or not countries or not all(
                isinstance(c, str) and re.fullmatch(r"[A-Z]{2}", c) for c in countries):
            out.append("publishingInformation.distributionCountries: ISO 3166-1 alpha-2 codes, "
                       "at least one, unless isAvailableWorldwide (Amazon)")
    if not isinstance(info.get("category"), str) or not info["category"]:
        out.append("publishingInformation.category is missing (Amazon)")
    instructions = info.get("testingInstructions")
    if not isinstance(instructions, str) or not instructions.strip() \
            or len(instructions) > MAX_TESTING_INSTRUCTIONS:
        out.append(f"publishingInformation.testingInstructions: 1 to {MAX_TESTING_INSTRUCTIONS} "
                   "characters (Amazon certification)")
    return out


def manifest_problems(skill) -> list[str]:
    """The manifest on its own: shape, lengths, URLs, endpoint, permissions, privacy."""
    manifest = skill.get("manifest") if isinstance(skill, dict) else None
    if not isinstance(manifest, dict):
        return ["skill.json has no manifest object (Amazon)"]
    out = [] if manifest.get("manifestVersion") == "1.0" else ["manifestVersion must be \"1.0\" (Amazon)"]
    out += _publishing_problems(manifest.get("publishingInformation"))
    locales = set(manifest.get("publishingInformation", {}).get("locales", {}) or {})
    out += _privacy_problems(manifest, locales)
    custom = manifest.get("apis", {}).get("custom") if isinstance(manifest.get("apis"), dict) else None
    if not isinstance(custom, dict):
        return out + ["apis.custom is missing: this is a custom skill (Amazon)"]
    out += _endpoint_problems(custom.get("endpoint"), "apis.custom.endpoint")
    permissions = manifest.get("permissions", [])
    if not isinstance(permissions, list) or not all(
            isinstance(p, dict) and isinstance(p.get("name"), str) for p in permissions):
        out.append("permissions must be a list of {name} objects (Amazon)")
    events = manifest.get("events")
    if events is not None:
        out += _endpoint_problems(events.get("endpoint") if isinstance(events, dict) else None,
                                  "events.endpoint")
        names = {s.get("eventName") for s in (events.get("subscriptions") or [])
                 if isinstance(s, dict)} if isinstance(events, dict) else set()
        if unknown := sorted(str(n) for n in names - EVENT_NAMES):
            out.append(f"events.subscriptions: unknown events {unknown} (Amazon)")
    return out


def example_phrase_problems(locale: str, phrases: list, model: dict) -> list[str]:
    """Amazon (certification): each example phrase works as written: "Alexa, <launch word>
    <invocation name>" or "Alexa, ask|tell <invocation name> [connecting word] <a sample>", in
    the words of the locale's language (lang/<lang>.toml). Ours:
    the first one is the plain launch phrase, the one people see first."""
    invocation = model["interactionModel"]["languageModel"]["invocationName"]
    intents, types = custom_intents(intents_of(model)), types_of(model)
    language = locale.split("-")[0]
    try:
        words = rules(language)
    except RulesError as e:
        return [f"{locale}: {e}"]
    out = []
    for index, phrase in enumerate(phrases if isinstance(phrases, list) else []):
        where = f"{locale}: example phrase {phrase!r}"
        split = split_phrase(phrase, invocation, language) if isinstance(phrase, str) else None
        if split is None:
            out.append(f"{where} is not 'Alexa, <verb> {invocation} ...' (Amazon)")
            continue
        verb, rest = split
        if not rest:
            if verb not in words.launch:
                out.append(f"{where}: {verb!r} is not a launch word (Amazon)")
            continue
        if index == 0:
            out.append(f"{where}: the first example is a plain launch phrase (ours)")
        if verb not in words.one_shot + words.launch:
            out.append(f"{where}: {verb!r} is not a launch word (Amazon)")
        elif not matches_model(rest, intents, types):
            out.append(f"{where}: {rest!r} matches no sample utterance (Amazon)")
    return out


def problems(package: Package) -> list[str]:
    """Every rule, for the whole package."""
    out = [f"skill.json: {p}" for p in manifest_problems(package.skill)]
    texts = package.skill.get("manifest", {}).get("publishingInformation", {}).get("locales", {})
    texts = texts if isinstance(texts, dict) else {}
    if set(texts) != set(package.models):
        out.append(f"skill.json names locales {sorted(texts)} but the models are "
                   f"{sorted(package.models)}: every locale needs both (ours)")
    clean = {}
    for locale, model in sorted(package.models.items()):
        found = model_problems(model, locale.split("-")[0])
        out += [f"{locale}: {p}" for p in found]
        if not found:
            clean[locale] = model
            if isinstance(texts.get(locale), dict):
                out += example_phrase_problems(locale, texts[locale].get("examplePhrases"), model)
    if len(clean) > 1:
        out += consistency_problems(clean)
    return out
