""""Can we skip tonight": always an easy yes, with whether tonight would be the rest night.

It reads the streak (one Redis round trip) and records nothing: a skipped night is simply a night
without a check-in, and skill.rules says what that does to the streak.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill import rules
from skill.storage import Status

from .common import finish_key, turn


def skip_answer(status: Status, tonight: int) -> str:
    """The prompt key for skipping `tonight`, from the rules of the streak."""
    if status.last == tonight:
        return "skip_already"
    if rules.current_streak(status.streak_state, tonight) == 0:
        return "skip_no_streak" if status.total == 0 else "skip_fresh"
    if status.last == tonight - 1:
        # tomorrow's check-in would bridge tonight, if the run may have a rest night tonight
        return "skip_rest_night" if rules.rest_allowed(status.rest_night, tonight) else "skip_rest_used"
    return "skip_fresh"  # yesterday was missed already: two missed nights start afresh


class SkipTonightHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SkipTonightIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        status = t.status()
        if status is None:
            return finish_key(handler_input, "skip_unknown")
        return finish_key(handler_input, skip_answer(status, t.night()))
