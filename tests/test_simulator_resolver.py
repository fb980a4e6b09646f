"""The offline simulator's utterance resolver: launch and one-shot phrasing, samples, slot values
and synonyms with entity resolution, built-in intents, filler words, Fallback, spoken times."""

from __future__ import annotations

import pytest

from skill.dev.simulator.errors import SimulatorError
from skill.dev.simulator.lang import load as load_language
from skill.dev.simulator.resolver import UtteranceResolver, clean, load_model
from skill.dev.simulator.spoken_time import parse_time


@pytest.fixture(scope="module")
def resolver() -> UtteranceResolver:
    return UtteranceResolver.for_locale("en-US")


def slot_summary(res) -> dict:
    """{slot: (heard, status, id)} for the slots that carry a value."""
    out = {}
    for name, s in res.slots.items():
        if "value" not in s:
            continue
        auth = (s.get("resolutions") or {}).get("resolutionsPerAuthority") or [{}]
        code = auth[0].get("status", {}).get("code")
        ident = auth[0]["values"][0]["value"]["id"] if code == "ER_SUCCESS_MATCH" else None
        out[name] = (s["value"], code, ident)
    return out


@pytest.mark.parametrize("said", [
    "start our check in", "open our check in", "Launch our check-in", "Alexa, start our check in!",
    "um, open our checkin", "ask our check in",
])
def test_launch_phrasing(resolver, said):
    assert resolver.resolve(said).kind == "launch"


@pytest.mark.parametrize("said, intent, slots", [
    ("ask our check in for a tip on active listening", "TipIntent",
     {"topic": ("active listening", "ER_SUCCESS_MATCH", "ACTIVE_LISTENING")}),
    ("ask our check in to forget us", "ForgetUsIntent", {}),
    ("tell our check in we're done", "DoneIntent", {}),
    ("tell our check in that we keep arguing", "ChallengeIntent",
     {"challenge": ("we keep arguing", "ER_SUCCESS_MATCH", "TALKING_PAST_EACH_OTHER")}),
    ("ask our check in what's our streak", "StreakIntent", {}),
    ("ask our check in for something lighter", "QuestionDepthIntent",
     {"depth": ("lighter", "ER_SUCCESS_MATCH", "LIGHT")}),
    ("ask our check in about friendships", "FaqIntent",
     {"faqTopic": ("friendships", "ER_SUCCESS_MATCH", "FRIENDSHIPS")}),
    ("start our check in tonight", "TonightQuestionIntent", {}),  # a sample in its own right
])
def test_one_shot_phrasing(resolver, said, intent, slots):
    res = resolver.resolve(said)
    assert (res.kind, res.intent, res.one_shot) == ("intent", intent, True)
    assert slot_summary(res) == slots


@pytest.mark.parametrize("said, intent, slots", [
    # synonyms resolve to the canonical id, and the heard words are kept
    ("how to listen better", "TipIntent",
     {"topic": ("listen better", "ER_SUCCESS_MATCH", "ACTIVE_LISTENING")}),
    ("tips for body language", "TipIntent",
     {"topic": ("body language", "ER_SUCCESS_MATCH", "NONVERBAL_CUES")}),
    ("i feel like we never have time", "ChallengeIntent",
     {"challenge": ("we never have time", "ER_SUCCESS_MATCH", "NO_TIME_TOGETHER")}),
    ("Im scared to open up", "ChallengeIntent",
     {"challenge": ("im scared to open up", "ER_SUCCESS_MATCH", "HARD_TO_OPEN_UP")}),
    ("i'd like a deeper question", "QuestionDepthIntent",
     {"depth": ("deeper", "ER_SUCCESS_MATCH", "DEEP")}),
    ("can you tell me what are healthy signs", "FaqIntent",
     {"faqTopic": ("what are healthy signs", "ER_SUCCESS_MATCH", "HEALTHY_SIGNS")}),
    # a value the model does not know: the intent, with ER_SUCCESS_NO_MATCH and the raw words
    ("a tip about juggling", "TipIntent", {"topic": ("juggling", "ER_SUCCESS_NO_MATCH", None)}),
    ("we have a problem with the neighbours", "ChallengeIntent",
     {"challenge": ("the neighbours", "ER_SUCCESS_NO_MATCH", None)}),
    # the most specific sample wins: an exact sample without slots over any slot sample
    ("give us a tip", "TipIntent", {}),
    ("what's tonight's question", "TonightQuestionIntent", {}),
    ("whats tonights question", "TonightQuestionIntent", {}),
    # AMAZON.TIME slots
    ("remind us every night at half past eight", "SetReminderIntent", {"time": ("08:30", None, None)}),
    ("set a reminder for nine pm", "SetReminderIntent", {"time": ("21:00", None, None)}),
    ("move our reminder to 21:30", "ChangeReminderIntent", {"time": ("21:30", None, None)}),
])
def test_samples_slots_and_entity_resolution(resolver, said, intent, slots):
    res = resolver.resolve(said)
    assert (res.intent, res.one_shot) == (intent, False)
    assert slot_summary(res) == slots


def test_declared_slots_are_sent_even_when_empty(resolver):
    res = resolver.resolve("give us a tip")
    assert res.slots == {"topic": {"name": "topic", "confirmationStatus": "NONE"}}


@pytest.mark.parametrize("said, intent", [
    ("help", "AMAZON.HelpIntent"), ("what can I do?", "AMAZON.HelpIntent"),
    ("stop", "AMAZON.StopIntent"), ("quit", "AMAZON.StopIntent"),
    ("cancel", "AMAZON.CancelIntent"), ("never mind", "AMAZON.CancelIntent"),
    ("yes", "AMAZON.YesIntent"), ("Yeah!", "AMAZON.YesIntent"), ("sure", "AMAZON.YesIntent"),
    ("yes please", "AMAZON.YesIntent"), ("okay", "AMAZON.YesIntent"),
    ("no", "AMAZON.NoIntent"), ("nope", "AMAZON.NoIntent"), ("no thanks", "AMAZON.NoIntent"),
    ("repeat", "AMAZON.RepeatIntent"), ("say that again", "AMAZON.RepeatIntent"),
    ("what?", "AMAZON.RepeatIntent"),
    ("start over", "AMAZON.StartOverIntent"), ("restart", "AMAZON.StartOverIntent"),
    ("go home", "AMAZON.NavigateHomeIntent"),
    # the model's own samples beat built-in phrasing that starts the same way
    ("cancel our reminder", "CancelReminderIntent"), ("stop reminding us", "CancelReminderIntent"),
])
def test_builtin_phrasings(resolver, said, intent):
    assert resolver.resolve(said).intent == intent


@pytest.mark.parametrize("said", [
    "banana bread", "what's the weather in paris", "remind us at banana", "play some jazz",
    "get a tip from our check in on juggling pancakes",
])
def test_nothing_matches_is_fallback(resolver, said):
    res = resolver.resolve(said)
    assert (res.kind, res.intent) == ("intent", "AMAZON.FallbackIntent")


@pytest.mark.parametrize("said, intent, value", [
    ("Um, what's our streak?", "StreakIntent", None),
    ("so, like, give us something deeper please", "QuestionDepthIntent", "DEEP"),
    ("okay alexa, forget us please", "ForgetUsIntent", None),
    ("A TIP ON, uh, ACTIVE LISTENING.", "TipIntent", "ACTIVE_LISTENING"),
    ("hey so i think we keep arguing", "ChallengeIntent", "TALKING_PAST_EACH_OTHER"),
])
def test_filler_words_case_and_punctuation(resolver, said, intent, value):
    res = resolver.resolve(said)
    assert res.intent == intent
    ids = [v[2] for v in slot_summary(res).values()]
    assert ids == ([value] if value else [])


def test_exit_ends_the_session(resolver):
    assert resolver.resolve("exit").kind == "end"


@pytest.mark.parametrize("said, value", [
    ("nine", "09:00"), ("nine pm", "21:00"), ("nine p.m.", "21:00"), ("9pm", "21:00"),
    ("nine at night", "21:00"), ("half past eight", "08:30"), ("quarter to ten", "09:45"),
    ("a quarter past nine", "09:15"), ("eight thirty", "08:30"), ("eight forty five", "08:45"),
    ("eight oh five", "08:05"), ("seven thirty in the evening", "19:30"), ("ten o'clock", "10:00"),
    ("8:30", "08:30"), ("21:30", "21:30"), ("twenty one thirty", "21:30"), ("noon", "12:00"),
    ("midnight", "00:00"), ("twelve am", "00:00"), ("evening", "EV"),
    ("banana", None), ("25:00", None), ("nine seventy", None),
])
def test_time_parsing(said, value):
    assert parse_time(clean(said), load_language("en").time) == value


def test_unknown_locale_is_a_clear_error():
    with pytest.raises(SimulatorError, match="no interaction model for locale 'it-IT'.*en-US"):
        load_model("it-IT")


def test_challenges_in_everyday_words_resolve():
    resolver = UtteranceResolver.for_locale("en-US")
    for said, expected in [("we keep fighting", "TALKING_PAST_EACH_OTHER"),
                           ("i'm scared to open up", "HARD_TO_OPEN_UP"),
                           ("we never have time", "NO_TIME_TOGETHER"),
                           ("i feel let down", "HOPES_AND_REALITY"),
                           ("i find it hard to trust", "TRUST")]:
        result = resolver.resolve(f"tell our check in {said}")
        assert result.intent == "ChallengeIntent", said
        slot = result.slots["challenge"]
        authority = slot["resolutions"]["resolutionsPerAuthority"][0]
        assert authority["values"][0]["value"]["id"] == expected, said


def test_short_answers_to_open_prompts_resolve():
    resolver = UtteranceResolver.for_locale("en-US")
    lighter = resolver.resolve_intent("lighter")
    assert lighter.intent == "QuestionDepthIntent"
    at_nine = resolver.resolve_intent("at nine pm")
    assert at_nine.intent == "SetReminderIntent" and at_nine.slots["time"]["value"] == "21:00"
