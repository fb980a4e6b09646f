"""When someone says they are not safe: every safety phrasing of its language's corpus, in every
spoken locale, reaches a short, calm answer with that locale's helpline (and a card repeating
it), in under twenty seconds; nothing is stored, and the request log names nothing. The safety
line is said once in the answers about professional help, old hurts, disagreements, trust and
fighting. The English and Spanish locales' numbers are checked as written here too.
"""

from __future__ import annotations

import json
import logging

import pytest

from intents.guidance import SAFETY_CHALLENGES, SAFETY_TIPS
from skill.dev.models import locales
from speech import SUPPORTED_LOCALES

from ..logcheck import FORMATTER
from .conftest import card_of, seconds
from .phrasings import corpus_path, load

ENGLISH = [locale for locale in locales() if locale.startswith("en-")]
# Each locale's emergency number and helpline as spoken, and the helpline as written on the card.
HELPLINES = {
    "en-US": ("nine one one", "one eight hundred, seven nine nine", "1-800-799-7233"),
    "en-GB": ("nine nine nine", "oh eight oh eight, two thousand, two four seven", "0808 2000 247"),
    "en-AU": ("triple zero", "one eight hundred, seven three seven, seven three two",
              "1800 737 732"),
    "en-CA": ("nine one one", "two one one", "211"),
    "en-IN": ("one one two", "one eight one", "181"),
    # speech/es-MX.toml, es-ES.toml, es-US.toml cite their sources
    "es-MX": ("nueve uno uno", "cero siete nueve", "079"),
    "es-ES": ("uno uno dos", "cero dieciséis", "016"),
    "es-US": ("nueve uno uno", "uno ochocientos, siete nueve nueve, siete dos tres tres",
              "1-800-799-7233"),
}
LIMIT_SECONDS = 20


def safe_phrasings(lang: str, locale: str | None = None) -> list[str]:
    """Every line of a language's corpus that means someone is not safe (in `locale`)."""
    return sorted({p.said for p in load(corpus_path(lang), locale)
                   if p.intent == "SafetyIntent" or ("challenge", "SAFETY") in p.slots})


SAFE_PHRASINGS = safe_phrasings("en")


def test_every_english_locale_has_a_helpline_here():
    assert set(ENGLISH) <= set(HELPLINES)
    assert len(SAFE_PHRASINGS) >= 30


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_safety_phrasing_reaches_the_safety_answer(simulator, locale, redis, content):
    c = content.for_locale(locale)
    answer, card_text = " ".join(c.text("safety_answer").split()), c.text("safety_card")
    phrasings = safe_phrasings(locale.split("-")[0], locale)
    assert len(phrasings) >= 10, "each corpus says it in many ways"
    sim = simulator(locale=locale, user=f"safety {locale}")
    for said in phrasings:
        turn = sim.say(said)
        assert answer in turn.speech, (said, turn.speech)
        if locale in HELPLINES:
            emergency, helpline, written = HELPLINES[locale]
            assert helpline in turn.speech and emergency in turn.speech and written in card_text
        assert seconds(turn) < LIMIT_SECONDS, (said, seconds(turn))
        assert not turn.listening, "it ends quietly: the microphone does not stay open"
        card = card_of(turn)
        assert card.get("type") == "Simple" and card.get("content") == card_text, said
        assert turn.api_calls == [] and turn.logs == [], said
    assert list(redis.scan_iter("*")) == [], "nothing is stored"


@pytest.mark.parametrize("said", ["I don't feel safe", "I'm scared of my partner",
                                  "tell our check in he hurts me"])
def test_the_issue_phrasings_are_met_with_care(simulator, said):
    turn = simulator().say(said)
    assert turn.speech.startswith("You deserve to be safe.")
    assert "seven nine nine, seven two three three" in turn.speech
    for coaching in ("tip", "try", "listen", "talk it", "question"):
        assert coaching not in turn.speech.lower(), "no coaching"


@pytest.mark.parametrize("said", [
    "tell our check in we have a problem with violence",  # the SAFETY challenge value
    "tell our check in the problem is that he hits me",  # heard in an unmatched challenge slot
    "ask our check in for a tip on domestic abuse",  # heard in a tip topic
    "ask our check in for a question about abuse",  # heard in a theme
    "ask our check in can you tell me what to do about abuse",  # heard in an FAQ topic
])
def test_the_same_words_reaching_another_intent_get_the_safety_answer(simulator, said):
    turn = simulator().say(said)
    assert "SafetyIntent" not in turn.heard, "these reach another intent"
    assert "National Domestic Violence Hotline" in turn.speech, (turn.heard, turn.speech)
    assert card_of(turn).get("title")


def test_the_request_log_names_nothing_and_nothing_is_stored(simulator, redis, caplog):
    sim = simulator()
    sim.say("start our check in")  # a household with a history
    before = {k: redis.dump(k) for k in redis.scan_iter("*")}
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="checkin"):
        turn = sim.say("I'm scared of my partner")
    assert "one eight hundred" in turn.speech
    lines = [FORMATTER.format(r) for r in caplog.records]
    assert len(lines) == 1, lines  # the ordinary request line, and nothing else
    line = json.loads(lines[0])
    assert line["message"] == "request" and line["outcome"] == "ok"
    # named as any intent the models lack, and with no household
    assert line["intent"] == "other" and line["type"] == "IntentRequest"
    assert "household" not in line
    assert "Safety" not in lines[0] and "scared" not in lines[0]
    assert {k: redis.dump(k) for k in redis.scan_iter("*")} == before
    assert turn.raw.get("sessionAttributes") in (None, {})


@pytest.mark.parametrize("locale", ENGLISH)
@pytest.mark.parametrize("topic", sorted(SAFETY_TIPS))
def test_the_safety_line_is_said_once_with_each_tip_where_it_belongs(simulator, topic, content,
                                                                    locale):
    sim = simulator(locale=locale)
    tip = content.for_locale(locale).tips[topic]
    heard = set()
    for _ in range(len(tip.tips)):  # every tip of the topic, in the household's rotation
        turn = sim.say(f"ask our check in for a tip on {tip.name}")
        assert topic in turn.heard
        assert turn.speech.count(HELPLINES[locale][1]) == 1, turn.speech
        heard |= {t for t in tip.tips if t in turn.speech}
    assert heard == set(tip.tips)


def test_no_safety_line_with_other_tips(simulator, content):
    sim = simulator()
    for topic, tip in content.for_locale("en-US").tips.items():
        if topic not in SAFETY_TIPS:
            turn = sim.say(f"ask our check in for a tip on {tip.name}")
            assert topic in turn.heard, "each tip's own name reaches it"
            assert "Hotline" not in turn.speech, topic


@pytest.mark.parametrize("said, challenge", [
    ("We fight all the time", "TALKING_PAST_EACH_OTHER"),
    ("tell our check in we don't trust each other", "TRUST"),
    ("tell our check in i've been hurt before", "OLD_HURTS"),
])
def test_the_safety_line_is_said_once_through_fighting_trust_and_old_hurts(simulator, said,
                                                                          challenge):
    assert challenge in SAFETY_CHALLENGES
    sim = simulator()
    offer = sim.say(said)
    number = HELPLINES["en-US"][1]
    assert challenge in offer.heard and offer.speech.count(number) == 1
    tip = sim.say("yes")
    assert number not in tip.speech, "said once, where it belongs"


@pytest.mark.parametrize("locale", ENGLISH)
def test_each_locale_says_its_own_safety_line(simulator, locale):
    helpline = HELPLINES[locale][1]
    turn = simulator(locale=locale).say("tell our check in we keep arguing")
    assert turn.speech.count(helpline) == 1, turn.speech
