"""Spoken times as Alexa's AMAZON.TIME slot fills them: "HH:MM", or MO/AF/EV/NI for a part of the day.

The parser reads heard words (``resolver.clean``: lower case, accents kept, no punctuation, "p.m."
as "pm") in one language, whose words it takes as a :class:`TimeWords` table: the ``[time]``
table of ``lang/<lang>.toml``. The shapes it knows, in every language, each word from the table:

- a whole hour, a clock time, a 24-hour time: "nine", "nine o'clock", "8:30", "21:30 uhr",
  "21 h 30", "eight thirty", "zwanzig uhr dreißig", "vingt et une heures trente";
- minutes first: "<minutes> past|to <hour>" ("quarter to ten", "zehn vor neun", "un cuarto para
  las diez");
- hour first: "<hour> and|minus <minutes>" ("las nueve y media", "neuf heures moins le quart");
- the half of the day after it ("nine pm", "nine at night", "neun uhr abends", "las nueve de la
  noche"), a part of the day ("evening") and named times ("noon", "minuit").

What a table cannot say, a language says in a hook: ``lang/<lang>.py`` may define
``number(tokens, words)`` (numbers the tables cannot spell, German "fünfundvierzig") and
``hour_minute(tokens, words)`` (shapes of its own, German "halb neun"); see ``lang/__init__.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

NumberHook = Callable[[list[str], "TimeWords"], "int | None"]
TimeHook = Callable[[list[str], "TimeWords"], "tuple[int, int] | None"]


@dataclass(frozen=True)
class TimeWords:
    """The words one language uses to say a time of day (the keys of ``[time]``)."""

    numbers: dict[str, int]  # 0-19 (or further) as words
    tens: dict[str, int] = field(default_factory=dict)  # "twenty", ... as words
    number_joiners: tuple[str, ...] = ()  # between tens and ones: "cuarenta y cinco"
    zero: tuple[str, ...] = ()  # said before a single digit: "eight oh five"
    oclock: tuple[str, ...] = ()  # after a whole hour: "o'clock", "en punto"
    hour_words: tuple[str, ...] = ()  # after the hour, minutes may follow: "uhr", "heures", "h"
    past: tuple[str, ...] = ()  # "<minutes> past <hour>"
    to: tuple[str, ...] = ()  # "<minutes> to <hour>"
    hour_first_past: tuple[str, ...] = ()  # "<hour> y <minutes>": "las nueve y media"
    hour_first_to: tuple[str, ...] = ()  # "<hour> menos <minutes>": "las nueve menos cuarto"
    minute_words: tuple[str, ...] = ()  # "five minutes past six"
    fractions: dict[str, int] = field(default_factory=dict)  # "half", "quarter", "un cuarto"
    articles: tuple[str, ...] = ()  # before an hour: "las", "la"
    lead_ins: tuple[str, ...] = ()  # before the time: "at", "around", "um", "a las", "vers"
    pm: tuple[str, ...] = ()  # after the time: the second half of the day
    am: tuple[str, ...] = ()
    night: tuple[str, ...] = ()  # after the time, "at night": 12 is 00, 6-11 are 18-23, 1-5 stay
    glued: tuple[str, ...] = ()  # written straight after the digits: "9pm", "21h30"
    parts_of_day: dict[str, str] = field(default_factory=dict)  # word -> MO/AF/EV/NI
    part_of_day_lead_ins: tuple[str, ...] = ()  # "in the" (evening)
    named: dict[str, str] = field(default_factory=dict)  # "noon" -> "12:00"
    number_hook: NumberHook | None = None  # lang/<lang>.py number()
    time_hook: TimeHook | None = None  # lang/<lang>.py hour_minute()


def _longest_first(words) -> list[str]:
    return sorted(words, key=len, reverse=True)


def _alternatives(words) -> str:
    return "|".join(map(re.escape, _longest_first(words)))


def parse_time(words: str, language: TimeWords) -> str | None:
    """What Alexa's AMAZON.TIME makes of heard words: "HH:MM" (or MO/AF/EV/NI), else None.

    "nine" is 09:00 as said (Alexa does not guess the half of the day); "nine pm", "nine at
    night", "half past eight", "eight thirty", "8:30", "21:30", "quarter to ten" all work.
    """
    lw = language
    t = " ".join(words.split())
    if lw.lead_ins:
        t = re.sub(rf"^(?:{_alternatives(lw.lead_ins)}) ", "", t)
    if lw.glued:
        t = " ".join(re.sub(rf"(\d)({_alternatives(lw.glued)})(?=\d|\b)", r"\1 \2 ", t).split())
    part = t
    for lead in _longest_first(lw.part_of_day_lead_ins):
        part = part.removeprefix(lead + " ")
    if part in lw.parts_of_day:
        return lw.parts_of_day[part]
    if t in lw.named:
        return lw.named[t]
    t, meridiem = _meridiem(t, lw)
    for said in _longest_first(lw.oclock):
        if t.endswith(" " + said):
            t = t[: -len(said) - 1]
            break
    found = _hour_minute(t.split(), lw)
    if found is None:
        return None
    hour, minute = found
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "night" and (hour == 12 or 6 <= hour < 12):
        hour = (hour + 12) % 24
    elif meridiem in ("am", "night") and hour > 12:
        return None  # "twenty one am"
    elif meridiem == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _meridiem(t: str, lw: TimeWords) -> tuple[str, str | None]:
    """The time without its "pm" / "in the morning", and which half of the day that said."""
    said = [(w, "pm") for w in lw.pm] + [(w, "am") for w in lw.am] + [(w, "night") for w in lw.night]
    for word, half in sorted(said, key=lambda s: len(s[0]), reverse=True):
        if t.endswith(" " + word):
            return t[: -len(word) - 1], half
    return t, None


def number(tokens: list[str], lw: TimeWords) -> int | None:
    """0-59 from words or digits: "five", "forty five", "oh five", "cuarenta y cinco", "45"."""
    found = _table_number(tokens, lw)
    if found is None and lw.number_hook is not None and tokens:
        found = lw.number_hook(tokens, lw)
    return found


def _ones(word: str, lw: TimeWords) -> int | None:
    value = lw.numbers.get(word)
    return value if value is not None and 1 <= value <= 9 else None


def _table_number(tokens: list[str], lw: TimeWords) -> int | None:
    if len(tokens) == 1:
        t = tokens[0]
        if t.isdigit():
            return int(t)
        if t in lw.numbers:
            return lw.numbers[t]
        return lw.tens.get(t)
    if len(tokens) == 2:
        a, b = tokens
        if a in lw.tens and _ones(b, lw) is not None:
            return lw.tens[a] + lw.numbers[b]
        if a in lw.zero and (b.isdigit() and len(b) == 1 or _ones(b, lw) is not None):
            return int(b) if b.isdigit() else lw.numbers[b]
    if len(tokens) == 3:
        a, joiner, b = tokens
        if a in lw.tens and joiner in lw.number_joiners and _ones(b, lw) is not None:
            return lw.tens[a] + lw.numbers[b]
    return None


def _without_articles(tokens: list[str], lw: TimeWords) -> list[str]:
    while tokens and tokens[0] in lw.articles:
        tokens = tokens[1:]
    return tokens


def _minutes(tokens: list[str], lw: TimeWords) -> int | None:
    """Minutes said after past/to: a fraction ("quarter", "le quart") or a number."""
    if tokens and tokens[-1] in lw.minute_words:
        tokens = tokens[:-1]
    said = " ".join(tokens)
    if said in lw.fractions:
        return lw.fractions[said]
    return number(tokens, lw)


def _hour(tokens: list[str], lw: TimeWords) -> int | None:
    """An hour said before minutes or after past/to: "nine", "las nueve", "neuf heures"."""
    tokens = _without_articles(tokens, lw)
    if tokens and tokens[-1] in lw.hour_words:
        tokens = tokens[:-1]
    return number(tokens, lw) if tokens else None


def _hour_minute(tokens: list[str], lw: TimeWords) -> tuple[int, int] | None:
    tokens = _without_articles(tokens, lw)
    if not tokens:
        return None
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", tokens[0])
    if clock:
        rest_ok = len(tokens) == 1 or (len(tokens) == 2 and tokens[1] in lw.hour_words)
        return (int(clock.group(1)), int(clock.group(2))) if rest_ok else None
    if lw.time_hook is not None:
        found = lw.time_hook(tokens, lw)
        if found is not None:
            return found
    return shared_shapes(tokens, lw)


def shared_shapes(tokens: list[str], lw: TimeWords) -> tuple[int, int] | None:
    """The shapes every language shares (a hook may hand its own tokens on to them)."""
    for shape in (_minutes_first, _plain, _hour_first):
        found = shape(tokens, lw)
        if found is not None:
            return found
    return None


def _minutes_first(tokens: list[str], lw: TimeWords) -> tuple[int, int] | None:
    """"<minutes> past <hour>" or "<minutes> to <hour>": "quarter to ten", "zehn vor neun"."""
    for i, word in enumerate(tokens[1:-1], 1):
        if word in lw.past or word in lw.to:
            found = _relative(_minutes(tokens[:i], lw), _hour(tokens[i + 1:], lw), word in lw.past)
            if found is not None:
                return found
    return None


def _hour_first(tokens: list[str], lw: TimeWords) -> tuple[int, int] | None:
    """"<hour> y <minutes>" or "<hour> menos <minutes>": "las nueve y media", "neuf heures
    moins le quart"."""
    for i, word in enumerate(tokens[1:-1], 1):
        if word in lw.hour_first_past or word in lw.hour_first_to:
            found = _relative(_minutes(tokens[i + 1:], lw), _hour(tokens[:i], lw),
                              word in lw.hour_first_past)
            if found is not None:
                return found
    return None


def _relative(minutes: int | None, hour: int | None, past: bool) -> tuple[int, int] | None:
    if hour is None or minutes is None or not 0 < minutes < 60 or (not past and minutes == 30):
        return None
    if past:
        return hour, minutes
    return (hour - 1) % 24, 60 - minutes


def _plain(tokens: list[str], lw: TimeWords) -> tuple[int, int] | None:
    """The hour, then the minutes if any: "eight thirty", "21 uhr 30", "neuf heures"."""
    for split in range(len(tokens), 0, -1):  # the hour takes as many words as it can
        hour = number(tokens[:split], lw)
        if hour is None:
            continue
        rest = tokens[split:]
        if rest and rest[0] in lw.hour_words:
            rest = rest[1:]
        if rest and rest[-1] in lw.minute_words:
            rest = rest[:-1]
        minutes = number(rest, lw) if rest else 0
        if minutes is not None:
            return hour, minutes
    return None
