"""Fixtures of the understanding tests: simulators on the test app and Redis (what people say,
resolved as Alexa would, through the real skill), and what an answer sounds like."""

from __future__ import annotations

import re



from ..conftest import spoken_text

EVENING = "2026-12-01T21:30"
WORDS_PER_SECOND = 2.5  # how fast a short answer is heard, for the 20-second limit


def ssml_of(turn) -> str:
    return ((turn.raw.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")


def seconds(turn) -> float:
    """How long an answer takes to say: words at WORDS_PER_SECOND, plus its pauses."""
    ssml = ssml_of(turn)
    pauses = sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', ssml)) / 1000
    return len(spoken_text(ssml).split()) / WORDS_PER_SECOND + pauses


def card_of(turn) -> dict:
    return (turn.raw.get("response") or {}).get("card") or {}
