"""The utterance resolver: typed words to the request Alexa's language model would send.

It reads ``models/<locale>.json`` and matches as Alexa does: launch phrasing ("start our check
in"), one-shots ("ask our check in for ..."), sample utterances with slots, slot values and their
synonyms (entity resolution), AMAZON.TIME slots, common phrasings of the built-in intents, filler
words, and Fallback when nothing fits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .. import MODELS_DIR
from ..envelopes import intent, launch, session_ended, slot
from .errors import SimulatorError
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

DISFLUENCIES = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm"})  # never meant
FILLERS = DISFLUENCIES | {"please", "alexa", "like", "so", "okay", "ok", "hey"}  # usually not
LAUNCH_VERBS = ("start", "open", "launch", "begin", "load", "play", "run", "use", "talk to")
ONE_SHOT_VERBS = ("ask", "tell", *LAUNCH_VERBS)
CONNECTORS = ("for", "to", "about", "that", "if", "whether", "and")
FALLBACK = "AMAZON.FallbackIntent"
EXIT_WORDS = frozenset({"exit"})  # Alexa itself ends the session: SessionEndedRequest

# Common ways of saying what the built-in intents mean (Alexa trains these itself).
BUILTIN_PHRASES: dict[str, tuple[str, ...]] = {
    "AMAZON.HelpIntent": (
        "help", "help me", "help us", "what can i do", "what can we do", "what can i say",
        "what can we say", "what do i say", "what do we say", "what do i do", "what do we do",
        "how does this work", "how do i use this", "i need help", "we need help", "options",
        "what are my options", "what are the options", "what can you do",
    ),
    "AMAZON.StopIntent": (
        "stop", "quit", "stop it", "that's enough", "enough", "be quiet", "shut up", "off",
        "goodbye", "good bye", "bye", "bye bye", "stop talking", "shush",
    ),
    "AMAZON.CancelIntent": (
        "cancel", "never mind", "nevermind", "forget it", "cancel that", "cancel it",
    ),
    "AMAZON.YesIntent": (
        "yes", "yeah", "yep", "yup", "sure", "yes please", "okay", "ok", "ok sure", "okay sure",
        "of course", "absolutely", "please do", "go ahead", "why not", "yes we would",
        "yes i would", "sounds good", "definitely", "alright", "all right", "sure thing",
    ),
    "AMAZON.NoIntent": (
        "no", "nope", "nah", "no thanks", "no thank you", "not now", "not really", "not tonight",
        "i don't think so", "no we're good", "no i'm good", "we're good", "maybe later",
        "not right now",
    ),
    "AMAZON.RepeatIntent": (
        "repeat", "repeat that", "say that again", "say it again", "what", "what did you say",
        "pardon", "pardon me", "come again", "sorry what", "can you repeat that",
        "could you repeat that", "repeat please", "again", "one more time", "repeat the question",
    ),
    "AMAZON.StartOverIntent": (
        "start over", "restart", "start again", "begin again", "start from the beginning",
        "from the top", "let's start over",
    ),
    "AMAZON.NavigateHomeIntent": (
        "go home", "home", "go to home", "go to the home screen", "home screen", "take me home",
    ),
}


def clean(text: str) -> str:
    """Heard words: lower case, punctuation gone (apostrophes inside words and ``8:30`` kept),
    "p.m." as "pm", disfluencies dropped, one space."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    t = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", t)  # p.m. -> pm
    t = re.sub(r"(?<=\d):(?=\d)", "\0", t)
    t = re.sub(r"[^a-z0-9'\0]+", " ", t).replace("\0", ":")
    t = re.sub(r"(?:(?<=\s)|^)'+|'+(?=\s|$)", "", t)  # quotes, not apostrophes
    return " ".join(w for w in t.split() if w not in DISFLUENCIES)


def _key(words: str) -> str:
    """What matching compares: apostrophes dropped, so "were done" is "we're done"."""
    return words.replace("'", "")


def _strip_fillers(words: str) -> str:
    return " ".join(w for w in words.split() if w not in FILLERS)


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
    """Maps typed words to a request the way Alexa's language model would, from the model JSON."""

    def __init__(self, model: dict):
        lm = model["interactionModel"]["languageModel"]
        self.invocation = clean(lm["invocationName"])
        words = [re.escape(_key(w)) for w in self.invocation.split()]
        # "our check in", "our checkin" (hyphens are already spaces)
        self._invocation_re = r"\s?".join(words)
        self._types: dict[str, dict[str, tuple[str, str]]] = {}
        for t in lm.get("types", []):
            values: dict[str, tuple[str, str]] = {}
            for v in t.get("values", []):
                name = v["name"]["value"]
                ident = v.get("id") or name
                for said in (name, *v["name"].get("synonyms", [])):
                    for k in {_key(clean(said)), _key(_strip_fillers(clean(said)))}:
                        values.setdefault(k, (ident, name))
            self._types[t["name"]] = values
        self._exact: dict[str, tuple[str, str]] = {}  # key -> (intent, sample)
        self._samples: list[_Sample] = []
        self._intent_slots: dict[str, dict[str, str]] = {}
        order = 0
        for i in lm["intents"]:
            name = i["name"]
            self._intent_slots[name] = {s["name"]: s["type"] for s in i.get("slots", [])}
            samples = list(i.get("samples", [])) + list(BUILTIN_PHRASES.get(name, ()))
            for sample in samples:
                order += 1
                text = clean(sample)
                if "{" not in sample:
                    for k in filter(None, {_key(text), _key(_strip_fillers(text))}):
                        self._exact.setdefault(k, (name, sample))
                    continue
                self._samples.append(self._compile(name, sample, order))

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
        said = clean(text)
        for words in dict.fromkeys((said, _strip_fillers(said))):
            key = _key(words)
            if key in EXIT_WORDS:
                return Resolution("end", sample=key)
            inv = self._invocation_re
            if re.fullmatch(rf"(?:(?:{'|'.join(LAUNCH_VERBS)}) )?{inv}", key):
                return Resolution("launch", sample=words)
            m = re.fullmatch(rf"(?:{'|'.join(ONE_SHOT_VERBS)}) {inv}(?: (?P<rest>.+))?", key)
            if m is None:
                m = re.fullmatch(rf"(?P<rest>.+?) (?:from|using|with) {inv}", key)
            if m is not None:
                rest = ""
                if m.group("rest"):
                    start = len(key[:m.start("rest")].split())
                    rest = " ".join(words.split()[start:start + len(m.group("rest").split())])
                if not rest:
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
        said = clean(text)
        variants = [said, _strip_fillers(said)]
        if allow_connector:
            for words in list(variants):
                first, _, rest = words.partition(" ")
                if first in CONNECTORS and rest:
                    variants.insert(0, rest)
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
                value = parse_time(heard)
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
        candidates = [_key(heard), _key(_strip_fillers(heard))]
        for c in list(candidates):
            first, _, rest = c.partition(" ")
            if first in ("a", "an", "the", "some", "our", "my", "more", "about", "on") and rest:
                candidates.append(rest)
        for c in candidates:
            if c in values:
                return values[c]
        return None
