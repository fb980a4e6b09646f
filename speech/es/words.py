"""Spanish words that come from numbers and dates: what a template cannot hold. Same names as
speech/en/words.py; one module for es-ES, es-MX and es-US, so every form here is one that all
three say.

Times are said the way people say them for an evening plan, with the article, so a template
writes "a {time}": "a las nueve de la noche", "a la una y media de la madrugada". Quarter and half
hours are "y cuarto", "y media", a quarter to is "menos cuarto" ("las diez menos cuarto", the
form every Spanish speaker knows, where Mexico also says "un cuarto para las diez"), and every
other minute is counted up with "y" ("las nueve y cuarenta"), never down. The part of the day
follows the hour said: madrugada 1-5, mañana 6-11, mediodía 12, tarde 13-19, noche 20-0
(midnight is "las doce de la noche", which takes the same "a las" as every other hour).

Counts of nights are said in words, feminine as "noche" is ("una noche", "veintiuna noches",
"doscientas noches"): read from digits, "21 noches" can come out as "veintiuno noches"."""

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
    if minute == 45:  # "las diez menos cuarto": the hour to come, and its part of the day
        hour = (hour + 1) % 24
    twelve = hour % 12 or 12
    words = "la una" if twelve == 1 else f"las {number(twelve)}"
    if minute == 45:
        words += " menos cuarto"
    elif minute == 15:
        words += " y cuarto"
    elif minute == 30:
        words += " y media"
    elif minute:
        words += f" y {number(minute)}"
    return f"{words} {_part_of_day(hour)}"


def weekday(day: date) -> str:
    """The day's name, lower case as Spanish writes it: "martes"."""
    return _WEEKDAYS[day.weekday()]


_HUNDREDS = ("", "ciento", "doscientas", "trescientas", "cuatrocientas", "quinientas",
             "seiscientas", "setecientas", "ochocientas", "novecientas")
_BIG_TENS = {6: "sesenta", 7: "setenta", 8: "ochenta", 9: "noventa", **_TENS}


def _feminine(n: int) -> str:
    """1 to 9999 in words, agreeing with a feminine noun: "una", "veintiuna", "doscientas"."""
    thousands, rest = divmod(n, 1000)
    out = []
    if thousands:
        out.append("mil" if thousands == 1 else f"{_feminine(thousands)} mil")
    hundreds, rest = divmod(rest, 100)
    if hundreds:
        out.append("cien" if hundreds == 1 and not rest else _HUNDREDS[hundreds])
    if rest:
        tens, ones = divmod(rest, 10)
        said = _ONES[rest] if rest < 30 else _BIG_TENS[tens] + (f" y {_ONES[ones]}" if ones else "")
        out.append(said.removesuffix("uno") + "una" if said.endswith("uno") else said)
    return " ".join(out)


def nights(n: int) -> str:
    """A count of nights in words: "una noche", "tres noches", "veintiuna noches"."""
    if n == 1:
        return "una noche"
    return f"{_feminine(n)} noches" if 0 < n < 10000 else f"{n} noches"
