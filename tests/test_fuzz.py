"""Generated envelopes never produce a 5xx: whatever arrives gets 200 or a 400 with a reason."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skill.dev.envelopes import Device, envelope

from .conftest import SKILL_ID

REQUEST_TYPES = ["LaunchRequest", "IntentRequest", "SessionEndedRequest",
                 "System.ExceptionEncountered", "Connections.Response",
                 "AlexaSkillEvent.SkillDisabled", "AlexaSkillEvent.SkillEnabled",
                 "CanFulfillIntentRequest", "SessionResumedRequest", "Nope"]
INTENTS = ["TonightQuestionIntent", "AnotherQuestionIntent", "QuestionDepthIntent",
           "ValidationPhraseIntent", "TipIntent", "ChallengeIntent", "FaqIntent", "StreakIntent",
           "DoneIntent", "ForgetUsIntent", "SetReminderIntent", "AMAZON.YesIntent",
           "AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.FallbackIntent", "Made.Up"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=10,
)


@st.composite
def envelopes(draw):
    rtype = draw(st.sampled_from(REQUEST_TYPES))
    request = {"type": rtype}
    if rtype == "IntentRequest":
        name = draw(st.sampled_from(INTENTS))
        slot_name = draw(st.sampled_from(["topic", "challenge", "faqTopic", "depth", "time"]))
        slots = draw(st.one_of(
            st.just({}),
            st.just({slot_name: {"name": slot_name, "value": draw(st.text(max_size=15))}}),
            st.dictionaries(st.text(max_size=8), json_values, max_size=2),
        ))
        request["intent"] = {"name": name, "slots": slots}
    if draw(st.booleans()):
        request[draw(st.sampled_from(["reason", "error", "payload", "body", "timestamp"]))] = \
            draw(json_values)
    body = envelope(Device(skill_id=SKILL_ID), request, 1_800_000_000,
                    None)
    if draw(st.booleans()):
        body["session"] = draw(st.one_of(json_values, st.just({"new": True, "attributes": {
            "offer": draw(json_values)}})))
    if draw(st.booleans()):
        target = draw(st.sampled_from(["context", "version", "request"]))
        if target == "request":
            body["request"][draw(st.text(max_size=8))] = draw(json_values)
        else:
            body[target] = draw(json_values)
    return body


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=envelopes())
def test_random_envelopes_never_5xx(client, body):
    r = client.post("/", data=json.dumps(body))
    assert r.status_code in (200, 400), (r.status_code, r.get_data(as_text=True))
    data = r.get_json()
    if r.status_code == 400:
        assert data["reason"]
    else:
        assert data["version"] == "1.0"
