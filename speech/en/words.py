"""English words that come from numbers and dates: what a template cannot hold. Every language
has a module like this one (speech/<lang>/words.py) with the same names; intents/ never writes a
word of its own."""

from __future__ import annotations

from datetime import date

# Said when even the content could not be read: the last line of the catch-all.
LAST_RESORT_APOLOGY = "Sorry, something went wrong. Please try again in a moment."

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty"}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def number(n: int) -> str:
    """0 to 59 in words: "twenty-one"."""
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def time(hour: int, minute: int) -> str:
    """A clock time as said aloud: "nine p.m.", "eight thirty p.m.", "nine oh five p.m.",
    "midnight", "noon"."""
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "noon"
    words = number(hour % 12 or 12)
    if minute:
        words += " " + (f"oh {_ONES[minute]}" if minute < 10 else number(minute))
    return f"{words} {'p.m.' if hour >= 12 else 'a.m.'}"


def weekday(day: date) -> str:
    return _WEEKDAYS[day.weekday()]


def nights(n: int) -> str:
    """A count of nights: "1 night", "3 nights"."""
    return f"{n} night" if n == 1 else f"{n} nights"

