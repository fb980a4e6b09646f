"""``checkin bench --profile``: the skill's and the usual skill's request handling in-process
(verification on, warm caches, no HTTP server): CPU per request unprofiled, then cProfile with a
breakdown of where a request's time goes."""

from __future__ import annotations

import cProfile
import io
import logging
import os
import pstats
import random
import shutil
import tempfile
import time
from pathlib import Path

from cryptography import x509
from werkzeug.test import EnvironBuilder

from skill.app import close_app, create_app
from skill.config import Config
from skill.redis_server import RedisServer
from skill.storage import Store

from ..ca import BodySigner, build_ca
from ..ports import free_port
from ..standin import AlexaStandin
from . import BenchError
from .apps import SKILL_ID, USER_ID_SECRET
from .traffic import MIX, Household, device_zones, make_households, request_body, seed_history
from .stages import stage_table
from .usual_store import seed_usual


def profile(requests: int = 2000, households: int = 200, top: int = 15, seed: int = 6,
            sort: str = "cumulative") -> str:
    """The skill's and the usual skill's request handling (verification on, warm caches), no
    HTTP server: each app's CPU per request unprofiled, then under cProfile with a breakdown."""
    hhs = make_households(households, seed)
    ca = build_ca()
    signer = BodySigner(ca.key_pem)
    tmp = Path(tempfile.mkdtemp(prefix="checkin-profile-"))
    paths = ca.write(tmp / "ca")
    logging.basicConfig(level=logging.INFO, stream=open(os.devnull, "w"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    redis_server = RedisServer(tmp / "redis", port=free_port(), persist=False).start()
    standin = AlexaStandin().start()
    app = None
    saved_env = {k: os.environ.get(k) for k in USUAL_ENV}  # usual_app() reads its settings there
    try:
        standin.state.default_zone = None
        standin.state.time_zones.update(device_zones(hhs))
        with redis_server.client() as control:
            seed_history(Store(control), USER_ID_SECRET.encode(), hhs, time.time(), seed)
            seed_usual(control, hhs, time.time(), seed)
        config = Config(skill_id=SKILL_ID, verify=True, redis_url=redis_server.url,
                        user_id_secret=USER_ID_SECRET, data_dir=tmp / "data")
        app = create_app(config, roots=x509.load_pem_x509_certificates(ca.root_pem),
                         chain_fetcher=lambda url: ca.chain_pem)
        os.environ.update(REDIS_URL=redis_server.url, CHECKIN_BENCH_CA_ROOT=str(paths["root"]),
                          CHECKIN_BENCH_CHAIN=str(paths["chain"]))
        from .usual import usual_app

        apps = {"skill": app.wsgi_app, "usual": usual_app()}
        rng = random.Random(seed)
        now = time.time()

        def signed(kind: str, hh: Household, device: int) -> tuple[bytes, dict]:
            body = request_body(kind, hh, device, standin.url, now, rng)
            return body, {"Content-Type": "application/json", **signer.headers(body)}

        for wsgi in apps.values():  # warm: every device's zone cached, the chain fetched
            for hh in hhs:
                for i in range(len(hh.devices)):
                    _call(wsgi, _environ(signed("streak", hh, i)))
        kinds, weights = [k for k, _ in MIX], [w for _, w in MIX]
        requests_ = [signed(rng.choices(kinds, weights)[0], rng.choice(hhs), rng.randrange(2))
                     for _ in range(requests)]
        out = [_unprofiled(apps, [_environ(r) for r in requests_]),
               stage_table(app, apps["usual"].usual_skill, requests_,
                           [_environ(r) for r in requests_], _call, now)]
        for name, wsgi in apps.items():
            out.append(f"== {name} ==\n")
            out.append(_profiled(wsgi, [_environ(r) for r in requests_], top, sort,
                                 PROFILE_PARTS[name]))
        return "".join(out)
    finally:
        _restore_env(saved_env)
        if app is not None:
            close_app(app)
        standin.stop()
        redis_server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


USUAL_ENV = ("REDIS_URL", "CHECKIN_BENCH_CA_ROOT", "CHECKIN_BENCH_CHAIN")


def _environ(request: tuple[bytes, dict]) -> dict:
    body, headers = request
    return EnvironBuilder(method="POST", path="/", data=body, headers=headers).get_environ()


def _restore_env(saved: dict) -> None:
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _unprofiled(apps: dict, envs: list[dict]) -> str:
    """Each app's CPU time per request (this process: the app and its Redis client, not Redis),
    the same requests twice, in alternating order; the lower of the two runs counts."""
    cpu: dict[str, list[float]] = {name: [] for name in apps}
    for order in (list(apps), list(reversed(apps))):
        for name in order:
            envs_copy = [dict(e, **{"wsgi.input": _rewind(e)}) for e in envs]
            started = time.process_time()
            for env in envs_copy:
                _call(apps[name], env)
            cpu[name].append((time.process_time() - started) / len(envs) * 1000)
    best = {name: min(v) for name, v in cpu.items()}
    lines = ["CPU per request in-process, no HTTP server, not profiled (lower of two runs): "
             + ", ".join(f"{name} {v:.3f} ms" for name, v in best.items())
             + f"; the usual skill spends {best['usual'] / best['skill']:.2f} x the skill's\n\n"]
    return "".join(lines)


def _rewind(env: dict):
    """A fresh body stream for an environ built by EnvironBuilder (the app reads it once)."""
    import io as _io

    stream = env["wsgi.input"]
    stream.seek(0)
    return _io.BytesIO(stream.read())


def _start_response(status, headers, exc_info=None):
    if not status.startswith("200"):
        raise BenchError(f"profile request got {status}")


def _call(wsgi, env: dict) -> None:
    for _ in wsgi(env, _start_response):
        pass


def _profiled(wsgi, envs: list[dict], top: int, sort: str, parts) -> str:
    """The requests ``envs`` handled by ``wsgi`` under cProfile: the time, the breakdown of a
    request by ``parts`` and the ``top`` functions by ``sort``."""
    requests = len(envs)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for env in envs:
        _call(wsgi, env)
    profiler.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    out.write(f"{requests} requests in {elapsed:.2f} s under cProfile "
              f"({elapsed / requests * 1000:.2f} ms/request, one thread)\n")
    stats = pstats.Stats(profiler, stream=out)
    out.write(_profile_breakdown(stats, requests, parts))
    stats.sort_stats(sort).print_stats(top)
    return out.getvalue()


# (label, where the function is defined (a path fragment), function name): inclusive time
SKILL_PARTS = (
    ("request handling (Flask wsgi_app)", "flask/app.py", "wsgi_app"),
    ("  the endpoint (AlexaEndpoint)", "skill/endpoint.py", "__call__"),
    ("    verification (RequestVerifier.verify)", "skill/verify.py", "verify"),
    ("      RSA signature check", "RSAPublicKey", "verify"),
    ("      JSON parse (parse_envelope)", "skill/verify.py", "parse_envelope"),
    ("    envelope -> ask-sdk model (deserialize)", "/skill/", "deserialize"),
    ("    skill.invoke (dispatch, handlers, speech)", "ask_sdk_core/skill.py", "invoke"),
    ("      Redis script calls (incl. waiting)", "redis/commands/core.py", "__call__"),
    ("      speech lookups (intents.common.say)", "intents/common.py", "say"),
    ("    response -> dict (serializer.serialize)", "skill/serializer.py", "serialize"),
    ("    JSON response (json_response)", "skill/endpoint.py", "json_response"),
    ("    the request log line (logging info)", "logging/__init__.py", "info"),
)
USUAL_PARTS = (
    ("request handling (Flask wsgi_app)", "flask/app.py", "wsgi_app"),
    ("  the endpoint (usual_app's view)", "bench/usual.py", "alexa"),
    ("    verification (RequestVerifier.verify)", "skill/verify.py", "verify"),
    ("      RSA signature check", "RSAPublicKey", "verify"),
    ("    body -> ask-sdk model (DefaultSerializer)", "ask_sdk_core/serialize.py", "deserialize"),
    ("    skill.invoke (dispatch, handlers, speech)", "ask_sdk_core/skill.py", "invoke"),
    ("      persistence GET (incl. waiting)", "bench/usual_store.py", "get_attributes"),
    ("      persistence SET (incl. waiting)", "bench/usual_store.py", "save_attributes"),
    ("    response -> dict (DefaultSerializer)", "ask_sdk_core/serialize.py", "serialize"),
    ("    JSON response (jsonify)", "flask/json/__init__.py", "jsonify"),
)
PROFILE_PARTS = {"skill": SKILL_PARTS, "usual": USUAL_PARTS}


def _profile_breakdown(stats, requests: int, parts) -> str:
    """Inclusive time of the main parts of a request, per request and as a share."""
    table = stats.stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    total = None
    lines = ["where the time goes (inclusive, per request):"]
    for label, where, name in parts:
        ct = sum(v[3] for (file, _, func), v in table.items()
                 if where in file + func and (func == name or func.startswith(f"<method '{name}'")))
        if total is None:
            total = ct or 1.0
        lines.append(f"  {label:<48} {ct / requests * 1000:7.3f} ms  {ct / total:6.1%}")
    return "\n".join(lines) + "\n\n"
