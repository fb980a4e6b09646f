"""What one benchmark run starts on loopback: a private Redis given the households' past, the
Alexa stand-in, the four apps under gunicorn, and the load generator's process."""

from __future__ import annotations

import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from redis import Redis

from skill.redis_server import RedisServer
from skill.storage import Store

from ..ca import BodySigner, build_ca
from ..ports import free_port
from ..standin import AlexaStandin
from .apps import (FACTORIES, FLOOR_USER_ID_SECRET, GTHREAD, GTHREAD_SETTINGS, SKILL_ID,
                   USER_ID_SECRET, apps_of)
from .generator import GeneratorProcess
from .options import BenchOptions
from .servers import Gunicorn, gunicorn_env, start_redis
from .traffic import Household, device_zones, request_body, seed_history
from .usual_store import seed_usual
from .wire import raw_post


@dataclass(frozen=True)
class Stack:
    """What a run started, and the figures of starting it."""

    tmp: Path  # the run's directory: the CA, Redis's files, gunicorn's configs and logs
    redis: RedisServer
    control: Redis  # the benchmark's own Redis connection (seeding, INFO, the MONITOR sentinel)
    standin: AlexaStandin
    fetch_log: Path  # one line per certificate-chain fetch by the skill: "<pid> <url>"
    apps: dict[str, Gunicorn]  # by name, in the order of apps_of(options.gthread)
    generator: GeneratorProcess
    seeded_nights: int  # past check-ins given to the skill's households
    startup: dict  # by app: seconds from process start to the first answers


def start_stack(opts: BenchOptions, households: list[Household], tmp: Path, stops: list,
                progress) -> Stack:
    """Start everything a run needs, each part's stop appended to ``stops`` once it runs."""
    ca = build_ca()
    paths = ca.write(tmp / "ca")
    redis_server = start_redis(tmp / "redis")
    stops.append(redis_server.stop)
    control = redis_server.client()
    stops.append(control.close)
    standin = AlexaStandin().start()
    stops.append(standin.stop)
    standin.state.default_zone = None  # every bench device has its own zone
    standin.state.time_zones.update(device_zones(households))
    seeded = _seed(control, households, opts.seed, progress)
    fetch_log = tmp / "chain-fetches.log"
    fetch_log.touch()
    skill_env = gunicorn_env({
        "ALEXA_SKILL_ID": SKILL_ID, "CHECKIN_VERIFY": "true",
        "REDIS_URL": redis_server.url, "CHECKIN_USER_ID_SECRET": USER_ID_SECRET,
        "CHECKIN_DATA_DIR": str(tmp / "data"),
        "CHECKIN_BENCH_CA_ROOT": str(paths["root"]), "CHECKIN_BENCH_CHAIN": str(paths["chain"]),
        "CHECKIN_BENCH_FETCH_LOG": str(fetch_log),
    })
    # the floor and the usual skill run with the skill's settings (its Redis, its CA); the
    # baseline needs none
    envs = {GTHREAD: skill_env, "skill": skill_env, "usual": skill_env, "baseline": gunicorn_env({}),
            "floor": skill_env}
    apps = {name: Gunicorn(name, FACTORIES[name], free_port(), opts.workers, envs[name], tmp,
                           GTHREAD_SETTINGS if name == GTHREAD else None)
            for name in apps_of(opts.gthread)}
    startup = _start_apps(apps, _first_post(households[0], standin.url, ca.key_pem), stops, progress)
    generator = GeneratorProcess(households, ca.key_pem, standin.url, opts.seed)
    stops.append(generator.close)
    generator.start()
    return Stack(tmp, redis_server, control, standin, fetch_log, apps, generator, seeded, startup)


def stop_all(stops: list, tmp: Path) -> None:
    """Run ``stops`` last first, whatever fails on the way, then remove the run's directory."""
    for fn in reversed(stops):
        try:
            fn()
        except Exception:  # clean up the rest whatever happened
            pass
    shutil.rmtree(tmp, ignore_errors=True)


def _seed(control: Redis, households: list[Household], seed: int, progress) -> int:
    """Give the skill's households a past, and the floor's and the usual skill's the same past
    under their own keys."""
    t = time.perf_counter()
    seeded = seed_history(Store(control), USER_ID_SECRET.encode(), households, time.time(), seed)
    seed_history(Store(control), FLOOR_USER_ID_SECRET.encode(), households, time.time(), seed)
    seed_usual(control, households, time.time(), seed)  # the same past, as JSON values
    devices = sum(len(hh.devices) for hh in households)
    progress(f"seeded {len(households)} households ({devices} devices, {seeded} past nights) "
             f"in {time.perf_counter() - t:.1f} s")
    return seeded


def _first_post(household: Household, standin_url: str, key_pem: bytes) -> bytes:
    """A signed launch request: each app's first answer to it ends its start-up."""
    body = request_body("launch", household, 0, standin_url, time.time(), random.Random(0))
    return raw_post(body, BodySigner(key_pem).headers(body))


def _start_apps(apps: dict[str, Gunicorn], first_post: bytes, stops: list, progress) -> dict:
    """Start the apps one after the other, timing each to its first answers."""
    startup = {}
    for name, server in apps.items():
        stops.append(server.stop)
        startup[name] = server.start(first_post)
    progress("start-up to first answer: " + ", ".join(
        f"{name} {figures['first_post_s']} s" for name, figures in startup.items()))
    return startup
