"""The benchmark's traffic: households and their devices, the request mix of a peak evening,
request bodies, and the past the households are given before the run."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass

from skill.nights import night_of, zone
from skill.storage import household_id

from ..envelopes import Device, Session, envelope, intent, launch, slot
from .apps import SKILL_ID

# The traffic of a peak evening: (kind, share).
MIX: tuple[tuple[str, float], ...] = (
    ("launch", 0.30),      # "Alexa, start our check in"
    ("tonight", 0.10),     # "ask our check in for tonight's question"
    ("tip", 0.15),         # "ask our check in for a tip on active listening"
    ("validation", 0.15),  # "ask our check in for a validation phrase"
    ("streak", 0.10),      # "ask our check in what's our streak"
    ("another", 0.10),     # "another question" (in session)
    ("done", 0.10),        # "we're done" (in session)
)
KINDS = tuple(kind for kind, _ in MIX)
CHECKIN_KINDS = ("launch", "tonight", "another")  # the kinds that record a check-in

EVENING_HOURS = (19, 20, 21, 22)  # the local hours the households check in at
# (locale, share of households); each device is put where it is evening at the time of the run
LOCALES: tuple[tuple[str, float], ...] = (
    ("en-US", 0.6), ("en-GB", 0.1), ("en-CA", 0.1), ("en-AU", 0.1), ("en-IN", 0.1))
TIP_TOPICS = (("ACTIVE_LISTENING", "active listening"), ("I_STATEMENTS", "i statements"),
              ("OPEN_QUESTIONS", "open questions"), ("VALIDATING_FEELINGS", "validating feelings"),
              ("LOVE_LANGUAGES", "love languages"))


@dataclass(frozen=True)
class Household:
    user_id: str
    locale: str
    devices: tuple[tuple[str, str, bool], ...]  # (device id, time zone, has a screen)


def evening_zone(now: float, hour: int) -> str:
    """A fixed-offset zone where it is `hour` o'clock (hour:00 to hour:59) at `now`."""
    offset = hour - time.gmtime(now).tm_hour  # UTC+offset is hour:xx
    offset = offset - 24 if offset > 14 else offset + 24 if offset < -12 else offset
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX signs: GMT-2 is UTC+2


def make_households(count: int, seed: int = 6, now: float | None = None) -> list[Household]:
    """`count` households of the English locales, each device in a zone where it is evening at
    `now` (7 to 11 p.m.), so that the run measures the evening's check-ins whenever it is run
    (a launch in the morning only previews tonight's question)."""
    rng = random.Random(seed)
    locales = [locale for locale, _ in LOCALES]
    weights = [share for _, share in LOCALES]
    zones = [evening_zone(time.time() if now is None else now, hour) for hour in EVENING_HOURS]
    out = []
    for i in range(count):
        locale = rng.choices(locales, weights)[0]
        tz = rng.choice(zones)
        n_devices = 1 if rng.random() < 0.55 else 2
        devices = tuple((f"amzn1.ask.device.BENCH{i:06d}D{j}", tz, rng.random() < 0.3)
                        for j in range(n_devices))
        out.append(Household(f"amzn1.ask.account.BENCH{i:06d}", locale, devices))
    return out


def summary(households: list[Household]) -> dict:
    """The traffic as the results record it."""
    return {"households": len(households), "devices": sum(len(hh.devices) for hh in households),
            "mix": dict(MIX), "locales": dict(LOCALES), "local_hours": list(EVENING_HOURS)}


def device_zones(households: list[Household]) -> dict[str, str]:
    """Each device's time zone, as the Alexa stand-in answers it: {device id: zone}."""
    return {device_id: tz for hh in households for device_id, tz, _ in hh.devices}


def seed_history(store, secret: bytes, households: list[Household], now: float,
                 seed: int = 6) -> int:
    """Give households a past: runs of nights with gaps, some broken streaks, some brand new."""
    rng = random.Random(seed)

    def checkins():
        for hh in households:
            if rng.random() < 0.15:
                continue  # a new household: tonight is its first night
            tonight = night_of(now, zone(hh.devices[0][1]))
            gap = rng.choices((1, 2, 3, rng.randint(4, 30)), (0.6, 0.15, 0.1, 0.15))[0]
            last = tonight - gap
            length = rng.randint(1, 120)
            nights = [n for n in range(last - length + 1, last + 1)
                      if n == last or rng.random() > 0.08]
            hid = household_id(secret, hh.user_id)
            for night in nights:
                yield hid, night, rng.choice(("tonight", "tonight", "tonight", "another"))

    return store.record_history(checkins())


def request_body(kind: str, hh: Household, device_index: int, standin_url: str, ts: float,
                 rng: random.Random) -> bytes:
    device_id, _, screen = hh.devices[device_index % len(hh.devices)]
    device = Device(skill_id=SKILL_ID, user_id=hh.user_id, device_id=device_id, locale=hh.locale,
                    api_endpoint=standin_url, screen=screen)
    session = Session(new=kind not in ("another", "done"))
    if kind == "launch":
        request = launch()
    elif kind == "tonight":
        request = intent("TonightQuestionIntent")
    elif kind == "tip":
        topic_id, words = rng.choice(TIP_TOPICS)
        request = intent("TipIntent", {"topic": slot("topic", words, topic_id, words,
                                                      slot_type="TipTopicType")})
    elif kind == "validation":
        request = intent("ValidationPhraseIntent")
    elif kind == "streak":
        request = intent("StreakIntent")
    elif kind == "another":
        request = intent("AnotherQuestionIntent")
    elif kind == "done":
        request = intent("DoneIntent")
    else:
        raise ValueError(f"unknown request kind {kind!r}")
    return json.dumps(envelope(device, request, ts, session)).encode()
