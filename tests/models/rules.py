"""What the model and manifest tests check against: the contract (intent, slot and value names
the handlers read). Amazon's rules and ours, and the matching of utterances against samples, live
once in the validator (skill/dev/skill_package/) that `checkin package` runs; the tests call it."""

from __future__ import annotations

import json

from skill.dev import MODELS_DIR as MODELS
from skill.dev import models as generator
from skill.dev.skill_package.matching import (  # noqa: F401 (the tests' vocabulary)
    SLOT_RE, custom_intents, fold, matches_model, split_phrase, spoken_values,
)
from skill.dev.skill_package.model_rules import (  # noqa: F401
    CERTIFICATION_INTENTS as CERTIFICATION_REQUIRED, invocation_problems,
)

LOCALES = tuple(generator.locales())
ENGLISH = tuple(locale for locale in LOCALES if locale.startswith("en-"))

INVOCATION = "our check in"  # the English name; each language's is its source model's

CUSTOM_INTENT_SLOTS = {
    "TonightQuestionIntent": {},
    "AnotherQuestionIntent": {},
    "QuestionDepthIntent": {"depth": "DepthType"},
    "ThemeQuestionIntent": {"theme": "ThemeType"},
    "ValidationPhraseIntent": {"feeling": "FeelingType"},
    "SetAudienceIntent": {"audience": "AudienceType"},
    "TipIntent": {"topic": "TipTopicType"},
    "SafetyIntent": {"who": "PersonType"},
    "ChallengeIntent": {"challenge": "ChallengeType"},
    "FaqIntent": {"faqTopic": "FaqTopicType"},
    "StreakIntent": {},
    "SkipTonightIntent": {},
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

EXPECTED_IDS = {
    "FeelingType": {"STRESSED", "SAD", "WORRIED", "ANGRY", "HURT", "LONELY", "SCARED", "TIRED",
                    "PROUD", "HAPPY"},
    "AudienceType": {"PARTNERS", "FRIENDS", "FAMILY"},
    "DepthType": {"LIGHT", "MEDIUM", "DEEP"},
    "TipTopicType": {
        "ACTIVE_LISTENING", "I_STATEMENTS", "NONVERBAL_CUES", "OPEN_QUESTIONS",
        "VALIDATING_FEELINGS", "REFLECTIVE_LISTENING", "VULNERABILITY", "SAYING_NEEDS",
        "LOVE_LANGUAGES", "SPREADING_SUPPORT", "PAST_HURTS", "PROFESSIONAL_HELP",
        "REBUILDING_TRUST", "SCHEDULING_TIME", "BEING_PRESENT", "SMALL_RITUALS",
        "ATTACHMENT_STYLES", "JOURNALING", "MINDFULNESS", "QUALITY_TIME",
        "ADMITTING_MISTAKES", "DISAGREEMENTS",
    },
    # Each names a situation between two people, never a fault of the one who spoke. SAFETY
    # is not a challenge: what it names gets the safety answer (intents/safety.py).
    "ChallengeType": {
        "HARD_TO_OPEN_UP", "TALKING_PAST_EACH_OTHER", "HOPES_AND_REALITY", "OLD_HURTS",
        "NO_TIME_TOGETHER", "CLOSENESS_AND_SPACE", "DRIFTING_APART", "TRUST", "SAFETY",
    },
    "FaqTopicType": {
        "HOW_LONG", "EMOTIONAL_VS_PHYSICAL", "PARTNER_NOT_INTERESTED", "FRIENDSHIPS",
        "HEALTHY_SIGNS", "FEAR_OF_JUDGMENT", "WHAT_IT_IS",
    },
    # speech.THEMES, upper-cased: the question bank's themes
    "ThemeType": {
        "TODAY", "MEMORIES", "DREAMS", "GRATITUDE", "FEELINGS", "US", "VALUES", "PLAY",
        "ROMANCE", "FAMILY",
    },
    "PersonType": {"PARTNER"},  # who, in "he hurts me" / "I'm scared of my husband"
}

# Samples that are a slot and nothing else, and why each has no carrier phrase: each is the whole
# reply to a question the skill has just asked, said the way people answer it.
SLOT_ONLY_SAMPLES = {
    "QuestionDepthIntent": "after 'something lighter, or something deeper?': 'lighter'",
    "ChallengeIntent": "after 'What's going on?': 'we feel disconnected'",
    "FaqIntent": "after 'What would you like to know?': 'how long does it take'",
    "ThemeQuestionIntent": "after the list of themes, 'Which would you like?': 'the future'",
}

# Everyday phrasings the contract and PRODUCT.md promise will resolve to a given id.
PROMISED_VALUES = {
    ("DepthType", "lighter"): "LIGHT",
    ("ThemeType", "something fun"): "PLAY",
    ("ThemeType", "the future"): "DREAMS",
    ("ThemeType", "intimacy"): "ROMANCE",
    ("ThemeType", "family"): "FAMILY",
    ("DepthType", "deeper"): "DEEP",
    ("DepthType", "in between"): "MEDIUM",
    ("TipTopicType", "active listening"): "ACTIVE_LISTENING",
    ("TipTopicType", "how to listen better"): "ACTIVE_LISTENING",
    ("TipTopicType", "listen better"): "ACTIVE_LISTENING",
    ("ChallengeType", "we keep arguing"): "TALKING_PAST_EACH_OTHER",
    ("ChallengeType", "we fight all the time"): "TALKING_PAST_EACH_OTHER",
    ("ChallengeType", "we misunderstand each other"): "TALKING_PAST_EACH_OTHER",
    ("ChallengeType", "i'm scared to open up"): "HARD_TO_OPEN_UP",
    ("ChallengeType", "we never have time"): "NO_TIME_TOGETHER",
    ("ChallengeType", "i feel let down"): "HOPES_AND_REALITY",
    ("ChallengeType", "they let me down"): "HOPES_AND_REALITY",
    ("ChallengeType", "i find it hard to trust"): "TRUST",
    ("ChallengeType", "i've been hurt before"): "OLD_HURTS",
    ("ChallengeType", "we feel disconnected"): "DRIFTING_APART",
    ("ChallengeType", "we don't trust each other"): "TRUST",
    ("FaqTopicType", "what is a check in"): "WHAT_IT_IS",
    ("FaqTopicType", "how long does it take"): "HOW_LONG",
    ("FaqTopicType", "is it the same as physical intimacy"): "EMOTIONAL_VS_PHYSICAL",
    ("FaqTopicType", "my partner doesn't want it"): "PARTNER_NOT_INTERESTED",
    ("FaqTopicType", "friendships"): "FRIENDSHIPS",
    ("FaqTopicType", "what are healthy signs"): "HEALTHY_SIGNS",
    ("FaqTopicType", "i'm afraid of being judged"): "FEAR_OF_JUDGMENT",
}


def load(name: str) -> dict:
    return json.loads((MODELS / name).read_text(encoding="utf-8"))


def model(locale: str) -> dict:
    return load(f"{locale}.json")


def invocation_of(locale: str) -> str:
    """The invocation name of a locale's language: its source model's."""
    source = generator.sources()[locale.split("-")[0]]
    return model(source)["interactionModel"]["languageModel"]["invocationName"]


def utterance_of(phrase: str) -> tuple[str, str]:
    """Split "Alexa, ask our check in for a tip" into ("ask", "a tip")."""
    split = split_phrase(phrase, INVOCATION)
    assert split, f"not an Alexa phrase with our invocation name: {phrase!r}"
    return split
