""""Set us up as friends / family / partners": the household's audience, stored with it. It
changes every line that would assume romance, and skips the partners-only questions."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from .common import ask_key, finish_key, slot_id, turn

AUDIENCES = {"PARTNERS": "partners", "FRIENDS": "friends", "FAMILY": "family"}


class SetAudienceHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetAudienceIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        audience_id, _ = slot_id(handler_input, "audience")
        audience = AUDIENCES.get(audience_id or "")
        if audience is None:
            return ask_key(handler_input, "audience_ask")
        t = turn(handler_input)
        if not t.set_fields(aud=audience):
            return finish_key(handler_input, "audience_not_saved")
        t.audience = audience
        return finish_key(handler_input, f"audience_set_{audience}")
