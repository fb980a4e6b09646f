"""The faults, one function each: what goes wrong, when in the traffic, and how it ends."""

from __future__ import annotations

import signal
import urllib.request

from .scenarios import FaultOptions, Stack, kill_signal, run, steps


def no_fault(stack: Stack, opts: FaultOptions) -> dict:
    return run(stack, opts, "no fault, 20 new devices/s", "calm", 20)


def slow_clients(stack: Stack, opts: FaultOptions) -> dict:
    n = opts.slow_clients
    return run(stack, opts, f"{n} slow connections open (silent, trickled headers, trickled "
               f"body), 10 requests/s", "slow", 10, slow=n)


def _api(mode: str, rate: int):
    def scenario(stack: Stack, opts: FaultOptions) -> dict:
        state = stack.standin.state

        def on():
            if mode == "hang":
                state.delay = 30.0
            else:
                state.drip = 0.9

        def off():
            state.delay, state.drip = 0.0, 0.0
        label = ("time-zone API hangs" if mode == "hang"
                 else "time-zone API drips a byte every 0.9 s")
        return run(stack, opts, f"{label}, {rate} new devices/s", f"{mode}{rate}", rate,
                   on=on, off=off)
    return scenario


def redis_frozen(stack: Stack, opts: FaultOptions) -> dict:
    rate, pid = 20, stack.redis.process.pid
    start, end = steps(opts, rate, 3.0)

    def during(i: int) -> None:
        if i == start:
            kill_signal(pid, signal.SIGSTOP)
        elif i == end:
            kill_signal(pid, signal.SIGCONT)
    return run(stack, opts, "Redis frozen 3 s (SIGSTOP), 20/s", "frozen", rate, during,
               off=lambda: kill_signal(pid, signal.SIGCONT))


def redis_stopped(stack: Stack, opts: FaultOptions) -> dict:
    rate = 20
    start, end = steps(opts, rate, 2.0)

    def during(i: int) -> None:
        if i == start:
            stack.redis.stop()  # SIGTERM: it saves, then it is gone
        elif i == end:
            stack.redis.start()

    def off():
        if not stack.redis.ping():
            stack.redis.start()
    return run(stack, opts, "Redis stopped 2 s and restarted, 20/s", "stopped", rate, during,
               off=off)


def memory_full(stack: Stack, opts: FaultOptions) -> dict:
    rate = 20
    start, end = steps(opts, rate, opts.duration / 3)
    ready: dict[str, int] = {}
    control = stack.redis.client(socket_timeout=2)

    def during(i: int) -> None:
        if i == start:
            control.config_set("maxmemory", 1)  # every write is over the limit
        elif i == end - 1:
            ready["during"] = _readyz(stack)
        elif i == end:
            control.config_set("maxmemory", 0)
            ready["after"] = _readyz(stack)
    try:
        r = run(stack, opts, "Redis out of memory (noeviction) for a third, 20/s", "oom", rate,
                during, off=lambda: control.config_set("maxmemory", 0))
    finally:
        control.close()
    r["scenario"] += f" [/readyz during {ready.get('during')}, after {ready.get('after')}]"
    return r


def _readyz(stack: Stack) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{stack.skill.port}/readyz", timeout=2):
            return 200
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def worker_killed(stack: Stack, opts: FaultOptions) -> dict:
    rate = 20
    count = int(rate * opts.duration)

    def during(i: int) -> None:
        if i == count // 2:
            pids = stack.skill.worker_pids()
            if pids:
                kill_signal(int(pids[-1]), signal.SIGKILL)
    return run(stack, opts, "a worker killed (SIGKILL) mid-traffic, 20/s", "kill", rate, during)


SCENARIOS = [no_fault, slow_clients, _api("hang", 20), _api("hang", 50), _api("drip", 20),
             _api("drip", 50), redis_frozen, redis_stopped, memory_full, worker_killed]
