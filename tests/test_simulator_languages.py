"""The simulator in any language: heard words keep their accents (NFC), each language's file
(skill/dev/simulator/lang/<lang>.toml) gives its launch and one-shot phrasing, connectors,
fillers and built-in phrasings, a file that is incomplete or malformed is a clear error, and the
resolver stays as strict as Alexa (no accent folding, nothing outside the model and the file)."""

from __future__ import annotations

import unicodedata

import pytest

from skill.dev.models import locales
from skill.dev.simulator import lang
from skill.dev.simulator.errors import SimulatorError
from skill.dev.simulator.resolver import UtteranceResolver, available_locales, clean, language_of

# A small model and language file in the shape of a real one: how the resolver treats a language
# it has never seen, without waiting for a real one.
MODEL = {"interactionModel": {"languageModel": {
    "invocationName": "unser abend",
    "intents": [
        {"name": "TipIntent", "slots": [{"name": "topic", "type": "TipTopicType"}],
         "samples": ["einen tipp", "einen tipp zum {topic}", "gib uns einen tipp"]},
        {"name": "DoneIntent", "samples": ["wir sind fertig", "wir fertig sind", "on a fini"]},
        {"name": "AMAZON.HelpIntent", "samples": []},
        {"name": "AMAZON.StopIntent", "samples": []},
        {"name": "AMAZON.FallbackIntent", "samples": []},
    ],
    "types": [{"name": "TipTopicType", "values": [
        {"id": "ACTIVE_LISTENING", "name": {"value": "zuhören", "synonyms": ["besser zuhören"]}},
    ]}],
}}}
LANGUAGE = """
[invoke]
launch = ["öffne", "starte"]
one_shot = ["frage", "sag", "pídele a", "demande à"]
connectors = ["nach", "dass", "qu'"]
after = ["von"]
exit = ["beenden"]
[heard]
disfluencies = ["äh", "ähm"]
fillers = ["bitte", "s'il te plaît"]
slot_lead_ins = ["das"]
[builtins]
"AMAZON.HelpIntent" = ["hilfe"]
"AMAZON.StopIntent" = ["stopp", "halt stopp"]
"AMAZON.CancelIntent" = ["abbrechen"]
"AMAZON.YesIntent" = ["ja"]
"AMAZON.NoIntent" = ["nein"]
"AMAZON.RepeatIntent" = ["wie bitte"]
"AMAZON.StartOverIntent" = ["von vorne"]
"AMAZON.NavigateHomeIntent" = ["startseite"]
[time]
numbers = { eins = 1, neun = 9 }
"""


@pytest.fixture
def language(tmp_path):
    path = tmp_path / "xx.toml"
    path.write_text(LANGUAGE, encoding="utf-8")
    return lang.read(path)


@pytest.fixture
def resolver(language):
    return UtteranceResolver(MODEL, language)


@pytest.mark.parametrize("typed, heard", [
    ("Öffne unser Abend!", "öffne unser abend"),
    (unicodedata.normalize("NFD", "Öffne"), "öffne"),  # a decomposed ö is the same letter
    ("¿Pídele a nuestro momento un consejo?", "pídele a nuestro momento un consejo"),
    ("Demande à « notre soirée » : qu'on a fini, frère.", "demande à notre soirée qu'on a fini frère"),
    ("Straße, 8:30 p.m.", "straße 8:30 pm"),
    ("it's 'our' check-in", "it's our check in"),
])
def test_heard_words_keep_their_accents(typed, heard):
    assert clean(typed) == heard


@pytest.mark.parametrize("said", ["öffne unser abend", "Alexa, starte unser Abend", "unser abend",
                                  "äh, öffne bitte unser abend"])
def test_launch_in_the_language(resolver, said):
    assert resolver.resolve(said).kind == "launch"


@pytest.mark.parametrize("said, intent, topic", [
    ("frage unser abend nach einen tipp zum zuhören", "TipIntent", "ACTIVE_LISTENING"),
    ("sag unser abend dass wir fertig sind", "DoneIntent", None),
    ("pídele a unser abend einen tipp", "TipIntent", None),  # a two-word verb with an accent
    ("demande à unser abend qu'on a fini", "DoneIntent", None),  # a glued connector
    ("gib uns einen tipp von unser abend", "TipIntent", None),
    ("frage unser abend nach einen tipp zum das besser zuhören", "TipIntent", "ACTIVE_LISTENING"),
])
def test_one_shots_in_the_language(resolver, said, intent, topic):
    res = resolver.resolve(said)
    assert (res.one_shot, res.intent) == (True, intent)
    if topic:
        auth = res.slots["topic"]["resolutions"]["resolutionsPerAuthority"][0]
        assert auth["values"][0]["value"]["id"] == topic


def test_builtins_fillers_and_exit_come_from_the_file(resolver):
    assert resolver.resolve_intent("hilfe").intent == "AMAZON.HelpIntent"
    assert resolver.resolve_intent("halt stopp s'il te plaît").intent == "AMAZON.StopIntent"
    assert resolver.resolve_intent("help").intent == "AMAZON.FallbackIntent", "no English here"
    assert resolver.resolve("beenden").kind == "end"
    assert resolver.resolve("exit").kind != "end"


def test_no_looser_than_alexa(resolver):
    """Accents count, and nothing reaches an intent but the model and the file."""
    assert resolver.resolve("offne unser abend").kind != "launch"
    assert resolver.resolve_intent("einen tip").intent == "AMAZON.FallbackIntent"
    assert resolver.resolve("frage unser abend nach zuhören").intent == "AMAZON.FallbackIntent"
    assert resolver.resolve("frage unser abend nach einem tipp").intent == "AMAZON.FallbackIntent"


def test_an_incomplete_file_is_named(tmp_path):
    path = tmp_path / "yy.toml"
    path.write_text('[invoke]\nlaunch = ["öffne"]\n[time]\nnumbers = { eins = 1 }\n', encoding="utf-8")
    with pytest.raises(SimulatorError, match=r"yy.toml is not complete: it lacks \[invoke\] one_shot, "
                                             r"\[builtins\] 'AMAZON.HelpIntent'"):
        UtteranceResolver(MODEL, lang.read(path))


@pytest.mark.parametrize("text, message", [
    ('[invoke]\nlanch = ["öffne"]\n', r"\[invoke\] has unknown keys \['lanch'\]"),
    ('[invoke]\nlaunch = "öffne"\n', r"\[invoke\] launch is a list of words"),
    ('[time]\nnumbers = ["eins"]\n', r"\[time\] numbers is a table"),
    ('[time]\nhalf = ["halb"]\n', r"\[time\] has unknown keys \['half'\]"),
    ('[sounds]\n', r"unknown tables \['sounds'\]"),
    ('[invoke\n', r"zz.toml: "),
])
def test_a_malformed_file_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "zz.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SimulatorError, match=message):
        lang.read(path)


def test_a_language_without_a_file_is_a_clear_error():
    with pytest.raises(SimulatorError, match=r"no simulator language file skill/dev/simulator/lang/"
                                             r"xx.toml \(known: .*en"):
        language_of("xx-XX")


def test_every_locale_with_a_model_is_available_and_its_language_complete():
    """`checkin chat --locale` takes every locale with a model; each model's language has a
    complete file (a language engineer's model without one fails here, naming what is missing)."""
    assert available_locales() == locales()
    for locale in locales():
        assert language_of(locale).missing() == [], locale


def test_a_locale_not_yet_spoken_is_named_with_what_it_lacks():
    """`checkin chat --locale de-DE` before German is complete: the first turn says why the
    answers are in another locale's words (the files the language still lacks)."""
    from skill.dev.simulator.session import unspoken_note
    from speech import SUPPORTED_LOCALES, missing_files

    for locale in (*locales(), "de-DE", "es-MX", "fr-FR"):
        note = unspoken_note(locale)
        assert (note is None) == (locale in SUPPORTED_LOCALES), locale
        if note is not None:
            assert all(f"speech/{path}" in note for path in missing_files(locale.split("-")[0]))
