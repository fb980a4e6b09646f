"""Every intent, driven through the HTTP endpoint in every spoken locale: what is said (the
locale's own content, read from speech/), and whether Alexa keeps listening."""

from __future__ import annotations

import html

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from skill.dev.envelopes import intent, launch, session_ended, slot
from speech import SUPPORTED_LOCALES

from .conftest import spoken_text
from .speaking import hears, heard_one, said


@pytest.fixture(params=SUPPORTED_LOCALES)
def locale(request) -> str:
    return request.param


@pytest.fixture
def alexa(alexa, locale):
    """The conftest's Alexa, on a device set to the locale."""
    alexa.device.locale = locale
    return alexa


@pytest.fixture
def c(content, locale):
    """The locale's content: what each test expects to hear."""
    return content.for_locale(locale)


@pytest.fixture
def night(clock):
    """Move the clock to 9 p.m. New York on night `n` (1 = 2026-12-01)."""
    def go(n: int, hour: int = 21):
        clock.now = datetime(2026, 12, n, hour, tzinfo=ZoneInfo("America/New_York")).timestamp()
    go(1)
    return go


def heard(data: dict) -> str:
    ssml = data["response"].get("outputSpeech", {}).get("ssml", "<speak></speak>")
    return spoken_text(ssml)


def question(data: dict) -> str:
    ssml = data["response"]["outputSpeech"]["ssml"]
    return ssml.split('<prosody rate="90%">')[1].split("</prosody>")[0]


def ended(data: dict) -> bool:
    return data["response"].get("shouldEndSession") is True


def bank(c, depth):
    return {q.text.replace("'", "&apos;") for q in c.questions[depth]} | {q.text for q in c.questions[depth]}


def test_launch_greets_asks_slowly_and_steps_back(alexa, night, c):
    data = alexa.send(launch(), in_session=True)
    text = heard(data)
    heard_one(text, c, "welcome_first")
    heard_one(text, c, "turn_taking_rule")  # first-timers hear how it works
    heard_one(text, c, "how_to_close")
    assert '<break time="800ms"/> <prosody rate="90%">' in data["response"]["outputSpeech"]["ssml"]
    assert question(data) in bank(c, "L")
    assert text.endswith(html.unescape(question(data))), "the question is the last thing said"
    assert ended(data), "the microphone is not left open while the couple talks"
    again = alexa.send(launch())
    assert question(again) == question(data)
    heard_one(heard(again), c, "already_tonight")
    assert not hears(heard(again), c, "turn_taking_rule")


def test_welcome_back_with_streak_news(alexa, night, c):
    alexa.send(launch())
    night(2)
    heard_one(heard(alexa.send(launch())), c, "streak_now", nights=c.words.nights(2))


def test_rest_night_is_named_kindly(alexa, night, c):
    for n in (1, 2, 3):
        night(n)
        alexa.send(launch())
    night(5)  # skipped Friday, December 4
    text = heard(alexa.send(launch()))
    heard_one(text, c, "rest_night_kept", day=c.words.weekday(date(2026, 12, 4)))
    heard_one(text, c, "streak_now_rest", nights=c.words.nights(4))
    if c.locale == "en-US":  # the words themselves, once
        assert "You missed Friday, but your rest night kept your streak going." in text


def test_milestone_at_three_nights(alexa, night, c):
    for n in (1, 2, 3):
        night(n)
        data = alexa.send(launch())
    heard_one(heard(data), c, "milestone_3")


def test_tip_on_active_listening(alexa, night, c):
    tip = c.tips["ACTIVE_LISTENING"]
    data = alexa.send(intent("TipIntent", {"topic": slot("topic", "how to listen better",
                                                          "ACTIVE_LISTENING", "active listening",
                                                          "TipTopicType")}))
    text = heard(data)
    heard_one(text, c, "tip_intro", topic=tip.name)
    assert any(" ".join(t.split()) in text for t in tip.tips)
    assert ended(data)


def test_tip_without_topic_and_with_unknown_topic(alexa, night, c):
    all_tips = [t for tip in c.tips.values() for t in tip.tips]
    text = heard(alexa.send(intent("TipIntent")))
    assert any(t in text for t in all_tips)
    text = heard(alexa.send(intent("TipIntent", {"topic": slot("topic", "juggling", None, None,
                                                               "TipTopicType")})))
    heard_one(text, c, "tip_unknown_topic", heard="juggling")
    assert "juggling" not in text, "an unknown topic is not repeated back"
    assert any(t in text for t in all_tips)


def test_a_tip_at_random_is_never_one_that_ends_with_a_helpline(alexa, night, c):
    """The safety topics are asked for by name; a plain "a tip" draws from the others."""
    lines = said(c, "safety_line")
    for _ in range(30):
        assert not any(line in heard(alexa.send(intent("TipIntent"))) for line in lines)


def test_validation_phrase(alexa, night, c):
    text = heard(alexa.send(intent("ValidationPhraseIntent")))
    assert any(p in text for p in c.validation)
    assert any(r in text for r in c.reflective)


def test_another_lighter_deeper(alexa, night, c):
    tonight = question(alexa.send(launch()))
    another = alexa.send(intent("AnotherQuestionIntent"))
    assert question(another) != tonight and ended(another)
    lighter = alexa.send(intent("QuestionDepthIntent", {"depth": slot("depth", "lighter", "LIGHT",
                                                                      "light", "DepthType")}))
    assert question(lighter) in bank(c, "L")
    deeper = alexa.send(intent("QuestionDepthIntent", {"depth": slot("depth", "deeper", "DEEP",
                                                                     "deep", "DepthType")}))
    assert question(deeper) in bank(c, "D")
    assert question(alexa.send(launch())) == question(deeper), "the override holds tonight"


def test_depth_not_understood_asks(alexa, night, c):
    data = alexa.send(intent("QuestionDepthIntent", {"depth": slot("depth", "purple", None, None,
                                                                   "DepthType")}),
                      in_session=True)
    assert not ended(data)
    heard_one(heard(data), c, "depth_unknown")
    assert question(alexa.send(intent("AMAZON.YesIntent"), in_session=True))


def test_challenge_then_yes_gives_the_matching_tip(alexa, night, c):
    challenge = c.challenges["DRIFTING_APART"]
    data = alexa.send(intent("ChallengeIntent", {"challenge": slot(
        "challenge", "we feel disconnected", "DRIFTING_APART", "we've drifted apart",
        "ChallengeType")}), in_session=True)
    text = heard(data)
    assert challenge.shows in text and challenge.focus in text and challenge.skill in text
    assert any(text.endswith(v) for v in said(c, "offer_tip", topic=c.tips[challenge.tip_topic].name))
    assert not ended(data)
    tip = heard(alexa.send(intent("AMAZON.YesIntent"), in_session=True))
    assert any(t in tip for t in c.tips[challenge.tip_topic].tips)


def test_challenge_then_no(alexa, night, c):
    alexa.send(intent("ChallengeIntent", {"challenge": slot(
        "challenge", "we never have time", "NO_TIME_TOGETHER", "we never have time",
        "ChallengeType")}), in_session=True)
    data = alexa.send(intent("AMAZON.NoIntent"), in_session=True)
    heard_one(heard(data), c, "no_tip_then")
    assert ended(data)


def test_challenge_not_placed_is_thanked_with_a_next_step(alexa, night, c):
    data = alexa.send(intent("ChallengeIntent", {"challenge": slot(
        "challenge", "the cat", None, None, "ChallengeType")}), in_session=True)
    heard_one(heard(data), c, "challenge_unplaced")
    assert not ended(data)
    assert not hears(heard(data), c, "fallback")
    data = alexa.send(intent("ChallengeIntent", {"challenge": slot(
        "challenge", "scared to open up", "HARD_TO_OPEN_UP", "i'm scared to open up",
        "ChallengeType")}), in_session=True)
    assert c.challenges["HARD_TO_OPEN_UP"].shows in heard(data)


def test_faq(alexa, night, c):
    faq = c.faq["HOW_LONG"]
    data = alexa.send(intent("FaqIntent", {"faqTopic": slot(
        "faqTopic", "how long does it take", "HOW_LONG", "how long does it take",
        "FaqTopicType")}))
    assert " ".join(faq.answer.split()) in heard(data)
    unknown = alexa.send(intent("FaqIntent"), in_session=True)
    assert not ended(unknown)


def test_streak(alexa, night, c):
    heard_one(heard(alexa.send(intent("StreakIntent"))), c, "streak_none")
    for n in (1, 2, 3):
        night(n)
        alexa.send(launch())
    text = heard(alexa.send(intent("StreakIntent")))
    three = c.words.nights(3)
    heard_one(text, c, "streak_current_done", nights=three)
    heard_one(text, c, "streak_totals", longest=three, total=three)
    night(4)
    heard_one(heard(alexa.send(intent("StreakIntent"))), c, "streak_current_pending", nights=three)
    night(7)
    heard_one(heard(alexa.send(intent("StreakIntent"))), c, "streak_broken")


def test_were_done(alexa, night, c):
    alexa.send(launch())
    data = alexa.send(intent("DoneIntent"))
    assert ended(data)
    heard_one(heard(data), c, "done_first_ever")
    night(2)
    before = alexa.send(intent("DoneIntent"), in_session=True)
    heard_one(heard(before), c, "done_before_question")
    assert not ended(before)
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    assert question(data)
    heard_one(heard(alexa.send(intent("DoneIntent"))), c, "done_streak", nights=c.words.nights(2))


def test_forget_us_confirm_no_then_yes(alexa, night, redis, c):
    alexa.send(launch())
    data = alexa.send(intent("ForgetUsIntent"), in_session=True)
    heard_one(heard(data), c, "forget_confirm")
    assert not ended(data)
    heard_one(heard(alexa.send(intent("AMAZON.NoIntent"), in_session=True)), c, "forget_kept")
    assert list(redis.scan_iter("ck*"))
    alexa.send(intent("ForgetUsIntent"), in_session=True)
    heard_one(heard(alexa.send(intent("AMAZON.YesIntent"), in_session=True)), c, "forget_done")
    assert list(redis.scan_iter("ck*")) == []


def test_help_stop_cancel_fallback_home(alexa, night, c):
    data = alexa.send(intent("AMAZON.HelpIntent"), in_session=True)
    assert not ended(data)
    heard_one(heard(data), c, "help")
    assert question(alexa.send(intent("AMAZON.YesIntent"), in_session=True)), \
        "yes after help brings tonight's question"
    for name in ("AMAZON.StopIntent", "AMAZON.CancelIntent"):
        data = alexa.send(intent(name))
        assert ended(data) and heard(data)
    data = alexa.send(intent("AMAZON.FallbackIntent"), in_session=True)
    assert not ended(data)
    heard_one(heard(data), c, "fallback")
    data = alexa.send(intent("AMAZON.NavigateHomeIntent"))
    assert ended(data) and heard(data) == ""


def test_repeat_in_session_and_from_cold(alexa, night):
    help_text = heard(alexa.send(intent("AMAZON.HelpIntent"), in_session=True))
    assert heard(alexa.send(intent("AMAZON.RepeatIntent"), in_session=True)) == help_text
    alexa.session = None
    tonight = question(alexa.send(launch()))
    assert question(alexa.send(intent("AMAZON.RepeatIntent"))) == tonight


def test_start_over_and_tonight_intent(alexa, night):
    tonight = question(alexa.send(intent("TonightQuestionIntent")))
    assert question(alexa.send(intent("AMAZON.StartOverIntent"))) == tonight


def test_yes_and_no_out_of_context(alexa, night, c):
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    assert not ended(data) and any(heard(data).endswith(v) for v in said(c, "yes_out_of_context"))
    assert question(alexa.send(intent("AMAZON.YesIntent"), in_session=True))
    data = alexa.send(intent("AMAZON.NoIntent"))
    assert ended(data)
    heard_one(heard(data), c, "no_out_of_context")


def test_session_ended_gets_empty_response(alexa, night):
    data = alexa.send(session_ended("EXCEEDED_MAX_REPROMPTS"))
    assert data["response"].get("outputSpeech") is None


def test_unknown_intent_is_treated_as_fallback(alexa, night, c):
    data = alexa.send(intent("SomeRetiredIntent"), in_session=True)
    heard_one(heard(data), c, "fallback")


def test_a_failing_handler_is_answered_with_an_apology(alexa, night, monkeypatch, c):
    from intents import guidance

    def boom(self, handler_input):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(guidance.ValidationPhraseHandler, "handle", boom)
    data = alexa.send(intent("ValidationPhraseIntent"))
    heard_one(heard(data), c, "apology")
    assert ended(data)


def test_session_ended_with_an_error_is_logged_and_answered_empty(alexa, night, caplog):
    import logging

    request = session_ended("ERROR")
    request["error"] = {"type": "INVALID_RESPONSE", "message": "bad ssml"}
    with caplog.at_level(logging.WARNING, logger="checkin"):
        data = alexa.send(request)
    assert data["response"].get("outputSpeech") is None
    assert "session ended with error: INVALID_RESPONSE bad ssml" in caplog.text


def test_exception_encountered_is_logged_with_its_type(alexa, night, caplog):
    import logging

    request = {"type": "System.ExceptionEncountered",
               "error": {"type": "INVALID_RESPONSE", "message": "too long"},
               "cause": {"requestId": "amzn1.echo-api.request.1"}}
    with caplog.at_level(logging.WARNING, logger="checkin"):
        data = alexa.send(request)
    assert data["response"].get("outputSpeech") is None
    assert "Alexa rejected a response: INVALID_RESPONSE too long" in caplog.text
