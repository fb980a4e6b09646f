"""The nightly reminder, end to end: the skill over HTTP, real Redis, and the local stand-in for the
Alexa APIs recording every call. Nothing is mocked. Failures, events and voices:
test_failures.py."""

from __future__ import annotations

import pytest

from intents.reminders import SCOPE, parse_time
from skill.dev.envelopes import intent

from ..conftest import spoken_text
from .support import (
    NINE_PM_RULE, assert_permission_card, card, change_reminder, ended, heard,
    permission_answer, reminder_calls, set_reminder, stored, talk,
)


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
