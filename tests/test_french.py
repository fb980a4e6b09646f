"""What French needs beyond the checks every language shares: the sentences built from two
pieces still read as French (no "que" before a vowel, no "à le"), each French locale names its
own helpline, and the words that mean someone is not safe are heard, in both genders."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from skill.dev import MODELS_DIR
from skill.dev.envelopes import intent, launch
from speech import Content, LocaleContent

from .conftest import spoken_text

FRENCH = ("fr-FR", "fr-CA")
BASE_SAFETY_KEYS = ("safety_line", "safety_answer", "safety_card")
# What each locale's safety answer must say: the emergency number and the helpline, as spoken,
# and the helpline as written on the card.
HELPLINES = {
    "fr-FR": ("le dix-sept ou le cent douze", "trente-neuf dix-neuf", "3919"),
    "fr-CA": ("le neuf un un", "un huit cents, trois six trois, neuf zéro un zéro",
              "1 800 363-9010"),
}
VOWEL_SOUND = re.compile(r"^(?:[aeiouyàâäéèêëîïôöùûüœh])", re.IGNORECASE)


@pytest.fixture(scope="module", params=FRENCH)
def french(request) -> LocaleContent:
    return LocaleContent(request.param, Content()._load(request.param))


@pytest.fixture(scope="module")
def base() -> dict:
    return Content()._load("fr-BE")  # a French locale with no file of its own: the base


def test_a_challenge_name_follows_que_without_elision(french):
    """challenge_intro says "On dirait que {name}": before a vowel French writes "qu'", which
    a template cannot do, so every name starts with a consonant."""
    assert "que {name}" in french.text("challenge_intro")
    for challenge in french.challenges.values():
        assert not VOWEL_SOUND.match(challenge.name), challenge.name


def test_a_theme_name_and_a_tip_name_follow_sur(french):
    """"sur {theme}" and "sur {topic}" take the name with its article ("sur l'avenir", "sur
    vous deux"); "côté avenir" sounded translated."""
    assert "côté" not in " ".join(french.variants("theme_intro") + french.variants("theme_unknown"))
    for key in [k for k in french._data["prompts"] if k.startswith("theme_name_")]:
        assert french.text(key).startswith(("le ", "la ", "les ", "l'", "vous ")), key
    for tip in french.tips.values():
        assert tip.name.startswith(("le ", "la ", "les ", "l'")), tip.name


def test_each_french_locale_names_its_own_helpline(french, base):
    """The base holds a version with no number, so a new French locale that forgets its own
    helpline fails here instead of naming another country's."""
    emergency, spoken, written = HELPLINES[french.locale]
    for key in BASE_SAFETY_KEYS:
        assert french.text(key) != base["prompts"][key], (french.locale, key)
    assert emergency in french.text("safety_answer") and spoken in french.text("safety_answer")
    assert spoken in french.text("safety_line")
    assert written in french.text("safety_card")


@pytest.mark.parametrize("heard", [
    "il m'a frappée", "Il m’a giflé", "Je ne me sens pas en sécurité", "je me sens pas en sécurité",
    "mon mari me fait peur", "j'ai peur d'elle", "elle menace de me faire du mal",
    "on a un problème de violence conjugale", "je crains pour ma vie", "ma blonde me fait peur",
    "j'ai peur de mon chum", "j'ai peur de ma blonde", "j'ai peur de mon amoureux",
    "j'ai peur de mon amoureuse", "mon petit ami me fait peur",
    "j'ai peur de lui dire que je pars, il me frappe",
])
def test_the_words_of_danger_are_heard(french, heard):
    assert french.sounds_unsafe(heard)


@pytest.mark.parametrize("heard", [
    "j'ai peur de m'ouvrir", "on se dispute tout le temps", "mon ex m'a fait souffrir",
    "il me pousse à bout", "j'ai peur d'être jugée", "j'ai peur de lui dire ce que je ressens",
    "j'ai peur de lui en parler", "j'ai du mal à lui faire confiance", "j'ai peur de me confier",
])
def test_hard_moments_that_are_not_danger_stay_challenges(french, heard):
    assert not french.sounds_unsafe(heard)


def test_the_invocation_name_takes_demande_a_without_contraction():
    """"Alexa, demande à notre petit moment ...": a name that began with "le" or "les" would
    be said "au" or "aux", which the one-shot phrasing would not match."""
    for locale in FRENCH:
        model = json.loads((MODELS_DIR / f"{locale}.json").read_text(encoding="utf-8"))
        name = model["interactionModel"]["languageModel"]["invocationName"]
        assert name == "notre petit moment"
        assert not name.startswith(("le ", "les ", "la ", "l'"))


@pytest.mark.parametrize("locale", FRENCH)
def test_afraid_of_each_word_for_a_partner_is_a_safety_sample(locale):
    """"j'ai peur de {who}" would take "j'ai peur de m'ouvrir" to the safety answer, so it is
    spelled out: each way the locale's model names a partner ("mon chum", "mon amoureuse") has
    its own "j'ai peur de ..." sample, and a word added to PersonType without one fails here."""
    model = json.loads((MODELS_DIR / f"{locale}.json").read_text(encoding="utf-8"))
    language = model["interactionModel"]["languageModel"]
    samples = next(i["samples"] for i in language["intents"] if i["name"] == "SafetyIntent")
    person = next(t for t in language["types"] if t["name"] == "PersonType")
    names = [n for v in person["values"] for n in (v["name"]["value"], *v["name"]["synonyms"])]
    nouns = [n for n in names if n.startswith(("mon ", "ma ", "la "))]
    assert "mon chum" in nouns or locale != "fr-CA"
    missing = [n for n in nouns if f"j'ai peur de {n}" not in samples]
    assert not missing, missing
    assert not any(s.startswith("j'ai peur de {") for s in samples)


def test_a_count_of_one_elides_de_and_que(french):
    """"de 1 soir" is read "de un soir": every template filled with one evening says "d'un
    soir" (or "qu'un soir"), and "de 2 soirs" stays as it is."""
    one, two = french.words.nights(1), french.words.nights(2)
    counts = ("nights", "longest", "total")
    for key, value in french._data["prompts"].items():
        for template in [value] if isinstance(value, str) else value:
            names = set(re.findall(r"\{(\w+)\}", template)) if isinstance(template, str) else set()
            if not names or not names <= set(counts):
                continue
            said = french.text(key, pick=lambda n, t=template, v=value: v.index(t),
                               **dict.fromkeys(names, one))
            assert not re.search(r"\b(de|que) (1|un|une)\b", said, re.IGNORECASE), (key, said)
    assert french.text("done_streak", nights=one) == "Votre série est d'un soir."
    assert french.text("done_streak", nights=two) == "Votre série est de 2 soirs."


@pytest.mark.parametrize("locale", FRENCH)
def test_the_streak_after_one_evening_says_d_un_soir(alexa, clock, locale):
    alexa.device.locale = locale
    clock.now = datetime(2026, 12, 1, 21, tzinfo=ZoneInfo("America/New_York")).timestamp()
    alexa.send(launch())
    said = spoken_text(alexa.send(intent("StreakIntent"))["response"]["outputSpeech"]["ssml"])
    assert "série est d'un soir" in said
    assert "plus longue série est d'un soir" in said
    assert not re.search(r"\b(de|que) (1|un)\b", said), said
