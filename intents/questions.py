"""One-shots for a different question tonight: another, lighter, deeper."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response


from .checkin import deliver
from .common import ask_key, finish_key, slot_id

DEPTH_IDS = {"LIGHT": "L", "MEDIUM": "M", "DEEP": "D"}

class AnotherQuestionHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AnotherQuestionIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return deliver(handler_input, "another", intro_key="another_intro")

class QuestionDepthHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("QuestionDepthIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        depth_id, heard = slot_id(handler_input, "depth")
        depth = DEPTH_IDS.get(depth_id or "")
        if depth is None:
            return ask_key(handler_input, "depth_unknown", offer={"kind": "depth"})
        return deliver(handler_input, depth, intro_key=f"depth_intro_{depth}")

def answer_depth_offer(handler_input: HandlerInput, yes: bool) -> Response:
    """'Lighter or deeper?' answered with yes/no: yes keeps tonight's depth, no ends kindly."""
    if yes:
        return deliver(handler_input, "another", intro_key="another_intro")

    return finish_key(handler_input, "no_question_then")
