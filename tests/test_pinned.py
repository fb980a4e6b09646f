"""What must never change unnoticed (issue 16): a slot value with markup or "&" is spoken as
text, and a household's keys live exactly 400 days after its last check-in, as the README
promises. Each of these fails when the SSML builder's escaping or the retention period changes."""

from __future__ import annotations

import json

from skill.dev.envelopes import Device, envelope, intent, launch, slot

from speech import Speech

from .conftest import SKILL_ID, spoken_text, speech_of

RETENTION_SECONDS = 400 * 86400  # README: "Records expire 400 days after ... last check-in"


MARKUP = 'rock & roll <break time="10s"/></speak><audio src="x"/> &amp;'


def test_markup_and_ampersands_in_a_slot_value_never_become_markup(client, clock):
    body = envelope(Device(skill_id=SKILL_ID),
                    intent("TipIntent", {"topic": slot("topic", MARKUP, None, None,
                                                       "TipTopicType")}), clock.now)
    r = client.post("/", data=json.dumps(body))
    assert r.status_code == 200
    ssml = speech_of(r.get_json())
    assert "<audio" not in ssml and '<break time="10s"' not in ssml
    spoken_text(ssml)  # valid XML


def test_the_builder_speaks_markup_and_ampersands_as_text():
    """No handler echoes a slot value today (the unknown tip topic used to be); the builder is
    what keeps any value that one day is from becoming markup."""
    ssml = Speech().say(MARKUP).slowly(MARKUP).ssml()
    assert spoken_text(ssml) == f"{MARKUP} {MARKUP}"
    assert "<audio" not in ssml and ssml.count("<break") == 2  # the builder's own two pauses


def test_a_household_lives_exactly_the_retention_period(alexa, redis, clock):
    alexa.send(launch())
    alexa.send(intent("DoneIntent"))
    (key,) = redis.scan_iter("ck*")
    assert RETENTION_SECONDS - 5 <= redis.ttl(key) <= RETENTION_SECONDS, key


def test_settings_never_extend_the_retention(alexa, redis):
    alexa.send(launch())
    (hash_key,) = redis.scan_iter("ck*")
    redis.expire(hash_key, 1000)
    zones_before = [f for f in redis.hkeys(hash_key) if f.startswith(b"z")]  # zone fields
    alexa.device.device_id = "amzn1.ask.device.ANOTHER"  # a new device's zone is written
    alexa.send(intent("StreakIntent"))
    assert len([f for f in redis.hkeys(hash_key) if f.startswith(b"z")]) > len(zones_before)
    assert 990 <= redis.ttl(hash_key) <= 1000
