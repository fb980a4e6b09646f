"""Spanish as people say it, end to end through the simulator: the nightly reminder at the times
Spanish speakers name ("las nueve de la noche", "las ocho y media", "las nueve menos cuarto"),
the one-shot shapes of Spanish ("pide a ... que" with the subjunctive, "dile a ... que"), and
Spain's own words reaching es-ES but not needed anywhere else."""

from __future__ import annotations

import pytest

SPANISH = ("es-MX", "es-ES", "es-US")


@pytest.mark.parametrize("locale", SPANISH)
@pytest.mark.parametrize("said, hhmm, spoken", [
    ("pide a nuestra charla que nos recuerde a las nueve de la noche", "21:00",
     "las nueve de la noche"),
    # "las ocho y media" is 08:30 as Alexa hears it; a nightly reminder takes the evening
    ("pide a nuestra charla que nos recuerde todas las noches a las ocho y media", "20:30",
     "las ocho y media de la noche"),
    ("dile a nuestra charla que nos avise a las nueve menos cuarto", "20:45",
     "las nueve menos cuarto de la noche"),
])
def test_a_reminder_at_a_time_said_in_spanish(simulator, locale, said, hhmm, spoken):
    sim = simulator(locale=locale, user=f"recordatorio {locale} {hhmm}")
    asked = sim.say(said)
    assert asked.heard.startswith("SetReminderIntent"), asked.heard
    assert f"todos los días a {spoken}" in asked.speech
    done = sim.say("sí")
    assert f"a {spoken}" in done.speech, done.speech
    body = list(sim.standin.state.reminders.values())[-1]  # the stand-in serves the module
    hour, minute = hhmm.split(":")
    rule = body["trigger"]["recurrence"]["recurrenceRules"][0]
    assert f"BYHOUR={int(hour)}" in rule and f"BYMINUTE={int(minute)}" in rule
    assert body["alertInfo"]["spokenInfo"]["content"][0]["locale"] == locale


@pytest.mark.parametrize("locale", SPANISH)
@pytest.mark.parametrize("said, heard", [
    ("Alexa, abre nuestra charla", "LaunchRequest"),
    ("pide a nuestra charla que nos dé otra pregunta", "AnotherQuestionIntent"),
    ("pregúntale a nuestra charla cómo vamos", "StreakIntent"),
    ("dile a nuestra charla que ya terminamos", "DoneIntent"),
    ("dile a nuestra charla que nos sentimos desconectados", "ChallengeIntent"),
])
def test_the_spanish_ways_of_asking_reach_the_skill(simulator, locale, said, heard):
    assert simulator(locale=locale).say(said).heard.startswith(heard)


@pytest.mark.parametrize("said, heard", [
    ("dile a nuestra charla que ya hemos terminado", "DoneIntent"),
    ("dile a nuestra charla que hoy no nos apetece", "SkipTonightIntent"),
    ("dile a nuestra charla que quiero que borréis nuestros datos", "ForgetUsIntent"),
])
def test_spain_says_it_its_own_way(simulator, said, heard):
    assert simulator(locale="es-ES").say(said).heard.startswith(heard)
    assert not simulator(locale="es-MX").say(said).heard.startswith(heard), \
        "a Peninsular phrasing lives in the es-ES override, not in the source"
