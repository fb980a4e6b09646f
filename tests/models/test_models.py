"""The Alexa interaction models (models/): certification rules, the contract with the handlers,
the samples and slot values, and the generated locales."""

from __future__ import annotations

import json
import re
import shutil
from itertools import combinations

import pytest

from skill import cli
from skill.dev import models as generator

from skill.dev import MODELS_DIR as MODELS

from .rules import (
    BUILTIN_INTENTS, BUILTIN_PHRASES, CERTIFICATION_REQUIRED, CUSTOM_INTENT_SLOTS, EXPECTED_IDS,
    INVOCATION, LOCALES, PROMISED_VALUES, SAMPLE_CHARS_RE, SLOT_RE, custom_intents, fold,
    invocation_problems, matches_model, spoken_values,
)


# --- invocation name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_name",
    ["checkin", "Our Check In", "open our check in", "our check in skill", "check in app",
     "talk to us", "alexa check in", "our check-in", "check in 2"],
)
def test_invocation_rules_reject_bad_names(bad_name):
    assert invocation_problems(bad_name)


@pytest.mark.parametrize("good_name", ["our check in", "mike's check in", "the b. b. c. check in"])
def test_invocation_rules_accept_good_names(good_name):
    assert invocation_problems(good_name) == []


def test_invocation_name_is_ours_and_follows_the_rules(language_model):
    name = language_model["invocationName"]
    assert name == INVOCATION
    assert invocation_problems(name) == []



# --- intents -------------------------------------------------------------------------------


def test_contract_custom_intents_and_slots_are_exact(intents):
    custom = custom_intents(intents)
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
    for name, intent in custom_intents(intents).items():
        samples = intent["samples"]
        assert len(samples) >= 12, name
        without_slots = {fold(SLOT_RE.sub(" ", s)) for s in samples}
        assert len(without_slots) >= 10, f"{name} samples are not varied enough"


def test_samples_unique_across_and_within_intents(intents):
    owner: dict[str, str] = {}
    for name, intent in intents.items():
        for sample in intent.get("samples", []):
            key = fold(sample)
            assert key not in owner, f"{sample!r} is in {owner.get(key)} and {name}"
            owner[key] = name


def test_samples_are_clean_spoken_text(intents):
    for name, intent in custom_intents(intents).items():
        for sample in intent["samples"]:
            assert sample == sample.strip() and "  " not in sample, (name, sample)
            assert not re.search(r"\d", sample), f"spell numbers out: {sample!r}"
            assert SAMPLE_CHARS_RE.match(sample), f"punctuation in {sample!r}"
            literal = SLOT_RE.sub("", sample)
            assert literal == literal.lower(), f"lowercase please: {sample!r}"
            assert "{" not in literal and "}" not in literal, f"broken slot braces: {sample!r}"
            assert len(sample) <= 200


def test_samples_do_not_take_builtin_phrasings(intents):
    for name, intent in custom_intents(intents).items():
        for sample in intent["samples"]:
            assert fold(sample) not in BUILTIN_PHRASES, (name, sample)


def test_slots_declared_and_used(intents):
    for name, intent in custom_intents(intents).items():
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
    custom = custom_intents(intents)
    for name, intent in custom.items():
        for sample in intent["samples"]:
            if SLOT_RE.search(sample):
                continue
            others = [n for n in matches_model(sample, custom, types) if n != name]
            assert not others, f"{sample!r} of {name} also fits {others}"


def test_same_sample_shape_in_two_intents_uses_disjoint_values(intents, types):
    shapes: dict[str, list[tuple[str, list[str]]]] = {}
    for name, intent in custom_intents(intents).items():
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent["samples"]:
            shape = fold(SLOT_RE.sub("{}", sample))
            shapes.setdefault(shape, []).append((name, [slot_types[s] for s in SLOT_RE.findall(sample)]))
    for shape, owners in shapes.items():
        for (a, a_types), (b, b_types) in combinations(owners, 2):
            if a == b:
                continue
            for ta, tb in zip(a_types, b_types):
                assert not (ta.startswith("AMAZON.") or tb.startswith("AMAZON.")), shape
                overlap = set(spoken_values(types[ta])) & set(spoken_values(types[tb]))
                assert not overlap, f"{shape!r} in {a} and {b} share values {overlap}"


def custom_samples(intents, name: str) -> set[str]:
    return {" ".join(s.split()) for s in intents[name]["samples"]}


def test_required_sample_phrasings_present(intents):
    samples = {name: {fold(s) for s in i["samples"]} for name, i in custom_intents(intents).items()}
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
                key = fold(form)
                assert form == form.strip() and key, (type_name, form)
                assert not re.search(r"\d", form), f"spell numbers out: {form!r}"
                assert re.fullmatch(r"[a-z.' ]+", form), f"lowercase words only: {form!r}"
                assert len(form) <= 140
                assert key not in seen, f"{type_name}: {form!r} in {seen.get(key)} and {value['id']}"
                seen[key] = value["id"]


def test_promised_everyday_phrases_resolve(types):
    for (type_name, spoken), expected in PROMISED_VALUES.items():
        assert spoken_values(types[type_name]).get(spoken) == expected, (type_name, spoken)


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
