"""German times the [time] table cannot say (the hook contract: lang/__init__.py).

- Numbers are written as one word with the ones first: "einundzwanzig" (21), "fünfundvierzig"
  (45); also heard as three words, "ein und zwanzig".
- "halb neun" is half past eight (08:30): the half is counted toward the next hour, and so are
  "fünf vor halb neun" (08:25) and "fünf nach halb neun" (08:35). "viertel nach" and "viertel
  vor" are the table's minutes-first shapes.

Not taken: the regional "viertel neun" (08:15) and "dreiviertel neun" (08:45). We could not
confirm that Alexa fills AMAZON.TIME from them, and the resolver is no looser than Alexa.
"""

from __future__ import annotations

from ..spoken_time import TimeWords, number as table_number

HALF = "halb"
_JOIN = "und"


def number(tokens: list[str], words: TimeWords) -> int | None:
    """21-59 with the ones first: "einundzwanzig", "ein und zwanzig"."""
    if len(tokens) == 1 and _JOIN in tokens[0]:
        ones, _, tens = tokens[0].partition(_JOIN)
        tokens = [ones, _JOIN, tens]
    if len(tokens) != 3 or tokens[1] != _JOIN or tokens[2] not in words.tens:
        return None
    ones = words.numbers.get(tokens[0])
    return words.tens[tokens[2]] + ones if ones is not None and 1 <= ones <= 9 else None


def hour_minute(tokens: list[str], words: TimeWords) -> tuple[int, int] | None:
    """"halb neun" (08:30), "fünf vor halb neun" (08:25), "zehn nach halb neun" (08:40)."""
    if HALF not in tokens[:-1]:
        return None
    at = tokens.index(HALF)
    hour = table_number(tokens[at + 1:], words)
    if hour is None or not 1 <= hour <= 24:
        return None
    before = tokens[:at]
    if not before:
        return hour - 1, 30
    if len(before) < 2 or before[-1] not in (*words.past, *words.to):
        return None
    minutes = table_number(before[:-1], words)
    if minutes is None or not 0 < minutes < 30:
        return None
    return hour - 1, 30 + minutes if before[-1] in words.past else 30 - minutes
