"""Every intent, driven through the HTTP endpoint: what is said, and whether Alexa keeps listening."""

from __future__ import annotations

import html

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from skill.dev.envelopes import intent, launch, session_ended, slot

from .conftest import spoken_text


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


def bank(content, depth):
    return {q.text.replace("'", "&apos;") for q in content.for_locale("en-US").questions[depth]} | \
        {q.text for q in content.for_locale("en-US").questions[depth]}


def test_launch_greets_asks_slowly_and_steps_back(alexa, night, content):
    data = alexa.send(launch(), in_session=True)
    text = heard(data)
    assert "Welcome" in text or "welcome" in text
    assert "one of you answers while the other listens" in text.lower(), \
        "first-timers hear the turn-taking rule"
    assert "tell our check in we're done" in text
    assert '<break time="800ms"/> <prosody rate="90%">' in data["response"]["outputSpeech"]["ssml"]
    assert question(data) in bank(content, "L")
    assert text.endswith(html.unescape(question(data))), "the question is the last thing said"
    assert ended(data), "the microphone is not left open while the couple talks"
    again = alexa.send(launch())
    assert question(again) == question(data)
    assert "already" in heard(again)
    assert "one of you answers" not in heard(again).lower()


def test_welcome_back_with_streak_news(alexa, night):
    alexa.send(launch())
    night(2)
    text = heard(alexa.send(launch()))
    assert "2 nights" in text


def test_rest_night_is_named_kindly(alexa, night):
    for n in (1, 2, 3):
        night(n)
        alexa.send(launch())
    night(5)  # skipped Friday, December 4
    text = heard(alexa.send(launch()))
    assert "You missed Friday, but your rest night kept your streak going." in text
    assert "4 nights" in text


def test_milestone_at_three_nights(alexa, night):
    for n in (1, 2, 3):
        night(n)
        data = alexa.send(launch())
    assert "Three nights" in heard(data)


def test_tip_on_active_listening(alexa, night, content):
    tips = content.for_locale("en-US").tips["ACTIVE_LISTENING"].tips
    data = alexa.send(intent("TipIntent", {"topic": slot("topic", "how to listen better",
                                                          "ACTIVE_LISTENING", "active listening",
                                                          "TipTopicType")}))
    text = heard(data)
    assert "active listening" in text
    assert any(" ".join(t.split()) in text for t in tips)
    assert ended(data)


def test_tip_without_topic_and_with_unknown_topic(alexa, night, content):
    all_tips = [t for tip in content.for_locale("en-US").tips.values() for t in tip.tips]
    text = heard(alexa.send(intent("TipIntent")))
    assert any(t in text for t in all_tips)
    text = heard(alexa.send(intent("TipIntent", {"topic": slot("topic", "juggling", None, None,
                                                               "TipTopicType")})))
    assert "Here's one I think may help." in text and "juggling" not in text, \
        "an unknown topic is not repeated back"
    assert any(t in text for t in all_tips)


def test_a_tip_at_random_is_never_one_that_ends_with_a_helpline(alexa, night, content):
    """The safety topics are asked for by name; a plain "a tip" draws from the others."""
    for _ in range(30):
        assert "Hotline" not in heard(alexa.send(intent("TipIntent")))


def test_validation_phrase(alexa, night, content):
    c = content.for_locale("en-US")
    text = heard(alexa.send(intent("ValidationPhraseIntent")))
    assert any(p in text for p in c.validation)
    assert any(r in text for r in c.reflective)


def test_another_lighter_deeper(alexa, night, content):
    tonight = question(alexa.send(launch()))
    another = alexa.send(intent("AnotherQuestionIntent"))
    assert question(another) != tonight and ended(another)
    lighter = alexa.send(intent("QuestionDepthIntent", {"depth": slot("depth", "lighter", "LIGHT",
                                                                      "light", "DepthType")}))
    assert question(lighter) in bank(content, "L")
    deeper = alexa.send(intent("QuestionDepthIntent", {"depth": slot("depth", "deeper", "DEEP",
                                                                     "deep", "DepthType")}))
    assert question(deeper) in bank(content, "D")
    assert question(alexa.send(launch())) == question(deeper), "the override holds tonight"


def test_depth_not_understood_asks(alexa, night):
    data = alexa.send(intent("QuestionDepthIntent", {"depth": slot("depth", "purple", None, None,
                                                                   "DepthType")}),
                      in_session=True)
    assert not ended(data) and "something lighter, or something deeper?" in heard(data)
    assert question(alexa.send(intent("AMAZON.YesIntent"), in_session=True))


def test_challenge_then_yes_gives_the_matching_tip(alexa, night, content):
    c = content.for_locale("en-US")
    challenge = c.challenges["DRIFTING_APART"]
    data = alexa.send(intent("ChallengeIntent", {"challenge": slot(
        "challenge", "we feel disconnected", "DRIFTING_APART", "we've drifted apart",
        "ChallengeType")}), in_session=True)
    text = heard(data)
    assert challenge.shows in text and challenge.focus in text and challenge.skill in text
    assert text.endswith("Would you like a tip on small rituals?")
    assert not ended(data)
    tip = heard(alexa.send(intent("AMAZON.YesIntent"), in_session=True))
    assert any(t in tip for t in c.tips[challenge.tip_topic].tips)


def test_challenge_then_no(alexa, night):
    alexa.send(intent("ChallengeIntent", {"challenge": slot(
        "challenge", "we never have time", "NO_TIME_TOGETHER", "we never have time",
        "ChallengeType")}), in_session=True)
    data = alexa.send(intent("AMAZON.NoIntent"), in_session=True)
    assert "tip any time" in heard(data) and ended(data)


def test_challenge_not_placed_is_thanked_with_a_next_step(alexa, night, content):
    data = alexa.send(intent("ChallengeIntent", {"challenge": slot(
        "challenge", "the cat", None, None, "ChallengeType")}), in_session=True)
    assert heard(data).startswith("Thank you for telling me.") and not ended(data)
    assert "catch" not in heard(data)
    data = alexa.send(intent("ChallengeIntent", {"challenge": slot(
        "challenge", "scared to open up", "HARD_TO_OPEN_UP", "i'm scared to open up",
        "ChallengeType")}), in_session=True)
    assert content.for_locale("en-US").challenges["HARD_TO_OPEN_UP"].shows in heard(data)


def test_faq(alexa, night, content):
    faq = content.for_locale("en-US").faq["HOW_LONG"]
    data = alexa.send(intent("FaqIntent", {"faqTopic": slot(
        "faqTopic", "how long does it take", "HOW_LONG", "how long does it take",
        "FaqTopicType")}))
    assert " ".join(faq.answer.split()) in heard(data)
    unknown = alexa.send(intent("FaqIntent"), in_session=True)
    assert not ended(unknown)


def test_streak(alexa, night):
    assert "haven't started a streak" in heard(alexa.send(intent("StreakIntent")))
    for n in (1, 2, 3):
        night(n)
        alexa.send(launch())
    text = heard(alexa.send(intent("StreakIntent")))
    assert "your streak is 3 nights" in text
    assert "longest streak is 3 nights" in text and "3 nights in all" in text
    night(4)
    assert "Check in tonight to keep it going" in heard(alexa.send(intent("StreakIntent")))
    night(7)
    assert "has ended" in heard(alexa.send(intent("StreakIntent")))


def test_were_done(alexa, night):
    alexa.send(launch())
    data = alexa.send(intent("DoneIntent"))
    text = heard(data)
    assert ended(data) and "first night" in text
    night(2)
    before = alexa.send(intent("DoneIntent"), in_session=True)
    assert "haven't had tonight's question" in heard(before) and not ended(before)
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    assert question(data)
    assert "2 nights" in heard(alexa.send(intent("DoneIntent")))


def test_forget_us_confirm_no_then_yes(alexa, night, redis):
    alexa.send(launch())
    data = alexa.send(intent("ForgetUsIntent"), in_session=True)
    assert "Should I forget you?" in heard(data) and not ended(data)
    assert "kept everything" in heard(alexa.send(intent("AMAZON.NoIntent"), in_session=True))
    assert list(redis.scan_iter("ck:*"))
    alexa.send(intent("ForgetUsIntent"), in_session=True)
    assert "deleted everything" in heard(alexa.send(intent("AMAZON.YesIntent"), in_session=True))
    assert list(redis.scan_iter("ck:*")) == []


def test_help_stop_cancel_fallback_home(alexa, night):
    data = alexa.send(intent("AMAZON.HelpIntent"), in_session=True)
    assert not ended(data) and "tonight's question" in heard(data)
    assert question(alexa.send(intent("AMAZON.YesIntent"), in_session=True)), \
        "yes after help brings tonight's question"
    for name in ("AMAZON.StopIntent", "AMAZON.CancelIntent"):
        data = alexa.send(intent(name))
        assert ended(data) and heard(data)
    data = alexa.send(intent("AMAZON.FallbackIntent"), in_session=True)
    assert not ended(data) and "didn't catch that" in heard(data)
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


def test_yes_and_no_out_of_context(alexa, night):
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    assert not ended(data) and heard(data).endswith("Would you like tonight's question?")
    assert question(alexa.send(intent("AMAZON.YesIntent"), in_session=True))
    data = alexa.send(intent("AMAZON.NoIntent"))
    assert ended(data) and "start our check in" in heard(data)


def test_session_ended_gets_empty_response(alexa, night):
    data = alexa.send(session_ended("EXCEEDED_MAX_REPROMPTS"))
    assert data["response"].get("outputSpeech") is None


def test_unknown_intent_is_treated_as_fallback(alexa, night):
    data = alexa.send(intent("SomeRetiredIntent"), in_session=True)
    assert "didn't catch that" in heard(data)


def test_a_failing_handler_is_answered_with_an_apology(alexa, night, monkeypatch):
    from intents import guidance

    def boom(self, handler_input):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(guidance.ValidationPhraseHandler, "handle", boom)
    data = alexa.send(intent("ValidationPhraseIntent"))
    assert "Sorry, something went wrong" in heard(data) and ended(data)


def test_other_locales_speak(alexa, night):
    for locale in ("en-GB", "en-CA", "en-AU", "en-IN"):
        alexa.device.locale = locale
        assert question(alexa.send(launch()))


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
