"""What a benchmark ran on: the machine, the versions of what it measured, and the commit."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version
from pathlib import Path

from skill.redis_server import find_redis_server

from .. import PROJECT_ROOT


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    versions = {}
    for dist in ("gunicorn", "flask", "werkzeug", "ask-sdk-core", "redis", "cryptography"):
        try:
            versions[dist] = version(dist)
        except Exception:
            versions[dist] = None
    try:
        redis_version = subprocess.run([find_redis_server(), "--version"], capture_output=True,
                                       text=True, timeout=10).stdout.strip()
    except Exception:
        redis_version = None
    return {"nproc": usable, "cpu_model": model, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions, "redis_server": redis_version,
            "git": _git_state()}


def _git_state() -> dict | None:
    """The commit measured, and whether the working tree differed from it."""
    root = PROJECT_ROOT
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--",
                                "skill", "intents", "speech"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if commit.returncode != 0:
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
