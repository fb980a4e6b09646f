"""Fixtures of the understanding tests: simulators on the test app and Redis (what people say,
resolved as Alexa would, through the real skill), and what an answer sounds like."""

from __future__ import annotations

import re

import pytest

from skill.dev.simulator.session import Simulator, close_store
from skill.dev.standin import AlexaStandin

from ..conftest import spoken_text

EVENING = "2026-12-01T21:30"
WORDS_PER_SECOND = 2.5  # how fast a short answer is heard, for the 20-second limit


@pytest.fixture(scope="module")
def standin():
    with AlexaStandin() as api:
        yield api


@pytest.fixture
def simulator(make_app, clock, standin):
    """make(at=..., locale=..., user=...) -> a Simulator on the test app, its clock and Redis."""
    made: list[Simulator] = []

    def make(at: str = EVENING, app=None, **kw) -> Simulator:
        sim = Simulator(app or make_app(), clock=clock, at=at, standin=standin, **kw)
        made.append(sim)
        return sim

    yield make
    for sim in made:
        sim.close()
        close_store(sim.app)


def ssml_of(turn) -> str:
    return ((turn.raw.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")


def seconds(turn) -> float:
    """How long an answer takes to say: words at WORDS_PER_SECOND, plus its pauses."""
    ssml = ssml_of(turn)
    pauses = sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', ssml)) / 1000
    return len(spoken_text(ssml).split()) / WORDS_PER_SECOND + pauses


def card_of(turn) -> dict:
    return (turn.raw.get("response") or {}).get("card") or {}
