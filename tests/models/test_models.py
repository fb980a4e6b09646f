"""The Alexa interaction models (models/): certification rules, the contract with the handlers,
the samples and slot values, and the generated locales."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from skill import cli
from skill.dev import models as generator

from skill.dev import MODELS_DIR as MODELS

from skill.dev.skill_package import model_rules

from .rules import model as load_locale
from .rules import (
    BUILTIN_INTENTS, CERTIFICATION_REQUIRED, CUSTOM_INTENT_SLOTS, ENGLISH, EXPECTED_IDS, INVOCATION,
    LOCALES, PROMISED_VALUES, SLOT_ONLY_SAMPLES, SLOT_RE, custom_intents, fold, invocation_of,
    invocation_problems, spoken_values,
)


def english_intents(locale: str) -> dict[str, dict]:
    lm = load_locale(locale)["interactionModel"]["languageModel"]
    return {intent["name"]: intent for intent in lm["intents"]}


def english_types(locale: str) -> dict[str, list[dict]]:
    lm = load_locale(locale)["interactionModel"]["languageModel"]
    return {t["name"]: t["values"] for t in lm.get("types", [])}


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


def test_invocation_name_is_ours_and_follows_the_rules(locale, language_model):
    """Each locale says its language's name (its source model's), by that language's rules;
    English says "our check in"."""
    name = language_model["invocationName"]
    assert name == invocation_of(locale)
    if locale in ENGLISH:
        assert name == INVOCATION
    assert invocation_problems(name, locale.split("-")[0]) == []


def test_every_locale_has_the_same_intents_slots_and_values():
    assert model_rules.consistency_problems({locale: load_locale(locale) for locale in LOCALES}) == []


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


def test_model_shape_and_intents(locale_model):
    """Amazon's schema, unique intent names, the built-ins certification asks for."""
    assert model_rules.shape_problems(locale_model) == []
    assert model_rules.intent_problems(locale_model) == []


# --- sample utterances ---------------------------------------------------------------------


def test_each_custom_intent_has_enough_varied_samples(intents):
    for name, intent in custom_intents(intents).items():
        samples = intent["samples"]
        assert len(samples) >= 12, name
        without_slots = {fold(SLOT_RE.sub(" ", s)) for s in samples}
        assert len(without_slots) >= 10, f"{name} samples are not varied enough"


def test_samples_are_clean_unique_and_use_their_slots(locale_model):
    """Spoken text only (numbers spelled out, no punctuation, lower case, at most 200
    characters), unique across intents, no built-in phrasing, every slot declared and used."""
    assert model_rules.sample_problems(locale_model) == []


def test_no_utterance_fits_two_intents(locale_model):
    assert model_rules.ambiguity_problems(locale_model) == []


def test_slot_only_samples_are_replies_with_a_reason(intents):
    """A sample that is only a slot ("{depth}") matches whatever the slot's values are, so it
    exists only where people answer the skill's own question with the value itself; every
    other sample carries words of its own."""
    bare = {name for name, intent in custom_intents(intents).items()
            for sample in intent["samples"] if re.fullmatch(r"\{\w+\}", sample.strip())}
    assert bare == set(SLOT_ONLY_SAMPLES)
    assert all(len(reason.split()) >= 4 for reason in SLOT_ONLY_SAMPLES.values())


def custom_samples(intents, name: str) -> set[str]:
    return {" ".join(s.split()) for s in intents[name]["samples"]}


@pytest.mark.parametrize("locale", ENGLISH)
def test_required_sample_phrasings_present(locale):
    """The English phrasings the product and the issues promise, word for word."""
    intents = english_intents(locale)
    samples = {name: {fold(s) for s in i["samples"]} for name, i in custom_intents(intents).items()}
    assert {"give me a tip", "a tip on {topic}", "how can we get better at {topic}",
            "{topic} tips"} <= samples["TipIntent"]
    assert any("{topic}" not in s for s in samples["TipIntent"])
    assert {"{challenge}", "i think {challenge}", "we have a problem with {challenge}"} <= samples["ChallengeIntent"]
    assert "{faqTopic}" in custom_samples(intents, "FaqIntent")
    assert "a question about {faqTopic}" not in custom_samples(intents, "FaqIntent"), \
        "a question about the future is a theme, not the FAQ"
    assert {"a question about {theme}", "something {theme}"} <= samples["ThemeQuestionIntent"]
    assert {"can we skip tonight", "we're too tired tonight"} <= samples["SkipTonightIntent"]
    assert {"i don't feel safe", "i'm scared of {who}", "{who} hurts me"} <= samples["SafetyIntent"]
    assert "how do i {topic}" in samples["TipIntent"]
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


def test_slot_types_defined_and_values_clean(locale_model):
    assert model_rules.slot_type_problems(locale_model) == []


def test_slot_type_ids_match_contract(types):
    assert set(types) == set(EXPECTED_IDS)
    for type_name, expected in EXPECTED_IDS.items():
        ids = [v["id"] for v in types[type_name]]
        assert len(ids) == len(set(ids)), f"duplicate id in {type_name}"
        assert set(ids) == expected, type_name


def test_slot_values_have_synonyms(types):
    for type_name, values in types.items():
        for value in values:
            synonyms = value["name"].get("synonyms", [])
            assert len(synonyms) >= 3, f"{type_name}.{value['id']} needs at least three synonyms"


@pytest.mark.parametrize("locale", ENGLISH)
def test_promised_everyday_phrases_resolve(locale):
    types = english_types(locale)
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


def test_every_generated_locale_comes_from_its_languages_source():
    sources = generator.sources()
    assert set(sources) == {locale.split("-")[0] for locale in LOCALES}
    for locale, override in generator.overrides().items():
        assert override["source"] == sources[locale.split("-")[0]], locale


def test_every_english_locale_is_generated_from_en_us():
    generated = generator.overrides()
    assert {locale for locale in LOCALES if locale.startswith("en-")} - set(generated) == {"en-US"}
    assert {o["source"] for locale, o in generated.items() if locale.startswith("en-")} == {"en-US"}
    for override in generated.values():
        assert override.get("why"), "each override says why the locale differs"
