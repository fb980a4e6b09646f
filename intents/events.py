"""Skill events: the household disabling the skill means "forget us"; a withdrawn reminder
permission means the reminder we remember is gone."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .common import quiet, turn
from .reminders import FIELDS as REMINDER_FIELDS
from .reminders import SCOPE as REMINDER_SCOPE


class SkillDisabledHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn(handler_input).forget()
        return quiet(handler_input)


def accepted_scopes(envelope: dict) -> set[str]:
    """The scopes granted now, from the raw event (ask-sdk drops the event body)."""
    request = envelope.get("request")
    body = request.get("body") if isinstance(request, dict) else None
    if not isinstance(body, dict):
        return set()
    scopes = set()
    for key in ("acceptedPermissions", "acceptedPersonPermissions"):
        granted = body.get(key)
        for permission in granted if isinstance(granted, list) else ():
            if isinstance(permission, dict) and isinstance(permission.get("scope"), str):
                scopes.add(permission["scope"])
    return scopes


class PermissionChangedHandler(AbstractRequestHandler):
    """Without the reminder scope our reminder can no longer be managed: forget its token."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (is_request_type("AlexaSkillEvent.SkillPermissionChanged")(handler_input)
                or is_request_type("AlexaSkillEvent.SkillPermissionAccepted")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        if REMINDER_SCOPE not in accepted_scopes(t.envelope):
            t.delete_fields(*REMINDER_FIELDS)
        return quiet(handler_input)
