"""Every spoken locale, through the simulator as its people talk: the seven-night walk (the streak
grows, a rest night keeps it, a late night counts for the evening before, milestones), a
challenge with its tip, forgetting, help; each said in the locale's language (its model's
samples and its launch and one-shot words) and each answer expected in the locale's own words
(its content). And no English word is heard in a language that is not English."""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date
from pathlib import Path

import pytest

from speech import SUPPORTED_LOCALES, SAFETY_FILE

from .speaking import builtin, heard_one, launch, one_shot, resolver

ENGLISH_WORDS = Path(__file__).resolve().parent / "data" / "english_words.toml"
ID = re.compile(r"[A-Z][A-Z_]*")


@pytest.fixture
def sim(simulator):
    def make(locale: str, at: str = "2026-12-01T21:30", **kw):
        return simulator(at=at, locale=locale, tz="Europe/London", **kw)

    return make


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_seven_nights_in_every_locale(sim, content, locale):
    c, s = content.for_locale(locale), sim(locale)
    words, day = c.words, lambda d: c.words.weekday(date(2026, 12, d))
    start, streak, done = launch(locale), one_shot(locale, "StreakIntent"), one_shot(locale, "DoneIntent")
    first = s.say(start).speech  # Tuesday 1 December: night 1
    heard_one(first, c, "welcome_first")
    heard_one(first, c, "turn_taking_rule")
    s.advance(days=1, to="21:30")  # Wednesday
    heard_one(s.say(start).speech, c, "streak_now", nights=c.words.nights(2))
    s.set_time("2026-12-03T22:15")  # Thursday
    heard_one(s.say(start).speech, c, "milestone_3")
    heard_one(s.say(start).speech, c, "already_tonight")  # the same night counts once
    s.advance(days=1, to="21:30")  # Friday: no check-in, the streak is waiting
    heard_one(s.say(streak).speech, c, "streak_current_pending", nights=words.nights(3))
    s.advance(days=1, to="21:30")  # Saturday
    saturday = s.say(start).speech
    heard_one(saturday, c, "rest_night_kept", day=day(4))
    heard_one(saturday, c, "streak_now_rest", nights=c.words.nights(4))
    totals = s.say(streak).speech
    heard_one(totals, c, "streak_current_done_rest", nights=words.nights(4))
    heard_one(totals, c, "streak_rest_used", day=day(4))
    heard_one(totals, c, "streak_totals", longest=words.nights(4), total=words.nights(4))
    s.set_time("2026-12-07T01:30")  # 1:30 a.m. Monday still counts for Sunday evening
    heard_one(s.say(start).speech, c, "streak_now_rest", nights=c.words.nights(5))
    s.set_time("2026-12-07T21:30")  # Monday
    heard_one(s.say(start).speech, c, "streak_now_rest", nights=c.words.nights(6))
    heard_one(s.say(done).speech, c, "done_streak", nights=c.words.nights(6))
    s.set_time("2026-12-08T21:30")  # Tuesday: the seventh night, a week with its rest night
    heard_one(s.say(start).speech, c, "milestone_7_rest")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_a_challenge_its_tip_forgetting_and_help_in_every_locale(sim, content, locale, redis):
    c, s = content.for_locale(locale), sim(locale, user=f"tour {locale}")
    yes, no = builtin(locale, "AMAZON.YesIntent"), builtin(locale, "AMAZON.NoIntent")
    challenge = c.challenges["DRIFTING_APART"]
    offer = s.say(one_shot(locale, "ChallengeIntent", challenge="DRIFTING_APART"))
    assert offer.listening and challenge.shows in offer.speech
    heard_one(offer.speech, c, "offer_tip", topic=c.tips[challenge.tip_topic].name)
    tip = s.say(yes)
    assert not tip.listening and any(t in tip.speech for t in c.tips[challenge.tip_topic].tips)
    s.say(launch(locale))
    assert list(redis.scan_iter("ck*"))
    heard_one(s.say(one_shot(locale, "ForgetUsIntent")).speech, c, "forget_confirm")
    heard_one(s.say(no).speech, c, "forget_kept")
    s.say(one_shot(locale, "ForgetUsIntent"))
    heard_one(s.say(yes).speech, c, "forget_done")
    assert list(redis.scan_iter("ck*")) == []
    helped = s.say(f"{resolver(locale).language.one_shot[0]} {resolver(locale).invocation} "
                   f"{builtin(locale, 'AMAZON.HelpIntent')}")
    assert helped.listening
    heard_one(helped.speech, c, "help")


# -- no English in another language ------------------------------------------------------------


def english_words(lang: str) -> set[str]:
    """English words that must not be heard in `lang`: the list, less the words `lang` shares
    with English ("was" in German, "no" and "me" in Spanish, "on" and "a" in French)."""
    with open(ENGLISH_WORDS, "rb") as f:
        data = tomllib.load(f)
    assert lang in data["also_words_of"], f"tests/data/english_words.toml: add [also_words_of] {lang}"
    return set(data["words"]) - set(data["also_words_of"][lang])


def spoken_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in spoken_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in spoken_strings(v)]
    return []


def english_in(c, lang: str) -> list[str]:
    """Every spoken line of a locale's content holding an English word, with the words."""
    allowed = set(resolver(c.locale).invocation.split()) | {"alexa"}
    banned = english_words(lang) - allowed
    found = []
    for name, table in c._data.items():
        if name == SAFETY_FILE:
            continue  # words listened for, never said
        for line in spoken_strings(table):
            if ID.fullmatch(line):
                continue  # an id (a challenge's tip topic), never said
            said = re.sub(r"\{\w+\}", " ", line)  # a placeholder's name is filled, not said
            hits = sorted(set(re.findall(r"[^\W\d_]+", said.lower())) & banned)
            if hits:
                found.append(f"{name}: {hits} in {line!r}")
    return found


def test_no_english_words_in_any_other_language(content):
    """Every prompt, question, phrase, tip, challenge and answer of every spoken locale whose
    language is not English, checked word by word (the invocation name and "Alexa" excepted)."""
    for locale in SUPPORTED_LOCALES:
        lang = locale.split("-")[0]
        if lang != "en":
            found = english_in(content.for_locale(locale), lang)
            assert found == [], f"{locale}:\n" + "\n".join(found)


def test_the_english_check_catches_english(content):
    """English content read as German is full of English words, while the words German shares
    with English ("was", "in", "so") are never counted against it."""
    found = english_in(content.for_locale("en-US"), "de")
    assert len(found) > 100
    assert not any("'was'" in line or "'in'" in line for line in found)
    with open(ENGLISH_WORDS, "rb") as f:
        data = tomllib.load(f)
    for lang, shared in data["also_words_of"].items():
        assert set(shared) <= set(data["words"]), f"{lang}: only words of the list are excepted"


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_the_two_halves_of_a_closing_do_not_lock_into_pairs(content, locale):
    """Thanks and reflection rotate night by night; banks of sizes with a common factor would say
    the same pairs over and over (two banks of five: the same closing every fifth night)."""
    c = content.for_locale(locale)
    sizes = len(c.variants("done_thanks")), len(c.variants("done_reflection"))
    assert math.gcd(*sizes) == 1, sizes
