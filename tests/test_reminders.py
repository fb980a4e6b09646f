"""The nightly reminder, end to end: the skill over HTTP, real Redis, and the local stand-in for the
Alexa APIs recording every call. Nothing is mocked."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from intents.reminders import SCOPE, parse_time
from skill.dev.envelopes import Device, intent, skill_event, slot
from skill.storage import household_id, key_for

from .conftest import SECRET, SKILL_ID, Alexa, parse_ssml, spoken_text

CONSENT = "consent-token-for-reminders"
PERSON = "amzn1.ask.person.ABCDEF0123456789"
NINE_PM_RULE = "FREQ=DAILY;BYHOUR=21;BYMINUTE=0;BYSECOND=0;INTERVAL=1;"


@pytest.fixture
def night(clock):
    clock.now = datetime(2026, 12, 1, 21, tzinfo=ZoneInfo("America/New_York")).timestamp()


def talk(client, clock, ca, api, *, consent: bool = True, **device) -> Alexa:
    return Alexa(client, clock, ca, device=Device(
        skill_id=SKILL_ID, api_endpoint=api.url, consent_token=CONSENT if consent else None,
        **device))


@pytest.fixture
def alexa(client, clock, ca, api, night) -> Alexa:
    """A household that has granted the reminder permission."""
    return talk(client, clock, ca, api)


@pytest.fixture
def stranger(client, clock, ca, api, night) -> Alexa:
    """The same household before it has granted the permission."""
    return talk(client, clock, ca, api, consent=False)


def set_reminder(time: str | None = "21:00") -> dict:
    return intent("SetReminderIntent", {"time": slot("time", time, slot_type="AMAZON.TIME")})


def change_reminder(time: str | None) -> dict:
    return intent("ChangeReminderIntent", {"time": slot("time", time, slot_type="AMAZON.TIME")})


def permission_answer(status: str, token: str = "reminder:21:00") -> dict:
    return {"type": "Connections.Response", "name": "AskFor",
            "status": {"code": "200", "message": "OK"}, "token": token,
            "payload": {"permissionScope": SCOPE, "status": status}}


def heard(data: dict) -> str:
    return spoken_text(data["response"].get("outputSpeech", {}).get("ssml", "<speak></speak>"))


def ended(data: dict) -> bool:
    return data["response"].get("shouldEndSession") is True


def reminder_calls(api) -> list:
    return [c for c in api.calls if c.path.startswith("/v1/alerts/reminders")]


def stored(redis, device: Device | None = None) -> dict[str, str]:
    user = (device or Device()).user_id
    raw = redis.hgetall(key_for(household_id(SECRET.encode(), user)))
    return {k.decode(): v.decode() for k, v in raw.items()}


def card(data: dict) -> dict | None:
    return data["response"].get("card")


def assert_permission_card(data: dict) -> None:
    assert card(data) == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}


# -- the permission dance -----------------------------------------------------------------------

def test_no_permission_asks_by_voice_then_accepted_creates_the_reminder(
        client, clock, ca, api, night, redis):
    api.state.time_zones["amzn1.ask.device.SIMULATED-DEVICE"] = "Europe/London"
    before = talk(client, clock, ca, api, consent=False)
    data = before.send(set_reminder("21:00"), in_session=True)
    response = data["response"]
    assert "shouldEndSession" not in response, "a Connections directive leaves it unset"
    assert "reprompt" not in response
    [directive] = response["directives"]
    assert directive["type"] == "Connections.SendRequest"
    assert directive["name"] == "AskFor"
    assert directive["payload"] == {"@type": "AskForPermissionsConsentRequest", "@version": "1",
                                    "permissionScope": SCOPE}
    assert directive["token"] == "reminder:21:00", "the time travels in the token"
    assert "nine p.m." in heard(data) and "permission" in heard(data)
    assert reminder_calls(api) == []
    assert "rt" not in stored(redis)

    # The user says yes to Alexa's own question; the answer is a new request with the consent.
    after = talk(client, clock, ca, api, consent=True)
    data = after.send(permission_answer("ACCEPTED"), in_session=True)
    [call] = reminder_calls(api)
    assert (call.method, call.path) == ("POST", "/v1/alerts/reminders")
    assert call.headers.get("Authorization", "").startswith("Bearer ")
    body = call.body
    trigger = body["trigger"]
    assert trigger["type"] == "SCHEDULED_ABSOLUTE"
    assert trigger["timeZoneId"] == "Europe/London", "the device's own zone"
    assert trigger["recurrence"]["recurrenceRules"] == [NINE_PM_RULE]
    start = trigger["recurrence"]["startDateTime"]
    assert not start.endswith("Z") and "+" not in start, "local times carry no zone"
    assert start.startswith("2026-12-02T02:00"), "now, in London"
    assert "Z" not in body["requestTime"]
    [spoken] = body["alertInfo"]["spokenInfo"]["content"]
    assert spoken["locale"] == "en-US"
    assert spoken["text"] == "It's time for your check-in. Say: Alexa, start our check in."
    assert spoken_text(spoken["ssml"]) == spoken["text"], "the SSML says the same, and parses"
    assert body["pushNotification"] == {"status": "ENABLED"}

    [token] = api.state.reminders
    assert stored(redis)["rt"] == token
    assert stored(redis)["rtime"] == "21:00"
    assert "every night at nine p.m." in heard(data)
    assert ended(data)
    assert card(data) is None


@pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
def test_permission_denied_gets_a_kind_answer_and_the_card(stranger, api, redis, status):
    data = stranger.send(permission_answer(status), in_session=True)
    assert reminder_calls(api) == []
    assert_permission_card(data)
    assert "That's all right" in heard(data)
    assert ended(data)
    assert stored(redis) == {}


def test_accepted_with_an_unreadable_token_asks_for_the_time(alexa, api, redis):
    data = alexa.send(permission_answer("ACCEPTED", token="something-else"), in_session=True)
    assert reminder_calls(api) == []
    assert data["response"]["shouldEndSession"] is False
    assert "remind us at nine p.m." in heard(data)


def test_other_connections_responses_are_ignored(alexa, api):
    request = {**permission_answer("ACCEPTED"), "name": "Print"}
    data = alexa.send(request)
    assert "outputSpeech" not in data["response"]
    assert reminder_calls(api) == []


def test_with_permission_the_reminder_is_created_at_once(alexa, api, redis):
    data = alexa.send(set_reminder("21:00"))
    assert "directives" not in data["response"]
    [call] = reminder_calls(api)
    assert call.method == "POST"
    assert call.body["trigger"]["timeZoneId"] == "America/New_York", "the stand-in's default"
    assert call.body["trigger"]["recurrence"]["recurrenceRules"] == [NINE_PM_RULE]
    assert stored(redis)["rtime"] == "21:00"
    assert heard(data).startswith("All set") or heard(data).startswith("Done")
    assert ended(data)


def test_other_locales_write_their_reminder_in_their_locale(client, clock, ca, api, night, redis):
    talk(client, clock, ca, api, locale="en-GB").send(set_reminder("20:30"))
    [call] = reminder_calls(api)
    assert call.body["alertInfo"]["spokenInfo"]["content"][0]["locale"] == "en-GB"
    assert call.body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=20;BYMINUTE=30;BYSECOND=0;INTERVAL=1;"]


# -- the time -----------------------------------------------------------------------------------

@pytest.mark.parametrize("time", [None, "MO", "AF", "soon", "25:00"])
def test_no_clear_time_asks_for_one(alexa, api, time):
    data = alexa.send(set_reminder(time), in_session=True)
    assert data["response"]["shouldEndSession"] is False
    assert data["response"]["reprompt"]
    assert heard(data).endswith("?")
    assert reminder_calls(api) == []


@pytest.mark.parametrize(("heard_time", "hhmm"), [
    ("21:00", "21:00"), ("20:30", "20:30"), ("09:00", "21:00"), ("8:15", "20:15"),
    ("NI", "21:00"), ("EV", "20:00"), ("00:30", "00:30"), ("23:45", "23:45"), ("12:00", "12:00"),
    ("T21:00", "21:00"), ("21:00:00", "21:00"), ("", None), ("MO", None), ("2026-12-01", None),
])
def test_times_as_alexa_hears_them(heard_time, hhmm):
    assert parse_time(heard_time) == hhmm


@pytest.mark.parametrize(("hhmm", "words"), [
    ("21:00", "every night at nine p.m."), ("20:30", "every night at eight thirty p.m."),
    ("21:05", "every night at nine oh five p.m."), ("22:45", "every night at ten forty-five p.m."),
    ("00:00", "every night at midnight"), ("00:30", "every night at twelve thirty a.m."),
    ("12:00", "every night at noon"), ("01:15", "every night at one fifteen a.m."),
])
def test_times_are_spoken_the_way_people_say_them(alexa, hhmm, words):
    assert words in heard(alexa.send(set_reminder(hhmm)))


# -- one reminder per household -----------------------------------------------------------------

def test_setting_again_moves_the_one_reminder(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    token = stored(redis)["rt"]
    data = alexa.send(set_reminder("20:30"))
    put = reminder_calls(api)[-1]
    assert (put.method, put.path) == ("PUT", f"/v1/alerts/reminders/{token}")
    assert len(api.state.reminders) == 1
    assert stored(redis)["rt"] == token and stored(redis)["rtime"] == "20:30"
    assert "eight thirty p.m." in heard(data)


def test_status_from_storage_without_calling_alexa(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    calls = len(api.calls)
    data = alexa.send(intent("ReminderStatusIntent"))
    assert "every night at nine p.m." in heard(data)
    assert ended(data)
    assert len(api.calls) == calls


def test_status_without_a_reminder_offers_one(alexa, api, redis):
    data = alexa.send(intent("ReminderStatusIntent"), in_session=True)
    assert "don't have a reminder" in heard(data)
    assert data["response"]["shouldEndSession"] is False
    assert data["sessionAttributes"]["offer"] == {"kind": "reminder"}
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    assert "What time" in heard(data)
    data = alexa.send(set_reminder("21:30"), in_session=True)
    assert "nine thirty p.m." in heard(data)
    assert stored(redis)["rtime"] == "21:30"


def test_status_offer_declined(alexa, api, redis):
    alexa.send(intent("ReminderStatusIntent"), in_session=True)
    data = alexa.send(intent("AMAZON.NoIntent"), in_session=True)
    assert "no reminder" in heard(data)
    assert ended(data)
    assert reminder_calls(api) == []


def test_change_moves_it_with_the_stored_token(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    token = stored(redis)["rt"]
    data = alexa.send(change_reminder("20:30"))
    put = reminder_calls(api)[-1]
    assert (put.method, put.path) == ("PUT", f"/v1/alerts/reminders/{token}")
    assert put.body["trigger"]["recurrence"]["recurrenceRules"] == [
        "FREQ=DAILY;BYHOUR=20;BYMINUTE=30;BYSECOND=0;INTERVAL=1;"]
    assert api.state.reminders[token]["trigger"]["recurrence"]["recurrenceRules"][0].startswith(
        "FREQ=DAILY;BYHOUR=20;BYMINUTE=30")
    assert stored(redis)["rt"] == token and stored(redis)["rtime"] == "20:30"
    assert "every night at eight thirty p.m." in heard(data)


def test_change_without_a_time_asks_for_one(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    data = alexa.send(change_reminder(None), in_session=True)
    assert data["response"]["shouldEndSession"] is False
    assert "move our reminder to" in heard(data)
    assert len(reminder_calls(api)) == 1


def test_change_without_a_reminder_offers_one_at_that_time(alexa, api, redis):
    data = alexa.send(change_reminder("20:30"), in_session=True)
    assert reminder_calls(api) == []
    assert "Would you like one every night at eight thirty p.m.?" in heard(data)
    data = alexa.send(intent("AMAZON.YesIntent"), in_session=True)
    [call] = reminder_calls(api)
    assert call.method == "POST"
    assert stored(redis)["rtime"] == "20:30"
    assert ended(data)


def test_change_without_a_reminder_or_permission_asks_for_permission_on_yes(stranger, api):
    stranger.send(change_reminder("20:30"), in_session=True)
    data = stranger.send(intent("AMAZON.YesIntent"), in_session=True)
    [directive] = data["response"]["directives"]
    assert directive["name"] == "AskFor" and directive["token"] == "reminder:20:30"
    assert reminder_calls(api) == []


def test_reminder_deleted_in_the_alexa_app_is_replaced_on_change(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    old = stored(redis)["rt"]
    api.state.reminders.clear()  # the user deleted it in the Alexa app
    data = alexa.send(change_reminder("20:30"))
    methods = [(c.method, c.path) for c in reminder_calls(api)]
    assert methods[-2:] == [("PUT", f"/v1/alerts/reminders/{old}"), ("POST", "/v1/alerts/reminders")]
    [new] = api.state.reminders
    assert stored(redis)["rt"] == new != old
    assert stored(redis)["rtime"] == "20:30"
    assert "removed in the Alexa app" in heard(data)


def test_cancel_deletes_it_with_the_stored_token(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    token = stored(redis)["rt"]
    data = alexa.send(intent("CancelReminderIntent"))
    call = reminder_calls(api)[-1]
    assert (call.method, call.path) == ("DELETE", f"/v1/alerts/reminders/{token}")
    assert api.state.reminders == {}
    assert "rt" not in stored(redis) and "rtime" not in stored(redis)
    assert "cancelled" in heard(data)
    assert ended(data)
    assert "don't have a reminder" in heard(alexa.send(intent("ReminderStatusIntent"),
                                                      in_session=True))


def test_cancel_without_a_reminder(alexa, api):
    data = alexa.send(intent("CancelReminderIntent"))
    assert "nothing to cancel" in heard(data)
    assert reminder_calls(api) == []


def test_cancel_of_a_reminder_deleted_in_the_alexa_app_clears_it(alexa, api, redis):
    alexa.send(set_reminder("21:00"))
    api.state.reminders.clear()
    data = alexa.send(intent("CancelReminderIntent"))
    assert "already been removed in the Alexa app" in heard(data)
    assert "rt" not in stored(redis)


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
