"""The offline simulator in conversation: session continuity, envelopes that parse, the clock,
permission answers, and conversations written as scripts of what is said and what must be heard,
run against the real app and a real Redis."""

from __future__ import annotations

import json

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from flask import Flask, jsonify
from flask import request as flask_request

from skill.dev.simulator.errors import SimulatorError
from skill.dev.simulator.session import Simulator, device_id_for, person_id_for

LISTENING, ENDED = "listening", "ended"
TIP_SCOPE = "alexa::alerts:reminders:skill:readwrite"


def run(sim: Simulator, script) -> list:
    """Say each line and check what is heard: (said, [substrings], mic) or ("@", time)."""
    turns = []
    for step in script:
        if step[0] == "@":
            sim.advance(**step[1]) if isinstance(step[1], dict) else sim.set_time(step[1])
            continue
        said, expected, mic = step
        turn = sim.say(said)
        spoken = turn.speech.lower()
        for e in [expected] if isinstance(expected, str) else expected:
            assert e.lower() in spoken, f"after {said!r} expected {e!r} in: {turn.speech}"
        assert turn.listening is (mic == LISTENING), f"{said!r}: mic should be {mic}: {turn}"
        if mic == LISTENING:
            assert turn.reprompt, f"{said!r}: an open session needs a reprompt"
        turns.append(turn)
    return turns


def parses(env: dict) -> RequestEnvelope:
    return DefaultSerializer().deserialize(json.dumps(env), RequestEnvelope)


def test_launch_delivers_a_question_and_steps_back(simulator, content):
    sim = simulator(tz="Europe/London")
    (turn,) = run(sim, [
        ("Alexa, start our check in", ["one of you answers while the other listens", "tell our check in we're done"],
         ENDED),
    ])
    questions = [q.text for bank in content.for_locale("en-US").questions.values() for q in bank]
    assert any(q in turn.speech for q in questions), turn.speech
    assert "(0.8s pause)" in turn.speech  # the question is delivered with a pause
    assert turn.reprompt is None
    assert turn.request["request"]["type"] == "LaunchRequest"
    # the skill learned the zone from the device, as on a real one
    assert turn.api_calls == [f"GET /v2/devices/{device_id_for('living room')}/settings/System.timeZone"]
    assert "[session ended]" in str(turn)


def test_one_shot_tip_on_active_listening(simulator, content):
    sim = simulator()
    (turn,) = run(sim, [("ask our check in for a tip on active listening", "tip on active listening", ENDED)])
    assert any(t in turn.speech for t in content.for_locale("en-US").tips["ACTIVE_LISTENING"].tips)
    assert turn.request["session"]["new"] is True


def test_challenge_offers_a_tip_and_yes_gives_it(simulator, content):
    sim = simulator()
    offer, tip = run(sim, [
        ("tell our check in we keep arguing",
         ["talking past each other", "would you like a tip on active listening?"], LISTENING),
        ("yes", "tip on active listening", ENDED),
    ])
    assert any(t in tip.speech for t in content.for_locale("en-US").tips["ACTIVE_LISTENING"].tips)
    # session continuity: same session, no longer new, attributes carried back
    first, second = offer.request["session"], tip.request["session"]
    assert second["sessionId"] == first["sessionId"]
    assert (first["new"], second["new"]) == (True, False)
    assert second["attributes"] == offer.raw["sessionAttributes"]
    assert second["attributes"]["offer"] == {"kind": "tip", "topic": "ACTIVE_LISTENING",
                                            "safety_said": True}  # the fighting answer said it
    assert sim.session is None  # the skill ended it


def test_challenge_then_no(simulator):
    run(simulator(), [
        ("tell our check in i'm scared to open up", "would you like a tip", LISTENING),
        ("no thanks", "you can ask me for a tip any time", ENDED),
    ])


def test_forget_us_deletes_everything(simulator, redis):
    sim = simulator()
    run(sim, [("start our check in", "one of you answers while the other listens", ENDED)])
    assert list(redis.scan_iter("ck*"))
    run(sim, [
        ("ask our check in to forget us", "should i forget you?", LISTENING),
        ("what", "should i forget you?", LISTENING),  # Repeat keeps the pending question
        ("yes", "deleted everything", ENDED),
    ])
    assert list(redis.scan_iter("ck*")) == []
    run(sim, [("what's our streak", "you haven't started a streak yet", ENDED)])


def test_forget_us_then_no_keeps_the_data(simulator, redis):
    sim = simulator()
    run(sim, [
        ("start our check in", "", ENDED),
        ("ask our check in to delete our data", "should i forget you?", LISTENING),
        ("nope", "kept everything", ENDED),
    ])
    assert list(redis.scan_iter("ck*"))


def test_help_fallback_and_stop(simulator):
    run(simulator(), [
        ("ask our check in for help", "would you like tonight's question?", LISTENING),
        ("play some jazz", "sorry, i didn't catch that", LISTENING),
        ("stop", "", ENDED),
    ])


def test_seven_nights_streak_grows_and_a_rest_night_keeps_it(simulator):
    sim = simulator(at="2026-12-01T21:30", tz="Europe/London")  # Tuesday
    tomorrow = ("@", {"days": 1, "to": "21:30"})
    run(sim, [
        ("start our check in", "one of you answers while the other listens", ENDED),  # Tue: night 1
        tomorrow,
        ("open our check in", "2 nights", ENDED),  # Wed
        ("@", "2026-12-03T22:15"),
        ("alexa, start our check in", ["three nights in a row", "a habit is starting"], ENDED),  # Thu
        ("start our check in", "already", ENDED),  # again the same night: no double count
        tomorrow,  # Friday: no check-in, the streak is waiting
        ("what's our streak", "your streak is 3 nights. check in tonight to keep it going", ENDED),
        tomorrow,  # Saturday
        ("start our check in",
         ["you missed friday, but your rest night kept your streak going", "4 nights"], ENDED),
        ("what's our streak", ["you've checked in tonight, and your streak is 4 nights",
                               "you used your rest night on friday",
                               "you've checked in 4 nights in all"], ENDED),
        ("@", "2026-12-07T01:30"),  # 1:30 a.m. Monday still counts for Sunday evening
        ("start our check in", "5 nights", ENDED),
        ("@", "2026-12-07T21:30"),  # Monday
        ("start our check in", "6 nights", ENDED),
        ("tell our check in we're done", "your streak is 6 nights", ENDED),
        ("what's our streak", ["your streak is 6 nights", "longest streak is 6 nights",
                               "checked in 6 nights in all"], ENDED),
    ])


def test_two_missed_nights_start_afresh(simulator):
    sim = simulator(at="2026-12-01T21:30")
    run(sim, [
        ("start our check in", "", ENDED),
        ("@", {"days": 1, "to": "21:30"}),
        ("start our check in", "2 nights", ENDED),
        ("@", {"days": 3}),
        ("what's our streak", "your last streak has ended", ENDED),
        ("start our check in", "streak", ENDED),  # a fresh one
        ("what's our streak", "your streak is 1 night", ENDED),
    ])


def test_session_continuity_and_envelopes_parse(simulator):
    sim = simulator()
    help_turn, no_turn, tip_turn, repeat_turn = run(sim, [
        ("help", "would you like tonight's question?", LISTENING),
        ("no", "", ENDED),
        ("ask our check in for a validation phrase", "", ENDED),
        ("tell our check in we keep arguing", "would you like a tip", LISTENING),
    ])
    assert help_turn.request["session"]["new"] is True
    assert no_turn.request["session"]["sessionId"] == help_turn.request["session"]["sessionId"]
    assert no_turn.request["session"]["new"] is False
    # a new session after the skill ended one
    assert tip_turn.request["session"]["sessionId"] != help_turn.request["session"]["sessionId"]
    # one-shot phrasing always starts a new session, even with one open
    open_id = repeat_turn.request["session"]["sessionId"]
    one_shot = sim.say("ask our check in for a tip")
    assert one_shot.request["session"]["new"] is True
    assert one_shot.request["session"]["sessionId"] != open_id
    # "exit" ends an open session the way Alexa does
    sim.say("tell our check in we keep arguing")
    ended = sim.say("exit")
    assert ended.request["request"]["type"] == "SessionEndedRequest"
    assert ended.request["request"]["reason"] == "USER_INITIATED"
    assert sim.session is None
    for turn in (help_turn, no_turn, tip_turn, repeat_turn, one_shot, ended):
        env = parses(turn.request)
        assert env.context.system.user.user_id == turn.request["context"]["System"]["user"]["userId"]
        assert env.request.timestamp is not None


def test_requests_parse_with_slots_and_resolutions(simulator):
    sim = simulator()
    turn = sim.say("ask our check in for a tip on body language")
    env = parses(turn.request)
    slot = env.request.intent.slots["topic"]
    assert slot.value == "body language"
    assert slot.resolutions.resolutions_per_authority[0].values[0].value.id == "NONVERBAL_CUES"


def test_advancing_time_closes_an_open_session(simulator):
    sim = simulator()
    sim.say("help")
    timed_out = sim.advance(days=1, to="21:30")
    assert timed_out.request["request"]["reason"] == "EXCEEDED_MAX_REPROMPTS"
    assert sim.session is None
    assert sim.now.strftime("%Y-%m-%d %H:%M") == "2026-12-02 21:30"


def test_request_timestamp_is_the_simulated_instant(simulator):
    sim = simulator(at="2026-12-01T21:30", tz="America/Los_Angeles")
    turn = sim.say("start our check in")
    assert turn.request["request"]["timestamp"] == "2026-12-02T05:30:00Z"


def test_screen_and_recognised_speaker(simulator):
    sim = simulator(screen=True, speaker="Sam")
    turn = sim.say("start our check in")
    assert turn.request["context"]["System"]["person"]["personId"] == person_id_for("Sam")
    assert turn.speech.startswith("Hi Sam.")
    assert len(turn.directives) == 1 and turn.directives[0].startswith("[screen] Tonight's question | ")


def test_a_failing_skill_is_an_error(simulator, make_app):
    sim = simulator(app=make_app(verify=True))  # unsigned requests are refused with 400
    with pytest.raises(SimulatorError, match="HTTP 400"):
        sim.say("start our check in")


def test_permission_request_is_answered_by_the_simulated_user(simulator):
    """A skill that asks for reminder permission by voice: Alexa asks, "yes" answers it."""
    fake = Flask("permission-skill")
    seen: list[dict] = []

    @fake.post("/")
    def skill():
        body = flask_request.get_json(force=True)
        seen.append(body)
        if body["request"]["type"] == "Connections.Response":
            return jsonify(version="1.0", response={"shouldEndSession": True, "outputSpeech": {
                "type": "SSML", "ssml": f"<speak>{body['request']['payload']['status']}</speak>"}})
        return jsonify(version="1.0", response={"directives": [{
            "type": "Connections.SendRequest", "name": "AskFor", "token": "t1",
            "payload": {"@type": "AskForPermissionsConsentRequest", "@version": "1",
                        "permissionScope": TIP_SCOPE}}]})

    sim = simulator(app=fake)
    asked = sim.say("remind us every night at nine pm")
    assert f"[directive] Connections.SendRequest AskFor {TIP_SCOPE}" in asked.directives
    answer = sim.say("yes")
    assert answer.speech == "ACCEPTED"
    assert seen[-1]["request"]["payload"] == {"permissionScope": TIP_SCOPE, "status": "ACCEPTED"}
    assert seen[-1]["request"]["token"] == "t1"
    parses(answer.request)
    sim.say("what's our streak")
    assert seen[-1]["context"]["System"]["user"]["permissions"]["consentToken"]
