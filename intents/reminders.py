"""The nightly reminder: one daily reminder per household through the Alexa Reminders API.

Permission is asked for by voice (``Connections.SendRequest`` AskFor); the answer comes back as a
new ``Connections.Response`` request, so the time asked for travels in the directive's token
("reminder:21:00"), not in session attributes. The reminder's alertToken and its "HH:MM" time are
kept with the household (fields ``rt`` and ``rtime``). An API failure changes nothing we store.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_slot, is_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.interfaces.connections import SendRequestDirective
from ask_sdk_model.services.reminder_management import (
    AlertInfo,
    PushNotification,
    PushNotificationStatus,
    Recurrence,
    ReminderRequest,
    SpokenInfo,
    SpokenText,
    Trigger,
    TriggerType,
)
from ask_sdk_model.services.service_exception import ServiceException
from ask_sdk_model.ui import AskForPermissionsConsentCard

from skill.nights import zone
from skill.storage import Status
from speech import Speech

from .common import OFFER, ask_key, ask_open, content, finish, finish_key, person_id, say, session_attrs, turn

log = logging.getLogger("checkin")

SCOPE = "alexa::alerts:reminders:skill:readwrite"
TOKEN_PREFIX = "reminder:"
FIELDS = ("rt", "rtime")  # the household's reminder: alertToken, "HH:MM"
API_ERRORS = (ServiceException, ApiClientException)

_HHMM = re.compile(r"^T?(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$", re.ASCII)
_PERIODS = {"NI": "21:00", "EV": "20:00"}  # AMAZON.TIME's "night", "evening"


# -- times --------------------------------------------------------------------------------------

def parse_time(value: str | None) -> str | None:
    """An AMAZON.TIME value as "HH:MM" for a nightly reminder; None when it names no clear time.

    The reminder is nightly, so an hour Alexa heard as morning ("nine" -> 09:00) means the evening;
    midnight to 4 a.m. stays as it is (a late night still belongs to the evening before).
    """
    if not isinstance(value, str):
        return None
    value = value.strip().upper()
    if value in _PERIODS:
        return _PERIODS[value]
    match = _HHMM.match(value)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    if 4 <= hour < 12:
        hour += 12
    return f"{hour:02d}:{minute:02d}"


def heard_time(handler_input: HandlerInput) -> str | None:
    slot = get_slot(handler_input, "time")
    return parse_time(slot.value if slot is not None else None)


def valid_hhmm(value: object) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}", value, re.ASCII):
        hour, minute = int(value[:2]), int(value[3:])
        if hour <= 23 and minute <= 59:
            return value
    return None


def spoken_time(handler_input: HandlerInput, hhmm: str) -> str:
    """ "21:00" as the language says it ("nine p.m.")."""
    return content(handler_input).words.time(int(hhmm[:2]), int(hhmm[3:]))


# -- the Alexa Reminders API --------------------------------------------------------------------

def _system(handler_input: HandlerInput):
    context = handler_input.request_envelope.context
    return context.system if context is not None else None


def has_permission(handler_input: HandlerInput) -> bool:
    """The reminder scope is granted: by its scope status when Alexa sends scopes (a consent
    token alone may stand for another permission, such as the person id), else the token."""
    system = _system(handler_input)
    user = system.user if system is not None else None
    permissions = user.permissions if user is not None else None
    if permissions is None or not permissions.consent_token:
        return False
    if permissions.scopes:
        scope = permissions.scopes.get(SCOPE)
        status = getattr(getattr(scope, "status", None), "value", None)
        return status == "GRANTED"
    return True


def reminder_request(handler_input: HandlerInput, hhmm: str) -> ReminderRequest:
    """One daily reminder at `hhmm` in the device's own time zone (local times, no "Z")."""
    t = turn(handler_input)
    zone_name = t.zone_name()
    now = datetime.fromtimestamp(t.request_time, zone(zone_name) or zone("UTC"))
    now = now.replace(tzinfo=None, microsecond=0)
    hour, minute = int(hhmm[:2]), int(hhmm[3:])
    text = content(handler_input).text("reminder_spoken")
    return ReminderRequest(
        request_time=now,
        trigger=Trigger(
            object_type=TriggerType.SCHEDULED_ABSOLUTE,
            time_zone_id=zone_name,
            recurrence=Recurrence(
                start_date_time=now,
                recurrence_rules=[f"FREQ=DAILY;BYHOUR={hour};BYMINUTE={minute};BYSECOND=0;INTERVAL=1;"],
            ),
        ),
        alert_info=AlertInfo(spoken_info=SpokenInfo(content=[SpokenText(
            locale=get_locale(handler_input) or "en-US", text=text, ssml=Speech().say(text).ssml(),
        )])),
        push_notification=PushNotification(status=PushNotificationStatus.ENABLED),
    )


def _service(handler_input: HandlerInput):
    """The Reminders API client; a request without an API endpoint or token is an API error."""
    system = _system(handler_input)
    if system is None or not system.api_endpoint or not system.api_access_token:
        raise ApiClientException("the request carries no Alexa API endpoint or token")
    return handler_input.service_client_factory.get_reminder_management_service()


def _status_code(error: Exception) -> int | None:
    return getattr(error, "status_code", None)


def delete_reminder_quietly(handler_input: HandlerInput, token: str | None) -> None:
    """After a household is deleted: take its reminder down too, if we can (failures ignored)."""
    if not token:
        return
    try:
        _service(handler_input).delete_reminder(token)
    except Exception as e:  # the household is deleted either way
        log.warning("could not delete the reminder of a forgotten household: %s",
                    _status_code(e) or type(e).__name__)


# -- answers ------------------------------------------------------------------------------------

def _card_answer(handler_input: HandlerInput, key: str) -> Response:
    handler_input.response_builder.set_card(AskForPermissionsConsentCard(permissions=[SCOPE]))
    return finish(handler_input, Speech().say(say(handler_input, key)))


def api_error(handler_input: HandlerInput, error: Exception) -> Response:
    """A kind answer for a failed call; nothing in storage has changed."""
    code = _status_code(error)
    log.warning("reminders API failed: %s %s", code or "-", type(error).__name__)
    if code in (401, 403):  # the permission was most likely revoked in the Alexa app
        return _card_answer(handler_input, "reminder_permission_off")
    if code == 429:
        return finish_key(handler_input, "reminder_busy")
    return finish_key(handler_input, "reminder_api_down")


def storage_down(handler_input: HandlerInput) -> Response:
    return finish_key(handler_input, "reminder_storage_down")


def ask_time(handler_input: HandlerInput, change: bool = False) -> Response:
    key = "reminder_change_ask_time" if change else "reminder_ask_time"
    return ask_open(handler_input, key, "reminder_time")


def ask_permission(handler_input: HandlerInput, hhmm: str) -> Response:
    """Alexa asks for the reminder permission itself; the session is neither ended nor held."""
    speech = Speech().say(say(handler_input, "reminder_permission_ask",
                              time=spoken_time(handler_input, hhmm)))
    rb = handler_input.response_builder
    rb.speak(speech.inner()).add_directive(SendRequestDirective(
        name="AskFor",
        payload={"@type": "AskForPermissionsConsentRequest", "@version": "1",
                 "permissionScope": SCOPE},
        token=TOKEN_PREFIX + hhmm,
    ))
    return rb.response


def confirm(handler_input: HandlerInput, key: str, hhmm: str) -> Response:
    speech = Speech()
    name = Speech().name(person_id(handler_input))
    if name:  # a recognised voice is thanked by name; nobody else hears a difference
        speech.say(say(handler_input, "reminder_thanks_name_before")).extend(name)
        speech.say(say(handler_input, "reminder_thanks_name_after"))
    speech.say(say(handler_input, key, time=spoken_time(handler_input, hhmm)))
    return finish(handler_input, speech)


def schedule(handler_input: HandlerInput, hhmm: str, *, permission_checked: bool = False,
             status: Status | None = None) -> Response:
    """Set the household's one reminder to `hhmm`: create it, or move the one it has."""
    if not permission_checked and not has_permission(handler_input):
        return ask_permission(handler_input, hhmm)
    status = status or turn(handler_input).status()
    if status is None:
        return storage_down(handler_input)
    if status.reminder_token:
        return update(handler_input, status.reminder_token, hhmm)
    return create(handler_input, hhmm)


def create(handler_input: HandlerInput, hhmm: str, key: str = "reminder_set") -> Response:
    t = turn(handler_input)
    try:
        service = _service(handler_input)
        created = service.create_reminder(reminder_request(handler_input, hhmm))
    except API_ERRORS as e:
        return api_error(handler_input, e)
    token = getattr(created, "alert_token", None)
    if not token:
        log.warning("reminders API created a reminder without an alertToken")
        return finish_key(handler_input, "reminder_api_down")
    if not t.set_fields(rt=token, rtime=hhmm):
        # Unrecorded, it could never be moved or cancelled by voice: take it down again.
        try:
            service.delete_reminder(token)
        except API_ERRORS as e:
            log.warning("could not remove an unrecorded reminder: %s", _status_code(e))
        return finish_key(handler_input, "reminder_not_saved")
    return confirm(handler_input, key, hhmm)


def update(handler_input: HandlerInput, token: str, hhmm: str) -> Response:
    t = turn(handler_input)
    try:
        _service(handler_input).update_reminder(token, reminder_request(handler_input, hhmm))
    except API_ERRORS as e:
        if _status_code(e) == 404:  # deleted in the Alexa app: forget it, set a new one
            t.delete_fields(*FIELDS)
            return create(handler_input, hhmm, key="reminder_gone_recreated")
        return api_error(handler_input, e)
    if not t.set_fields(rtime=hhmm):
        log.warning("reminder moved, but its new time was not saved")
    return confirm(handler_input, "reminder_moved", hhmm)


def offer_reminder(handler_input: HandlerInput, hhmm: str | None) -> Response:
    if hhmm:
        when = spoken_time(handler_input, hhmm)
        return ask_key(handler_input, "reminder_change_none", time=when,
                       offer={"kind": "reminder", "time": hhmm})
    return ask_key(handler_input, "reminder_none_offer", offer={"kind": "reminder"})


def _status(handler_input: HandlerInput) -> Status | None:
    return turn(handler_input).status()


# -- handlers -----------------------------------------------------------------------------------

class SetReminderHandler(AbstractRequestHandler):
    """ "Remind us every night at nine." """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        hhmm = heard_time(handler_input)
        if hhmm is None:
            return ask_time(handler_input)
        return schedule(handler_input, hhmm)


class ChangeReminderHandler(AbstractRequestHandler):
    """ "Move our reminder to half past eight." """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ChangeReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        hhmm = heard_time(handler_input)
        status = _status(handler_input)
        if status is None:
            return storage_down(handler_input)
        if not status.reminder_token:
            return offer_reminder(handler_input, hhmm)
        if hhmm is None:
            return ask_time(handler_input, change=True)
        return schedule(handler_input, hhmm, status=status)


class ReminderStatusHandler(AbstractRequestHandler):
    """ "When is our reminder?" From storage: no API call. """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ReminderStatusIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        status = _status(handler_input)
        if status is None:
            return storage_down(handler_input)
        if not status.reminder_token:
            return offer_reminder(handler_input, None)
        hhmm = valid_hhmm(status.reminder_time)
        if hhmm is None:
            return finish_key(handler_input, "reminder_status_set")
        return finish(handler_input, Speech().say(
            say(handler_input, "reminder_status", time=spoken_time(handler_input, hhmm))))


class CancelReminderHandler(AbstractRequestHandler):
    """ "Cancel our reminder." """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CancelReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        t = turn(handler_input)
        status = _status(handler_input)
        if status is None:
            return storage_down(handler_input)
        if not status.reminder_token:
            return finish_key(handler_input, "reminder_cancel_none")
        try:
            _service(handler_input).delete_reminder(status.reminder_token)
        except API_ERRORS as e:
            if _status_code(e) == 404:  # already deleted in the Alexa app
                t.delete_fields(*FIELDS)
                return finish_key(handler_input, "reminder_cancel_gone")
            return api_error(handler_input, e)
        if not t.delete_fields(*FIELDS):
            log.warning("reminder cancelled, but its token was not cleared")
        return finish_key(handler_input, "reminder_cancelled")


class PermissionResponseHandler(AbstractRequestHandler):
    """The answer to our AskFor: ACCEPTED sets the reminder asked for; anything else, the card."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not is_request_type("Connections.Response")(handler_input):
            return False
        return getattr(handler_input.request_envelope.request, "name", None) == "AskFor"

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        payload = request.payload if isinstance(request.payload, dict) else {}
        token = request.token if isinstance(request.token, str) else ""
        hhmm = valid_hhmm(token[len(TOKEN_PREFIX):]) if token.startswith(TOKEN_PREFIX) else None
        if payload.get("status") != "ACCEPTED":  # DENIED, NOT_ANSWERED, or an error
            return _card_answer(handler_input, "reminder_permission_denied")
        if hhmm is None:
            return ask_time(handler_input)
        return schedule(handler_input, hhmm, permission_checked=True)


class ReminderOfferHandler(AbstractRequestHandler):
    """Yes or no to "would you like a reminder?" (before the general yes/no handler)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not (is_intent_name("AMAZON.YesIntent")(handler_input)
                or is_intent_name("AMAZON.NoIntent")(handler_input)):
            return False
        offer = session_attrs(handler_input).get(OFFER)
        return isinstance(offer, dict) and offer.get("kind") == "reminder"

    def handle(self, handler_input: HandlerInput) -> Response:
        offer = session_attrs(handler_input).pop(OFFER, None) or {}
        if not is_intent_name("AMAZON.YesIntent")(handler_input):
            return finish_key(handler_input, "reminder_offer_declined")
        hhmm = valid_hhmm(offer.get("time"))
        if hhmm is None:
            return ask_time(handler_input)
        return schedule(handler_input, hhmm)
