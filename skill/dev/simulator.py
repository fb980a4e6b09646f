"""The offline simulator: talk to the skill by typing, with no device and no Amazon account.

``checkin chat`` holds a conversation, ``checkin say "..."`` does one turn. What you type is
resolved against ``models/<locale>.json`` the way Alexa would (launch phrasing, one-shots, sample
utterances with slots and entity resolution, the built-in intents, Fallback), sent as a real
request envelope (in-process, or over HTTP with ``--url``), and the answer is printed as readable
text: the speech, the reprompt, whether the microphone stays open, directives, and the Alexa API
calls the skill made (answered by a local :class:`~skill.dev.standin.AlexaStandin` that knows the
device's time zone). A simulated clock (``--at``, ``--tz``) walks a month of nights in seconds.

Tests use the same machinery as a library::

    with Simulator(lambda clock: create_app(config, clock=clock), at="2026-12-01T21:30") as sim:
        turn = sim.say("start our check in")      # Turn: speech, reprompt, listening, ...
        sim.advance(days=1, to="21:30")           # tomorrow evening
        assert "2 nights" in sim.say("open our check in").speech
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from speech.ssml import plain

from .standin import AlexaStandin
from skill.errors import CommandError
from .envelopes import Device, Session, envelope, intent, launch, session_ended, slot

from . import MODELS_DIR
DEFAULT_TZ = "America/New_York"
DEFAULT_USER = "home"
DEFAULT_DEVICE = "living room"
CONSENT_TOKEN = "simulated-consent-token"


class SimulatorError(Exception):
    """Something the simulator cannot do: a bad option, an unreachable or failing skill."""


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


# -- utterance resolution ----------------------------------------------------------------------

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

_NUMBER_WORDS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_PM_WORDS = ("pm", "p m", "in the evening", "at night", "tonight", "in the afternoon", "this evening")
_AM_WORDS = ("am", "a m", "in the morning", "this morning")
_PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}


def clean(text: str) -> str:
    """Lower case, punctuation gone (apostrophes inside words and ``8:30`` kept), one space."""
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


def _number(tokens: list[str]) -> int | None:
    """0-59 from words or digits: "five", "forty five", "oh five", "45"."""
    if len(tokens) == 1:
        t = tokens[0]
        if t.isdigit():
            return int(t)
        if t in _NUMBER_WORDS and t != "oh":
            return _NUMBER_WORDS[t]
        return _TENS.get(t)
    if len(tokens) == 2:
        a, b = tokens
        if a in _TENS and _NUMBER_WORDS.get(b, 0) in range(1, 10) and b != "oh":
            return _TENS[a] + _NUMBER_WORDS[b]
        if a == "oh" and (b.isdigit() and len(b) == 1 or _NUMBER_WORDS.get(b, 0) in range(1, 10)):
            return int(b) if b.isdigit() else _NUMBER_WORDS[b]
    return None


def _hour_minute(tokens: list[str]) -> tuple[int, int] | None:
    if not tokens:
        return None
    if len(tokens) == 1 and ":" in tokens[0]:
        m = re.fullmatch(r"(\d{1,2}):(\d{2})", tokens[0])
        return (int(m.group(1)), int(m.group(2))) if m else None
    if tokens[-1] in ("oclock", "o'clock"):
        hour = _number(tokens[:-1])
        return (hour, 0) if hour is not None else None
    for word in ("past", "after", "to", "before"):
        if word in tokens[1:-1]:
            i = tokens.index(word)
            before, hour = tokens[:i], _number(tokens[i + 1:])
            if before and before[-1] in ("minutes", "minute"):
                before = before[:-1]
            minutes = {"half": 30, "quarter": 15, "a quarter": 15}.get(" ".join(before))
            if minutes is None:
                minutes = _number(before)
            if hour is None or minutes is None or (word in ("to", "before") and minutes == 30):
                return None
            if word in ("past", "after"):
                return hour, minutes
            return (hour - 1) % 24 if hour else 23, 60 - minutes
    for split in range(len(tokens), 0, -1):  # the hour takes as many words as it can
        hour = _number(tokens[:split])
        rest = tokens[split:]
        minutes = _number(rest) if rest else 0
        if hour is not None and minutes is not None:
            return hour, minutes
    return None


def parse_time(words: str) -> str | None:
    """What Alexa's AMAZON.TIME makes of spoken time: "HH:MM" (or MO/AF/EV/NI), else None.

    "nine" is 09:00 as said (Alexa does not guess the half of the day); "nine pm", "nine at
    night", "half past eight", "eight thirty", "8:30", "21:30", "quarter to ten" all work.
    """
    t = re.sub(r"^(?:at|around|about|by) ", "", clean(words))
    t = re.sub(r"(\d)(am|pm)\b", r"\1 \2", t)
    if t in _PARTS_OF_DAY or t.removeprefix("in the ") in _PARTS_OF_DAY:
        return _PARTS_OF_DAY[t.removeprefix("in the ")]
    if t in ("noon", "midday", "twelve noon"):
        return "12:00"
    if t in ("midnight", "twelve midnight"):
        return "00:00"
    meridiem = None
    for words_, half in ((_PM_WORDS, "pm"), (_AM_WORDS, "am")):
        for w in words_:
            if t.endswith(" " + w):
                t, meridiem = t[: -len(w) - 1], half
                break
        if meridiem:
            break
    found = _hour_minute(t.split())
    if found is None:
        return None
    hour, minute = found
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour > 12:
        return None  # "twenty one am"
    elif meridiem == "am" and hour == 12:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


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


# -- the simulated world: clock, household, device ---------------------------------------------


def zone_or_error(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SimulatorError(f"unknown time zone {name!r} (use an IANA name such as "
                             f"Europe/London or America/New_York)") from None


def parse_at(value: str | datetime | float | None, tz: ZoneInfo) -> float:
    """An instant: ISO local time in `tz` ("2026-12-01T21:30"), an aware datetime, or epoch."""
    if value is None:
        return datetime.now(tz).timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SimulatorError(f"--at {value!r} is not a date and time like "
                                 f"2026-12-01T21:30") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.timestamp()


class SimClock:
    """The simulated time; it stands still until moved, so a conversation is reproducible.

    Pass it to ``create_app(..., clock=...)`` so the app and the requests agree on "now".
    """

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _stable_id(prefix: str, name: str) -> str:
    return prefix + hashlib.sha256(name.encode()).hexdigest()[:24].upper()


def user_id_for(household: str) -> str:
    return _stable_id("amzn1.ask.account.SIM", household)


def device_id_for(device: str) -> str:
    return _stable_id("amzn1.ask.device.SIM", device)


def person_id_for(speaker: str) -> str:
    return _stable_id("amzn1.ask.person.SIM", speaker)


# -- one turn ------------------------------------------------------------------------------------


@dataclass
class Turn:
    """One exchange: what was said, what Alexa would say, and what the skill did."""

    text: str
    speech: str  # plain text, pauses shown
    reprompt: str | None
    listening: bool  # the microphone stays open (shouldEndSession false)
    directives: list[str]
    api_calls: list[str]
    raw: dict  # the response JSON
    request: dict | None = None  # the envelope sent
    heard: str = ""  # what the words resolved to
    notes: list[str] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"[note] {n}" for n in self.notes]
        if self.heard:
            out.append(f"[heard] {self.heard}")
        if self.speech:
            out.append(f"alexa> {self.speech}")
        elif self.request is not None and self.request["request"]["type"] != "SessionEndedRequest":
            out.append("alexa> (says nothing)")
        if self.reprompt:
            out.append(f"[reprompt] {self.reprompt}")
        out.extend(self.directives)
        if self.request is not None:
            out.append("[listening]" if self.listening else "[session ended]")
        out.extend(f"[api] {c}" for c in self.api_calls)
        out.extend(f"[log] {entry}" for entry in self.logs)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _speech_text(output: dict | None, names: dict[str, str] | None = None) -> str:
    """Readable text; a recognised speaker's <alexa:name/> becomes the name Alexa would say."""
    if not isinstance(output, dict):
        return ""
    if output.get("type") == "PlainText" or "ssml" not in output:
        return str(output.get("text", ""))
    ssml = output["ssml"]
    for person_id, name in (names or {}).items():
        ssml = re.sub(rf'<alexa:name [^>]*personId="{re.escape(person_id)}"[^>]*/>',
                      lambda _m, n=name: xml_escape(n), ssml)
    return re.sub(r"\s+([.,!?;:])(?=\s|$)", r"\1", plain(ssml))  # "Hi Sam ." reads "Hi Sam."


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def describe_directives(response: dict) -> list[str]:
    out = []
    for d in response.get("directives") or []:
        dtype = d.get("type", "?")
        if dtype == "Alexa.Presentation.APL.RenderDocument":
            out.append("[screen] " + " | ".join(_strings(d.get("datasources") or {})))
        elif dtype == "Connections.SendRequest":
            payload = d.get("payload") or {}
            detail = payload.get("permissionScope") or payload.get("@type") or ""
            out.append(f"[directive] Connections.SendRequest {d.get('name', '')} {detail}".rstrip())
        else:
            out.append(f"[directive] {dtype}")
    card = response.get("card")
    if isinstance(card, dict):
        if card.get("type") == "AskForPermissionsConsent":
            out.append("[card] AskForPermissionsConsent " + " ".join(card.get("permissions") or []))
        else:
            body = card.get("content") or card.get("text") or ""
            out.append(f"[card] {card.get('title', '')}: {body}".strip())
    return out


def describe_call(call) -> str:
    text = f"{call.method} {call.path}"
    body = call.body
    if isinstance(body, dict) and isinstance(body.get("trigger"), dict):
        trigger = body["trigger"]
        rules = (trigger.get("recurrence") or {}).get("recurrenceRules") or []
        text += f": {' '.join(rules) or trigger.get('type', '')} in {trigger.get('timeZoneId', '?')}"
    return text


class _LogCapture(logging.Handler):
    """The skill's warnings during a turn, shown with the turn instead of on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.levelname.lower()}: {record.getMessage()}")


# -- the simulator -------------------------------------------------------------------------------


class Simulator:
    """Alexa in a box: resolves what you say, keeps the session, sends envelopes, reads replies.

    `target` is a Flask app (in-process), a URL (HTTP POST to a running service), or a callable
    that builds the app from the simulator's clock (``lambda clock: create_app(..., clock=clock)``);
    None builds the default app (configuration from the environment, verification off).
    """

    def __init__(self, target=None, *, locale: str = "en-US", tz: str = DEFAULT_TZ,
                 at: str | datetime | float | None = None, user: str = DEFAULT_USER,
                 device: str = DEFAULT_DEVICE, speaker: str | None = None, screen: bool = False,
                 skill_id: str | None = None, clock: SimClock | None = None,
                 standin: AlexaStandin | None = None, timeout: float = 10.0):
        self.zone = zone_or_error(tz)
        self.tz = tz
        self.resolver = UtteranceResolver(load_model(locale))
        self.locale = locale
        if clock is None:
            clock = SimClock(parse_at(at, self.zone))
        elif at is not None:
            clock.now = parse_at(at, self.zone)
        self.clock = clock
        self.timeout = timeout
        self._own_standin = standin is None
        self.standin = standin or AlexaStandin().start()
        self.standin.state.time_zones[device_id_for(device)] = tz
        self.device = Device(
            user_id=user_id_for(user), device_id=device_id_for(device), locale=locale,
            api_endpoint=self.standin.url, person_id=person_id_for(speaker) if speaker else None,
            screen=screen,
        )
        if skill_id:
            self.device.skill_id = skill_id
        self.speakers = {person_id_for(speaker): speaker} if speaker else {}
        self.session: Session | None = None
        self.pending_consent: dict | None = None  # a Connections.SendRequest AskFor awaiting yes/no
        self._logs = _LogCapture()
        logging.getLogger("checkin").addHandler(self._logs)
        self.url: str | None = None
        self.app = None
        self._owns_app = False  # built here, so closed here
        self._sent = 0
        if isinstance(target, str):
            self.url = target
        elif target is None:
            self.app, self._owns_app = default_app(self.clock), True
        elif hasattr(target, "test_client"):
            self.app = target
        elif callable(target):
            self.app, self._owns_app = target(self.clock), True
        else:
            raise SimulatorError(f"cannot talk to {target!r}")
        if self.app is not None:
            self._client = self.app.test_client()
            if self.device.skill_id == Device.skill_id and self.app.config.get("CHECKIN"):
                self.device.skill_id = self.app.config["CHECKIN"].skill_id or Device.skill_id
        self._logs.records.clear()  # start-up warnings (verification off) are expected here

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self, stop_standin: bool = True) -> None:
        """Detach from the logs and stop our stand-in (a command about to exit may skip that:
        its thread is a daemon, and stopping waits for the server's half-second poll)."""
        logging.getLogger("checkin").removeHandler(self._logs)
        if self._owns_app and self._sent:
            close_store(self.app)
        if self._own_standin and stop_standin:
            self.standin.stop()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- time --------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now, self.zone)

    def set_time(self, at: str | datetime | float) -> Turn | None:
        timed_out = self._time_passes()
        self.clock.now = parse_at(at, self.zone)
        return timed_out

    def advance(self, days: int = 0, hours: float = 0, minutes: float = 0,
                to: str | None = None) -> Turn | None:
        """Move the clock (wall-clock days in the device's zone); `to` sets the time "HH:MM".

        Returns the SessionEndedRequest's turn when an open session timed out on the way.
        """
        local = self.now + timedelta(days=days, hours=hours, minutes=minutes)
        if to is not None:
            m = re.fullmatch(r"(\d{1,2}):(\d{2})", to.strip())
            if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                raise SimulatorError(f"time {to!r} is not HH:MM")
            local = local.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=0,
                                  microsecond=0)
        timed_out = self._time_passes()
        self.clock.now = local.timestamp()
        return timed_out

    def _time_passes(self) -> Turn | None:
        """An open session does not survive a jump in time: Alexa closes it."""
        self.pending_consent = None
        if self.session is None:
            return None
        turn = self.send(session_ended("EXCEEDED_MAX_REPROMPTS"), self.session,
                         heard="SessionEndedRequest (EXCEEDED_MAX_REPROMPTS): nobody answered")
        self.session = None
        return turn

    # -- talking -----------------------------------------------------------------------------

    def say(self, text: str) -> Turn:
        """One thing said to Alexa, and what came back."""
        if not text.strip():
            raise SimulatorError("nothing was said")
        res = self.resolver.resolve(text)
        notes: list[str] = []
        if self.pending_consent is not None and res.intent in ("AMAZON.YesIntent", "AMAZON.NoIntent"):
            return self.answer_permission(res.intent == "AMAZON.YesIntent", text)
        self.pending_consent = None
        if res.kind == "end":
            if self.session is None:
                return Turn(text, "", None, False, [], [], {}, heard="nothing to end: no session is open")
            turn = self.send(res.request(), self.session, text=text, heard=res.describe())
            self.session = None
            return turn
        new_session = res.kind == "launch" or res.one_shot or self.session is None
        if self.session is None and not (res.kind == "launch" or res.one_shot):
            notes.append(f'no session is open, so this goes as a one-shot: '
                         f'"ask {self.resolver.invocation} {clean(text)}"')
        if new_session:
            self.session = Session()
        heard = res.describe() + (", new session" if new_session else "")
        turn = self.send(res.request(), self.session, text=text, heard=heard)
        turn.notes[:0] = notes
        return turn

    def answer_permission(self, accepted: bool, text: str = "") -> Turn:
        """The answer to Alexa's own consent question after a Connections.SendRequest AskFor."""
        pending, self.pending_consent = self.pending_consent or {}, None
        status = "ACCEPTED" if accepted else "DENIED"
        if accepted:
            self.device.consent_token = CONSENT_TOKEN
        request = {
            "type": "Connections.Response", "name": pending.get("name", "AskFor"),
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": pending.get("scope", ""), "status": status},
            "token": pending.get("token", ""),
        }
        if self.session is None:
            self.session = Session()
        return self.send(request, self.session, text=text, heard=f"Connections.Response {status}")

    def send(self, request: dict, session: Session | None = None, *, text: str = "",
             heard: str = "") -> Turn:
        """Send one request (as Alexa would, in `session`) and follow the session's state."""
        body = envelope(self.device, request, self.clock.now, session)
        calls_before = len(self.standin.calls)
        self._logs.records.clear()
        self._sent += 1
        data = self._post(body)
        response = data.get("response") if isinstance(data.get("response"), dict) else {}
        should_end = response.get("shouldEndSession")
        listening = should_end is False
        if session is not None and session is self.session:
            if listening:
                session.new = False
                session.attributes = data.get("sessionAttributes") or {}
            else:
                self.session = None
        directives = describe_directives(response)
        for d in response.get("directives") or []:
            if d.get("type") == "Connections.SendRequest" and d.get("name") == "AskFor":
                payload = d.get("payload") or {}
                self.pending_consent = {"name": "AskFor", "token": d.get("token", ""),
                                        "scope": payload.get("permissionScope", "")}
                directives.append("[alexa] (Alexa asks for the permission; answer yes or no)")
        reprompt = _speech_text((response.get("reprompt") or {}).get("outputSpeech"), self.speakers)
        calls = [describe_call(c) for c in self.standin.calls[calls_before:]]
        return Turn(text=text, speech=_speech_text(response.get("outputSpeech"), self.speakers),
                    reprompt=reprompt or None, listening=listening, directives=directives,
                    api_calls=calls, raw=data, request=body, heard=heard,
                    logs=list(self._logs.records))

    def end(self) -> Turn | None:
        """Leave: a SessionEndedRequest (USER_INITIATED) if a session is open."""
        if self.session is None:
            return None
        turn = self.send(session_ended("USER_INITIATED"), self.session, text="exit",
                         heard="SessionEndedRequest (USER_INITIATED)")
        self.session = None
        return turn

    def _post(self, body: dict) -> dict:
        raw = json.dumps(body)
        headers = {"Content-Type": "application/json"}
        if self.url is not None:
            try:
                r = requests.post(self.url, data=raw.encode(), headers=headers, timeout=self.timeout)
            except requests.Timeout:
                raise SimulatorError(f"{self.url} did not answer within {self.timeout:g}s") from None
            except requests.RequestException as e:
                reason = "connection refused or host unreachable" \
                    if isinstance(e, requests.ConnectionError) else type(e).__name__
                raise SimulatorError(f"cannot reach {self.url}: {reason}") from None
            status, text = r.status_code, r.text
        else:
            r = self._client.post("/", data=raw, headers=headers)
            status, text = r.status_code, r.get_data(as_text=True)
        if status != 200:
            where = self.url or "the skill"
            raise SimulatorError(f"{where} answered HTTP {status}: {text.strip()[:300]}")
        try:
            data = json.loads(text)
        except ValueError:
            raise SimulatorError(f"the skill answered something that is not JSON: {text[:200]!r}") from None
        if not isinstance(data, dict):
            raise SimulatorError(f"the skill answered {text[:200]!r}, not a response envelope")
        return data

    # -- state between separate `checkin say` runs -------------------------------------------

    def save_state(self, path: Path) -> None:
        state = {
            "user": self.device.user_id, "device": self.device.device_id,
            "session": None if self.session is None else {
                "id": self.session.session_id, "attributes": self.session.attributes},
            "consent_token": self.device.consent_token, "pending_consent": self.pending_consent,
        }
        path.write_text(json.dumps(state, indent=2) + "\n")

    def load_state(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            state = json.loads(path.read_text())
        except ValueError:
            raise SimulatorError(f"{path} is not a simulator state file") from None
        if state.get("user") != self.device.user_id or state.get("device") != self.device.device_id:
            return  # another household or device: start afresh
        s = state.get("session")
        if isinstance(s, dict) and s.get("id"):
            self.session = Session(session_id=s["id"], new=False, attributes=s.get("attributes") or {})
        self.device.consent_token = state.get("consent_token") or self.device.consent_token
        self.pending_consent = state.get("pending_consent")


def close_store(app) -> None:
    """Close an app's Redis connections (not left to the garbage collector)."""
    from skill.app import close_app

    close_app(app)


def default_app(clock: SimClock):
    """The app in-process: configuration from the environment, verification off, our clock."""
    from skill.app import create_app
    from skill.config import Config

    return create_app(Config.from_env(verify=False), clock=clock)


# -- the commands --------------------------------------------------------------------------------


def _tz_arg(value: str) -> str:
    try:
        zone_or_error(value)
    except SimulatorError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return value


def _locale_arg(value: str) -> str:
    if value not in available_locales():
        raise argparse.ArgumentTypeError(
            f"no interaction model for locale {value!r} (known: {', '.join(available_locales())})")
    return value


def _at_arg(value: str) -> str:
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a local date and time like 2026-12-01T21:30") from None
    return value


def _common_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="talk to a running service (e.g. http://127.0.0.1:8080/) "
                                 "instead of the app in-process")
    p.add_argument("--locale", type=_locale_arg, default="en-US",
                   help=f"interaction model and content (one of: {', '.join(available_locales())})")
    p.add_argument("--at", type=_at_arg, help="the simulated local time, e.g. 2026-12-01T21:30 "
                                              "(default: now)")
    p.add_argument("--tz", type=_tz_arg, default=DEFAULT_TZ,
                   help=f"the device's IANA time zone (default {DEFAULT_TZ})")
    p.add_argument("--user", default=DEFAULT_USER,
                   help=f"the household (any name; default {DEFAULT_USER!r})")
    p.add_argument("--device", default=DEFAULT_DEVICE,
                   help=f"the device (any name; default {DEFAULT_DEVICE!r})")
    p.add_argument("--speaker", help="a recognised speaker's name (sets a personId)")
    p.add_argument("--screen", action="store_true", help="the device has a screen (APL)")


def add_chat_command(subparsers) -> None:
    p = subparsers.add_parser("chat", help="talk to the skill by typing (offline simulator)")
    _common_options(p)
    p.set_defaults(func=chat_command)


def add_say_command(subparsers) -> None:
    p = subparsers.add_parser("say", help="say one thing to the skill and print the answer")
    p.add_argument("text", help='what you would say to Alexa, e.g. "start our check in"')
    _common_options(p)
    p.add_argument("--state", type=Path,
                   help="keep the session in this file between separate `say` runs")
    p.add_argument("--json", action="store_true", help="print the request and response JSON too")
    p.set_defaults(func=say_command)


def _build(args: argparse.Namespace) -> Simulator:
    return Simulator(args.url, locale=args.locale, tz=args.tz, at=args.at, user=args.user,
                     device=args.device, speaker=args.speaker, screen=args.screen,
                     skill_id=_env_skill_id())


def _env_skill_id() -> str | None:
    return os.environ.get("ALEXA_SKILL_ID", "").strip() or None


def _fail(e: Exception) -> CommandError:
    return CommandError(str(e))


def say_command(args: argparse.Namespace) -> int:
    try:
        sim = _build(args)
    except SimulatorError as e:
        raise _fail(e) from None
    try:
        if args.state:
            sim.load_state(args.state)
        turn = sim.say(args.text)
        print(turn)
        if args.json:
            print(json.dumps({"request": turn.request, "response": turn.raw}, indent=2))
        if args.state:
            sim.save_state(args.state)
    except SimulatorError as e:
        raise _fail(e) from None
    finally:
        sim.close(stop_standin=False)
    return 0


CHAT_HELP = """\
Type what you would say to Alexa, e.g. "start our check in", "ask our check in for a tip on
active listening", "yes", "stop". Simulator commands:
  :tomorrow [HH:MM]   move the clock to the next day (same time, or HH:MM)
  :at 2026-12-01T21:30  set the clock
  :help               this text
  exit / quit chat    end the session and leave (Ctrl-D too)"""


def chat_command(args: argparse.Namespace) -> int:
    try:
        sim = _build(args)
    except SimulatorError as e:
        raise _fail(e) from None
    interactive = sys.stdin.isatty()
    where = args.url or "the skill in-process"
    print(f"Talking to {where} as household {args.user!r} on device {args.device!r} "
          f"({args.locale}). It is {_when(sim)}.")
    print('Type what you would say to Alexa; ":help" for commands, "exit" to leave.')
    try:
        while True:
            try:
                line = input("you> ")
            except EOFError:
                print()
                break
            text = line.strip()
            if not interactive:
                print(text)  # a transcript reads like the conversation
            if not text:
                continue
            if text.lower() in ("quit chat", ":quit", ":q") or sim.resolver.resolve(text).kind == "end":
                break
            try:
                if text.startswith(":"):
                    _chat_command(sim, text)
                    continue
                print(sim.say(text))
            except SimulatorError as e:
                print(f"[error] {e}")
                if not interactive:
                    return 2
        turn = sim.end()
        if turn is not None:
            print(turn)
    except KeyboardInterrupt:
        print()
    finally:
        sim.close(stop_standin=False)
    return 0


def _when(sim: Simulator) -> str:
    now = sim.now
    return f"{now:%A} {now.day} {now:%B %Y, %H:%M} in {sim.tz}"


def _print_timeout(turn: Turn | None) -> None:
    if turn is not None:
        print(turn)


def _chat_command(sim: Simulator, text: str) -> None:
    cmd, _, arg = text[1:].partition(" ")
    arg = arg.strip()
    if cmd == "help":
        print(CHAT_HELP)
    elif cmd == "tomorrow":
        _print_timeout(sim.advance(days=1, to=arg or None))
        print(f"[clock] {_when(sim)}")
    elif cmd == "at":
        if not arg:
            raise SimulatorError("usage: :at 2026-12-01T21:30")
        _print_timeout(sim.set_time(arg))
        print(f"[clock] {_when(sim)}")
    else:
        raise SimulatorError(f"unknown command {text!r}; :help lists them")
