"""Spanish words that come from numbers and dates: what a template cannot hold. Same names as
speech/en/words.py; one module for es-ES, es-MX and es-US, so every form here is one that all
three say.

Times are said the way people say them for an evening plan, with the article, so a template
writes "a {time}": "a las nueve de la noche", "a la una y media de la madrugada". Quarter and half
hours are "y cuarto", "y media"; every other minute is counted up with "y" ("las nueve y
cuarenta y cinco"), never down: Spain says "las diez menos cuarto" and Mexico "un cuarto para
las diez", while counting up is understood and used in both. The part of the day follows the
clock: madrugada 1-5, mañana 6-11, mediodía 12, tarde 13-19, noche 20-0 (midnight is "las doce
de la noche", which takes the same "a las" as every other hour)."""

from __future__ import annotations

from datetime import date

# Said when even the content could not be read: the last line of the catch-all.
LAST_RESORT_APOLOGY = "Lo siento, ahora mismo algo no funciona. Inténtalo de nuevo en un momento."

_ONES = ("cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce "
         "quince dieciséis diecisiete dieciocho diecinueve veinte veintiuno veintidós veintitrés "
         "veinticuatro veinticinco veintiséis veintisiete veintiocho veintinueve").split()
_TENS = {3: "treinta", 4: "cuarenta", 5: "cincuenta"}
_WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def number(n: int) -> str:
    """0 to 59 in words: "veintiuno", "cuarenta y cinco"."""
    if n < 30:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f" y {_ONES[ones]}" if ones else "")


def _part_of_day(hour: int) -> str:
    if 1 <= hour <= 5:
        return "de la madrugada"
    if 6 <= hour <= 11:
        return "de la mañana"
    if hour == 12:
        return "del mediodía"
    if 13 <= hour <= 19:
        return "de la tarde"
    return "de la noche"


def time(hour: int, minute: int) -> str:
    """A clock time as said aloud, with its article: "las nueve de la noche", "las ocho y media
    de la noche", "la una y cuarto de la tarde", "las doce de la noche"."""
    twelve = hour % 12 or 12
    words = "la una" if twelve == 1 else f"las {number(twelve)}"
    if minute == 15:
        words += " y cuarto"
    elif minute == 30:
        words += " y media"
    elif minute:
        words += f" y {number(minute)}"
    return f"{words} {_part_of_day(hour)}"


def weekday(day: date) -> str:
    """The day's name, lower case as Spanish writes it: "martes"."""
    return _WEEKDAYS[day.weekday()]


def nights(n: int) -> str:
    """A count of nights: "1 noche", "3 noches"."""
    return f"{n} noche" if n == 1 else f"{n} noches"
