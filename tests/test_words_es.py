"""Spanish words: times as said for a nightly reminder, weekdays, plurals, numbers."""

from __future__ import annotations

from datetime import date

import pytest

from speech import words_of
from speech.es import words as es


@pytest.mark.parametrize("hour, minute, said", [
    (21, 0, "las nueve de la noche"), (20, 30, "las ocho y media de la noche"),
    (21, 15, "las nueve y cuarto de la noche"), (21, 5, "las nueve y cinco de la noche"),
    (21, 45, "las diez menos cuarto de la noche"), (20, 45, "las nueve menos cuarto de la noche"),
    (21, 40, "las nueve y cuarenta de la noche"), (23, 45, "las doce menos cuarto de la noche"),
    (12, 45, "la una menos cuarto de la tarde"), (22, 20, "las diez y veinte de la noche"),
    (0, 0, "las doce de la noche"), (0, 30, "las doce y media de la noche"),
    (1, 0, "la una de la madrugada"), (1, 45, "las dos menos cuarto de la madrugada"),
    (7, 10, "las siete y diez de la mañana"), (12, 0, "las doce del mediodía"),
    (13, 30, "la una y media de la tarde"), (19, 59, "las siete y cincuenta y nueve de la tarde"),
    (23, 59, "las once y cincuenta y nueve de la noche"),
])
def test_spanish_times(hour, minute, said):
    assert es.time(hour, minute) == said


def test_every_minute_of_the_day_is_said():
    for hour in range(24):
        for minute in range(60):
            said = es.time(hour, minute)
            assert said.startswith(("la una", "las ")) and said.split()[-1] in {
                "madrugada", "mañana", "mediodía", "tarde", "noche"}, said


def test_spanish_numbers():
    assert [es.number(n) for n in (0, 1, 16, 21, 22, 29, 30, 31, 44, 59)] == [
        "cero", "uno", "dieciséis", "veintiuno", "veintidós", "veintinueve", "treinta",
        "treinta y uno", "cuarenta y cuatro", "cincuenta y nueve"]


def test_spanish_counts_and_days():
    assert [es.nights(n) for n in (1, 2, 21, 31, 100, 101, 121, 200, 365, 1001, 1521)] == [
        "una noche", "dos noches", "veintiuna noches", "treinta y una noches", "cien noches",
        "ciento una noches", "ciento veintiuna noches", "doscientas noches",
        "trescientas sesenta y cinco noches", "mil una noches",
        "mil quinientas veintiuna noches"]
    assert es.weekday(date(2026, 12, 1)) == "martes"
    assert es.weekday(date(2026, 12, 2)) == "miércoles"
    assert es.weekday(date(2026, 12, 5)) == "sábado"


@pytest.mark.parametrize("locale", ["es-ES", "es-MX", "es-US"])
def test_every_spanish_locale_speaks_spanish(locale):
    assert words_of(locale) is es
    assert es.LAST_RESORT_APOLOGY.endswith(".")
