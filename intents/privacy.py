""""Forget us": confirmed with yes/no, then every key of the household is deleted."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response


from .common import ask_key, finish_key, turn
from .reminders import delete_reminder_quietly


class ForgetUsHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ForgetUsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return ask_key(handler_input, "forget_confirm", offer={"kind": "forget"})


def answer_forget_offer(handler_input: HandlerInput, yes: bool) -> Response:
    if not yes:
        return finish_key(handler_input, "forget_kept")
    t = turn(handler_input)
    status = t.status()  # the reminder's token, read before the data is gone
    if status is None or not t.forget():
        return finish_key(handler_input, "forget_failed")
    # nothing of the household is left behind, in Alexa either
    delete_reminder_quietly(handler_input, status.reminder_token)
    return finish_key(handler_input, "forget_done")
