"""The apps gunicorn loads for the benchmark (the usual skill's is in ``usual``), and the names
they share with the run.

Each factory runs in a gunicorn worker; the benchmark process and the load generator import this
module only for its constants, so Flask, ``cryptography`` and the skill are imported inside the
factories.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

SKILL_ID = "amzn1.ask.skill.bench0000-0000-4000-8000-000000000000"
USER_ID_SECRET = "checkin-bench-secret-not-for-production"
FLOOR_USER_ID_SECRET = "checkin-bench-floor-secret"  # the floor's households: keys of their own
APPS = ("skill", "usual", "baseline", "floor")
# `--gthread` (issue 16): the skill once more, under the worker settings it had before gevent
# workers, to compare the two in one run
GTHREAD = "gthread"
GTHREAD_SETTINGS = {"worker_class": "gthread", "threads": 4}
VERIFYING = ("skill", "usual", "floor", GTHREAD)  # the apps that check signatures and timestamps


def saturation_order(rounds: int = 2) -> tuple[tuple[str, ...], ...]:
    """Saturation runs each app ``rounds`` times, in the order of APPS and then reversed, and so
    on, so that a machine growing slower or faster during the run weighs on every app alike."""
    return tuple(APPS if i % 2 == 0 else tuple(reversed(APPS)) for i in range(rounds))
# gunicorn's app argument for each app
FACTORIES = {"skill": "skill.dev.bench.apps:bench_app()",
             "baseline": "skill.dev.bench.apps:baseline_app()",
             "floor": "skill.dev.bench.apps:floor_app()",
             "usual": "skill.dev.bench.usual:usual_app()"}
WORKER_HEADER = "x-bench-worker"  # as the load generator reads it (lower case)
FACTORIES[GTHREAD] = FACTORIES["skill"]


def apps_of(gthread: bool) -> tuple[str, ...]:
    """The apps of a run, in the order saturation runs them (then reversed)."""
    return APPS + ((GTHREAD,) if gthread else ())


USUAL_API_HEADER = "X-Bench-App"  # on the usual skill's Alexa API calls, to count them apart


def tag_worker(wsgi):
    """Add the worker's pid to every response, so the benchmark can pin connections to workers."""

    def app(environ, start_response):
        def tagged(status, headers, exc_info=None):
            headers.append(("X-Bench-Worker", str(os.getpid())))
            return start_response(status, headers, exc_info)

        return wsgi(environ, tagged)

    return app


def bench_app():
    """The skill as ``skill.wsgi`` builds it, but trusting the benchmark's CA.

    ``gunicorn 'skill.dev.bench.apps:bench_app()'`` with CHECKIN_BENCH_CA_ROOT (root PEM),
    CHECKIN_BENCH_CHAIN (the chain PEM served for any certificate URL) and CHECKIN_BENCH_FETCH_LOG
    (a file that gets one line per chain fetch: "<pid> <url>").
    """
    from cryptography import x509

    from skill.app import create_app
    from skill.logline import configure

    try:
        root_path = os.environ["CHECKIN_BENCH_CA_ROOT"]
        chain_path = os.environ["CHECKIN_BENCH_CHAIN"]
        fetch_log = os.environ["CHECKIN_BENCH_FETCH_LOG"]
    except KeyError as e:
        raise RuntimeError(f"bench_app needs {e.args[0]} (it is started by `checkin bench`)") from None
    roots = x509.load_pem_x509_certificates(Path(root_path).read_bytes())

    def fetch_chain(url: str) -> bytes:
        with open(fetch_log, "a") as f:  # one short append per fetch: atomic between workers
            f.write(f"{os.getpid()} {url}\n")
        return Path(chain_path).read_bytes()

    configure()  # exactly what skill/wsgi.py does, so logging costs what it costs in production
    return tag_worker(create_app(roots=roots, chain_fetcher=fetch_chain))


BASELINE_RESPONSE = json.dumps({
    "version": "1.0",
    "response": {
        "outputSpeech": {"type": "SSML", "ssml": "<speak>Tonight's question: what made you "
                                                 "smile today?</speak>"},
        "shouldEndSession": True,
    },
}).encode()


def baseline_app():
    """A bare Flask endpoint: parse the JSON body, return a fixed Alexa response."""
    from flask import Flask, Response, request

    app = Flask("checkin_baseline")

    @app.post("/")
    def alexa():
        body = json.loads(request.get_data(cache=False))
        if not isinstance(body, dict):
            return Response(b'{"error": "bad_request"}', status=400, mimetype="application/json")
        return Response(BASELINE_RESPONSE, mimetype="application/json")

    @app.get("/healthz")
    def healthz():
        return Response(b'{"status": "ok"}', mimetype="application/json")

    return tag_worker(app)


FLOOR_CHECKINS = ("LaunchRequest", "TonightQuestionIntent", "AnotherQuestionIntent")
FLOOR_READS = ("StreakIntent", "DoneIntent")


def floor_app():
    """The least any implementation of the skill must do per request, and nothing more.

    The same verification as the skill (``RequestVerifier``, the benchmark's CA), the household's
    HMAC, and the skill's own Redis call where the skill makes one (a check-in or a status read,
    in one round trip); then the bare app's fixed response: no ask-sdk, no speech, no session, no
    log line. Its households are keyed with their own secret (seeded with the same history), so
    it never changes what the skill finds. Its throughput is the ceiling of the skill/baseline
    ratio on this stack and machine.
    """
    from cryptography import x509
    from flask import Flask, Response, request

    from skill.nights import night_of, zone
    from skill.storage import Store, connect, household_id
    from skill.verify import RequestVerifier

    roots = x509.load_pem_x509_certificates(Path(os.environ["CHECKIN_BENCH_CA_ROOT"]).read_bytes())
    chain = Path(os.environ["CHECKIN_BENCH_CHAIN"]).read_bytes()
    verifier = RequestVerifier(SKILL_ID, roots=roots, fetcher=lambda url: chain)
    store = Store(connect(os.environ["REDIS_URL"], 0.25))
    secret, tz = FLOOR_USER_ID_SECRET.encode(), zone("America/New_York")
    app = Flask("checkin_floor")

    @app.post("/")
    def alexa():
        envelope = verifier.verify(request.headers, request.get_data(cache=False))
        req = envelope["request"]
        name = req["intent"]["name"] if req["type"] == "IntentRequest" else req["type"]
        household = household_id(secret, envelope["context"]["System"]["user"]["userId"])
        night = night_of(time.time(), tz)
        if name in FLOOR_CHECKINS:
            store.record_checkin(household, night, bank_sizes=(150, 150, 150))
        elif name in FLOOR_READS:
            store.status(household, tonight=night, history_nights=40)
        return Response(BASELINE_RESPONSE, mimetype="application/json")

    @app.get("/healthz")
    def healthz():
        return Response(b'{"status": "ok"}', mimetype="application/json")

    return tag_worker(app)
