"""Configuration: every setting, its environment variable and its default, in one place.

The README's configuration table is generated from ``SETTINGS`` (``checkin config``), so the
documentation and the code cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit
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
            "Where the embedded store keeps its socket, its data and (without "
            "`CHECKIN_USER_ID_SECRET`) its secret. A start that listens on a public interface "
            "(the `Procfile`, `checkin serve --host 0.0.0.0`) with no `REDIS_URL` refuses to run "
            "until this is set explicitly, to a disk that survives restarts and deploys."),
    Setting("default_timezone", "CHECKIN_DEFAULT_TIMEZONE", "America/New_York",
            "The time zone used when a device's own cannot be read from Alexa."),
    Setting("log_level", "CHECKIN_LOG_LEVEL", "WARNING",
            "Python log level name. `WARNING`: a JSON line only for requests refused, answered "
            "without the store or failed (the metrics count every request); `INFO`: a line for "
            "every request as well, at about 90 µs of CPU each (see \"Metrics and logs\" below)."),
    Setting("user_id_secret", "CHECKIN_USER_ID_SECRET", "",
            "Secret key for HMAC-SHA256 of Alexa user ids before they become storage keys. "
            "Empty: a random secret kept in the data directory (embedded store only; set it in "
            "production). To change it, see \"Rotating the secret\"."),
    Setting("user_id_secret_previous", "CHECKIN_USER_ID_SECRET_PREVIOUS", "",
            "While rotating `CHECKIN_USER_ID_SECRET`: the secret before it. A household not found "
            "under the current secret is looked for under this one and moved to the current one "
            "in the same request, once. Empty: no rotation under way."),
    Setting("max_body_bytes", "CHECKIN_MAX_BODY_BYTES", "131072",
            "Requests larger than this get 413."),
    Setting("redis_timeout", "CHECKIN_REDIS_TIMEOUT_MS", "250",
            "Redis connect and socket timeout in milliseconds (at most 300)."),
    Setting("api_timeout", "CHECKIN_ALEXA_API_TIMEOUT_MS", "1000",
            "Deadline in milliseconds for a whole call to an Alexa API (time zone, reminders): "
            "connecting, sending and reading all end within it, however slowly the API answers."),
    Setting("public_url", "CHECKIN_PUBLIC_URL", "",
            "The service's public HTTPS base URL (`https://checkin.example.org`, port 443). "
            "`checkin package` builds the skill's endpoint, icon, privacy and terms URLs from it "
            "(or from `--public-url`)."),
) + (
    # Robustness (issue 16): the outbound budget, slow clients, memory limits.
    Setting("api_max_in_flight", "CHECKIN_ALEXA_API_MAX_IN_FLIGHT", "8",
            "Calls to one Alexa API in flight per process; beyond it a call fails at once (the "
            "time zone falls back to the household's last known zone or the default)."),
    Setting("breaker_failures", "CHECKIN_BREAKER_FAILURES", "3",
            "Failures in a row (errors, 5xx, 429, deadlines) that open an Alexa API's circuit "
            "breaker: while open, requests do not call it and use what they know at once."),
    Setting("breaker_open_s", "CHECKIN_BREAKER_OPEN_S", "30",
            "Seconds a breaker stays open before one trial call may close it."),
    Setting("chain_timeout", "CHECKIN_CHAIN_TIMEOUT_MS", "2000",
            "Deadline in milliseconds for a whole download of a certificate chain."),
    Setting("chain_max_in_flight", "CHECKIN_CHAIN_MAX_IN_FLIGHT", "2",
            "Certificate-chain downloads in flight per process; beyond it a request with an "
            "uncached chain URL gets 400 at once."),
    Setting("chain_retry_s", "CHECKIN_CHAIN_RETRY_S", "60",
            "Seconds before a chain URL whose download or validation failed is fetched again "
            "(at least 60); until then its requests get 400 without a fetch."),
    Setting("body_timeout", "CHECKIN_BODY_TIMEOUT_MS", "5000",
            "Deadline in milliseconds for receiving a request's whole body (the headers have "
            "gunicorn's keep-alive time, 5 s); a slower client gets 408."),
    Setting("allow_eviction", "CHECKIN_ALLOW_EVICTION", "false",
            "Run on a Redis whose `maxmemory-policy` evicts keys (with a warning). Off: such a "
            "Redis is refused at start and `/readyz` says why; see \"Memory\" below."),
) + (
    # Operations (issue 15): metrics.
    Setting("metrics_token", "CHECKIN_METRICS_TOKEN", "",
            "Bearer token for `GET /metrics` (Prometheus text format, all workers' counts); at "
            "least 32 characters, e.g. `openssl rand -hex 32`. Without it the answer is 401, "
            "with a wrong one 403. Empty: `/metrics` is not served (404); the counts are kept "
            "all the same. See \"Metrics and logs\" below."),
)

REDIS_SCHEMES = ("redis", "rediss", "unix", "redis+cluster", "rediss+cluster")

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
    log_level: str = "WARNING"
    user_id_secret: str = ""
    user_id_secret_previous: str = ""
    max_body_bytes: int = 131072
    redis_timeout: float = 0.25  # seconds
    api_timeout: float = 1.0  # seconds
    public_url: str = ""
    data_dir_explicit: bool = False  # CHECKIN_DATA_DIR was set, not defaulted
    api_max_in_flight: int = 8
    breaker_failures: int = 3
    breaker_open_s: float = 30.0
    chain_timeout: float = 2.0  # seconds
    chain_max_in_flight: int = 2
    chain_retry_s: float = 60.0
    body_timeout: float = 5.0  # seconds
    allow_eviction: bool = False
    metrics_token: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> Config:
        env = os.environ if environ is None else environ
        raw = {s.name: env.get(s.env, s.default) for s in SETTINGS}
        values = {
            "skill_id": raw["skill_id"].strip(),
            "verify": _parse_bool("CHECKIN_VERIFY", raw["verify"]),
            "redis_url": raw["redis_url"].strip(),
            "data_dir": Path(raw["data_dir"].strip() or "./.checkin-data"),
            "data_dir_explicit": bool(env.get("CHECKIN_DATA_DIR", "").strip()),
            "default_timezone": raw["default_timezone"].strip(),
            "log_level": raw["log_level"].strip().upper(),
            "user_id_secret": raw["user_id_secret"],
            "user_id_secret_previous": raw["user_id_secret_previous"],
            "max_body_bytes": _parse_int("CHECKIN_MAX_BODY_BYTES", raw["max_body_bytes"],
                                         1024, 10_000_000),
            "redis_timeout": _parse_int("CHECKIN_REDIS_TIMEOUT_MS", raw["redis_timeout"],
                                        10, 300) / 1000,
            "api_timeout": _parse_int("CHECKIN_ALEXA_API_TIMEOUT_MS", raw["api_timeout"],
                                      50, 5000) / 1000,
            "public_url": public_base_url(raw["public_url"]) if raw["public_url"].strip() else "",
            "metrics_token": raw["metrics_token"].strip(),
        }
        values.update(_budget_values(raw))
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
        if self.redis_url:
            parts = urlsplit(self.redis_url)
            if parts.scheme not in REDIS_SCHEMES or not (parts.netloc or parts.path):
                raise ConfigError(f"REDIS_URL must be a redis://, rediss:// or unix:// URL, "
                                  f"not {redact(self.redis_url)!r}")
        if self.user_id_secret_previous and self.user_id_secret_previous == self.user_id_secret:
            raise ConfigError("CHECKIN_USER_ID_SECRET_PREVIOUS is the same as "
                              "CHECKIN_USER_ID_SECRET: set it to the secret before, or leave it "
                              "empty")
        if self.redis_url and not self.user_id_secret:
            raise ConfigError("CHECKIN_USER_ID_SECRET must be set when REDIS_URL is set")
        token = self.metrics_token
        if token and (len(token) < 32 or not all("!" <= ch <= "~" for ch in token)):
            raise ConfigError("CHECKIN_METRICS_TOKEN must be at least 32 printable ASCII "
                              "characters with no spaces (openssl rand -hex 32)")
        if self.verify and not self.skill_id:
            raise ConfigError(
                "ALEXA_SKILL_ID is not set: verified mode needs the skill id to accept "
                "(or run with --no-verify for local use)"
            )

    def replace(self, **changes) -> Config:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Config(**values)


def redact(url: str) -> str:
    """A URL with its password hidden, fit for a log line or an error."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def public_base_url(raw: str, name: str = "CHECKIN_PUBLIC_URL") -> str:
    """The service's public base URL, without a trailing slash: Alexa calls HTTPS on port 443
    only, and the manifest's links are built by appending paths to it."""
    value = raw.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ConfigError(f"{name} {raw!r} is not a URL") from None
    if parts.scheme != "https" or not parts.hostname:
        raise ConfigError(f"{name} must be an https:// URL (Alexa calls HTTPS only), not {raw!r}")
    if port not in (None, 443):
        raise ConfigError(f"{name} must use port 443 (the only port Alexa calls), not {port}")
    if parts.query or parts.fragment or parts.username:
        raise ConfigError(f"{name} must be a plain base URL with no query, fragment or user, "
                          f"not {raw!r}")
    return value
def _budget_values(raw: dict[str, str]) -> dict:
    """The robustness settings (issue 16), parsed."""
    return {
        "api_max_in_flight": _parse_int("CHECKIN_ALEXA_API_MAX_IN_FLIGHT",
                                        raw["api_max_in_flight"], 1, 256),
        "breaker_failures": _parse_int("CHECKIN_BREAKER_FAILURES", raw["breaker_failures"], 1, 100),
        "breaker_open_s": float(_parse_int("CHECKIN_BREAKER_OPEN_S", raw["breaker_open_s"], 1, 3600)),
        "chain_timeout": _parse_int("CHECKIN_CHAIN_TIMEOUT_MS", raw["chain_timeout"],
                                    100, 10_000) / 1000,
        "chain_max_in_flight": _parse_int("CHECKIN_CHAIN_MAX_IN_FLIGHT",
                                          raw["chain_max_in_flight"], 1, 64),
        "chain_retry_s": float(_parse_int("CHECKIN_CHAIN_RETRY_S", raw["chain_retry_s"],
                                          60, 86_400)),
        "body_timeout": _parse_int("CHECKIN_BODY_TIMEOUT_MS", raw["body_timeout"],
                                   100, 30_000) / 1000,
        "allow_eviction": _parse_bool("CHECKIN_ALLOW_EVICTION", raw["allow_eviction"]),
    }


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
