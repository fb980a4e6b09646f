"""The utterance resolver: typed words to the request Alexa's language model would send.

It reads ``models/<locale>.json`` and the words of the locale's language
(``lang/<lang>.toml``), and matches as Alexa does: launch phrasing ("start our check in",
"öffne ..."), one-shots ("ask our check in for ...", "pide a ..."), sample utterances with slots,
slot values and their synonyms (entity resolution), AMAZON.TIME slots, common phrasings of the
built-in intents, filler words, and Fallback when nothing fits. It is no looser than Alexa: a
phrasing reaches an intent only through the model's own samples and values, or the language's
built-in phrasings; accents count ("offne" is not "öffne").
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

from .. import MODELS_DIR
from ..envelopes import intent, launch, session_ended, slot
from .errors import SimulatorError
from .lang import Language
from .lang import load as load_language
from .spoken_time import parse_time


# -- the interaction model ---------------------------------------------------------------------


def available_locales() -> list[str]:
    return sorted(p.stem for p in MODELS_DIR.glob("*.json") if p.stem != "skill")


def load_model(locale: str) -> dict:
    """The interaction model of one locale, or a clear error naming the ones there are."""
    locales = available_locales()
    if locale not in locales:
        known = ", ".join(locales) or f"none in {MODELS_DIR}"
        raise SimulatorError(f"no interaction model for locale {locale!r} (known: {known})")
    return json.loads((MODELS_DIR / f"{locale}.json").read_text())


# -- what Alexa hears --------------------------------------------------------------------------

FALLBACK = "AMAZON.FallbackIntent"
WAKE_WORD = "alexa"  # the wake word is never part of the request, in any language


def language_of(locale: str) -> Language:
    """The simulator's words for a locale's language (lang/<lang>.toml)."""
    return load_language(locale.split("-")[0])


def clean(text: str) -> str:
    """Heard words: Unicode NFC, lower case with accents kept ("öffne", "pídele"), punctuation
    gone (apostrophes inside words and ``8:30`` kept), "p.m." as "pm", one space."""
    t = unicodedata.normalize("NFC", text).lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", t)  # p.m. -> pm
    t = re.sub(r"(?<=\d):(?=\d)", "\0", t)
    t = re.sub(r"[^\w'\0]+|_", " ", t).replace("\0", ":")
    t = re.sub(r"(?:(?<=\s)|^)'+|'+(?=\s|$)", "", t)  # quotes, not apostrophes
    return " ".join(t.split())


def _key(words: str) -> str:
    """What matching compares: apostrophes dropped, so "were done" is "we're done"."""
    return words.replace("'", "")


def _phrases(words) -> re.Pattern | None:
    """One pattern for some whole words or phrases (longest first), or None for none."""
    said = sorted({clean(w) for w in words if clean(w)}, key=len, reverse=True)
    if not said:
        return None
    return re.compile(rf"(?<!\S)(?:{'|'.join(map(re.escape, said))})(?!\S)")


def _without(words: str, pattern: re.Pattern | None) -> str:
    return " ".join(pattern.sub(" ", words).split()) if pattern is not None else words


def _alternatives(words) -> str:
    """A regex alternation of phrases as matching compares them (longest first)."""
    keys = sorted({_key(clean(w)) for w in words if clean(w)}, key=len, reverse=True)
    return "|".join(map(re.escape, keys))


# -- resolution --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    """What Alexa understood: a launch, an intent with slots, or the end of the session."""

    kind: str  # "launch" | "intent" | "end"
    intent: str | None = None
    slots: dict = field(default_factory=dict)  # slot name -> envelope slot (envelopes.slot)
    one_shot: bool = False  # "ask our check in ...": always a new session
    sample: str | None = None  # the sample utterance or phrase that matched

    def request(self) -> dict:
        if self.kind == "launch":
            return launch()
        if self.kind == "end":
            return session_ended("USER_INITIATED")
        return intent(self.intent, self.slots)

    def describe(self) -> str:
        if self.kind == "launch":
            return "LaunchRequest"
        if self.kind == "end":
            return "SessionEndedRequest (USER_INITIATED)"
        parts = [self.intent or "?"]
        for name, s in self.slots.items():
            if "value" not in s:
                continue
            auth = (s.get("resolutions") or {}).get("resolutionsPerAuthority") or [{}]
            code = auth[0].get("status", {}).get("code")
            if code == "ER_SUCCESS_MATCH":
                parts.append(f'{name}="{s["value"]}" -> {auth[0]["values"][0]["value"]["id"]}')
            elif code == "ER_SUCCESS_NO_MATCH":
                parts.append(f'{name}="{s["value"]}" (no match)')
            else:
                parts.append(f'{name}={s["value"]}')
        return " ".join(parts)


@dataclass(frozen=True)
class _Sample:
    intent: str
    text: str
    regex: re.Pattern
    slot_names: tuple[str, ...]
    literal_words: int
    order: int


class UtteranceResolver:
    """Maps typed words to a request the way Alexa's language model would, from the model JSON
    and the words of its language (``lang/<lang>.toml``)."""

    def __init__(self, model: dict, language: Language):
        missing = language.missing()
        if missing:
            raise SimulatorError(f"skill/dev/simulator/lang/{language.code}.toml is not complete: "
                                 f"it lacks {', '.join(missing)}")
        self.language = language
        self._disfluencies = _phrases(language.disfluencies)
        self._fillers = _phrases(language.fillers)
        lm = model["interactionModel"]["languageModel"]
        self.invocation = clean(lm["invocationName"])
        words = [re.escape(_key(w)) for w in self.invocation.split()]
        # "our check in", "our checkin" (hyphens are already spaces)
        self._invocation_re = r"\s?".join(words)
        self._launch = _alternatives(language.launch)
        self._one_shot = _alternatives((*language.one_shot, *language.launch))
        self._after = _alternatives(language.after)
        self._exit = {_key(clean(w)) for w in language.exit}
        self._connectors = [clean(c) for c in language.connectors if not c.endswith("'")]
        self._glued = [clean(c) + "'" for c in language.connectors if c.endswith("'")]
        self._slot_lead_ins = {_key(clean(w)) for w in language.slot_lead_ins}
        self._types: dict[str, dict[str, tuple[str, str]]] = {}
        for t in lm.get("types", []):
            values: dict[str, tuple[str, str]] = {}
            for v in t.get("values", []):
                name = v["name"]["value"]
                ident = v.get("id") or name
                for said in (name, *v["name"].get("synonyms", [])):
                    for k in {_key(clean(said)), _key(self._strip_fillers(clean(said)))}:
                        values.setdefault(k, (ident, name))
            self._types[t["name"]] = values
        self._exact: dict[str, tuple[str, str]] = {}  # key -> (intent, sample)
        self._samples: list[_Sample] = []
        self._intent_slots: dict[str, dict[str, str]] = {}
        order = 0
        for i in lm["intents"]:
            name = i["name"]
            self._intent_slots[name] = {s["name"]: s["type"] for s in i.get("slots", [])}
            samples = list(i.get("samples", [])) + list(language.builtins.get(name, ()))
            for sample in samples:
                order += 1
                text = clean(sample)
                if "{" not in sample:
                    for k in filter(None, {_key(text), _key(self._strip_fillers(text))}):
                        self._exact.setdefault(k, (name, sample))
                    continue
                self._samples.append(self._compile(name, sample, order))

    @classmethod
    def for_locale(cls, locale: str) -> UtteranceResolver:
        """The resolver of a locale: its model and its language's words."""
        return cls(load_model(locale), language_of(locale))

    def heard(self, text: str) -> str:
        """What Alexa hears of typed words: clean, no disfluencies, no "Alexa" before them."""
        return _without(clean(text), self._disfluencies).removeprefix(f"{WAKE_WORD} ")

    def _strip_fillers(self, words: str) -> str:
        return _without(words, self._fillers)

    @staticmethod
    def _compile(intent_name: str, sample: str, order: int) -> _Sample:
        parts, slots, literal = [], [], 0
        for token in sample.split():
            m = re.fullmatch(r"\{(\w+)\}", token)
            if m:
                slots.append(m.group(1))
                parts.append(rf"(?P<{m.group(1)}>\S+(?: \S+)*?)")
            else:
                literal += 1
                parts.append(re.escape(_key(clean(token))))
        return _Sample(intent_name, sample, re.compile(" ".join(parts)), tuple(slots), literal,
                       order)

    # -- the public entry point -----------------------------------------------------------------

    def resolve(self, text: str) -> Resolution:
        said = self.heard(text)
        for words in dict.fromkeys((said, self._strip_fillers(said))):
            key = _key(words)
            if key in self._exit:
                return Resolution("end", sample=key)
            inv = self._invocation_re
            if re.fullmatch(rf"(?:(?:{self._launch}) )?{inv}", key):
                return Resolution("launch", sample=words)
            m = re.fullmatch(rf"(?:{self._one_shot}) {inv}(?: (?P<rest>.+))?", key)
            if m is None and self._after:
                m = re.fullmatch(rf"(?P<rest>.+?) (?:{self._after}) {inv}", key)
            if m is not None:
                rest = ""
                if m.group("rest"):
                    start = len(key[:m.start("rest")].split())
                    rest = " ".join(words.split()[start:start + len(m.group("rest").split())])
                if not _key(self._strip_fillers(rest)):  # "start our check in, please"
                    return Resolution("launch", one_shot=True, sample=words)
                found = self.resolve_intent(rest, allow_connector=True)
                if found.intent == FALLBACK:  # "start our check in tonight" is a sample itself
                    whole = self.resolve_intent(words)
                    found = whole if whole.intent != FALLBACK else found
                return Resolution(found.kind, found.intent, found.slots, one_shot=True,
                                  sample=found.sample)
        return self.resolve_intent(said)

    def resolve_intent(self, text: str, allow_connector: bool = False) -> Resolution:
        """Resolve words said inside a session (or after the invocation name) to an intent."""
        said = self.heard(text)
        variants = [said, self._strip_fillers(said)]
        if allow_connector:
            for words in list(variants):
                variants[:0] = self._after_connector(words)
        best: tuple[tuple, Resolution] | None = None
        for raw_pass, words in enumerate(dict.fromkeys(variants)):
            key = _key(words)
            if not key:
                continue
            hit = self._exact.get(key)
            if hit is not None:
                score = (1, len(key.split()), 1, -raw_pass, 0)
                res = Resolution("intent", hit[0], self._empty_slots(hit[0]), sample=hit[1])
                if best is None or score > best[0]:
                    best = (score, res)
                continue
            for sample in self._samples:
                found = self._match(sample, words, key)
                if found is None:
                    continue
                slots, all_resolved = found
                score = (0, sample.literal_words, int(all_resolved), -raw_pass, -sample.order)
                if best is None or score > best[0]:
                    best = (score, Resolution("intent", sample.intent, slots, sample=sample.text))
        if best is None:
            return Resolution("intent", FALLBACK, {}, sample=None)
        return best[1]

    def _after_connector(self, words: str) -> list[str]:
        """The request without a connector before it: "for a tip" -> "a tip"; French "qu'on
        a fini" -> "on a fini"."""
        out = [words[len(c) + 1:] for c in self._connectors if words.startswith(c + " ")]
        out += [words[len(g):] for g in self._glued if words.startswith(g) and len(words) > len(g)]
        return [w for w in out if w]

    def _empty_slots(self, intent_name: str) -> dict:
        return {name: slot(name, None) for name in self._intent_slots.get(intent_name, {})}

    def _match(self, sample: _Sample, words: str, key: str) -> tuple[dict, bool] | None:
        m = sample.regex.fullmatch(key)
        if m is None:
            return None
        tokens = words.split()
        slots = self._empty_slots(sample.intent)
        all_resolved = True
        for name in sample.slot_names:
            start = len(key[:m.start(name)].split())
            heard = " ".join(tokens[start:start + len(m.group(name).split())])
            slot_type = self._intent_slots.get(sample.intent, {}).get(name, "")
            if slot_type == "AMAZON.TIME":
                value = parse_time(heard, self.language.time)
                if value is None:
                    return None  # Alexa fills a time slot only with a time
                slots[name] = slot(name, value)
            elif slot_type in self._types:
                match = self._lookup(slot_type, heard)
                if match is None:
                    all_resolved = False
                    if sample.literal_words == 0:
                        return None  # a bare slot catches only its own values
                    slots[name] = slot(name, heard, slot_type=slot_type)
                else:
                    slots[name] = slot(name, heard, match_id=match[0], canonical=match[1],
                                       slot_type=slot_type)
            else:
                slots[name] = slot(name, heard, slot_type=slot_type)
        return slots, all_resolved

    def _lookup(self, slot_type: str, heard: str) -> tuple[str, str] | None:
        values = self._types[slot_type]
        candidates = [_key(heard), _key(self._strip_fillers(heard))]
        for c in list(candidates):
            first, _, rest = c.partition(" ")
            if first in self._slot_lead_ins and rest:
                candidates.append(rest)
        for c in candidates:
            if c in values:
                return values[c]
        return None
