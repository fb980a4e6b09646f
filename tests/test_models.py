"""Checks on the Alexa interaction models and the skill manifest (models/).

These encode the certification rules of ALEXA.md ("Certification expectations") and the
contract's intent names, slot names and slot value ids, so a model edit cannot silently
break what the handlers read.
"""

from __future__ import annotations

import json
import re
import shutil
from itertools import combinations
import pytest

from skill import cli

from skill.dev import MODELS_DIR as MODELS
from skill.dev import models as generator

LOCALES = tuple(generator.locales())
INVOCATION = "our check in"

CUSTOM_INTENT_SLOTS = {
    "TonightQuestionIntent": {},
    "AnotherQuestionIntent": {},
    "QuestionDepthIntent": {"depth": "DepthType"},
    "ValidationPhraseIntent": {},
    "TipIntent": {"topic": "TipTopicType"},
    "ChallengeIntent": {"challenge": "ChallengeType"},
    "FaqIntent": {"faqTopic": "FaqTopicType"},
    "StreakIntent": {},
    "DoneIntent": {},
    "ForgetUsIntent": {},
    "SetReminderIntent": {"time": "AMAZON.TIME"},
    "ChangeReminderIntent": {"time": "AMAZON.TIME"},
    "ReminderStatusIntent": {},
    "CancelReminderIntent": {},
}

BUILTIN_INTENTS = {
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.StartOverIntent",
}
CERTIFICATION_REQUIRED = {
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
}

EXPECTED_IDS = {
    "DepthType": {"LIGHT", "MEDIUM", "DEEP"},
    "TipTopicType": {
        "ACTIVE_LISTENING", "I_STATEMENTS", "NONVERBAL_CUES", "OPEN_QUESTIONS",
        "VALIDATING_FEELINGS", "REFLECTIVE_LISTENING", "VULNERABILITY", "SAYING_NEEDS",
        "LOVE_LANGUAGES", "SPREADING_SUPPORT", "PAST_HURTS", "PROFESSIONAL_HELP",
        "REBUILDING_TRUST", "SCHEDULING_TIME", "BEING_PRESENT", "SMALL_RITUALS",
        "ATTACHMENT_STYLES", "JOURNALING", "MINDFULNESS", "QUALITY_TIME",
        "ADMITTING_MISTAKES", "DISAGREEMENTS",
    },
    "ChallengeType": {
        "FEAR_OF_VULNERABILITY", "POOR_COMMUNICATION", "UNREALISTIC_EXPECTATIONS",
        "PAST_HURTS", "LACK_OF_TIME", "ATTACHMENT_DIFFERENCES",
    },
    "FaqTopicType": {
        "HOW_LONG", "EMOTIONAL_VS_PHYSICAL", "PARTNER_NOT_INTERESTED", "FRIENDSHIPS",
        "HEALTHY_SIGNS", "FEAR_OF_JUDGMENT",
    },
}

# Everyday phrasings the contract and PRODUCT.md promise will resolve to a given id.
PROMISED_VALUES = {
    ("DepthType", "lighter"): "LIGHT",
    ("DepthType", "something fun"): "LIGHT",
    ("DepthType", "deeper"): "DEEP",
    ("DepthType", "in between"): "MEDIUM",
    ("TipTopicType", "active listening"): "ACTIVE_LISTENING",
    ("TipTopicType", "how to listen better"): "ACTIVE_LISTENING",
    ("ChallengeType", "we keep arguing"): "POOR_COMMUNICATION",
    ("ChallengeType", "we misunderstand each other"): "POOR_COMMUNICATION",
    ("ChallengeType", "i'm scared to open up"): "FEAR_OF_VULNERABILITY",
    ("ChallengeType", "we never have time"): "LACK_OF_TIME",
    ("ChallengeType", "i feel let down"): "UNREALISTIC_EXPECTATIONS",
    ("ChallengeType", "i find it hard to trust"): "PAST_HURTS",
    ("ChallengeType", "i've been hurt before"): "PAST_HURTS",
    ("FaqTopicType", "how long does it take"): "HOW_LONG",
    ("FaqTopicType", "is it the same as physical intimacy"): "EMOTIONAL_VS_PHYSICAL",
    ("FaqTopicType", "my partner doesn't want it"): "PARTNER_NOT_INTERESTED",
    ("FaqTopicType", "friendships"): "FRIENDSHIPS",
    ("FaqTopicType", "what are healthy signs"): "HEALTHY_SIGNS",
    ("FaqTopicType", "i'm afraid of being judged"): "FEAR_OF_JUDGMENT",
}

FORBIDDEN_INVOCATION_WORDS = {
    "ask", "open", "tell", "launch", "begin", "load",  # launch words
    "to", "from", "by", "if", "and", "whether",  # connecting words
    "alexa", "amazon", "echo", "computer",  # wake words
    "skill", "app",
}
# Phrasings owned by the built-in intents; a custom sample must not be one of them.
BUILTIN_PHRASES = {
    "help", "help me", "stop", "cancel", "never mind", "nevermind", "yes", "yeah", "sure",
    "no", "nope", "repeat", "say that again", "repeat that", "start over", "restart",
    "go home", "home", "exit", "quit", "shut up", "off",
}
LAUNCH_VERBS = {"open", "start", "launch", "begin", "load", "play", "run", "use"}
CONNECTING_WORDS = ("to", "for", "about", "that", "if", "whether", "and", "from", "by")
SLOT_RE = re.compile(r"\{([^{}]*)\}")
SAMPLE_CHARS_RE = re.compile(r"^[a-z.' {}A-Z]+$")


def _load(name: str) -> dict:
    return json.loads((MODELS / name).read_text(encoding="utf-8"))


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.fixture(scope="module", params=LOCALES)
def language_model(request) -> dict:
    """Every locale's model: each model test runs on all of them."""
    return _load(f"{request.param}.json")["interactionModel"]["languageModel"]


@pytest.fixture(scope="module")
def intents(language_model) -> dict[str, dict]:
    return {intent["name"]: intent for intent in language_model["intents"]}


@pytest.fixture(scope="module")
def types(language_model) -> dict[str, list[dict]]:
    return {t["name"]: t["values"] for t in language_model.get("types", [])}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return _load("skill.json")["manifest"]


def _custom(intents):
    return {name: i for name, i in intents.items() if not name.startswith("AMAZON.")}


def _spoken_values(values: list[dict]) -> dict[str, str]:
    """Every spoken form (canonical value and synonyms), folded, mapped to its id."""
    out = {}
    for value in values:
        for form in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            out[_fold(form)] = value["id"]
    return out


def _sample_regex(sample: str) -> re.Pattern:
    parts = SLOT_RE.split(" ".join(sample.split()))
    # split() alternates literal, slot, literal, ...; slot names keep their case
    pattern = ""
    for index, part in enumerate(parts):
        pattern += f"(?P<{part}>.+?)" if index % 2 else re.escape(part.lower())
    return re.compile(f"^{pattern}$")


def _fills(sample: str, utterance: str, slot_types: dict[str, str], types) -> bool:
    """True when `utterance` is `sample` with each slot filled by a value its type knows."""
    match = _sample_regex(sample).match(_fold(utterance))
    if not match:
        return False
    for slot, spoken in match.groupdict().items():
        slot_type = slot_types.get(slot, "")
        if slot_type.startswith("AMAZON."):
            continue  # built-in types accept open phrasing (e.g. "nine p.m.")
        if _fold(spoken) not in _spoken_values(types.get(slot_type, [])):
            return False
    return True


def _matches_model(utterance: str, intents, types) -> list[str]:
    hits = []
    for name, intent in intents.items():
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            if _fills(sample, utterance, slot_types, types):
                hits.append(name)
                break
    return hits


# --- invocation name -----------------------------------------------------------------------


def _invocation_problems(name: str) -> list[str]:
    problems = []
    if not re.fullmatch(r"[a-z][a-z.' ]*[a-z.]", name) or "  " in name:
        problems.append("only lowercase letters, single spaces, apostrophes and periods")
    words = name.split()
    if len(words) < 2:
        problems.append("needs two or more words")
    bad = FORBIDDEN_INVOCATION_WORDS & {w.strip(".'").removesuffix("'s") for w in words}
    if bad:
        problems.append(f"forbidden words {sorted(bad)}")
    return problems


@pytest.mark.parametrize(
    "bad_name",
    ["checkin", "Our Check In", "open our check in", "our check in skill", "check in app",
     "talk to us", "alexa check in", "our check-in", "check in 2"],
)
def test_invocation_rules_reject_bad_names(bad_name):
    assert _invocation_problems(bad_name)


@pytest.mark.parametrize("good_name", ["our check in", "mike's check in", "the b. b. c. check in"])
def test_invocation_rules_accept_good_names(good_name):
    assert _invocation_problems(good_name) == []


def test_invocation_name_is_ours_and_follows_the_rules(language_model):
    name = language_model["invocationName"]
    assert name == INVOCATION
    assert _invocation_problems(name) == []


def test_manifest_example_phrases_use_the_invocation_name(manifest):
    for locale, info in manifest["publishingInformation"]["locales"].items():
        for phrase in info["examplePhrases"]:
            assert INVOCATION in _fold(phrase), (locale, phrase)


# --- intents -------------------------------------------------------------------------------


def test_contract_custom_intents_and_slots_are_exact(intents):
    custom = _custom(intents)
    assert set(custom) == set(CUSTOM_INTENT_SLOTS)
    for name, expected in CUSTOM_INTENT_SLOTS.items():
        declared = {s["name"]: s["type"] for s in custom[name].get("slots", [])}
        assert declared == expected, name


def test_builtin_intents_present_with_no_samples(intents):
    assert CERTIFICATION_REQUIRED <= BUILTIN_INTENTS
    assert BUILTIN_INTENTS <= set(intents)
    for name in BUILTIN_INTENTS:
        assert intents[name].get("samples", []) == [], name


def test_intent_names_unique(language_model):
    names = [i["name"] for i in language_model["intents"]]
    assert len(names) == len(set(names))


# --- sample utterances ---------------------------------------------------------------------


def test_each_custom_intent_has_enough_varied_samples(intents):
    for name, intent in _custom(intents).items():
        samples = intent["samples"]
        assert len(samples) >= 12, name
        without_slots = {_fold(SLOT_RE.sub(" ", s)) for s in samples}
        assert len(without_slots) >= 10, f"{name} samples are not varied enough"


def test_samples_unique_across_and_within_intents(intents):
    owner: dict[str, str] = {}
    for name, intent in intents.items():
        for sample in intent.get("samples", []):
            key = _fold(sample)
            assert key not in owner, f"{sample!r} is in {owner.get(key)} and {name}"
            owner[key] = name


def test_samples_are_clean_spoken_text(intents):
    for name, intent in _custom(intents).items():
        for sample in intent["samples"]:
            assert sample == sample.strip() and "  " not in sample, (name, sample)
            assert not re.search(r"\d", sample), f"spell numbers out: {sample!r}"
            assert SAMPLE_CHARS_RE.match(sample), f"punctuation in {sample!r}"
            literal = SLOT_RE.sub("", sample)
            assert literal == literal.lower(), f"lowercase please: {sample!r}"
            assert "{" not in literal and "}" not in literal, f"broken slot braces: {sample!r}"
            assert len(sample) <= 200


def test_samples_do_not_take_builtin_phrasings(intents):
    for name, intent in _custom(intents).items():
        for sample in intent["samples"]:
            assert _fold(sample) not in BUILTIN_PHRASES, (name, sample)


def test_slots_declared_and_used(intents):
    for name, intent in _custom(intents).items():
        declared = [s["name"] for s in intent.get("slots", [])]
        assert len(declared) == len(set(declared)), name
        used = set()
        for sample in intent["samples"]:
            in_sample = SLOT_RE.findall(sample)
            assert len(in_sample) == len(set(in_sample)), f"slot repeated in {sample!r}"
            for slot in in_sample:
                assert slot in declared, f"{name}: {{{slot}}} is not declared"
            used.update(in_sample)
            # slots must stand as words of their own
            assert not re.search(r"[a-z']\{|\}[a-z']", sample), sample
        assert used == set(declared), f"{name}: declared but unused {set(declared) - used}"


def test_slot_only_samples_cannot_steal_other_intents(intents, types):
    """A literal sample of one intent must not also be reachable through another intent's
    slot sample (e.g. a ChallengeType value equal to a DoneIntent phrase)."""
    custom = _custom(intents)
    for name, intent in custom.items():
        for sample in intent["samples"]:
            if SLOT_RE.search(sample):
                continue
            others = [n for n in _matches_model(sample, custom, types) if n != name]
            assert not others, f"{sample!r} of {name} also fits {others}"


def test_same_sample_shape_in_two_intents_uses_disjoint_values(intents, types):
    shapes: dict[str, list[tuple[str, list[str]]]] = {}
    for name, intent in _custom(intents).items():
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent["samples"]:
            shape = _fold(SLOT_RE.sub("{}", sample))
            shapes.setdefault(shape, []).append((name, [slot_types[s] for s in SLOT_RE.findall(sample)]))
    for shape, owners in shapes.items():
        for (a, a_types), (b, b_types) in combinations(owners, 2):
            if a == b:
                continue
            for ta, tb in zip(a_types, b_types):
                assert not (ta.startswith("AMAZON.") or tb.startswith("AMAZON.")), shape
                overlap = set(_spoken_values(types[ta])) & set(_spoken_values(types[tb]))
                assert not overlap, f"{shape!r} in {a} and {b} share values {overlap}"


def custom_samples(intents, name: str) -> set[str]:
    return {" ".join(s.split()) for s in intents[name]["samples"]}


def test_required_sample_phrasings_present(intents):
    samples = {name: {_fold(s) for s in i["samples"]} for name, i in _custom(intents).items()}
    assert {"give me a tip", "a tip on {topic}", "how can we get better at {topic}",
            "{topic} tips"} <= samples["TipIntent"]
    assert any("{topic}" not in s for s in samples["TipIntent"])
    assert {"{challenge}", "i think {challenge}", "we have a problem with {challenge}"} <= samples["ChallengeIntent"]
    assert "{faqTopic}" in custom_samples(intents, "FaqIntent")
    assert "something {depth}" in samples["QuestionDepthIntent"]
    assert "remind us every night at {time}" in samples["SetReminderIntent"]
    assert "move our reminder to {time}" in samples["ChangeReminderIntent"]
    assert {"we're done", "we are finished", "that's it for tonight"} <= samples["DoneIntent"]
    assert {"forget us", "delete our data"} <= samples["ForgetUsIntent"]
    assert {"cancel our reminder", "stop reminding us"} <= samples["CancelReminderIntent"]
    assert "when is our reminder" in samples["ReminderStatusIntent"]
    assert {"what's our streak", "how many nights have we done"} <= samples["StreakIntent"]
    assert "what's tonight's question" in samples["TonightQuestionIntent"]
    assert {"another question", "a different question", "next question"} <= samples["AnotherQuestionIntent"]
    assert {"a validation phrase", "what can i say to show i understand"} <= samples["ValidationPhraseIntent"]


# --- slot types ----------------------------------------------------------------------------


def test_every_slot_type_is_defined(intents, types):
    for name, intent in intents.items():
        for slot in intent.get("slots", []):
            assert slot["type"].startswith("AMAZON.") or slot["type"] in types, (name, slot)


def test_slot_type_ids_match_contract(types):
    assert set(types) == set(EXPECTED_IDS)
    for type_name, expected in EXPECTED_IDS.items():
        ids = [v["id"] for v in types[type_name]]
        assert len(ids) == len(set(ids)), f"duplicate id in {type_name}"
        assert set(ids) == expected, type_name


def test_slot_values_have_synonyms_and_no_duplicates(types):
    for type_name, values in types.items():
        seen: dict[str, str] = {}
        for value in values:
            name = value["name"]
            synonyms = name.get("synonyms", [])
            assert len(synonyms) >= 3, f"{type_name}.{value['id']} needs at least three synonyms"
            for form in [name["value"], *synonyms]:
                key = _fold(form)
                assert form == form.strip() and key, (type_name, form)
                assert not re.search(r"\d", form), f"spell numbers out: {form!r}"
                assert re.fullmatch(r"[a-z.' ]+", form), f"lowercase words only: {form!r}"
                assert len(form) <= 140
                assert key not in seen, f"{type_name}: {form!r} in {seen.get(key)} and {value['id']}"
                seen[key] = value["id"]


def test_promised_everyday_phrases_resolve(types):
    for (type_name, spoken), expected in PROMISED_VALUES.items():
        assert _spoken_values(types[type_name]).get(spoken) == expected, (type_name, spoken)


# --- locales -------------------------------------------------------------------------------


def test_generated_models_are_fresh():
    """`checkin models --check`: every generated locale equals its source plus its overrides."""
    assert generator.stale() == []
    assert cli.main(["models", "--check"]) == 0


def test_a_stale_model_is_found(tmp_path):
    shutil.copytree(MODELS, tmp_path / "models")
    override = tmp_path / "models" / "overrides" / "en-GB.json"
    data = json.loads(override.read_text())
    data.setdefault("addSamples", {}).setdefault("DoneIntent", []).append("that's all from us")
    override.write_text(json.dumps(data))
    assert generator.stale(tmp_path / "models") == [tmp_path / "models" / "en-GB.json"]


def test_every_english_locale_is_generated_from_en_us():
    generated = generator.overrides()
    assert {locale for locale in LOCALES if locale.startswith("en-")} - set(generated) == {"en-US"}
    assert {o["source"] for locale, o in generated.items() if locale.startswith("en-")} == {"en-US"}
    for override in generated.values():
        assert override.get("why"), "each override says why the locale differs"


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


def _utterance_of(phrase: str) -> tuple[str, str]:
    """Split "Alexa, ask our check in for a tip" into ("ask", "a tip")."""
    folded = _fold(phrase)
    match = re.fullmatch(r"alexa,? (\w+) " + re.escape(INVOCATION) + r"(?: (.*))?", folded)
    assert match, f"not an Alexa phrase with our invocation name: {phrase!r}"
    verb, rest = match.group(1), (match.group(2) or "").rstrip(".?!")
    words = rest.split()
    if words and words[0] in CONNECTING_WORDS:
        rest = " ".join(words[1:])
    return verb, rest


def test_example_phrases_map_to_the_model(manifest, intents, types):
    first_phrases = set()
    for locale, info in manifest["publishingInformation"]["locales"].items():
        phrases = info["examplePhrases"]
        first_phrases.add(phrases[0])
        for phrase in phrases:
            verb, rest = _utterance_of(phrase)
            if not rest:
                assert verb in LAUNCH_VERBS, f"{phrase!r} is not a launch phrase"
                continue
            assert verb in {"ask", "tell"} | LAUNCH_VERBS, phrase
            assert _matches_model(rest, _custom(intents), types), f"{phrase!r}: {rest!r} is no sample"
    # the first example must be a plain launch phrase
    for phrase in first_phrases:
        assert _utterance_of(phrase)[1] == "", phrase


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
