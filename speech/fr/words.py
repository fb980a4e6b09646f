"""French words that come from numbers and dates: what a template cannot hold. Same names as
speech/en/words.py; intents/ never writes a word of its own.

Times follow the way a reminder time is written and said in France and Quebec alike: the 24-hour
clock with "h" ("21 h", "20 h 30", "21 h 05"), which Alexa reads "vingt et une heures trente";
"minuit" and "midi" by name, as people say them. Counts of evenings are "soirs": a check-in is an
evening ritual, and "cinq soirs de suite" is how a streak is said."""

from __future__ import annotations

import re
from datetime import date

# Said when even the content could not be read: the last line of the catch-all. "Pardon" and
# no adjective, so it fits whichever voice speaks it; "vous" speaks to both.
LAST_RESORT_APOLOGY = "Pardon, un souci est survenu de mon côté. Réessayez dans un petit moment."

_ONES = ("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze "
         "seize dix-sept dix-huit dix-neuf").split()
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def number(n: int) -> str:
    """0 to 99 in words, masculine, traditional spelling: "vingt et un", "soixante-dix-sept",
    "quatre-vingts", "quatre-vingt-un"."""
    if n < 20:
        return _ONES[n]
    if n < 70:
        tens, ones = divmod(n, 10)
        if ones == 0:
            return _TENS[tens]
        return _TENS[tens] + (" et un" if ones == 1 else f"-{_ONES[ones]}")
    if n < 80:
        return "soixante" + (" et onze" if n == 71 else f"-{_ONES[n - 60]}")
    if n == 80:
        return "quatre-vingts"
    return f"quatre-vingt-{_ONES[n - 80]}"


def time(hour: int, minute: int) -> str:
    """A clock time as written on a reminder and read aloud: "21 h", "20 h 30", "21 h 05",
    "minuit", "midi", "minuit 30", "7 h 45"."""
    named = {0: "minuit", 12: "midi"}.get(hour)
    if named:
        return named if minute == 0 else f"{named} {minute:02d}"
    return f"{hour} h" if minute == 0 else f"{hour} h {minute:02d}"


def weekday(day: date) -> str:
    """The day's name, lower case as French writes it: "mardi"."""
    return _WEEKDAYS[day.weekday()]


def nights(n: int) -> str:
    """A count of evenings: "1 soir", "3 soirs"; 0 and 1 take the singular in French."""
    return f"{n} soir" if n < 2 else f"{n} soirs"


# "de" and "que" before "un" elide in French: "votre série est d'un soir", never "de 1 soir"
# (which Alexa reads "de un soir"). Only a count can bring them together, so only after filling.
_ELIDED = re.compile(r"\b([Dd]|[Qq]u)e (?:1 soir|un|une)\b")


def elide(text: str) -> str:
    """A filled-in sentence with "de 1 soir" and "que 1 soir" said "d'un soir", "qu'un soir"."""
    return _ELIDED.sub(lambda m: f"{m.group(1)}'un" + ("e" if m.group(0).endswith("une") else "")
                       + (" soir" if m.group(0).endswith("soir") else ""), text)
