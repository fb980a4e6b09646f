"""Challenges named as situations between two people, never as a fault of the one who spoke, and
the replies to "What's going on?" read in that context: a challenge in any wording lands on a
challenge, and what cannot be placed is thanked, with one next step."""

from __future__ import annotations

import re

import pytest

from intents.guidance import SAFETY_CHALLENGES, challenge_answer
from speech import SUPPORTED_LOCALES

from ..households import households
from .phrasings import load

# Words that put the fault on the person who spoke (or on the other one), in any challenge answer.
FAULT_WORDS = (
    "unrealistic", "needy", "clingy", "insecure", "your fault", "their fault", "overreacting",
    "over-reacting", "too sensitive", "oversensitive", "demanding", "selfish", "jealous",
    "paranoid", "dramatic", "nagging", "immature", "cold-hearted", "fear of", "poor", "lack of",
    "expect too much", "wrong with you", "damaged", "broken", "baggage", "issues", "avoidant",
)
CHALLENGE_SAYINGS = {  # one way to reach each challenge, from cold
    "HARD_TO_OPEN_UP": "tell our check in i'm scared to open up",
    "TALKING_PAST_EACH_OTHER": "tell our check in we keep arguing",
    "HOPES_AND_REALITY": "tell our check in they let me down",
    "OLD_HURTS": "tell our check in i've been hurt before",
    "NO_TIME_TOGETHER": "tell our check in we never have time",
    "CLOSENESS_AND_SPACE": "tell our check in one of us needs space",
    "DRIFTING_APART": "tell our check in we feel disconnected",
    "TRUST": "tell our check in we don't trust each other",
}
DIDNT_CATCH = "catch that"


def faults_in(text: str) -> list[str]:
    return [w for w in FAULT_WORDS if re.search(rf"\b{re.escape(w)}\b", text.lower())]


def test_every_challenge_is_reached_here(content):
    assert set(CHALLENGE_SAYINGS) == set(content.for_locale("en-US").challenges)


def test_the_fault_check_finds_a_fault():
    assert faults_in("It sounds like unrealistic expectations.") == ["unrealistic"]
    assert faults_in("That's not your fault, and you're not needy.") == ["needy", "your fault"]
    assert faults_in("It sounds like you're talking past each other.") == []


@pytest.mark.parametrize("challenge", sorted(CHALLENGE_SAYINGS))
def test_no_challenge_answer_faults_anyone(simulator, content, challenge):
    c = content.for_locale("en-US").challenges[challenge]
    assert faults_in(" ".join((c.name, c.shows, c.focus, c.skill))) == []
    turn = simulator().say(CHALLENGE_SAYINGS[challenge])
    assert challenge in turn.heard
    assert c.name in turn.speech
    if challenge not in SAFETY_CHALLENGES:  # these keep the safety line first within the time
        assert c.shows in turn.speech and c.focus in turn.speech and c.skill in turn.speech
    assert faults_in(turn.speech) == [], turn.speech
    assert turn.listening and turn.speech.endswith("?"), "it offers a matching tip"


@pytest.mark.parametrize("said", ["They let me down", "I feel let down"])
def test_let_down_names_a_gap_not_a_fault(simulator, said):
    turn = simulator().say(said)
    assert "gap between what you hoped for and what happened" in turn.speech
    assert faults_in(turn.speech) == [] and "expectation" not in turn.speech.lower()


@pytest.mark.parametrize("reply, heard, named", [
    ("we feel disconnected", "DRIFTING_APART", "drifted a little apart"),
    ("we don't trust each other", "TRUST", "trust feels hard right now"),
])
def test_we_have_a_problem_then_the_problem(simulator, reply, heard, named):
    sim = simulator()
    asked = sim.say("tell our check in we have a problem")
    assert asked.listening and asked.speech.endswith("What's going on?")
    turn = sim.say(reply)
    assert heard in turn.heard and named in turn.speech
    assert DIDNT_CATCH not in turn.speech and "tonight's question" not in turn.speech


def test_we_fight_all_the_time(simulator):
    turn = simulator().say("We fight all the time")
    assert "talking past each other" in turn.speech
    assert "one eight hundred, seven nine nine, seven two three three" in turn.speech


WHATS_GOING_ON = [p for p in load() if p.context == "whats_going_on"]


@pytest.mark.parametrize("p", WHATS_GOING_ON, ids=[p.said for p in WHATS_GOING_ON])
def test_every_reply_to_whats_going_on_is_met_kindly(simulator, p):
    sim = simulator()
    sim.say("tell our check in we're having a hard time")
    turn = sim.say(p.said)
    assert DIDNT_CATCH not in turn.speech, turn.speech
    if p.intent == "ChallengeIntent":
        assert "It sounds like" in turn.speech
    elif p.intent == "SafetyIntent":
        assert turn.speech.startswith("You deserve to be safe.")
    elif p.intent == "AMAZON.FallbackIntent":
        assert turn.speech.startswith("Thank you for telling me.")
        assert turn.listening and turn.speech.endswith("?"), "one next step, offered"


def test_what_cannot_be_placed_gets_thanks_and_one_next_step(simulator):
    sim = simulator()
    sim.say("tell our check in we have a problem")
    unplaced = sim.say("it's complicated")
    assert unplaced.heard.startswith("AMAZON.FallbackIntent")
    assert unplaced.speech.startswith("Thank you for telling me.")
    assert unplaced.speech.endswith("Would you like a tip on saying what you need?")
    tip = sim.say("yes")
    assert "tip on saying what you need" in tip.speech.lower() and not tip.listening


def test_an_unnamed_problem_in_the_slot_is_thanked_too(simulator):
    turn = simulator().say("tell our check in we have a problem with the neighbours")
    assert turn.speech.startswith("Thank you for telling me.") and turn.listening


def test_yes_and_no_to_whats_going_on(simulator):
    sim = simulator()
    sim.say("tell our check in we have a problem")
    again = sim.say("yes")
    assert again.speech.endswith("What's going on?") and again.listening
    later = sim.say("no")
    assert "tell our check in we have a problem" in later.speech and not later.listening


def test_outside_an_open_question_fallback_still_guides(simulator):
    turn = simulator().say("banana bread")
    assert DIDNT_CATCH in turn.speech and turn.speech.endswith("tonight's question?")


def test_feeling_like_roommates_is_a_challenge_not_a_household_of_friends(simulator, redis):
    sim = simulator()
    sim.say("start our check in")
    turn = sim.say("tell our check in we're like roommates")
    assert "DRIFTING_APART" in turn.heard and "drifted a little apart" in turn.speech
    (household,) = households(redis).values()
    assert household.audience in ("", "partners"), "still partners"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_challenge_answer_keeps_what_to_try_in_every_locale(content, locale):
    """Within the answer's time: the name, what to try, and the safety line where it belongs,
    whichever variant of each line a household hears (a play-test heard "we keep arguing"
    answered with the hotline and no advice at all)."""
    c = content.for_locale(locale)
    for challenge in c.challenges.values():
        for variant in range(4):
            def text(key, _v=variant, **values):
                return c.text(key, pick=lambda count: min(_v, count - 1), **values)

            _, kept = challenge_answer(text, c, challenge)
            assert {"intro", "focus"} <= kept, (challenge.id, variant, kept)
            assert ("safety" in kept) == (challenge.id in SAFETY_CHALLENGES), (challenge.id, kept)
