"""Matching spoken phrases against an interaction model's samples, the way the rules need it: a
phrase matches a sample when it is the sample with each custom slot filled by one of its type's
values or synonyms (built-in slot types such as AMAZON.TIME take any words)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .lang import rules

SLOT_RE = re.compile(r"\{([^{}]*)\}")


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def intents_of(model: dict) -> dict[str, dict]:
    return {intent["name"]: intent for intent in model["interactionModel"]["languageModel"]["intents"]}


def types_of(model: dict) -> dict[str, list[dict]]:
    language = model["interactionModel"]["languageModel"]
    return {t["name"]: t.get("values", []) for t in language.get("types", [])}


def custom_intents(intents: dict[str, dict]) -> dict[str, dict]:
    return {name: i for name, i in intents.items() if not name.startswith("AMAZON.")}


def spoken_values(values: list[dict]) -> dict[str, str]:
    """Every spoken form (canonical value and synonyms), folded, mapped to its id."""
    out = {}
    for value in values:
        for form in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            out[fold(form)] = value.get("id", value["name"]["value"])
    return out


@lru_cache(maxsize=None)  # the same samples recur in every locale and every validation
def sample_regex(sample: str) -> re.Pattern:
    parts = SLOT_RE.split(" ".join(sample.split()))
    # split() alternates literal, slot, literal, ...; slot names keep their case
    pattern = ""
    for index, part in enumerate(parts):
        pattern += f"(?P<{part}>.+?)" if index % 2 else re.escape(part.lower())
    return re.compile(f"^{pattern}$")


def fills(sample: str, utterance: str, slot_types: dict[str, str], types) -> bool:
    """True when `utterance` is `sample` with each slot filled by a value its type knows."""
    return Matcher({"_": {"samples": [sample],
                          "slots": [{"name": n, "type": t} for n, t in slot_types.items()]}},
                   types).match(utterance) == ["_"]


class Matcher:
    """The samples of some intents, compiled once, and each slot type's spoken forms."""

    def __init__(self, intents: dict[str, dict], types: dict[str, list[dict]]):
        self.values = {name: set(spoken_values(values)) for name, values in types.items()}
        self.samples: list[tuple[str, re.Pattern, dict[str, str], str | None]] = []
        for name, intent in intents.items():
            slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
            for sample in intent.get("samples", []):
                try:
                    pattern = sample_regex(sample)
                except re.error:  # a malformed slot name: the sample rules report it
                    continue
                first = fold(sample).split(" ", 1)[0]
                self.samples.append((name, pattern, slot_types, None if "{" in first else first))
        self._by_first: dict[str, list] = {}

    def _candidates(self, first: str) -> list:
        """The samples an utterance starting with `first` can fill (in order): those that start
        with that word, and those that start with a slot."""
        found = self._by_first.get(first)
        if found is None:
            found = self._by_first[first] = [s for s in self.samples if s[3] in (None, first)]
        return found

    def _fills(self, pattern: re.Pattern, slot_types: dict[str, str], folded: str) -> bool:
        match = pattern.match(folded)
        if not match:
            return False
        for slot, spoken in match.groupdict().items():
            slot_type = slot_types.get(slot, "")
            if slot_type.startswith("AMAZON."):
                continue  # built-in types accept open phrasing (e.g. "nine p.m.")
            if fold(spoken) not in self.values.get(slot_type, ()):
                return False
        return True

    def match(self, utterance: str) -> list[str]:
        """The intents with a sample that `utterance` fills, in order."""
        folded, hits = fold(utterance), []
        for name, pattern, slot_types, _ in self._candidates(folded.split(" ", 1)[0]):
            if name not in hits and self._fills(pattern, slot_types, folded):
                hits.append(name)
        return hits


def matches_model(utterance: str, intents: dict[str, dict], types) -> list[str]:
    """The intents with a sample that `utterance` fills."""
    return Matcher(intents, types).match(utterance)


def split_phrase(phrase: str, invocation: str, language: str = "en") -> tuple[str, str] | None:
    """"Alexa, ask our check in for a tip" -> ("ask", "a tip"); "Alexa, pide a ... un consejo"
    -> ("pide a", "un consejo"); None when the phrase is not "Alexa, <verb> <invocation name> ...".
    The verb is one of the language's launch or one-shot words (lang/<lang>.toml) when it is
    one, else the first word (which the caller reports)."""
    words = rules(language)
    known = sorted({*words.launch, *words.one_shot}, key=len, reverse=True)
    verbs = "|".join([*map(re.escape, known), r"\w+"])
    folded = fold(re.sub(r"[¿¡]", "", phrase))
    # German sets the request off with a comma: "Alexa, sag zeit für uns, wir sind fertig"
    match = re.fullmatch(rf"alexa,? ({verbs}) " + re.escape(fold(invocation)) + r",?(?: (.*))?",
                         folded)
    if not match:
        return None
    verb, rest = match.group(1), fold((match.group(2) or "").replace(",", " ")).strip(" .?!")
    for connecting in words.connecting:
        if connecting.endswith("'") and rest.startswith(connecting) and len(rest) > len(connecting):
            return verb, rest[len(connecting):]
        if rest.startswith(connecting + " "):
            return verb, rest[len(connecting) + 1:]
    return verb, rest
