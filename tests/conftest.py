"""Fixtures: a real Redis server, the app over real HTTP semantics (Flask's test client speaks
WSGI, the same interface gunicorn uses), a private CA that signs requests like Alexa does."""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis as redis_py

from skill.app import create_app
from skill.config import Config
from skill.dev.envelopes import Device, Session, envelope
from skill.dev.ports import cluster_ports, free_port
from skill.redis_server import RedisServer
from speech import Content

from .alexa_ca import AlexaCA, build_ca
from .logcheck import SuiteLog

SKILL_ID = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
SECRET = "test-secret-for-hmac"


@pytest.fixture(scope="session")
def suite_log():
    """Every record logged in this process during the session, formatted as the service does."""
    handler = SuiteLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture(autouse=True)
def every_log_line_is_json_without_ids(suite_log):
    """After each test: each of its log records made one JSON line with no raw Alexa id or
    token in it (the service's processes are checked by the tests that start them)."""
    before = len(suite_log.problems)
    suite_log.lines.clear()
    yield
    new = suite_log.problems[before:]
    assert not new, "\n".join(new[:5])


@pytest.fixture
def log_lines(suite_log):
    """The log records of this test so far, as the service writes them (JSON, parsed)."""
    return lambda: [json.loads(line) for line in suite_log.lines]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> RedisServer:
    server = RedisServer(tmp_path_factory.mktemp("redis"), port=free_port(), persist=False)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server) -> redis_py.Redis:
    if not redis_server.ping():  # a test that stopped the server leaves it stopped
        redis_server.start()
    client = redis_server.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture(scope="session")
def content() -> Content:
    return Content()


@pytest.fixture(scope="session")
def ca() -> AlexaCA:
    return build_ca()


class CountingFetcher:
    def __init__(self, chains: dict[str, bytes]):
        self.chains = chains
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        if url not in self.chains:
            raise OSError("no such chain")
        return self.chains[url]


def next_evening(ts: float, tz: str = "America/New_York", hour: int = 21) -> float:
    """The first `hour`:30 in `tz` after `ts`: tests run in the evening of the household's zone,
    whatever the hour CI runs at (before 3 p.m. a question is only a preview)."""
    local = datetime.fromtimestamp(ts, ZoneInfo(tz))
    evening = local.replace(hour=hour, minute=30, second=0, microsecond=0)
    return (evening if evening > local else evening + timedelta(days=1)).timestamp()


class Clock:
    def __init__(self, now: float | None = None):
        self.now = next_evening(time.time()) if now is None else now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fetcher(ca) -> CountingFetcher:
    return CountingFetcher(ca.chains())


@pytest.fixture
def make_app(redis, redis_server, content, ca, fetcher, clock, tmp_path):
    from skill.app import close_app

    built = []

    def make(**overrides):
        settings = dict(skill_id=SKILL_ID, verify=False, redis_url=redis_server.url,
                        user_id_secret=SECRET, data_dir=tmp_path / "data",
                        default_timezone="America/New_York",
                        log_level="INFO")  # every request's line, so every one is checked
        settings.update(overrides)
        config = Config(**settings)
        app = create_app(config, roots=[ca.root], chain_fetcher=fetcher, clock=clock,
                         content=content)
        app.testing = True
        _check_every_ssml(app)
        built.append(app)
        return app
    yield make
    for app in built:
        close_app(app)
    for app in built:
        assert not app.extensions["invalid_ssml"], app.extensions["invalid_ssml"][:3]


def _check_every_ssml(app) -> None:
    """Every response of every app a test builds: its SSML parses as XML and is under 8,000
    characters, whether or not the test itself looks (collected, asserted at teardown)."""
    app.extensions["invalid_ssml"] = failures = []

    @app.after_request
    def check(response):
        data = response.get_json(silent=True) if response.mimetype == "application/json" else None
        inner = data.get("response") if isinstance(data, dict) else None
        for holder in (inner or {}).get("outputSpeech"), ((inner or {}).get("reprompt") or {}).get(
                "outputSpeech"):
            if isinstance(holder, dict) and "ssml" in holder:
                try:
                    assert len(holder["ssml"]) < 8000
                    parse_ssml(holder["ssml"])
                except Exception as e:  # recorded, asserted at teardown
                    failures.append(f"{type(e).__name__}: {holder['ssml'][:200]!r}")
        return response


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def verified_app(make_app):
    return make_app(verify=True)


class Alexa:
    """Talks to the app the way Alexa would: envelopes, sessions, optional signatures."""

    def __init__(self, client, clock: Clock, ca: AlexaCA | None = None, device: Device | None = None):
        self.client = client
        self.clock = clock
        self.ca = ca
        self.device = device or Device(skill_id=SKILL_ID)
        self.session: Session | None = None

    def post(self, body: dict | bytes, signer: str | None = None, headers: dict | None = None):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs = {"Content-Type": "application/json"}
        if signer is not None:
            s = self.ca.signers[signer]
            hdrs["SignatureCertChainUrl"] = s.url
            hdrs["Signature-256"] = s.sign(raw)
        hdrs.update(headers or {})
        return self.client.post("/", data=raw, headers=hdrs)

    def send(self, request: dict, *, in_session: bool = False, signer: str | None = None,
             ts: float | None = None) -> dict:
        session = None
        if in_session:
            session = self.session or Session()
        elif request["type"] in ("LaunchRequest", "IntentRequest"):
            session = Session()  # Alexa opens a new session for every one-shot
        body = envelope(self.device, request, self.clock.now if ts is None else ts, session)
        response = self.post(body, signer=signer)
        assert response.status_code == 200, response.get_data(as_text=True)
        data = response.get_json()
        check_response(data)
        if in_session:
            ended = data.get("response", {}).get("shouldEndSession", True)
            if ended:
                self.session = None
            else:
                session.new = False
                session.attributes = data.get("sessionAttributes") or {}
                self.session = session
        return data


@pytest.fixture
def alexa(client, clock, ca, api) -> Alexa:
    return Alexa(client, clock, ca, device=Device(skill_id=SKILL_ID, api_endpoint=api.url))


def speech_of(data: dict) -> str:
    return data["response"].get("outputSpeech", {}).get("ssml", "")


def parse_ssml(ssml: str):
    """SSML as Alexa reads it: XML with the alexa: prefix bound."""
    import xml.etree.ElementTree as ET

    assert ssml.startswith("<speak>") and ssml.endswith("</speak>"), ssml
    return ET.fromstring(ssml.replace("<speak>", '<speak xmlns:alexa="urn:alexa">', 1))


def spoken_text(ssml: str) -> str:
    return " ".join("".join(parse_ssml(ssml).itertext()).split())


WORDS_PER_SECOND = 2.5
FIRST_NIGHT_SECONDS = 25  # the first night's launch: the welcome and how it works
ANSWER_SECONDS = 20  # every other answer


def speech_seconds(ssml: str) -> float:
    """How long Alexa talks: words at 2.5 a second, plus every pause."""
    pauses = sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', ssml)) / 1000
    return len(spoken_text(ssml).split()) / WORDS_PER_SECOND + pauses


@functools.cache
def first_night_markers() -> tuple[str, ...]:
    """What only the first night's launch says, in every spoken locale: the turn-taking rule."""
    content = Content()
    return tuple({" ".join(v.split()).lower() for locale in content.locales()
                  for v in content.for_locale(locale).variants("turn_taking_rule")})


def speech_limit(ssml: str) -> int:
    heard = spoken_text(ssml).lower()
    first_night = any(marker in heard for marker in first_night_markers())
    return FIRST_NIGHT_SECONDS if first_night else ANSWER_SECONDS


def check_response(data: dict) -> None:
    """What every response must be: valid SSML under 8,000 characters, no longer to hear than
    the limits (25 s for the first night's launch, 20 s for anything else); an open session ends
    with a question and has a reprompt."""
    response = data["response"]
    for key in ("outputSpeech", "reprompt"):
        holder = response.get(key)
        if key == "reprompt" and holder:
            holder = holder.get("outputSpeech")
        if holder:
            assert holder["type"] == "SSML"
            assert not re.search(r"(?<!\.)\.\.(?!\.)", holder["ssml"]), "a doubled full stop"
            assert len(holder["ssml"]) < 8000
            parse_ssml(holder["ssml"])
            seconds = speech_seconds(holder["ssml"])
            assert seconds <= speech_limit(holder["ssml"]), \
                f"{seconds:.1f} s to hear: {spoken_text(holder['ssml'])}"
    directives = [d.get("type") for d in response.get("directives", [])]
    if response.get("shouldEndSession") is False:
        assert response.get("reprompt"), "an open session needs a reprompt"
        assert spoken_text(response["outputSpeech"]["ssml"]).endswith("?"), \
            "an open session ends with a question"
        assert spoken_text(response["reprompt"]["outputSpeech"]["ssml"]).endswith("?")
    elif response.get("shouldEndSession") is None and response.get("outputSpeech"):
        assert "Connections.SendRequest" in directives or response.get("reprompt") is None


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    from .redis_cluster import ThreeMasterCluster

    cluster = ThreeMasterCluster(tmp_path_factory.mktemp("cluster"),
                                 cluster_ports(3))
    cluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["single", "cluster"])
def backend(request, redis_server):
    """(url, client) of a flushed Redis: a single server, then a three-master cluster."""
    if request.param == "single":
        if not redis_server.ping():
            redis_server.start()
        client = redis_server.client()
        url = redis_server.url
    else:
        cluster = request.getfixturevalue("redis_cluster")
        client = cluster.client()
        url = cluster.url
    client.flushall()
    yield url, client
    client.close()


@pytest.fixture(scope="session")
def alexa_api():
    from skill.dev.standin import AlexaStandin

    with AlexaStandin() as api:
        yield api


@pytest.fixture
def api(alexa_api):
    """The Alexa API stand-in, reset for each test."""
    from skill.dev.standin import StandinState

    alexa_api.state = StandinState()
    return alexa_api


@pytest.fixture(scope="session", autouse=True)
def simulator_checks():
    """Every reply the simulator hears in a test passes the same checks as the webhook's."""
    from skill.dev.simulator.session import Simulator

    Simulator.response_checks = (check_response,)
    yield
    Simulator.response_checks = ()


@pytest.fixture
def simulator(make_app, clock, api):
    """make(at=..., locale=..., app=..., **kw) -> a Simulator on the test app (or `app`), its
    clock, Redis and the API stand-in; closed after the test."""
    from skill.dev.simulator.session import Simulator, close_store

    made = []

    def make(at: str = "2026-12-01T21:30", app=None, **kw):
        sim = Simulator(app or make_app(), clock=clock, at=at, standin=api, **kw)
        made.append(sim)
        return sim

    yield make
    for sim in made:
        sim.close(stop_standin=False)
        close_store(sim.app)
