"""The nightly reminder (Alexa Reminders API with voice consent)."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from speech import Speech

from .common import finish, say

REMINDER_INTENTS = ("SetReminderIntent", "ChangeReminderIntent", "ReminderStatusIntent",
                    "CancelReminderIntent")


class ReminderHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in REMINDER_INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        return finish(handler_input, Speech().say(say(handler_input, "reminders_unavailable")))
