"""What every language's privacy page must say, in that language's words, and the check that
its "forget us" phrase is one its locales' models know. Each language's entry has the same keys
as English's: a new language's pages need their line here before their tests pass."""

from __future__ import annotations

import html
import json
import re

from skill.dev import MODELS_DIR
from skill.dev.skill_package.matching import Matcher, intents_of, split_phrase, types_of

FORGET_INTENT = "ForgetUsIntent"
# "{days}" is skill.storage.RETENTION_DAYS; "days" is how the language says a number of days
FACTS: dict[str, dict[str, str]] = {
    "en": {
        "no_speech": "never stores what you say",
        "no_recording": "never receives a recording of your voice",
        "retention": "expire {days} days after your household's last check-in",
        "days": "{days} days",
        "settings_never_extend": "never extend that",
        "disabling_deletes": "Disabling the skill in the Alexa app deletes the record too",
        "files_within_a_day": "reaches the service's files on disk within a day",
        "safety_card": "a card in the Alexa app repeats them",
        "safety_keeps_nothing": "For that answer it reads and writes nothing",
        "logs": "one line per request",
        "logs_no_ids": "No account, device or person id",
        "no_sharing": "nothing is sold, shared or used for advertising",
        "permission_withdrawn": "Turning off a permission in the Alexa app forgets the reminder",
    },
    "de": {
        "no_speech": "Zeit für uns speichert nie, was Sie sagen",
        "no_recording": "Eine Aufnahme Ihrer Stimme bekommt er nie",
        "retention": "Ein Eintrag wird {days} Tage nach dem letzten Abend gelöscht, an dem Ihr "
                     "Haushalt dabei war",
        "days": "{days} Tage",
        "settings_never_extend": "verlängern diese Frist nie",
        "disabling_deletes": "Wenn Sie den Skill in der Alexa-App deaktivieren, wird der Eintrag "
                             "ebenfalls gelöscht",
        "files_within_a_day": "Eine Löschung erreicht innerhalb eines Tages auch die Dateien des "
                              "Dienstes",
        "safety_card": "eine Karte in der Alexa-App wiederholt die Nummern",
        "safety_keeps_nothing": "Für diese Antwort liest und schreibt er nichts",
        "logs": "pro Anfrage eine Zeile",
        "logs_no_ids": "Keine Konto-, Geräte- oder Personenkennung",
        "no_sharing": "Nichts wird verkauft, weitergegeben oder für Werbung genutzt",
        "permission_withdrawn": "Wenn Sie eine Berechtigung in der Alexa-App zurückziehen, "
                                "vergisst der Skill",
    },
    "es": {
        "no_speech": "Nuestra Charla nunca guarda lo que se dice",
        "no_recording": "Nunca recibe una grabación de su voz",
        "retention": "Cada registro se borra {days} días después de la última charla de su hogar",
        "days": "{days} días",
        "settings_never_extend": "nunca alarga ese plazo",
        "disabling_deletes": "Deshabilitar la skill en la aplicación Alexa también borra el "
                             "registro",
        "files_within_a_day": "El borrado llega también a los archivos del servicio en disco en "
                              "menos de un día",
        "safety_card": "una tarjeta en la aplicación Alexa repite esos números",
        "safety_keeps_nothing": "Para esa respuesta no lee ni escribe nada",
        "logs": "una línea por petición",
        "logs_no_ids": "Ningún identificador de cuenta, de dispositivo ni de persona",
        "no_sharing": "nada se vende, se comparte ni se usa para publicidad",
        "permission_withdrawn": "Si retira un permiso en la aplicación Alexa, la skill olvida",
    },
    "fr": {
        "no_speech": "Notre petit moment ne garde jamais ce que vous dites",
        "no_recording": "Il ne reçoit jamais d'enregistrement de votre voix",
        "retention": "Une fiche est effacée {days} jours après le dernier soir où votre foyer",
        "days": "{days} jours",
        "settings_never_extend": "ne prolongent jamais ce délai",
        "disabling_deletes": "Désactiver Notre petit moment dans l'application Alexa efface "
                             "aussi la fiche",
        "files_within_a_day": "Un effacement atteint aussi les fichiers du service sur disque en "
                              "moins d'une journée",
        "safety_card": "une carte dans l'application Alexa reprend ces numéros",
        "safety_keeps_nothing": "il ne lit et n'écrit rien",
        "logs": "une ligne par demande",
        "logs_no_ids": "Aucun identifiant de compte, d'appareil ou de personne",
        "no_sharing": "rien n'est vendu, partagé ni utilisé à des fins publicitaires",
        "permission_withdrawn": "Si vous retirez une autorisation dans l'application Alexa, "
                                "Notre petit moment oublie",
    },
}

# quotation marks of the four languages: "..." “...” „...“ « ... »
_QUOTED = re.compile(r"[\"“„«]\s*([^\"“”„«»]+?)\s*[\"”“»]")


def text_of(page: str) -> str:
    """A served page's words: no tags, entities decoded, every run of spaces one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def quoted(text: str) -> list[str]:
    return _QUOTED.findall(text)


def locale_models(language: str) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(MODELS_DIR.glob(f"{language}-*.json"))}


def forget_problems(language: str, phrases: list[str], any_bare: list[str]) -> list[str]:
    """In every locale of `language`: each "Alexa, ..." of `phrases` is a one-shot whose request
    reaches ForgetUsIntent and nothing else, and at least one phrase of `any_bare` does on its
    own. A hyphen is a space to Alexa ("oublie-nous" is heard "oublie nous")."""
    problems = []
    models = locale_models(language)
    if not models:
        return [f"no model of language {language}"]
    for locale, model in models.items():
        matcher = Matcher(intents_of(model), types_of(model))
        invocation = model["interactionModel"]["languageModel"]["invocationName"]
        for phrase in (p for p in phrases if p.startswith("Alexa,")):
            split = split_phrase(phrase.replace("-", " "), invocation, language)
            if split is None:
                problems.append(f"{locale}: {phrase!r} is not 'Alexa, <verb> {invocation} ...'")
            elif (hits := matcher.match(split[1])) != [FORGET_INTENT]:
                problems.append(f"{locale}: {phrase!r} reaches {hits}, not {FORGET_INTENT}")
        bare = [p for p in any_bare if not p.startswith("Alexa,")]
        if not any(matcher.match(p.replace("-", " ")) == [FORGET_INTENT] for p in bare):
            problems.append(f"{locale}: none of {bare} reaches {FORGET_INTENT} on its own")
    return problems
