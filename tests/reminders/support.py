"""What the reminder tests share: a household with and without the reminder permission, request
builders and readers of what was said, stored and called."""

from __future__ import annotations



from intents.reminders import SCOPE
from skill.dev.envelopes import Device, intent, slot
from skill.storage import Store, household_id, key_for

from ..conftest import SECRET, SKILL_ID, Alexa, spoken_text

CONSENT = "consent-token-for-reminders"
PERSON = "amzn1.ask.person.ABCDEF0123456789"
NINE_PM_RULE = "FREQ=DAILY;BYHOUR=21;BYMINUTE=0;BYSECOND=0;INTERVAL=1;"


def talk(client, clock, ca, api, *, consent: bool = True, **device) -> Alexa:
    return Alexa(client, clock, ca, device=Device(
        skill_id=SKILL_ID, api_endpoint=api.url, consent_token=CONSENT if consent else None,
        **device))


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


def stored(redis, device: Device | None = None) -> dict[str, str | bytes]:
    """The household's key as stored (raw fields), with what the store reads back from it: the
    reminder, `rt` (its alertToken) and `rtime` ("HH:MM"), and the `streak`."""
    household = household_id(SECRET.encode(), (device or Device()).user_id)
    raw = {k.decode(): v for k, v in redis.hgetall(key_for(household)).items()}
    if raw:
        status = Store(redis).status(household)
        read = (("rt", status.reminder_token), ("rtime", status.reminder_time),
                ("streak", status.last and str(status.streak)))
        raw.update({name: value for name, value in read if value})
    return raw


def card(data: dict) -> dict | None:
    return data["response"].get("card")


def assert_permission_card(data: dict) -> None:
    assert card(data) == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}


