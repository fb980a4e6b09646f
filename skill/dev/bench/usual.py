"""The usual skill: Our Check-In's evening conversation written the way ask-sdk's samples write a
skill, for ``checkin bench`` to compare with.

What makes it "the usual way", each as ask-sdk's samples and templates do it:

* ``CustomSkillBuilder`` with ask-sdk's ``DefaultSerializer`` (the SDK's default: the request
  body deserialised from its JSON text by type-string reflection, the response serialised the
  same way), one ``AbstractRequestHandler`` per intent tried in order, a catch-all exception
  handler, ``handler_input.response_builder`` for speech, reprompt and card;
* the household's data as ask-sdk persistent attributes, loaded and saved whole as one JSON value
  by a persistence adapter (``usual_store.RedisAdapter``, after ask-sdk's DynamoDB and S3
  adapters): a check-in is a ``GET`` and a ``SET`` (two round trips, and two households' writes
  can overwrite each other), a status read one ``GET``, a tip or a phrase none;
* the device's time zone asked of Alexa's settings API through ask-sdk's service client the first
  time a device is heard, then kept in the attributes (the samples ask on every launch; keeping it
  is the kinder comparison);
* the web endpoint does what ask-sdk's ``WebserviceSkillHandler`` does (deserialise, verify,
  invoke, serialise) and answers with Flask's ``jsonify``, as flask-ask-sdk does.

Verification uses our ``RequestVerifier`` (the benchmark's CA), because the usual skill would need
the same checks and ask-sdk's webservice verifier is a package we do not install: its cost is the
same in both apps, except that the usual skill's body is parsed twice (by the verifier and by
``DefaultSerializer``), as it would be with ask-sdk's verifier too.

The conversation does the equivalent work of the skill's: tonight's question chosen by the streak
(light while fewer than six nights in the last thirty, then medium and deep in turn, each list
asked in order), the streak, longest streak, total and recent nights kept in the attributes, a tip
by topic, a validation phrase, "we're done". The words come from ``speech/en`` (the bench's
households are all English-speaking). No log line per request, as in the samples.
"""

from __future__ import annotations

import json
import os
import random
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import get_device_id, get_slot, is_intent_name, is_request_type
from ask_sdk_model.ui import SimpleCard

from .usual_store import RECENT_DAYS, RedisAdapter

SPEECH = Path(__file__).resolve().parents[3] / "speech" / "en"
NIGHT_STARTS = timedelta(hours=4)  # a check-in before 4 a.m. counts for the evening before
LIGHT_UNTIL = 5  # recent nights up to this many: light questions


def _load() -> dict:
    with open(SPEECH / "questions.toml", "rb") as f:
        questions = tomllib.load(f)
    with open(SPEECH / "validation.toml", "rb") as f:
        validation = tomllib.load(f)
    with open(SPEECH / "tips.toml", "rb") as f:
        tips = tomllib.load(f)
    return {
        "questions": {name: [q for theme, qs in questions[key].items() if theme != "romance"
                             for q in qs]
                      for name, key in (("light", "light"), ("medium", "medium"), ("deep", "deep"))},
        "phrases": validation["phrases"], "reflective": validation["reflective"],
        "tips": {topic: table for topic, table in tips.items() if isinstance(table, dict)},
    }


DATA = _load()


def tonight(handler_input, attrs: dict) -> tuple[date, bool]:
    """The household's evening, in the device's time zone (asked once per device, then kept in
    the attributes); and whether the zone was new (the attributes then need saving)."""
    device_id = get_device_id(handler_input)
    zones = attrs.setdefault("zones", {})
    name = zones.get(device_id)
    asked = name is None
    if asked:
        ups = handler_input.service_client_factory.get_ups_service()
        name = zones[device_id] = ups.get_system_time_zone(device_id)
    return (datetime.now(ZoneInfo(name)) - NIGHT_STARTS).date(), asked


def read_streak(handler_input) -> tuple[dict, int]:
    """The attributes and tonight's streak (saved only when a device's zone was new)."""
    manager = handler_input.attributes_manager
    attrs = manager.persistent_attributes
    today, new_zone = tonight(handler_input, attrs)
    if new_zone:
        manager.save_persistent_attributes()
    return attrs, current_streak(attrs, today)


def check_in(attrs: dict, today: date, another: bool) -> tuple[str, bool]:
    """Count tonight once, keep the streak; returns (tonight's question, counted)."""
    last = attrs.get("last_night")
    counted = last != today.isoformat()
    if counted:
        gap = (today - date.fromisoformat(last)).days if last else None
        attrs["streak"] = attrs.get("streak", 0) + 1 if gap == 1 else 1
        attrs["longest"] = max(attrs.get("longest", 0), attrs["streak"])
        attrs["total"] = attrs.get("total", 0) + 1
        attrs["last_night"] = today.isoformat()
        attrs["recent"] = [d for d in attrs.get("recent", [])
                           if (today - date.fromisoformat(d)).days < RECENT_DAYS]
        attrs["recent"].append(today.isoformat())
    recent = len(attrs.get("recent", []))
    if recent <= LIGHT_UNTIL:
        depth = "light"
    else:
        depth = ("medium", "deep", "medium")[attrs["total"] % 3]
    asked = attrs.setdefault("asked", {"light": 0, "medium": 0, "deep": 0})
    if counted or another:
        asked[depth] += 1
    questions = DATA["questions"][depth]
    return questions[asked[depth] % len(questions)], counted


def current_streak(attrs: dict, today: date) -> int:
    last = attrs.get("last_night")
    if not last or (today - date.fromisoformat(last)).days > 1:
        return 0
    return attrs.get("streak", 0)


class CheckInHandler(AbstractRequestHandler):
    """Launch, tonight's question and another question: count the night, ask the question."""

    def can_handle(self, handler_input):
        return (is_request_type("LaunchRequest")(handler_input)
                or is_intent_name("TonightQuestionIntent")(handler_input)
                or is_intent_name("AnotherQuestionIntent")(handler_input))

    def handle(self, handler_input):
        manager = handler_input.attributes_manager
        attrs = manager.persistent_attributes
        another = is_intent_name("AnotherQuestionIntent")(handler_input)
        question, counted = check_in(attrs, tonight(handler_input, attrs)[0], another)
        manager.save_persistent_attributes()
        manager.session_attributes["question"] = question
        if another:
            lead = "Here's another one."
        elif not counted:
            lead = "You've already checked in tonight. Here's your question again."
        elif attrs["total"] == 1:
            lead = "Welcome to your first check-in. Take turns answering, and listen."
        else:
            lead = (f"Welcome back. That's {attrs['streak']} nights in a row. "
                    f"Here's tonight's question.")
        speech = (f"{lead} <break time=\"800ms\"/> <prosody rate=\"90%\">{question}</prosody> "
                  f"<break time=\"1200ms\"/>")
        return (handler_input.response_builder.speak(speech).ask(question)
                .set_card(SimpleCard("Tonight's question", question)).response)


class DoneHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("DoneIntent")(handler_input)

    def handle(self, handler_input):
        _, streak = read_streak(handler_input)
        speech = (f"Thank you both. That's {streak} nights in a row. Sleep well." if streak
                  else "Thank you both. Sleep well.")
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


class StreakHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("StreakIntent")(handler_input)

    def handle(self, handler_input):
        attrs, streak = read_streak(handler_input)
        speech = (f"You're on a streak of {streak} nights. Your longest is "
                  f"{attrs.get('longest', 0)}, and you've checked in {attrs.get('total', 0)} "
                  f"times in all." if streak else "You don't have a streak going. Tonight can "
                  "start one.")
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


class TipHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("TipIntent")(handler_input)

    def handle(self, handler_input):
        slot = get_slot(handler_input, "topic")
        topic = None
        try:
            topic = slot.resolutions.resolutions_per_authority[0].values[0].value.id
        except (AttributeError, IndexError, TypeError):
            pass
        table = DATA["tips"].get(topic) or random.choice(list(DATA["tips"].values()))
        speech = f"A tip on {table['name']}. {random.choice(table['tips'])}"
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


class ValidationPhraseHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("ValidationPhraseIntent")(handler_input)

    def handle(self, handler_input):
        speech = (f"Try saying: {random.choice(DATA['phrases'])} "
                  f"{random.choice(DATA['reflective'])}")
        return handler_input.response_builder.speak(speech).set_should_end_session(True).response


class HelpHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input):
        speech = "Say tonight's question to start, or ask for a tip. What would you like?"
        return handler_input.response_builder.speak(speech).ask(speech).response


class CancelOrStopHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return (is_intent_name("AMAZON.CancelIntent")(handler_input)
                or is_intent_name("AMAZON.StopIntent")(handler_input))

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Goodnight.").response


class FallbackHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_intent_name("AMAZON.FallbackIntent")(handler_input)

    def handle(self, handler_input):
        speech = "I didn't catch that. You can ask for tonight's question. What would you like?"
        return handler_input.response_builder.speak(speech).ask(speech).response


class SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.response


class IntentReflectorHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input):
        return handler_input.response_builder.speak("Sorry, I can't do that yet.").response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input, exception):
        return True

    def handle(self, handler_input, exception):
        speech = "Sorry, something went wrong. Please try again."
        return handler_input.response_builder.speak(speech).ask(speech).response


HANDLERS = (CheckInHandler, DoneHandler, StreakHandler, TipHandler, ValidationPhraseHandler,
            HelpHandler, CancelOrStopHandler, FallbackHandler, SessionEndedHandler,
            IntentReflectorHandler)  # the reflector last, as in ask-sdk's templates


def build_usual_skill(redis_client, api_client):
    builder = CustomSkillBuilder(persistence_adapter=RedisAdapter(redis_client),
                                 api_client=api_client)
    for handler in HANDLERS:
        builder.add_request_handler(handler())
    builder.add_exception_handler(CatchAllExceptionHandler())
    return builder.create()


def usual_app():
    """``gunicorn 'skill.dev.bench.usual:usual_app()'`` with REDIS_URL, CHECKIN_BENCH_CA_ROOT and
    CHECKIN_BENCH_CHAIN, as the skill's bench app."""
    import redis
    from ask_sdk_model import RequestEnvelope
    from cryptography import x509
    from flask import Flask, Response, jsonify, request

    from skill.alexa_api import TimeoutApiClient
    from skill.errors import EnvelopeError, VerificationError
    from skill.verify import RequestVerifier

    from .apps import SKILL_ID, USUAL_API_HEADER, tag_worker

    class MarkedApiClient(TimeoutApiClient):
        """Tells the Alexa stand-in which app called, so its calls are counted apart."""

        def invoke(self, api_request):
            api_request.headers = [*(api_request.headers or []), (USUAL_API_HEADER, "usual")]
            return super().invoke(api_request)

    roots = x509.load_pem_x509_certificates(Path(os.environ["CHECKIN_BENCH_CA_ROOT"]).read_bytes())
    chain = Path(os.environ["CHECKIN_BENCH_CHAIN"]).read_bytes()
    verifier = RequestVerifier(SKILL_ID, roots=roots, fetcher=lambda url: chain)
    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=0.25)
    skill = build_usual_skill(client, MarkedApiClient(1.0))
    app = Flask("checkin_usual")

    @app.post("/")
    def alexa():
        body = request.get_data(cache=False)
        try:
            verifier.verify(request.headers, body)
        except (VerificationError, EnvelopeError) as e:
            return Response(json.dumps({"error": "bad_request", "reason": str(e)}), status=400,
                            mimetype="application/json")
        envelope = skill.serializer.deserialize(payload=body.decode("utf-8"),
                                                obj_type=RequestEnvelope)
        response = skill.invoke(request_envelope=envelope, context=None)
        return jsonify(skill.serializer.serialize(response))

    @app.get("/healthz")
    def healthz():
        return Response(b'{"status": "ok"}', mimetype="application/json")

    wsgi = tag_worker(app)
    wsgi.usual_skill = skill  # for checkin bench --profile's stage timing
    return wsgi
