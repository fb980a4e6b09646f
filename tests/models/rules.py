"""What the model and manifest tests check against: the contract (intent, slot and value names
the handlers read), the certification rules of ALEXA.md, and helpers that match an utterance
against a model's samples."""

from __future__ import annotations

import json
import re

from skill.dev import MODELS_DIR as MODELS
from skill.dev import models as generator

LOCALES = tuple(generator.locales())

INVOCATION = "our check in"

CUSTOM_INTENT_SLOTS = {
    "TonightQuestionIntent": {},
    "AnotherQuestionIntent": {},
    "QuestionDepthIntent": {"depth": "DepthType"},
    "ValidationPhraseIntent": {},
    "TipIntent": {"topic": "TipTopicType"},
    "ChallengeIntent": {"challenge": "ChallengeType"},
    "FaqIntent": {"faqTopic": "FaqTopicType"},
    "StreakIntent": {},
    "DoneIntent": {},
    "ForgetUsIntent": {},
    "SetReminderIntent": {"time": "AMAZON.TIME"},
    "ChangeReminderIntent": {"time": "AMAZON.TIME"},
    "ReminderStatusIntent": {},
    "CancelReminderIntent": {},
}

BUILTIN_INTENTS = {
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.StartOverIntent",
}
CERTIFICATION_REQUIRED = {
    "AMAZON.CancelIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent",
}

EXPECTED_IDS = {
    "DepthType": {"LIGHT", "MEDIUM", "DEEP"},
    "TipTopicType": {
        "ACTIVE_LISTENING", "I_STATEMENTS", "NONVERBAL_CUES", "OPEN_QUESTIONS",
        "VALIDATING_FEELINGS", "REFLECTIVE_LISTENING", "VULNERABILITY", "SAYING_NEEDS",
        "LOVE_LANGUAGES", "SPREADING_SUPPORT", "PAST_HURTS", "PROFESSIONAL_HELP",
        "REBUILDING_TRUST", "SCHEDULING_TIME", "BEING_PRESENT", "SMALL_RITUALS",
        "ATTACHMENT_STYLES", "JOURNALING", "MINDFULNESS", "QUALITY_TIME",
        "ADMITTING_MISTAKES", "DISAGREEMENTS",
    },
    "ChallengeType": {
        "FEAR_OF_VULNERABILITY", "POOR_COMMUNICATION", "UNREALISTIC_EXPECTATIONS",
        "PAST_HURTS", "LACK_OF_TIME", "ATTACHMENT_DIFFERENCES",
    },
    "FaqTopicType": {
        "HOW_LONG", "EMOTIONAL_VS_PHYSICAL", "PARTNER_NOT_INTERESTED", "FRIENDSHIPS",
        "HEALTHY_SIGNS", "FEAR_OF_JUDGMENT",
    },
}

# Everyday phrasings the contract and PRODUCT.md promise will resolve to a given id.
PROMISED_VALUES = {
    ("DepthType", "lighter"): "LIGHT",
    ("DepthType", "something fun"): "LIGHT",
    ("DepthType", "deeper"): "DEEP",
    ("DepthType", "in between"): "MEDIUM",
    ("TipTopicType", "active listening"): "ACTIVE_LISTENING",
    ("TipTopicType", "how to listen better"): "ACTIVE_LISTENING",
    ("ChallengeType", "we keep arguing"): "POOR_COMMUNICATION",
    ("ChallengeType", "we misunderstand each other"): "POOR_COMMUNICATION",
    ("ChallengeType", "i'm scared to open up"): "FEAR_OF_VULNERABILITY",
    ("ChallengeType", "we never have time"): "LACK_OF_TIME",
    ("ChallengeType", "i feel let down"): "UNREALISTIC_EXPECTATIONS",
    ("ChallengeType", "i find it hard to trust"): "PAST_HURTS",
    ("ChallengeType", "i've been hurt before"): "PAST_HURTS",
    ("FaqTopicType", "how long does it take"): "HOW_LONG",
    ("FaqTopicType", "is it the same as physical intimacy"): "EMOTIONAL_VS_PHYSICAL",
    ("FaqTopicType", "my partner doesn't want it"): "PARTNER_NOT_INTERESTED",
    ("FaqTopicType", "friendships"): "FRIENDSHIPS",
    ("FaqTopicType", "what are healthy signs"): "HEALTHY_SIGNS",
    ("FaqTopicType", "i'm afraid of being judged"): "FEAR_OF_JUDGMENT",
}

FORBIDDEN_INVOCATION_WORDS = {
    "ask", "open", "tell", "launch", "begin", "load",  # launch words
    "to", "from", "by", "if", "and", "whether",  # connecting words
    "alexa", "amazon", "echo", "computer",  # wake words
    "skill", "app",
}
# Phrasings owned by the built-in intents; a custom sample must not be one of them.
BUILTIN_PHRASES = {
    "help", "help me", "stop", "cancel", "never mind", "nevermind", "yes", "yeah", "sure",
    "no", "nope", "repeat", "say that again", "repeat that", "start over", "restart",
    "go home", "home", "exit", "quit", "shut up", "off",
}
LAUNCH_VERBS = {"open", "start", "launch", "begin", "load", "play", "run", "use"}
CONNECTING_WORDS = ("to", "for", "about", "that", "if", "whether", "and", "from", "by")
SLOT_RE = re.compile(r"\{([^{}]*)\}")
SAMPLE_CHARS_RE = re.compile(r"^[a-z.' {}A-Z]+$")


def load(name: str) -> dict:
    return json.loads((MODELS / name).read_text(encoding="utf-8"))


def fold(text: str) -> str:
    return " ".join(text.lower().split())


def custom_intents(intents):
    return {name: i for name, i in intents.items() if not name.startswith("AMAZON.")}


def spoken_values(values: list[dict]) -> dict[str, str]:
    """Every spoken form (canonical value and synonyms), folded, mapped to its id."""
    out = {}
    for value in values:
        for form in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            out[fold(form)] = value["id"]
    return out


def sample_regex(sample: str) -> re.Pattern:
    parts = SLOT_RE.split(" ".join(sample.split()))
    # split() alternates literal, slot, literal, ...; slot names keep their case
    pattern = ""
    for index, part in enumerate(parts):
        pattern += f"(?P<{part}>.+?)" if index % 2 else re.escape(part.lower())
    return re.compile(f"^{pattern}$")


def fills(sample: str, utterance: str, slot_types: dict[str, str], types) -> bool:
    """True when `utterance` is `sample` with each slot filled by a value its type knows."""
    match = sample_regex(sample).match(fold(utterance))
    if not match:
        return False
    for slot, spoken in match.groupdict().items():
        slot_type = slot_types.get(slot, "")
        if slot_type.startswith("AMAZON."):
            continue  # built-in types accept open phrasing (e.g. "nine p.m.")
        if fold(spoken) not in spoken_values(types.get(slot_type, [])):
            return False
    return True


def matches_model(utterance: str, intents, types) -> list[str]:
    hits = []
    for name, intent in intents.items():
        slot_types = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            if fills(sample, utterance, slot_types, types):
                hits.append(name)
                break
    return hits


def invocation_problems(name: str) -> list[str]:
    problems = []
    if not re.fullmatch(r"[a-z][a-z.' ]*[a-z.]", name) or "  " in name:
        problems.append("only lowercase letters, single spaces, apostrophes and periods")
    words = name.split()
    if len(words) < 2:
        problems.append("needs two or more words")
    bad = FORBIDDEN_INVOCATION_WORDS & {w.strip(".'").removesuffix("'s") for w in words}
    if bad:
        problems.append(f"forbidden words {sorted(bad)}")
    return problems


def utterance_of(phrase: str) -> tuple[str, str]:
    """Split "Alexa, ask our check in for a tip" into ("ask", "a tip")."""
    folded = fold(phrase)
    match = re.fullmatch(r"alexa,? (\w+) " + re.escape(INVOCATION) + r"(?: (.*))?", folded)
    assert match, f"not an Alexa phrase with our invocation name: {phrase!r}"
    verb, rest = match.group(1), (match.group(2) or "").rstrip(".?!")
    words = rest.split()
    if words and words[0] in CONNECTING_WORDS:
        rest = " ".join(words[1:])
    return verb, rest
