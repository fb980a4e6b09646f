"""The words modules: numbers, times, weekdays and plurals as each language says them, with the
same names in every language (intents/ calls them and writes no word of its own)."""

from __future__ import annotations

import pkgutil
from datetime import date

import pytest

import speech
from speech import words_of
from speech.en import words as en

WORDS_API = ("LAST_RESORT_APOLOGY", "number", "time", "weekday", "nights")


def languages() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(speech.__path__) if m.ispkg and
                  m.name != "apl")


@pytest.mark.parametrize("language", languages())
def test_every_language_has_the_same_words(language):
    words = words_of(language)
    assert words.__name__ == f"speech.{language}.words"
    for name in WORDS_API:
        assert hasattr(words, name), f"speech/{language}/words.py lacks {name}"


@pytest.mark.parametrize("hour, minute, said", [
    (21, 0, "nine p.m."), (20, 30, "eight thirty p.m."), (21, 5, "nine oh five p.m."),
    (0, 0, "midnight"), (12, 0, "noon"), (0, 30, "twelve thirty a.m."), (1, 45, "one forty-five a.m."),
    (12, 15, "twelve fifteen p.m."), (23, 59, "eleven fifty-nine p.m."),
])
def test_english_times(hour, minute, said):
    assert en.time(hour, minute) == said


def test_english_counts_and_days():
    assert [en.nights(n) for n in (1, 2, 21)] == ["1 night", "2 nights", "21 nights"]
    assert en.weekday(date(2026, 12, 1)) == "Tuesday"
    assert [en.number(n) for n in (0, 13, 20, 42)] == ["zero", "thirteen", "twenty", "forty-two"]


def test_an_unknown_language_speaks_the_default():
    assert words_of("xx-XX") is en
