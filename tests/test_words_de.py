"""German words: 24-hour times as said aloud, weekdays, plurals, numbers in words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from speech import words_of
from speech.de import words as de


@pytest.mark.parametrize("hour, minute, said", [
    (21, 0, "21 Uhr"), (20, 30, "20 Uhr 30"), (21, 5, "21 Uhr 5"), (0, 0, "Mitternacht"),
    (12, 0, "12 Uhr"), (0, 30, "0 Uhr 30"), (1, 45, "1 Uhr 45"), (7, 0, "7 Uhr"),
    (23, 59, "23 Uhr 59"),
])
def test_german_times(hour, minute, said):
    assert de.time(hour, minute) == said


def test_german_counts_and_days():
    assert [de.nights(n) for n in (0, 1, 2, 21)] == ["0 Abende", "1 Abend", "2 Abende", "21 Abende"]
    monday = date(2026, 11, 30)
    week = [de.weekday(monday + timedelta(days=d)) for d in range(7)]
    assert week == ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


@pytest.mark.parametrize("n, said", [
    (0, "null"), (1, "eins"), (7, "sieben"), (13, "dreizehn"), (16, "sechzehn"), (17, "siebzehn"),
    (20, "zwanzig"), (21, "einundzwanzig"), (30, "dreißig"), (42, "zweiundvierzig"),
    (59, "neunundfünfzig"),
])
def test_german_numbers(n, said):
    assert de.number(n) == said


def test_a_german_locale_speaks_german():
    assert words_of("de-DE") is de
    assert words_of("de-AT") is de
    assert "schief" in de.LAST_RESORT_APOLOGY
