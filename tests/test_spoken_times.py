"""AMAZON.TIME in the simulator, for each language's spoken times: the [time] table of
skill/dev/simulator/lang/<lang>.toml and the language's hooks (de.py: "halb neun", "fünfundvierzig";
fr.py: "minuit et quart"), through the same parser. Each value is what Alexa fills the slot with;
a time Alexa would not fill is None."""

from __future__ import annotations

import pytest

from skill.dev.simulator.lang import load
from skill.dev.simulator.resolver import clean
from skill.dev.simulator.spoken_time import parse_time

CASES = {
    "en": [
        ("nine", "09:00"), ("nine pm", "21:00"), ("half past eight", "08:30"),
        ("quarter to ten", "09:45"), ("8:30", "08:30"), ("in the evening", "EV"),
        ("banana", None),
    ],
    "de": [
        ("neun", "09:00"), ("um 21 Uhr", "21:00"), ("21:30 Uhr", "21:30"),
        ("neun Uhr abends", "21:00"), ("zwanzig Uhr dreißig", "20:30"),
        ("einundzwanzig Uhr", "21:00"), ("um einundzwanzig Uhr fünfundvierzig", "21:45"),
        ("halb neun", "08:30"), ("um halb neun abends", "20:30"), ("halb eins", "00:30"),
        ("viertel vor neun", "08:45"), ("Viertel nach acht", "08:15"),
        ("zwanzig nach neun", "09:20"), ("fünf vor halb neun", "08:25"),
        ("fünf nach halb neun", "08:35"), ("Mitternacht", "00:00"), ("am Abend", "EV"),
        ("halb", None), ("fünf vor halb", None), ("dreiviertel neun", None),
        ("fünfundsechzig uhr", None), ("Banane", None),
    ],
    "es": [
        ("a las nueve", "09:00"), ("a las nueve de la noche", "21:00"),
        ("las nueve y media de la noche", "21:30"), ("las nueve menos cuarto", "08:45"),
        ("un cuarto para las diez", "09:45"), ("diez para las nueve de la noche", "20:50"),
        ("las ocho cuarenta y cinco", "08:45"), ("las nueve y cuarenta y cinco", "09:45"),
        ("las doce de la noche", "00:00"), ("a las nueve en punto", "09:00"),
        ("a las veintiuna horas", "21:00"), ("la una y media de la madrugada", "01:30"),
        ("9 p.m.", "21:00"), ("mediodía", "12:00"), ("por la noche", "NI"),
        ("las nueve menos media", None), ("las veinticinco", None), ("plátano", None),
    ],
    "fr": [
        ("neuf heures", "09:00"), ("vingt et une heures", "21:00"), ("21 h", "21:00"),
        ("21h30", "21:30"), ("à vingt heures trente", "20:30"), ("neuf heures du soir", "21:00"),
        ("neuf heures et demie", "09:30"), ("neuf heures et quart du soir", "21:15"),
        ("neuf heures moins le quart", "08:45"), ("à dix-sept heures quinze", "17:15"),
        ("vingt-deux heures", "22:00"), ("minuit et quart", "00:15"), ("midi moins le quart", "11:45"),
        ("minuit", "00:00"), ("le soir", "EV"),
        ("neuf heures moins la demie", None), ("vingt-cinq heures", None), ("banane", None),
    ],
}


@pytest.mark.parametrize("language, said, value",
                         [(lang, said, value) for lang, cases in CASES.items() for said, value in cases])
def test_spoken_times(language, said, value):
    assert parse_time(clean(said), load(language).time) == value


def test_every_language_file_has_its_times_tested():
    from skill.dev.simulator.lang import languages

    assert set(languages()) <= set(CASES)
