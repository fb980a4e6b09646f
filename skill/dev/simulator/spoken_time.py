"""Spoken times as Alexa's AMAZON.TIME slot fills them: "HH:MM", or MO/AF/EV/NI for a part of the day.

The parser reads heard words (``resolver.clean``: lower case, no punctuation, "p.m." as "pm") in
one language, whose words it takes as a :class:`TimeWords` table. English is the only table so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class TimeWords:
    """The words one language uses to say a time of day."""

    numbers: dict[str, int]  # 1-19 (and 0) as words
    tens: dict[str, int]  # "twenty", ... as words
    zero: str  # said before a single digit: "eight oh five"
    oclock: tuple[str, ...]  # after a whole hour
    past: tuple[str, ...]  # "<minutes> past <hour>"
    to: tuple[str, ...]  # "<minutes> to <hour>"
    minute_words: tuple[str, ...]  # "five minutes past six"
    fractions: dict[str, int]  # "half past", "quarter to"
    lead_ins: tuple[str, ...]  # "at nine", "around nine": said before the time
    pm: tuple[str, ...]  # said after the time
    am: tuple[str, ...]
    glued: tuple[str, ...]  # written straight after the digits: "9pm"
    parts_of_day: dict[str, str]  # word -> AMAZON.TIME's MO/AF/EV/NI
    part_of_day_lead_in: str  # "in the evening"
    named: dict[str, str]  # "noon" -> "12:00"


ENGLISH = TimeWords(
    numbers={
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
        "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
        "nineteen": 19,
    },
    tens={"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50},
    zero="oh",
    oclock=("oclock", "o'clock"),
    past=("past", "after"),
    to=("to", "before"),
    minute_words=("minutes", "minute"),
    fractions={"half": 30, "quarter": 15, "a quarter": 15},
    lead_ins=("at", "around", "about", "by"),
    pm=("pm", "p m", "in the evening", "at night", "tonight", "in the afternoon", "this evening"),
    am=("am", "a m", "in the morning", "this morning"),
    glued=("am", "pm"),
    parts_of_day={"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"},
    part_of_day_lead_in="in the ",
    named={"noon": "12:00", "midday": "12:00", "twelve noon": "12:00", "midnight": "00:00",
           "twelve midnight": "00:00"},
)


def parse_time(words: str, language: TimeWords = ENGLISH) -> str | None:
    """What Alexa's AMAZON.TIME makes of heard words: "HH:MM" (or MO/AF/EV/NI), else None.

    "nine" is 09:00 as said (Alexa does not guess the half of the day); "nine pm", "nine at
    night", "half past eight", "eight thirty", "8:30", "21:30", "quarter to ten" all work.
    """
    lw = language
    t = re.sub(rf"^(?:{'|'.join(map(re.escape, lw.lead_ins))}) ", "", words)
    t = re.sub(rf"(\d)({'|'.join(map(re.escape, lw.glued))})\b", r"\1 \2", t)
    part = t.removeprefix(lw.part_of_day_lead_in)
    if part in lw.parts_of_day:
        return lw.parts_of_day[part]
    if t in lw.named:
        return lw.named[t]
    t, meridiem = _meridiem(t, lw)
    found = _hour_minute(t.split(), lw)
    if found is None:
        return None
    hour, minute = found
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour > 12:
        return None  # "twenty one am"
    elif meridiem == "am" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _meridiem(t: str, lw: TimeWords) -> tuple[str, str | None]:
    """The time without its "pm" / "in the morning", and which half of the day that said."""
    for said, half in ((lw.pm, "pm"), (lw.am, "am")):
        for w in said:
            if t.endswith(" " + w):
                return t[: -len(w) - 1], half
    return t, None


def _number(tokens: list[str], lw: TimeWords) -> int | None:
    """0-59 from words or digits: "five", "forty five", "oh five", "45"."""
    if len(tokens) == 1:
        t = tokens[0]
        if t.isdigit():
            return int(t)
        if t in lw.numbers:
            return lw.numbers[t]
        return lw.tens.get(t)
    if len(tokens) == 2:
        a, b = tokens
        if a in lw.tens and lw.numbers.get(b, 0) in range(1, 10):
            return lw.tens[a] + lw.numbers[b]
        if a == lw.zero and (b.isdigit() and len(b) == 1 or lw.numbers.get(b, 0) in range(1, 10)):
            return int(b) if b.isdigit() else lw.numbers[b]
    return None


def _hour_minute(tokens: list[str], lw: TimeWords) -> tuple[int, int] | None:
    if not tokens:
        return None
    if len(tokens) == 1 and ":" in tokens[0]:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", tokens[0])
        return (int(m.group(1)), int(m.group(2))) if m else None
    if tokens[-1] in lw.oclock:
        hour = _number(tokens[:-1], lw)
        return (hour, 0) if hour is not None else None
    for word in (*lw.past, *lw.to):
        if word in tokens[1:-1]:
            return _relative(tokens, tokens.index(word), word in lw.past, lw)
    for split in range(len(tokens), 0, -1):  # the hour takes as many words as it can
        hour = _number(tokens[:split], lw)
        rest = tokens[split:]
        minutes = _number(rest, lw) if rest else 0
        if hour is not None and minutes is not None:
            return hour, minutes
    return None


def _relative(tokens: list[str], i: int, past: bool, lw: TimeWords) -> tuple[int, int] | None:
    """"<minutes> past <hour>" or "<minutes> to <hour>", the past/to word at tokens[i]."""
    before, hour = tokens[:i], _number(tokens[i + 1:], lw)
    if before and before[-1] in lw.minute_words:
        before = before[:-1]
    minutes = lw.fractions.get(" ".join(before))
    if minutes is None:
        minutes = _number(before, lw)
    if hour is None or minutes is None or (not past and minutes == 30):
        return None
    if past:
        return hour, minutes
    return (hour - 1) % 24 if hour else 23, 60 - minutes
