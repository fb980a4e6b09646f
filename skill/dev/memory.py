"""``checkin memory``: how many bytes of Redis a household costs, measured.

It starts a private redis-server, gives households a year of nights through the service's own
script (``Store.record_history``), a device's time zone and a nightly reminder through
``Store.set_fields``, and reports the growth of ``used_memory`` per household and ``MEMORY USAGE``
of sampled households' keys. Recording a year of nights takes one script call a night, so only
``--recorded`` households are recorded; the rest are byte-for-byte copies of them under new ids
(``DUMP``/``RESTORE``, the form every household has after Redis restarts from its snapshot).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

TARGET_BYTES = 300
SECRET, ROTATED = b"checkin-memory-secret", b"checkin-memory-secret-after-a-rotation"
ZONES = (("America/New_York", 30), ("America/Chicago", 15), ("America/Los_Angeles", 15),
         ("America/Denver", 5), ("Europe/London", 12), ("Europe/Berlin", 6), ("Asia/Kolkata", 8),
         ("Australia/Sydney", 5), ("America/Toronto", 4))


def year_of_nights(rng: random.Random, tonight: int):
    """A household's year, as `(night, mode)` check-ins: it met on a night after a met one nine
    times in ten, after a missed one a bit more than half the time; now and then it asked for
    another question, or for a lighter or deeper one."""
    met = True
    for night in range(tonight - 364, tonight + 1):
        met = night in (tonight - 364, tonight) or rng.random() < (0.9 if met else 0.55)
        if not met:
            continue
        yield night, "tonight"
        if rng.random() < 0.08:
            yield night, "another"
        if rng.random() < 0.03:
            yield night, rng.choice("LD")


def _user(i: int) -> str:
    return f"amzn1.ask.account.MEMORY{i:07d}"


def _device(i: int) -> str:
    return f"amzn1.ask.device.MEMORY{i:07d}"


def seed(store, content, recorded: int, tonight: int, now: float, rng: random.Random) -> int:
    """Record `recorded` households' years, then give each a zone and a reminder."""
    from skill.nights import encode_cached_zone
    from skill.storage import device_id_hash, household_id

    names, weights = zip(*ZONES)

    def checkins():
        for i in range(recorded):
            household = household_id(SECRET, _user(i))
            for night, mode in year_of_nights(rng, tonight):
                yield household, night, mode

    sent = store.record_history(checkins(), bank_sizes=content.bank_sizes())
    for i in range(recorded):
        household = household_id(SECRET, _user(i))
        device = device_id_hash(SECRET, _device(i))
        zone = rng.choices(names, weights)[0]
        store.set_fields(household, **{f"tz:{device}": encode_cached_zone(zone, now)})
        store.set_fields(household, rt=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                         rtime=f"{rng.randint(19, 22)}:{rng.choice(('00', '15', '30', '45'))}")
    return sent


def rotate(store, recorded: int) -> None:
    """Move the recorded households to another secret, as their first request after a rotation
    of CHECKIN_USER_ID_SECRET does."""
    from skill.ids import household_id, previous_of

    for i in range(recorded):
        store.status(household_id(ROTATED, _user(i)),
                     previous=previous_of(_user(i), ROTATED, SECRET, _device(i)))


def copy(client, secret: bytes, recorded: int, households: int, batch: int = 5000) -> None:
    from skill.storage import household_id, key_for

    pipe = client.pipeline(transaction=False)
    for i in range(recorded):
        key = key_for(household_id(secret, _user(i)))
        pipe.dump(key)
        pipe.pttl(key)
    dumped = pipe.execute()
    payloads = list(zip(dumped[::2], dumped[1::2]))
    for i in range(recorded, households):
        payload, pttl = payloads[i % recorded]
        pipe.restore(key_for(household_id(secret, _user(i))), pttl, payload)
        if len(pipe) >= batch:
            pipe.execute()
    pipe.execute()


def sampled_usage(client, secret: bytes, ids: range, count: int, rng: random.Random) -> list[int]:
    from skill.storage import household_id, key_for

    picked = rng.sample(list(ids), min(count, len(ids)))
    return [client.memory_usage(key_for(household_id(secret, _user(i))), samples=0)
            for i in picked]


def measure(households: int, recorded: int, seed_value: int, rotated: bool = False) -> list[str]:
    from skill.dev.ports import free_port
    from skill.nights import night_of, zone
    from skill.redis_server import RedisServer
    from skill.storage import Store, household_id, key_for
    from speech import Content

    rng, content, now = random.Random(seed_value), Content().for_locale("en-US"), time.time()
    tonight = night_of(now, zone("America/New_York"))
    with tempfile.TemporaryDirectory(prefix="checkin-memory-") as tmp:
        server = RedisServer(Path(tmp), port=free_port(), persist=False).start()
        try:
            client = server.client()
            store = Store(client)
            store.record_checkin("warm-up", tonight)  # load the scripts: their memory is
            store.set_fields("warm-up", rtime="21:00")  # not a household's
            store.forget("warm-up")
            base = client.info("memory")["used_memory"]
            started = time.monotonic()
            sent = seed(store, content, recorded, tonight, now, rng)
            took = time.monotonic() - started
            secret = ROTATED if rotated else SECRET
            if rotated:
                rotate(store, recorded)
            copy(client, secret, recorded, households)
            total = client.info("memory")["used_memory"] - base
            info = client.info("server")["redis_version"], client.info("memory")["mem_allocator"]
            example = key_for(household_id(secret, _user(0)))
            encoding = client.object("encoding", example).decode()
            fields = client.hgetall(example)
            usage = {"recorded": sampled_usage(client, secret, range(recorded), 1000, rng),
                     "copied": sampled_usage(client, secret, range(recorded, households), 1000,
                                             rng)}
        finally:
            server.stop()
    per_household = total / households
    lines = [
        f"checkin memory: {households:,} households, each with a year of nights (its first "
        f"365 nights ago), one device's time zone and a nightly reminder"
        + (", moved by a rotation of the secret" if rotated else "")
        + f"; Redis {info[0]} (malloc {info[1]})",
        f"  recorded through Store.record_history: {recorded:,} ({sent:,} check-ins in "
        f"{took:.0f} s); the other {households - recorded:,} are copies of them under new ids",
        f"  one key a household, a hash in {encoding} encoding; the first one's fields: "
        + ", ".join(f"{name.decode(errors='replace')} ({len(value)} B)"
                    for name, value in sorted(fields.items())),
        f"  used_memory growth / households: {per_household:.1f} bytes",
    ]
    for kind, sizes in usage.items():
        lines.append(f"  MEMORY USAGE of {len(sizes):,} {kind} households' keys: mean "
                     f"{statistics.mean(sizes):.1f}, min {min(sizes)}, max {max(sizes)} bytes")
    verdict = "PASS" if per_household <= TARGET_BYTES else "FAIL"
    lines.append(f"  target, at most {TARGET_BYTES} bytes a household: {verdict}")
    return lines


def _count(value: str) -> int:
    try:
        number = int(value.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, not {value}")
    return number


def run(args: argparse.Namespace) -> int:
    from skill.errors import CommandError

    if args.recorded > args.households:
        raise CommandError("--recorded cannot be more than --households")
    lines = measure(args.households, args.recorded, args.seed, args.rotated)
    print("\n".join(lines))
    return 0 if lines[-1].endswith("PASS") else 1


def add_command(subparsers) -> None:
    p = subparsers.add_parser(
        "memory", help="measure the Redis memory a household costs (a private redis-server)",
        description="Seeds a private redis-server with households that have a year of nights, "
                    "a time zone and a reminder, and prints the bytes each costs.")
    p.add_argument("--households", type=_count, default=100_000,
                   help="households to measure (default 100,000)")
    p.add_argument("--recorded", type=_count, default=2_000,
                   help="of them, recorded night by night; the rest are copies (default 2,000)")
    p.add_argument("--seed", type=int, default=15, help="random seed of the histories")
    p.add_argument("--rotated", action="store_true",
                   help="measure them after a rotation of the secret (each keeps its first id)")
    p.set_defaults(func=run)
