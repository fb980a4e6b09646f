"""French words: reminder times on the 24-hour clock, weekday names, counts of evenings, numbers
in words (speech/fr/words.py)."""

from __future__ import annotations

from datetime import date

import pytest

from speech import words_of
from speech.fr import words as fr


@pytest.mark.parametrize("hour, minute, said", [
    (21, 0, "21 h"), (20, 30, "20 h 30"), (21, 5, "21 h 05"), (0, 0, "minuit"), (12, 0, "midi"),
    (0, 30, "minuit 30"), (12, 15, "midi 15"), (1, 45, "1 h 45"), (7, 0, "7 h"), (23, 59, "23 h 59"),
])
def test_french_times(hour, minute, said):
    assert fr.time(hour, minute) == said


def test_french_counts_and_days():
    assert [fr.nights(n) for n in (0, 1, 2, 21, 365)] == [
        "0 soir", "1 soir", "2 soirs", "21 soirs", "365 soirs"]
    assert fr.weekday(date(2026, 12, 1)) == "mardi"
    assert fr.weekday(date(2026, 12, 6)) == "dimanche"


@pytest.mark.parametrize("n, said", [
    (0, "zéro"), (1, "un"), (16, "seize"), (17, "dix-sept"), (20, "vingt"), (21, "vingt et un"),
    (22, "vingt-deux"), (31, "trente et un"), (42, "quarante-deux"), (59, "cinquante-neuf"),
    (70, "soixante-dix"), (71, "soixante et onze"), (77, "soixante-dix-sept"),
    (80, "quatre-vingts"), (81, "quatre-vingt-un"), (90, "quatre-vingt-dix"),
    (99, "quatre-vingt-dix-neuf"),
])
def test_french_numbers(n, said):
    assert fr.number(n) == said


def test_both_french_locales_speak_french():
    assert words_of("fr-FR") is fr
    assert words_of("fr-CA") is fr
    assert fr.LAST_RESORT_APOLOGY.startswith("Pardon")
