"""A question on a theme by voice: from that theme, counted as tonight's check-in if none was
given yet, in one Redis round trip; an unknown theme hears which themes there are."""

from __future__ import annotations

import pytest
import redis as redis_py

from intents.themes import theme_question
from skill import rules
from skill.dev.bench.probes import RedisMonitor
from skill.storage import Store
from speech import PARTNER_THEMES, THEMES

from ..households import households

CONTROL = {"echo", "monitor", "ping", "client", "info", "config", "hello"}


def question_in(text: str) -> str:
    """The question: what is said between the pauses around it."""
    return text.split("(0.8s pause)")[1].split("(1.2s pause)")[0].strip()


def theme_of(content, text: str, theme: str) -> bool:
    c = content.for_locale("en-US")
    return any(q.text in text for d in "LMD" for q in c.theme_bank(d, theme))


@pytest.mark.parametrize("said, theme", [
    ("A question about the future", "dreams"),
    ("a question about intimacy", "romance"),
    ("ask our check in for a question about family", "family"),
    ("ask our check in for something fun", "play"),
    ("ask our check in for a gratitude question", "gratitude"),
    ("ask our check in for a question about us", "us"),
])
def test_a_question_from_the_theme_asked_for(simulator, content, said, theme):
    turn = simulator().say(said)
    assert "ThemeQuestionIntent" in turn.heard
    assert theme_of(content, turn.speech, theme), turn.speech
    assert "tell our check in we're done" in turn.speech and not turn.listening


def test_it_counts_as_tonight_once_and_stays_the_same_tonight(simulator, content):
    sim = simulator()
    first = sim.say("a question about the future")
    assert "one of you answers" in first.speech.lower(), "a first night, as at launch"
    assert "the future" in first.speech.split("(0.8s pause)")[0], "the theme, before the question"
    again = sim.say("a question about the future")
    assert question_in(again.speech) == question_in(first.speech)
    assert "once more" not in again.speech.split("(0.8s pause)")[0].lower()
    launch = sim.say("start our check in")
    assert "already" in launch.speech, "the theme question counted as tonight's check-in"
    assert "You've checked in tonight, and your streak is 1 night" in sim.say(
        "ask our check in what's our streak").speech
    sim.advance(days=1, to="21:30")
    tomorrow = sim.say("a question about the future")
    assert "2 nights" in tomorrow.speech and theme_of(content, tomorrow.speech, "dreams")


def test_a_theme_question_is_one_redis_round_trip(simulator, redis_server, redis):
    sim = simulator()
    sim.say("ask our check in what's our streak")  # the device's zone is known from here on
    sim.say("start our check in")  # and the script is loaded
    sim.advance(days=1, to="21:30")
    sim.say("ask our check in what's our streak")
    monitor = RedisMonitor(redis_server.port)
    sim.say("a question about family")
    control = redis_py.Redis(port=redis_server.port)
    monitor.stop(control)
    control.close()
    calls = {k: v for k, v in monitor.top_level().items() if k not in CONTROL}
    assert calls == {"evalsha": 1}, calls


def test_an_unknown_theme_hears_which_there_are_and_can_pick_one(simulator, content):
    sim = simulator()
    listed = sim.say("ask our check in for a question about money")
    assert listed.listening and listed.speech.endswith("Which would you like?")
    for theme in THEMES:
        assert sim.app.extensions["checkin"]["services"].content.for_locale("en-US").text(
            f"theme_name_{theme}") in listed.speech
    picked = sim.say("family")
    assert theme_of(content, picked.speech, "family")


def test_a_theme_we_do_not_have_is_thanked_and_offered_another(simulator, content):
    sim = simulator()
    sim.say("ask our check in for a question about work")
    unplaced = sim.say("my mother in law")
    assert unplaced.speech.startswith("Thank you.") and unplaced.listening
    assert "catch that" not in unplaced.speech
    us = sim.say("yes")
    assert theme_of(content, us.speech, "us")


def test_friends_and_family_never_hear_a_partners_only_theme(simulator, content, redis):
    assert {"romance", "family"} <= set(THEMES) and PARTNER_THEMES == {"romance"}
    sim = simulator()
    sim.say("start our check in")
    (household,) = households(redis)
    Store(redis).set_fields(household, aud="friends")  # as "set us up as friends" leaves it
    sim.advance(days=1, to="21:30")
    turn = sim.say("a question about intimacy")
    assert not theme_of(content, turn.speech, "romance") and theme_of(content, turn.speech, "us")
    assert "the two of you" in turn.speech.split("(0.8s pause)")[0]
    listed = sim.say("ask our check in for a question about money")
    assert "romance" not in listed.speech and "family" in listed.speech


def test_romance_and_family_questions_follow_the_content_rules(content):
    c = content.for_locale("en-US")
    assumptions = ("your children", "your kids", "your wife", "your husband", "married",
                   "your mother", "your father", "your parents", "happy childhood",
                   "live together", "your home together")
    for depth in "LMD":
        for theme in ("romance", "family"):
            bank = c.theme_bank(depth, theme)
            assert len(bank) >= 5, (depth, theme)
            for q in bank:
                assert q.text.endswith("?") and len(q.text.split()) <= 25, q.text
                assert q.text.split()[0] not in ("Do", "Does", "Is", "Are", "Have", "Can",
                                                 "Would", "Will", "Did"), q.text
                if theme == "family":
                    assert not any(a in q.text.lower() for a in assumptions), q.text


def test_a_theme_never_brings_back_a_question_heard_in_this_pass(content):
    """Early, midway and late in a pass through the medium bank: every theme's question is one
    the household has not heard in this pass (nor tonight), while its theme has any left."""
    c = content.for_locale("en-US")
    walk = c.questions_for("partners")["M"]
    who = "5f0c2a7e9b1d4c3a8e6f0b2d4c6a8e0f"
    for position in (len(walk) + 12, 75, len(walk) - 3):
        start = position - position % len(walk)
        heard = {walk[rules.bank_index(who, "M", p, len(walk))] for p in range(start, position + 1)}
        for theme in THEMES:
            left = [q for q in c.theme_bank("M", theme) if q not in heard]
            picks = [theme_question(c, who, "M", night, "partners", theme, position)
                     for night in range(700, 710)]
            assert not left or not heard.intersection(picks), (position, theme)


def test_theme_nights_between_walk_nights_repeat_nothing(simulator):
    """Forty nights in a row, every fourth one a theme asked for: no question comes twice."""
    sim, said = simulator(), []
    themes = ("a question about the future", "a question about us", "something fun",
              "a gratitude question", "a question about family")
    for night in range(40):
        text = (sim.say(f"ask our check in for {themes[night // 4 % len(themes)]}").speech
                if night % 4 == 3 else sim.say("start our check in").speech)
        said.append(question_in(text))
        sim.advance(days=1, to="21:30")
    assert len(set(said)) == len(said), [q for q in said if said.count(q) > 1]
