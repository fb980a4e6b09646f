"""German words that come from numbers and dates: what a template cannot hold. Same names as
speech/en/words.py.

Times are the 24-hour clock as Germans say a set time aloud ("21 Uhr", "20 Uhr 30"): it is how
Alexa, the radio and a train announcement say it, it is never unclear between morning and
evening, and it avoids the regional split of the colloquial clock ("Viertel nach acht" in the
north, "viertel neun" in the east and south). Templates put "um" before it: "jeden Abend um
{time}". People may still SAY the colloquial clock ("um halb neun", "Viertel nach acht", "um
neun Uhr abends"): the simulator's AMAZON.TIME understands it; the skill answers in this form.

A count of the ritual is a count of evenings ("1 Abend", "3 Abende"): the ritual happens in the
evening, and "3 Nächte" sounds like a hotel booking. Counts keep the digit, as written German
does; templates use {nights} where the noun stands in the nominative, after a colon ("Eure
Serie: 3 Abende"), since "bei 3 Abenden" would need the dative and "1 Abend" the accusative
"einen". No ordinal(): every milestone has its own prompt key, so its ordinal is written in the
sentence."""

from __future__ import annotations

from datetime import date

# Said when even the content could not be read: the last line of the catch-all.
LAST_RESORT_APOLOGY = "Tut mir leid, da ist gerade etwas schiefgegangen. Versucht es bitte gleich noch einmal."

_ONES = ("null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn "
         "fünfzehn sechzehn siebzehn achtzehn neunzehn").split()
_TENS = {2: "zwanzig", 3: "dreißig", 4: "vierzig", 5: "fünfzig"}
_WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def number(n: int) -> str:
    """0 to 59 in words, the ones before the tens: "einundzwanzig", "fünfundvierzig"."""
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    if not ones:
        return _TENS[tens]
    return ("ein" if ones == 1 else _ONES[ones]) + "und" + _TENS[tens]


def time(hour: int, minute: int) -> str:
    """A clock time as said aloud, 24-hour: "21 Uhr", "20 Uhr 30", "21 Uhr 5", "Mitternacht"."""
    if hour == 0 and minute == 0:
        return "Mitternacht"
    return f"{hour} Uhr" + (f" {minute}" if minute else "")


def weekday(day: date) -> str:
    return _WEEKDAYS[day.weekday()]


def nights(n: int) -> str:
    """A count of the ritual's nights, said as evenings: "1 Abend", "3 Abende"."""
    return f"{n} Abend" if n == 1 else f"{n} Abende"
