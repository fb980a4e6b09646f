"""When someone says they are not safe: a short, calm answer that names the locale's helpline,
the same on a card in the Alexa app, and nothing else. No coaching, nothing stored, nothing in
the logs beyond the ordinary request line (the endpoint names no intent for it).

The answer comes for SafetyIntent ("I don't feel safe", "I'm scared of my partner"), and for the
same words reaching any other intent: a slot resolved to the SAFETY challenge, or heard words
the locale's content lists as unsafe (speech/<lang>/safety.toml)."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from speech import Speech

from .common import content, finish, say, session_attrs, slot_id

SAFETY_INTENT = "SafetyIntent"
SAFETY_ID = "SAFETY"  # the ChallengeType value for words that mean someone is not safe
DISCREET_INTENTS = frozenset({SAFETY_INTENT})  # the request log names no intent for these


def sounds_unsafe(handler_input: HandlerInput) -> bool:
    """Is this an intent request whose words say that someone may not be safe?"""
    if not is_request_type("IntentRequest")(handler_input):
        return False
    intent = handler_input.request_envelope.request.intent
    if intent is None:
        return False
    if intent.name == SAFETY_INTENT:
        return True
    for name in intent.slots or {}:
        value_id, heard = slot_id(handler_input, name)
        if value_id == SAFETY_ID or (heard and content(handler_input).sounds_unsafe(heard)):
            return True
    return False


def safety_speech(handler_input: HandlerInput) -> Speech:
    return Speech().say(say(handler_input, "safety_answer"))


class SafetyHandler(AbstractRequestHandler):
    """Registered before every other intent handler: these words outrank whatever intent
    they reached."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return sounds_unsafe(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        session_attrs(handler_input).clear()  # nothing of this turn goes back to Alexa either
        handler_input.response_builder.set_card(SimpleCard(
            title=say(handler_input, "safety_card_title"),
            content=say(handler_input, "safety_card")))
        return finish(handler_input, safety_speech(handler_input))
