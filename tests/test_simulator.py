"""The offline simulator: utterance resolution, session continuity, and conversations written as
scripts of what is said and what must be heard, run against the real app and a real Redis."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from flask import Flask, jsonify
from flask import request as flask_request

from skill import cli
from skill.dev.standin import AlexaStandin
from skill.dev.simulator.errors import SimulatorError
from skill.dev.simulator.resolver import UtteranceResolver, clean, load_model
from skill.dev.simulator.session import Simulator, close_store, device_id_for, person_id_for
from skill.dev.simulator.spoken_time import parse_time

from skill.dev.ports import free_port

from .conftest import SECRET

ROOT = Path(__file__).resolve().parents[1]
LISTENING, ENDED = "listening", "ended"
TIP_SCOPE = "alexa::alerts:reminders:skill:readwrite"


# -- utterance resolution --------------------------------------------------------------------


@pytest.fixture(scope="module")
def resolver() -> UtteranceResolver:
    return UtteranceResolver(load_model("en-US"))


def slot_summary(res) -> dict:
    """{slot: (heard, status, id)} for the slots that carry a value."""
    out = {}
    for name, s in res.slots.items():
        if "value" not in s:
            continue
        auth = (s.get("resolutions") or {}).get("resolutionsPerAuthority") or [{}]
        code = auth[0].get("status", {}).get("code")
        ident = auth[0]["values"][0]["value"]["id"] if code == "ER_SUCCESS_MATCH" else None
        out[name] = (s["value"], code, ident)
    return out


@pytest.mark.parametrize("said", [
    "start our check in", "open our check in", "Launch our check-in", "Alexa, start our check in!",
    "um, open our checkin", "ask our check in",
])
def test_launch_phrasing(resolver, said):
    assert resolver.resolve(said).kind == "launch"


@pytest.mark.parametrize("said, intent, slots", [
    ("ask our check in for a tip on active listening", "TipIntent",
     {"topic": ("active listening", "ER_SUCCESS_MATCH", "ACTIVE_LISTENING")}),
    ("ask our check in to forget us", "ForgetUsIntent", {}),
    ("tell our check in we're done", "DoneIntent", {}),
    ("tell our check in that we keep arguing", "ChallengeIntent",
     {"challenge": ("we keep arguing", "ER_SUCCESS_MATCH", "POOR_COMMUNICATION")}),
    ("ask our check in what's our streak", "StreakIntent", {}),
    ("ask our check in for something lighter", "QuestionDepthIntent",
     {"depth": ("lighter", "ER_SUCCESS_MATCH", "LIGHT")}),
    ("ask our check in about friendships", "FaqIntent",
     {"faqTopic": ("friendships", "ER_SUCCESS_MATCH", "FRIENDSHIPS")}),
    ("start our check in tonight", "TonightQuestionIntent", {}),  # a sample in its own right
])
def test_one_shot_phrasing(resolver, said, intent, slots):
    res = resolver.resolve(said)
    assert (res.kind, res.intent, res.one_shot) == ("intent", intent, True)
    assert slot_summary(res) == slots


@pytest.mark.parametrize("said, intent, slots", [
    # synonyms resolve to the canonical id, and the heard words are kept
    ("how to listen better", "TipIntent",
     {"topic": ("listen better", "ER_SUCCESS_MATCH", "ACTIVE_LISTENING")}),
    ("tips for body language", "TipIntent",
     {"topic": ("body language", "ER_SUCCESS_MATCH", "NONVERBAL_CUES")}),
    ("i feel like we never have time", "ChallengeIntent",
     {"challenge": ("we never have time", "ER_SUCCESS_MATCH", "LACK_OF_TIME")}),
    ("Im scared to open up", "ChallengeIntent",
     {"challenge": ("im scared to open up", "ER_SUCCESS_MATCH", "FEAR_OF_VULNERABILITY")}),
    ("i'd like a deeper question", "QuestionDepthIntent",
     {"depth": ("deeper", "ER_SUCCESS_MATCH", "DEEP")}),
    ("can you tell me what are healthy signs", "FaqIntent",
     {"faqTopic": ("what are healthy signs", "ER_SUCCESS_MATCH", "HEALTHY_SIGNS")}),
    # a value the model does not know: the intent, with ER_SUCCESS_NO_MATCH and the raw words
    ("a tip about juggling", "TipIntent", {"topic": ("juggling", "ER_SUCCESS_NO_MATCH", None)}),
    ("we have a problem with the neighbours", "ChallengeIntent",
     {"challenge": ("the neighbours", "ER_SUCCESS_NO_MATCH", None)}),
    # the most specific sample wins: an exact sample without slots over any slot sample
    ("give us a tip", "TipIntent", {}),
    ("what's tonight's question", "TonightQuestionIntent", {}),
    ("whats tonights question", "TonightQuestionIntent", {}),
    # AMAZON.TIME slots
    ("remind us every night at half past eight", "SetReminderIntent", {"time": ("08:30", None, None)}),
    ("set a reminder for nine pm", "SetReminderIntent", {"time": ("21:00", None, None)}),
    ("move our reminder to 21:30", "ChangeReminderIntent", {"time": ("21:30", None, None)}),
])
def test_samples_slots_and_entity_resolution(resolver, said, intent, slots):
    res = resolver.resolve(said)
    assert (res.intent, res.one_shot) == (intent, False)
    assert slot_summary(res) == slots


def test_declared_slots_are_sent_even_when_empty(resolver):
    res = resolver.resolve("give us a tip")
    assert res.slots == {"topic": {"name": "topic", "confirmationStatus": "NONE"}}


@pytest.mark.parametrize("said, intent", [
    ("help", "AMAZON.HelpIntent"), ("what can I do?", "AMAZON.HelpIntent"),
    ("stop", "AMAZON.StopIntent"), ("quit", "AMAZON.StopIntent"),
    ("cancel", "AMAZON.CancelIntent"), ("never mind", "AMAZON.CancelIntent"),
    ("yes", "AMAZON.YesIntent"), ("Yeah!", "AMAZON.YesIntent"), ("sure", "AMAZON.YesIntent"),
    ("yes please", "AMAZON.YesIntent"), ("okay", "AMAZON.YesIntent"),
    ("no", "AMAZON.NoIntent"), ("nope", "AMAZON.NoIntent"), ("no thanks", "AMAZON.NoIntent"),
    ("repeat", "AMAZON.RepeatIntent"), ("say that again", "AMAZON.RepeatIntent"),
    ("what?", "AMAZON.RepeatIntent"),
    ("start over", "AMAZON.StartOverIntent"), ("restart", "AMAZON.StartOverIntent"),
    ("go home", "AMAZON.NavigateHomeIntent"),
    # the model's own samples beat built-in phrasing that starts the same way
    ("cancel our reminder", "CancelReminderIntent"), ("stop reminding us", "CancelReminderIntent"),
])
def test_builtin_phrasings(resolver, said, intent):
    assert resolver.resolve(said).intent == intent


@pytest.mark.parametrize("said", [
    "banana bread", "what's the weather in paris", "remind us at banana", "play some jazz",
    "get a tip from our check in on juggling pancakes",
])
def test_nothing_matches_is_fallback(resolver, said):
    res = resolver.resolve(said)
    assert (res.kind, res.intent) == ("intent", "AMAZON.FallbackIntent")


@pytest.mark.parametrize("said, intent, value", [
    ("Um, what's our streak?", "StreakIntent", None),
    ("so, like, give us something deeper please", "QuestionDepthIntent", "DEEP"),
    ("okay alexa, forget us please", "ForgetUsIntent", None),
    ("A TIP ON, uh, ACTIVE LISTENING.", "TipIntent", "ACTIVE_LISTENING"),
    ("hey so i think we keep arguing", "ChallengeIntent", "POOR_COMMUNICATION"),
])
def test_filler_words_case_and_punctuation(resolver, said, intent, value):
    res = resolver.resolve(said)
    assert res.intent == intent
    ids = [v[2] for v in slot_summary(res).values()]
    assert ids == ([value] if value else [])


def test_exit_ends_the_session(resolver):
    assert resolver.resolve("exit").kind == "end"


@pytest.mark.parametrize("said, value", [
    ("nine", "09:00"), ("nine pm", "21:00"), ("nine p.m.", "21:00"), ("9pm", "21:00"),
    ("nine at night", "21:00"), ("half past eight", "08:30"), ("quarter to ten", "09:45"),
    ("a quarter past nine", "09:15"), ("eight thirty", "08:30"), ("eight forty five", "08:45"),
    ("eight oh five", "08:05"), ("seven thirty in the evening", "19:30"), ("ten o'clock", "10:00"),
    ("8:30", "08:30"), ("21:30", "21:30"), ("twenty one thirty", "21:30"), ("noon", "12:00"),
    ("midnight", "00:00"), ("twelve am", "00:00"), ("evening", "EV"),
    ("banana", None), ("25:00", None), ("nine seventy", None),
])
def test_time_parsing(said, value):
    assert parse_time(clean(said)) == value


def test_unknown_locale_is_a_clear_error():
    with pytest.raises(SimulatorError, match="no interaction model for locale 'fr-FR'.*en-US"):
        load_model("fr-FR")


# -- conversations ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standin():
    with AlexaStandin() as api:
        yield api


@pytest.fixture
def simulator(make_app, clock, standin):
    """Simulators on the test app and Redis, sharing the app's clock and one API stand-in."""
    made: list[Simulator] = []

    def make(at: str = "2026-12-01T21:30", app=None, **kw) -> Simulator:
        sim = Simulator(app or make_app(), clock=clock, at=at, standin=standin, **kw)
        made.append(sim)
        return sim

    yield make
    for sim in made:
        sim.close()
        close_store(sim.app)  # not left to the garbage collector (a ResourceWarning)


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
        ("Alexa, start our check in", ["one of you answers first", "tell our check in we're done"],
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
         ["poor communication", "would you like a tip on active listening?"], LISTENING),
        ("yes", "tip on active listening", ENDED),
    ])
    assert any(t in tip.speech for t in content.for_locale("en-US").tips["ACTIVE_LISTENING"].tips)
    # session continuity: same session, no longer new, attributes carried back
    first, second = offer.request["session"], tip.request["session"]
    assert second["sessionId"] == first["sessionId"]
    assert (first["new"], second["new"]) == (True, False)
    assert second["attributes"] == offer.raw["sessionAttributes"]
    assert second["attributes"]["offer"] == {"kind": "tip", "topic": "ACTIVE_LISTENING",
                                            "safety_said": False}
    assert sim.session is None  # the skill ended it


def test_challenge_then_no(simulator):
    run(simulator(), [
        ("tell our check in i'm scared to open up", "would you like a tip", LISTENING),
        ("no thanks", "you can ask me for a tip any time", ENDED),
    ])


def test_forget_us_deletes_everything(simulator, redis):
    sim = simulator()
    run(sim, [("start our check in", "one of you answers first", ENDED)])
    assert list(redis.scan_iter("ck:*"))
    run(sim, [
        ("ask our check in to forget us", "should i forget you?", LISTENING),
        ("what", "should i forget you?", LISTENING),  # Repeat keeps the pending question
        ("yes", "deleted everything", ENDED),
    ])
    assert list(redis.scan_iter("ck:*")) == []
    run(sim, [("what's our streak", "you haven't started a streak yet", ENDED)])


def test_forget_us_then_no_keeps_the_data(simulator, redis):
    sim = simulator()
    run(sim, [
        ("start our check in", "", ENDED),
        ("ask our check in to delete our data", "should i forget you?", LISTENING),
        ("nope", "kept everything", ENDED),
    ])
    assert list(redis.scan_iter("ck:*"))


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
        ("start our check in", "one of you answers first", ENDED),  # Tue: night 1
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


# -- the commands ----------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch, redis, redis_server, tmp_path):
    """`checkin say` / `chat` in-process, on the test Redis."""
    monkeypatch.setenv("REDIS_URL", redis_server.url)
    monkeypatch.setenv("CHECKIN_USER_ID_SECRET", SECRET)
    monkeypatch.setenv("CHECKIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ALEXA_SKILL_ID", raising=False)
    return redis


def checkin(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_say_over_url_matches_in_process(cli_env, redis_server, tmp_path, capsys):
    port = free_port()
    env = dict(os.environ, REDIS_URL=redis_server.url, CHECKIN_USER_ID_SECRET=SECRET,
               CHECKIN_DATA_DIR=str(tmp_path / "serve"))
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "skill.cli", "serve", "--no-verify", "--port", str(port),
             "--workers", "1"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(url + "readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None, f"checkin serve exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"checkin serve is not ready:\n{log.read_text()}"
            time.sleep(0.1)
        common = ("--at", "2026-12-01T21:30", "--tz", "Europe/London", "--user", "robin")
        over_http = [checkin(capsys, "say", said, "--url", url, *common)
                     for said in ("start our check in", "what's our streak")]
        assert [code for code, _, _ in over_http] == [0, 0], (over_http, log.read_text())
    finally:
        server.terminate()
        server.wait(timeout=10)
    cli_env.flushall()
    in_process = [checkin(capsys, "say", said, *common)
                  for said in ("start our check in", "what's our streak")]
    assert [code for code, _, _ in in_process] == [0, 0], in_process

    def spoken(out: str) -> list[str]:  # the server caches the zone between turns; we do not
        return [line for line in out.splitlines() if not line.startswith("[api]")]

    for (_, out_http, _), (_, out_local, _) in zip(over_http, in_process):
        assert spoken(out_http) == spoken(out_local)
    assert over_http[0][1] == in_process[0][1]  # the first turn, API calls included
    assert "welcome" in over_http[0][1].lower()
    assert "your streak is 1 night" in over_http[1][1].lower()
    # the first turn's time zone lookup reached the local stand-in from the server, too
    assert "[api] GET /v2/devices/" in over_http[0][1]


def test_say_errors_exit_non_zero(cli_env, capsys):
    code, _, err = checkin(capsys, "say", "start our check in", "--url",
                           f"http://127.0.0.1:{free_port()}/")
    assert code == 2 and "cannot reach" in err
    for bad, message in ((("--tz", "Mars/Base"), "unknown time zone 'Mars/Base'"),
                         (("--locale", "fr-FR"), "no interaction model for locale 'fr-FR'"),
                         (("--at", "tomorrow"), "not a local date and time")):
        with pytest.raises(SystemExit) as exited:
            cli.main(["say", "hello", *bad])
        assert exited.value.code == 2
        assert message in capsys.readouterr().err


def test_say_keeps_the_session_in_a_state_file(cli_env, capsys, tmp_path):
    state = str(tmp_path / "state.json")
    args = ("--at", "2026-12-01T21:30", "--state", state)
    code, out, _ = checkin(capsys, "say", "ask our check in to forget us", *args)
    assert code == 0 and "[listening]" in out
    code, out, _ = checkin(capsys, "say", "no", *args)
    assert "kept everything as it is" in out.lower()
    assert json.loads(Path(state).read_text())["session"] is None


def test_chat_holds_a_conversation_and_exit_ends_it(cli_env, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "ask our check in for help\n:tomorrow 21:30\nstart our check in\nhelp\nexit\n"))
    code, out, _ = checkin(capsys, "chat", "--at", "2026-12-01T21:30", "--user", "chat")
    assert code == 0
    assert "alexa> Our Check-In gives you one question a night" in out
    assert "[heard] SessionEndedRequest (EXCEEDED_MAX_REPROMPTS)" in out  # :tomorrow
    assert "[clock] Wednesday 2 December 2026, 21:30 in America/New_York" in out
    assert "One of you answers first" in out
    assert out.rstrip().endswith("[session ended]")
    assert "[heard] SessionEndedRequest (USER_INITIATED)" in out


def test_challenges_in_everyday_words_resolve():
    resolver = UtteranceResolver(load_model("en-US"))
    for said, expected in [("we keep fighting", "POOR_COMMUNICATION"),
                           ("i'm scared to open up", "FEAR_OF_VULNERABILITY"),
                           ("we never have time", "LACK_OF_TIME"),
                           ("i feel let down", "UNREALISTIC_EXPECTATIONS"),
                           ("i find it hard to trust", "PAST_HURTS")]:
        result = resolver.resolve(f"tell our check in {said}")
        assert result.intent == "ChallengeIntent", said
        slot = result.slots["challenge"]
        authority = slot["resolutions"]["resolutionsPerAuthority"][0]
        assert authority["values"][0]["value"]["id"] == expected, said


def test_short_answers_to_open_prompts_resolve():
    resolver = UtteranceResolver(load_model("en-US"))
    lighter = resolver.resolve_intent("lighter")
    assert lighter.intent == "QuestionDepthIntent"
    at_nine = resolver.resolve_intent("at nine pm")
    assert at_nine.intent == "SetReminderIntent" and at_nine.slots["time"]["value"] == "21:00"
