"""Echo Show and other screens: tonight's question on an APL document; nothing elsewhere."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_supported_interfaces
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

import speech

from .common import say

DOCUMENT_TOKEN = "checkin-question"


@lru_cache(maxsize=1)
def question_document() -> dict:
    return json.loads((Path(speech.__file__).parent / "apl" / "question.json").read_text())


def has_screen(handler_input: HandlerInput) -> bool:
    context = handler_input.request_envelope.context
    if context is None or context.system is None or context.system.device is None:
        return False
    interfaces = get_supported_interfaces(handler_input)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def show_question(handler_input: HandlerInput, question: str, streak: int | None) -> None:
    if not has_screen(handler_input):
        return
    streak_text = say(handler_input, "screen_streak", streak=streak) if streak and streak > 1 else ""
    handler_input.response_builder.add_directive(RenderDocumentDirective(
        token=DOCUMENT_TOKEN,
        document=question_document(),
        datasources={"checkin": {"title": say(handler_input, "screen_title"), "question": question,
                                 "streakText": streak_text}},
    ))
