"""The nightly reminder when things go wrong: the API failing or slow, storage down, permission
events, forgetting, and recognised voices."""

from __future__ import annotations

import pytest

from intents.reminders import SCOPE
from skill.dev.envelopes import Device, intent, skill_event, slot

from ..conftest import SKILL_ID, parse_ssml
from .support import (
    PERSON, assert_permission_card, card, change_reminder, ended, heard,
    reminder_calls, set_reminder, stored, talk,
)


# -- the API failing ----------------------------------------------------------------------------

OPERATIONS = {
    "create": lambda: set_reminder("20:30"),
    "change": lambda: change_reminder("20:30"),
    "set-again": lambda: set_reminder("22:00"),
    "cancel": lambda: intent("CancelReminderIntent"),
}
FAILURES = {401: "card", 403: "card", 429: "busy", 500: "reach", 503: "reach"}


def _prepare(alexa, api, operation: str) -> None:
    if operation == "create":
        alexa.send(intent("ReminderStatusIntent"), in_session=True)  # learns the time zone
    else:
        alexa.send(set_reminder("21:00"))


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("status", FAILURES)
def test_api_errors_are_spoken_kindly_and_change_nothing(alexa, api, redis, operation, status):
    _prepare(alexa, api, operation)
    before, reminders = stored(redis), dict(api.state.reminders)
    calls = len(reminder_calls(api))
    api.state.fail_next = [status]
    data = alexa.send(OPERATIONS[operation]())
    assert len(reminder_calls(api)) == calls + 1
    assert stored(redis) == before, "nothing stored changes"
    assert api.state.reminders == reminders
    text = heard(data)
    assert ended(data)
    if FAILURES[status] == "card":
        assert "isn't allowed to manage reminders" in text
        assert_permission_card(data)
    elif FAILURES[status] == "busy":
        assert "busy" in text and "try again in a minute" in text
        assert card(data) is None
    else:
        assert "couldn't reach Alexa's reminders" in text
        assert card(data) is None
    assert "nothing has changed" in text


@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_slow_api_times_out_kindly_and_changes_nothing(make_app, clock, ca, api, night, redis,
                                                          operation):
    alexa = talk(make_app(api_timeout=0.2).test_client(), clock, ca, api)
    _prepare(alexa, api, operation)
    before = stored(redis)
    api.state.delay = 0.5
    data = alexa.send(OPERATIONS[operation]())
    api.state.delay = 0
    assert stored(redis) == before, "what we store does not move on a call we gave up on"
    assert "couldn't reach Alexa's reminders" in heard(data)
    assert ended(data)


def test_storage_down_answers_before_calling_alexa(make_app, clock, ca, api, night):
    app = make_app(redis_url="redis://127.0.0.1:1/0")
    alexa = talk(app.test_client(), clock, ca, api)
    for request in (set_reminder("21:00"), change_reminder("20:30"),
                    intent("ReminderStatusIntent"), intent("CancelReminderIntent")):
        data = alexa.send(request)
        assert "can't reach your reminder settings" in heard(data)
        assert ended(data)
    assert reminder_calls(api) == []


# -- events and forgetting ----------------------------------------------------------------------

def permission_event(name: str, scopes: list[str]) -> dict:
    event = skill_event(name)
    event["body"] = {"acceptedPermissions": [{"scope": s} for s in scopes]}
    return event


@pytest.mark.parametrize("name", ["SkillPermissionChanged", "SkillPermissionAccepted"])
def test_withdrawn_reminder_permission_forgets_the_reminder(alexa, api, redis, name):
    alexa.send(intent("TonightQuestionIntent"))
    alexa.send(set_reminder("21:00"))
    data = alexa.send(permission_event(name, ["alexa::person_id:read"]))
    assert "outputSpeech" not in data["response"]
    left = stored(redis)
    assert "rt" not in left and "rtime" not in left
    assert left["streak"] == "1", "only the reminder is forgotten"


@pytest.mark.parametrize("name", ["SkillPermissionChanged", "SkillPermissionAccepted"])
def test_kept_reminder_permission_keeps_the_reminder(alexa, api, redis, name):
    alexa.send(set_reminder("21:00"))
    before = stored(redis)
    alexa.send(permission_event(name, [SCOPE, "alexa::person_id:read"]))
    assert stored(redis) == before


def test_a_malformed_permission_event_is_answered_quietly(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    event = skill_event("SkillPermissionChanged")
    event["body"] = {"acceptedPermissions": [{"nope": 1}, {}]}
    data = alexa.send(event)
    assert "outputSpeech" not in data["response"]
    assert "rt" not in stored(redis)


def test_forget_us_deletes_the_reminder_too(alexa, api, redis):
    alexa.send(intent("TonightQuestionIntent"))
    alexa.send(set_reminder("21:00"))
    token = stored(redis)["rt"]
    alexa.send(intent("ForgetUsIntent"), in_session=True)
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    assert ("DELETE", f"/v1/alerts/reminders/{token}") in [(c.method, c.path) for c in api.calls]
    assert api.state.reminders == {}
    assert redis.keys("*") == []
    assert "deleted everything" in heard(data)


def test_forget_us_still_forgets_when_the_reminder_cannot_be_deleted(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    alexa.send(intent("ForgetUsIntent"), in_session=True)
    api.state.fail_next = [500]
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    assert redis.keys("*") == []
    assert "deleted everything" in heard(data)


# -- a recognised voice -------------------------------------------------------------------------

def test_a_recognised_voice_is_thanked_by_name(client, clock, ca, api, night):
    data = talk(client, clock, ca, api, person_id=PERSON).send(set_reminder("21:00"))
    ssml = data["response"]["outputSpeech"]["ssml"]
    assert f'<alexa:name type="first" personId="{PERSON}"/>' in ssml
    parse_ssml(ssml)


def test_an_unrecognised_voice_hears_no_name(alexa):
    ssml = alexa.send(set_reminder("21:00"))["response"]["outputSpeech"]["ssml"]
    assert "alexa:name" not in ssml
    assert "Thanks" not in ssml


def test_consent_token_for_another_scope_still_asks_by_voice(make_app, api, clock):
    """A consent token alone may stand for the person-id permission: the scope decides."""
    from skill.dev.envelopes import envelope

    device = Device(skill_id=SKILL_ID, api_endpoint=api.url, consent_token="tok")
    body = envelope(device, intent("SetReminderIntent", {"time": slot("time", "21:00",
                                                                      slot_type="AMAZON.TIME")}),
                    clock.now)
    body["context"]["System"]["user"]["permissions"]["scopes"] = {
        "alexa::alerts:reminders:skill:readwrite": {"status": "DENIED"}}
    data = make_app().test_client().post("/", json=body).get_json()
    directives = data["response"].get("directives", [])
    assert [d["type"] for d in directives] == ["Connections.SendRequest"]
    assert not [c for c in api.calls if "reminders" in c.path]
