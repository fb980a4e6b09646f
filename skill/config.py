"""Configuration: every setting, its environment variable and its default, in one place.

The README's configuration table is generated from ``SETTINGS`` (``checkin config``), so the
documentation and the code cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str  # the Config attribute
    env: str  # the environment variable
    default: str
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("skill_id", "ALEXA_SKILL_ID", "",
            "The skill id (`amzn1.ask.skill....`) whose requests are accepted. Required while "
            "verification is on."),
    Setting("verify", "CHECKIN_VERIFY", "true",
            "Verify that every request comes from Alexa (signature, certificate chain, timestamp, "
            "skill id). Only `false` (or `0`/`no`/`off`) turns it off, with a warning at start-up."),
    Setting("redis_url", "REDIS_URL", "",
            "`redis://`, `rediss://` or `unix://` URL of a Redis server; add `?cluster=true` (or use "
            "`redis+cluster://`) for Redis Cluster. Empty: the embedded store."),
    Setting("data_dir", "CHECKIN_DATA_DIR", "./.checkin-data",
            "Where the embedded store keeps its socket and its data on disk."),
    Setting("default_timezone", "CHECKIN_DEFAULT_TIMEZONE", "America/New_York",
            "The time zone used when a device's own cannot be read from Alexa."),
    Setting("log_level", "CHECKIN_LOG_LEVEL", "INFO", "Python log level name."),
    Setting("user_id_secret", "CHECKIN_USER_ID_SECRET", "",
            "Secret key for HMAC-SHA256 of Alexa user ids before they become storage keys. "
            "Empty: a random secret kept in the data directory (embedded store only; set it in "
            "production, and keep it: changing it orphans every household)."),
    Setting("max_body_bytes", "CHECKIN_MAX_BODY_BYTES", "131072",
            "Requests larger than this get 413."),
    Setting("redis_timeout", "CHECKIN_REDIS_TIMEOUT_MS", "250",
            "Redis connect and socket timeout in milliseconds (at most 300)."),
    Setting("api_timeout", "CHECKIN_ALEXA_API_TIMEOUT_MS", "1000",
            "Timeout for calls to the Alexa APIs (time zone, reminders) in milliseconds."),
)

_FALSE = {"0", "false", "no", "off"}
_TRUE = {"1", "true", "yes", "on"}


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _parse_int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass(frozen=True)
class Config:
    skill_id: str = ""
    verify: bool = True
    redis_url: str = ""
    data_dir: Path = Path("./.checkin-data")
    default_timezone: str = "America/New_York"
    log_level: str = "INFO"
    user_id_secret: str = ""
    max_body_bytes: int = 131072
    redis_timeout: float = 0.25  # seconds
    api_timeout: float = 1.0  # seconds
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Config:
        env = os.environ if environ is None else environ
        raw = {s.name: env.get(s.env, s.default) for s in SETTINGS}
        values = {
            "skill_id": raw["skill_id"].strip(),
            "verify": _parse_bool("CHECKIN_VERIFY", raw["verify"]),
            "redis_url": raw["redis_url"].strip(),
            "data_dir": Path(raw["data_dir"]),
            "default_timezone": raw["default_timezone"].strip(),
            "log_level": raw["log_level"].strip().upper(),
            "user_id_secret": raw["user_id_secret"],
            "max_body_bytes": _parse_int("CHECKIN_MAX_BODY_BYTES", raw["max_body_bytes"],
                                         1024, 10_000_000),
            "redis_timeout": _parse_int("CHECKIN_REDIS_TIMEOUT_MS", raw["redis_timeout"],
                                        10, 300) / 1000,
            "api_timeout": _parse_int("CHECKIN_ALEXA_API_TIMEOUT_MS", raw["api_timeout"],
                                      50, 5000) / 1000,
        }
        values.update(overrides)
        config = cls(**values)
        config.validate()
        return config

    def validate(self) -> None:
        try:
            ZoneInfo(self.default_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"CHECKIN_DEFAULT_TIMEZONE {self.default_timezone!r} is not a known time zone"
            ) from None
        if self.log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ConfigError(f"CHECKIN_LOG_LEVEL {self.log_level!r} is not a log level")
        if self.redis_url and not self.user_id_secret:
            raise ConfigError("CHECKIN_USER_ID_SECRET must be set when REDIS_URL is set")
        if self.verify and not self.skill_id:
            raise ConfigError(
                "ALEXA_SKILL_ID is not set: verified mode needs the skill id to accept "
                "(or run with --no-verify for local use)"
            )

    def replace(self, **changes) -> Config:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Config(**values)


def markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default else "(empty)"
        rows.append(f"| `{s.env}` | {default} | {s.doc} |")
    return "\n".join(rows)


def add_command(subparsers) -> None:
    p = subparsers.add_parser("config", help="print the configuration table (Markdown)")
    p.set_defaults(func=lambda args: print(markdown_table()))
