"""``checkin``: serve the skill, talk to it offline, print its configuration."""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys

from .config import Config, ConfigError, markdown_table


class CliError(Exception):
    """A one-line problem to print before exiting with status 2."""


def _bounded_int(name: str, low: int, high: int):
    """An argparse type for a whole number in [low, high], with a clear message."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, not {value!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(
                f"{name} must be between {low} and {high}, not {number}")
        return number
    return parse


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise CliError(f"port {port} on {host} is already in use") from None
            raise CliError(f"cannot listen on {host}:{port}: {e.strerror}") from None


def serve(args: argparse.Namespace) -> int:
    from .embedded import EmbeddedStore
    from .server import run_gunicorn

    overrides = {"verify": False} if args.no_verify else {}
    config = Config.from_env(**overrides)
    _check_port_free(args.host, args.port)
    embedded = None
    env_updates = {}
    if not config.redis_url:
        embedded = EmbeddedStore(config.data_dir)
        try:
            url = embedded.ensure()
        except Exception as e:
            raise CliError(f"cannot start the embedded store: {e}") from None
        store_text = f"embedded Redis at {url} (data in {embedded.data_dir})"
        env_updates["REDIS_URL"] = url
        from .embedded import local_secret

        if not config.user_id_secret:
            env_updates["CHECKIN_USER_ID_SECRET"] = local_secret(config.data_dir).decode()
    else:
        store_text = f"Redis at {_redact(config.redis_url)}"
    if args.no_verify:
        env_updates["CHECKIN_VERIFY"] = "false"
        print("WARNING: request verification is OFF; use only for local development",
              file=sys.stderr)
    os.environ.update(env_updates)
    print(f"Our Check-In listening on http://{args.host}:{args.port}/ "
          f"({args.workers} worker{'s' if args.workers != 1 else ''}); store: {store_text}",
          flush=True)
    try:
        return run_gunicorn(args.host, args.port, args.workers)
    finally:
        if embedded is not None:
            embedded.stop()


def _redact(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def config_table(args: argparse.Namespace) -> int:
    print(markdown_table())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="checkin", description="Our Check-In: the Alexa skill's web service and tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="run the web service under gunicorn")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_bounded_int("port", 1, 65535), default=os.environ.get("PORT", "8080"),
                   help="port to listen on (default $PORT or 8080)")
    p.add_argument("--workers", type=_bounded_int("workers", 1, 64), default=2, help="worker processes (default 2)")
    p.add_argument("--no-verify", action="store_true",
                   help="accept unsigned requests (local use only: never in production)")
    p.set_defaults(func=serve)

    p = sub.add_parser("config", help="print the configuration table (Markdown)")
    p.set_defaults(func=config_table)

    try:
        from .simulator import add_commands
    except ImportError:  # pragma: no cover - the simulator is optional while it is built
        pass
    else:
        add_commands(sub)
    from .bench import add_commands as add_bench_commands  # `checkin bench`

    add_bench_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except (CliError, ConfigError) as e:
        print(f"checkin: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
