"""Redis's memory limit made loud: the households need ``maxmemory-policy noeviction``.

Every household key has a time to live, so the ``volatile-*`` policies apply to all of them, and
the ``allkeys-*`` ones too: at the memory limit Redis would silently drop households, or one of
a household's two keys (its history without its streak, or the reverse). With ``noeviction`` a
full Redis refuses writes instead; the skill says it couldn't save, and ``/readyz`` says why.
"""

from __future__ import annotations

import logging

import redis

from .errors import CommandError, StorageError
from .storage import NON_EVICTING, READY_PROBE_KEY, Store, connect

log = logging.getLogger("checkin")


def memory_policies(store: Store) -> set[str]:
    """Redis's ``maxmemory-policy`` (each primary's, on a cluster), from INFO memory (which
    managed services allow where CONFIG GET is renamed)."""
    try:
        info = store.client.info("memory")
    except (redis.RedisError, OSError) as e:
        raise StorageError(f"{type(e).__name__}: {e}") from e
    if "maxmemory_policy" in info:
        return {str(info["maxmemory_policy"])}
    return {str(node["maxmemory_policy"]) for node in info.values()
            if isinstance(node, dict) and "maxmemory_policy" in node}


def probe_write(store: Store) -> None:
    """One small write with a short life: StorageError while Redis refuses writes (out of
    memory, a read-only replica)."""
    try:
        store.client.set(READY_PROBE_KEY, "1", px=60_000)
    except (redis.RedisError, OSError) as e:
        raise StorageError(f"{type(e).__name__}: {e}") from e


def eviction_problem(policies: set[str]) -> str | None:
    """What is wrong with these policies, in one line; None when no key can be evicted."""
    evicting = sorted(p for p in policies if p != NON_EVICTING)
    if not evicting:
        return None
    return (f"Redis maxmemory-policy is {', '.join(evicting)}: at its memory limit it would "
            f"delete households silently; set maxmemory-policy noeviction "
            f"(or CHECKIN_ALLOW_EVICTION=true to run anyway)")


def check_at_start(store: Store, allow_eviction: bool) -> None:
    """Refuse an evicting Redis with one clear line (CommandError), or warn when allowed. A
    Redis that cannot be reached now is left to /readyz, which checks the same."""
    try:
        problem = eviction_problem(memory_policies(store))
    except StorageError as e:
        log.warning("cannot read Redis's maxmemory-policy at start (%s); /readyz checks it", e)
        return
    if problem is None:
        return
    if not allow_eviction:
        raise CommandError(problem)
    log.warning("CHECKIN_ALLOW_EVICTION is on: %s", problem)


def check_url_at_start(url: str, timeout: float, allow_eviction: bool) -> None:
    """``check_at_start`` for the Redis at ``url`` (REDIS_URL), on a connection of its own."""
    try:
        store = Store(connect(url, timeout))
    except Exception as e:  # a cluster client connects when built
        log.warning("cannot read Redis's maxmemory-policy at start (%s); /readyz checks it",
                    type(e).__name__)
        return
    try:
        check_at_start(store, allow_eviction)
    finally:
        store.client.close()


def readiness_problem(store: Store, allow_eviction: bool) -> str | None:
    """Why the service is not ready to keep households now, or None: Redis unreachable, an
    evicting policy, or writes refused (out of memory)."""
    try:
        policies = memory_policies(store)
    except StorageError as e:
        return f"storage unreachable: {e}"
    problem = eviction_problem(policies)
    if problem is not None and not allow_eviction:
        return problem
    try:
        probe_write(store)
    except StorageError as e:
        if "OutOfMemory" in str(e) or "OOM" in str(e):
            return "storage refuses writes: Redis is at its memory limit (maxmemory)"
        return f"storage refuses writes: {e}"
    return None
