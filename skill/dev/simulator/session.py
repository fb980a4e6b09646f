"""The simulator itself: Alexa in a box for one household and device.

A :class:`Simulator` resolves what is said (``resolver``), keeps the session and a pending
permission question, sends real request envelopes to the app in-process or to a URL, and reads the
reply into a :class:`~skill.dev.simulator.transcript.Turn`. Its clock stands still until moved, and
the Alexa API calls the skill makes go to a local :class:`~skill.dev.standin.AlexaStandin` that
knows the device's time zone. ``save_state`` / ``load_state`` carry a conversation across separate
``checkin say`` runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from ..envelopes import Device, Session, envelope, session_ended
from ..standin import AlexaStandin
from .errors import SimulatorError
from .resolver import UtteranceResolver
from .transcript import Turn, describe_call, describe_directives, speech_text

DEFAULT_TZ = "America/New_York"
DEFAULT_USER = "home"
DEFAULT_DEVICE = "living room"
CONSENT_TOKEN = "simulated-consent-token"


# -- the simulated world: clock, household, device ---------------------------------------------


def zone_or_error(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SimulatorError(f"unknown time zone {name!r} (use an IANA name such as "
                             f"Europe/London or America/New_York)") from None


def parse_at(value: str | datetime | float | None, tz: ZoneInfo) -> float:
    """An instant: ISO local time in `tz` ("2026-12-01T21:30"), an aware datetime, or epoch."""
    if value is None:
        return datetime.now(tz).timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise SimulatorError(f"--at {value!r} is not a date and time like "
                                 f"2026-12-01T21:30") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.timestamp()


class SimClock:
    """The simulated time; it stands still until moved, so a conversation is reproducible.

    Pass it to ``create_app(..., clock=...)`` so the app and the requests agree on "now".
    """

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _stable_id(prefix: str, name: str) -> str:
    return prefix + hashlib.sha256(name.encode()).hexdigest()[:24].upper()


def user_id_for(household: str) -> str:
    return _stable_id("amzn1.ask.account.SIM", household)


def device_id_for(device: str) -> str:
    return _stable_id("amzn1.ask.device.SIM", device)


def person_id_for(speaker: str) -> str:
    return _stable_id("amzn1.ask.person.SIM", speaker)


# -- the simulator -----------------------------------------------------------------------------


class _LogCapture(logging.Handler):
    """The skill's warnings during a turn, shown with the turn instead of on stderr."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.levelname.lower()}: {record.getMessage()}")


class Simulator:
    """Alexa in a box: resolves what you say, keeps the session, sends envelopes, reads replies.

    `target` is a Flask app (in-process), a URL (HTTP POST to a running service), or a callable
    that builds the app from the simulator's clock (``lambda clock: create_app(..., clock=clock)``);
    None builds the default app (configuration from the environment, verification off).
    `response_checks` are called with every response envelope (the test suite's shared checks).
    """

    response_checks: tuple = ()

    def __init__(self, target=None, *, locale: str = "en-US", tz: str = DEFAULT_TZ,
                 at: str | datetime | float | None = None, user: str = DEFAULT_USER,
                 device: str = DEFAULT_DEVICE, speaker: str | None = None, screen: bool = False,
                 skill_id: str | None = None, clock: SimClock | None = None,
                 standin: AlexaStandin | None = None, timeout: float = 10.0):
        self.zone = zone_or_error(tz)
        self.tz = tz
        self.resolver = UtteranceResolver.for_locale(locale)
        self.locale = locale
        self._unspoken = unspoken_note(locale)  # said with the first turn
        if clock is None:
            clock = SimClock(parse_at(at, self.zone))
        elif at is not None:
            clock.now = parse_at(at, self.zone)
        self.clock = clock
        self.timeout = timeout
        self._own_standin = standin is None
        self.standin = standin or AlexaStandin().start()
        self.standin.state.time_zones[device_id_for(device)] = tz
        self.device = Device(
            user_id=user_id_for(user), device_id=device_id_for(device), locale=locale,
            api_endpoint=self.standin.url, person_id=person_id_for(speaker) if speaker else None,
            screen=screen,
        )
        if skill_id:
            self.device.skill_id = skill_id
        self.speakers = {person_id_for(speaker): speaker} if speaker else {}
        self.session: Session | None = None
        self.pending_consent: dict | None = None  # a Connections.SendRequest AskFor awaiting yes/no
        self._logs = _LogCapture()
        logging.getLogger("checkin").addHandler(self._logs)
        self.url: str | None = None
        self.app = None
        self._owns_app = False  # built here, so closed here
        self._sent = 0
        if isinstance(target, str):
            self.url = target
        elif target is None:
            self.app, self._owns_app = default_app(self.clock), True
        elif hasattr(target, "test_client"):
            self.app = target
        elif callable(target):
            self.app, self._owns_app = target(self.clock), True
        else:
            raise SimulatorError(f"cannot talk to {target!r}")
        if self.app is not None:
            self._client = self.app.test_client()
            if self.device.skill_id == Device.skill_id and self.app.config.get("CHECKIN"):
                self.device.skill_id = self.app.config["CHECKIN"].skill_id or Device.skill_id
        self._logs.records.clear()  # start-up warnings (verification off) are expected here

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self, stop_standin: bool = True) -> None:
        """Detach from the logs and stop our stand-in (a command about to exit may skip that:
        its thread is a daemon, and stopping waits for the server's half-second poll)."""
        logging.getLogger("checkin").removeHandler(self._logs)
        if self._owns_app and self._sent:
            close_store(self.app)
        if self._own_standin and stop_standin:
            self.standin.stop()

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- time --------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock.now, self.zone)

    def set_time(self, at: str | datetime | float) -> Turn | None:
        timed_out = self._time_passes()
        self.clock.now = parse_at(at, self.zone)
        return timed_out

    def advance(self, days: int = 0, hours: float = 0, minutes: float = 0,
                to: str | None = None) -> Turn | None:
        """Move the clock (wall-clock days in the device's zone); `to` sets the time "HH:MM".

        Returns the SessionEndedRequest's turn when an open session timed out on the way.
        """
        local = self.now + timedelta(days=days, hours=hours, minutes=minutes)
        if to is not None:
            m = re.fullmatch(r"(\d{1,2}):(\d{2})", to.strip())
            if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
                raise SimulatorError(f"time {to!r} is not HH:MM")
            local = local.replace(hour=int(m.group(1)), minute=int(m.group(2)), second=0,
                                  microsecond=0)
        timed_out = self._time_passes()
        self.clock.now = local.timestamp()
        return timed_out

    def _time_passes(self) -> Turn | None:
        """An open session does not survive a jump in time: Alexa closes it."""
        self.pending_consent = None
        if self.session is None:
            return None
        turn = self.send(session_ended("EXCEEDED_MAX_REPROMPTS"), self.session,
                         heard="SessionEndedRequest (EXCEEDED_MAX_REPROMPTS): nobody answered")
        self.session = None
        return turn

    # -- talking -----------------------------------------------------------------------------

    def say(self, text: str) -> Turn:
        """One thing said to Alexa, and what came back."""
        if not text.strip():
            raise SimulatorError("nothing was said")
        res = self.resolver.resolve(text)
        notes: list[str] = [self._unspoken] if self._unspoken else []
        self._unspoken = None
        if self.pending_consent is not None and res.intent in ("AMAZON.YesIntent", "AMAZON.NoIntent"):
            return self.answer_permission(res.intent == "AMAZON.YesIntent", text)
        self.pending_consent = None
        if res.kind == "end":
            if self.session is None:
                return Turn(text, "", None, False, [], [], {}, heard="nothing to end: no session is open")
            turn = self.send(res.request(), self.session, text=text, heard=res.describe())
            self.session = None
            return turn
        new_session = res.kind == "launch" or res.one_shot or self.session is None
        if self.session is None and not (res.kind == "launch" or res.one_shot):
            ask = self.resolver.language.one_shot[0]
            notes.append(f'no session is open, so this goes as a one-shot: '
                         f'"{ask} {self.resolver.invocation} {self.resolver.heard(text)}"')
        if new_session:
            self.session = Session()
        heard = res.describe() + (", new session" if new_session else "")
        turn = self.send(res.request(), self.session, text=text, heard=heard)
        turn.notes[:0] = notes
        return turn

    def answer_permission(self, accepted: bool, text: str = "") -> Turn:
        """The answer to Alexa's own consent question after a Connections.SendRequest AskFor."""
        pending, self.pending_consent = self.pending_consent or {}, None
        status = "ACCEPTED" if accepted else "DENIED"
        if accepted:
            self.device.consent_token = CONSENT_TOKEN
        request = {
            "type": "Connections.Response", "name": pending.get("name", "AskFor"),
            "status": {"code": "200", "message": "OK"},
            "payload": {"permissionScope": pending.get("scope", ""), "status": status},
            "token": pending.get("token", ""),
        }
        if self.session is None:
            self.session = Session()
        return self.send(request, self.session, text=text, heard=f"Connections.Response {status}")

    def send(self, request: dict, session: Session | None = None, *, text: str = "",
             heard: str = "") -> Turn:
        """Send one request (as Alexa would, in `session`) and follow the session's state."""
        body = envelope(self.device, request, self.clock.now, session)
        calls_before = len(self.standin.calls)
        self._logs.records.clear()
        self._sent += 1
        data = self._post(body)
        response = data.get("response") if isinstance(data.get("response"), dict) else {}
        should_end = response.get("shouldEndSession")
        listening = should_end is False
        if session is not None and session is self.session:
            if listening:
                session.new = False
                session.attributes = data.get("sessionAttributes") or {}
            else:
                self.session = None
        directives = describe_directives(response)
        for d in response.get("directives") or []:
            if d.get("type") == "Connections.SendRequest" and d.get("name") == "AskFor":
                payload = d.get("payload") or {}
                self.pending_consent = {"name": "AskFor", "token": d.get("token", ""),
                                        "scope": payload.get("permissionScope", "")}
                directives.append("[alexa] (Alexa asks for the permission; answer yes or no)")
        reprompt = speech_text((response.get("reprompt") or {}).get("outputSpeech"), self.speakers)
        calls = [describe_call(c) for c in self.standin.calls[calls_before:]]
        return Turn(text=text, speech=speech_text(response.get("outputSpeech"), self.speakers),
                    reprompt=reprompt or None, listening=listening, directives=directives,
                    api_calls=calls, raw=data, request=body, heard=heard,
                    logs=list(self._logs.records))

    def end(self) -> Turn | None:
        """Leave: a SessionEndedRequest (USER_INITIATED) if a session is open."""
        if self.session is None:
            return None
        turn = self.send(session_ended("USER_INITIATED"), self.session, text="exit",
                         heard="SessionEndedRequest (USER_INITIATED)")
        self.session = None
        return turn

    def _post(self, body: dict) -> dict:
        raw = json.dumps(body)
        headers = {"Content-Type": "application/json"}
        if self.url is not None:
            try:
                r = requests.post(self.url, data=raw.encode(), headers=headers, timeout=self.timeout)
            except requests.Timeout:
                raise SimulatorError(f"{self.url} did not answer within {self.timeout:g}s") from None
            except requests.RequestException as e:
                reason = "connection refused or host unreachable" \
                    if isinstance(e, requests.ConnectionError) else type(e).__name__
                raise SimulatorError(f"cannot reach {self.url}: {reason}") from None
            status, text = r.status_code, r.text
        else:
            r = self._client.post("/", data=raw, headers=headers)
            status, text = r.status_code, r.get_data(as_text=True)
        if status != 200:
            where = self.url or "the skill"
            raise SimulatorError(f"{where} answered HTTP {status}: {text.strip()[:300]}")
        try:
            data = json.loads(text)
        except ValueError:
            raise SimulatorError(f"the skill answered something that is not JSON: {text[:200]!r}") from None
        if not isinstance(data, dict):
            raise SimulatorError(f"the skill answered {text[:200]!r}, not a response envelope")
        for check in self.response_checks:
            check(data)
        return data

    # -- state between separate `checkin say` runs -------------------------------------------

    def save_state(self, path: Path) -> None:
        """The session, the consent given or awaited, and the stand-in's reminders, for the next
        run's :meth:`load_state`."""
        state = {
            "user": self.device.user_id, "device": self.device.device_id,
            "session": None if self.session is None else {
                "id": self.session.session_id, "attributes": self.session.attributes},
            "consent_token": self.device.consent_token, "pending_consent": self.pending_consent,
            "standin": self.standin.snapshot(),  # the reminders the skill created, by token
        }
        path.write_text(json.dumps(state, indent=2) + "\n")

    def load_state(self, path: Path) -> None:
        if not path.exists():
            return
        try:
            state = json.loads(path.read_text())
        except ValueError:
            raise SimulatorError(f"{path} is not a simulator state file") from None
        if state.get("user") != self.device.user_id or state.get("device") != self.device.device_id:
            return  # another household or device: start afresh
        s = state.get("session")
        if isinstance(s, dict) and s.get("id"):
            self.session = Session(session_id=s["id"], new=False, attributes=s.get("attributes") or {})
        self.device.consent_token = state.get("consent_token") or self.device.consent_token
        self.pending_consent = state.get("pending_consent")
        self.standin.restore(state.get("standin") or {})


def unspoken_note(locale: str) -> str | None:
    """Why a locale with a model still hears another locale's content, if it does."""
    from speech import SUPPORTED_LOCALES, missing_files

    if locale in SUPPORTED_LOCALES:
        return None
    missing = missing_files(locale.split("-")[0])
    return (f"{locale} is not spoken yet ({'speech/' + ', speech/'.join(missing) if missing else 'no content'} "
            f"missing), so the skill answers with another locale's content")


def close_store(app) -> None:
    """Close an app's Redis connections (not left to the garbage collector)."""
    from skill.app import close_app

    close_app(app)


def default_app(clock: SimClock):
    """The app in-process: configuration from the environment, verification off, our clock."""
    from skill.app import create_app
    from skill.config import Config

    return create_app(Config.from_env(verify=False), clock=clock)
