"""The phases of a run, each driven through the load generator's process: the warm-up, Redis's
commands per request by kind, saturation, and latency at fixed offered loads."""

from __future__ import annotations

import time

from skill.verify import REQUEST_TOLERANCE_S

from . import BenchError
from .apps import GTHREAD, VERIFYING
from .generator import dump_pool, make_pool, run_closed, run_open, run_sequential, run_warm
from .options import BenchOptions
from .probes import RedisMonitor, charge_cpu, command_stats, noisy
from .report import add_ratios, combine_rounds, served_cpu_ms
from .servers import Gunicorn
from .stack import Stack
from .traffic import KINDS, Household
from .wrkload import run_wrk, write_script

# A pool must be sent within the skill's REQUEST_TOLERANCE_S of its signing: re-sign it when it
# would be older than tolerance - margin at the phase's end.
POOL_MARGIN_S = 30


class Phases:
    """The phases of one run on its started stack, in the order the run calls them."""

    def __init__(self, opts: BenchOptions, stack: Stack, households: list[Household], progress):
        self.opts, self.stack, self.households, self.progress = opts, stack, households, progress
        self.generator = stack.generator
        self.skill = stack.apps["skill"]
        self.pool_signed_at = 0.0  # when the load pool's requests were stamped
        self.pool_dumped_at = -1.0  # the stamp of the pool last written for wrk
        self.skill_requests_sent = 0  # to the skill by the load phases, every attempt counted
        self.wrk_pool = stack.tmp / "wrk-pool.bin"
        self.wrk_script = write_script(stack.tmp) if opts.generator == "wrk" else None

    def warm_up(self) -> tuple[int, int]:
        """Warm every worker of the skill: each device's time zone is looked up (once per device
        and worker, see the report) and the chain fetched once per worker.
        Returns (requests sent, time-zone lookups made)."""
        calls_before_warm = len(self.stack.standin.calls)
        pool = self.generator.call(make_pool, "warm", "warm", 0)
        warm = self.generator.call(run_warm, self.skill.port, "warm", self.opts.workers)
        warm_calls = len(self.stack.standin.calls) - calls_before_warm
        bad = {k: v for k, v in warm["statuses"].items() if k != "200"}
        if bad:
            raise BenchError(f"warm-up got {bad}: {self.skill.log_tail()}")
        usual = self.stack.apps["usual"]  # looks each device's zone up once, keeps it in Redis
        bad = {k: v for k, v in self.generator.call(run_warm, usual.port, "warm", self.opts.workers
                                                    )["statuses"].items() if k != "200"}
        if bad:
            raise BenchError(f"warm-up of the usual skill got {bad}: {usual.log_tail()}")
        if GTHREAD in self.stack.apps:  # the comparison's workers too, outside the figures above
            self.generator.call(run_warm, self.stack.apps[GTHREAD].port, "warm", self.opts.workers)
        self.progress(f"warmed {len(warm['workers'])} workers with {warm['requests']} requests "
                      f"({warm_calls} time-zone lookups, signing took {pool['build_s']} s)")
        return warm["requests"], warm_calls

    def redis_per_kind(self, name: str = "skill") -> dict:
        """(c) Redis commands and round trips per request, by kind (sequential, warm caches), of
        the skill or of the usual skill (the same requests, its own keys)."""
        redis_by_kind = {}
        step = max(1, len(self.households) // len(KINDS))
        for i, kind in enumerate(KINDS):
            redis_by_kind[kind] = self._redis_for(name, kind, slice(i * step, (i + 1) * step))
        self.progress(f"redis round trips per request ({name}): " + ", ".join(
            f"{k} {v['round_trips_per_request']:g}" for k, v in redis_by_kind.items()))
        return redis_by_kind

    def _redis_for(self, name: str, kind: str, households: slice) -> dict:
        """Requests of one kind, one at a time, with Redis's MONITOR and command stats around."""
        control = self.stack.control
        pool = f"seq-{kind}"
        if name == "skill":  # the usual skill gets the same requests (signed moments ago)
            self.generator.call(make_pool, pool, kind, self.opts.sequential, households)
        control.config_resetstat()
        monitor = RedisMonitor(self.stack.redis.port)
        try:
            seq = self.generator.call(run_sequential, self.stack.apps[name].port, pool)
        finally:
            monitor.stop(control)
        executed = command_stats(control)
        top = monitor.top_level()
        n = seq["requests"]
        figures = {
            "requests": n,
            "round_trips_per_request": round(sum(top.values()) / n, 3),
            "commands_per_request": round(sum(executed.values()) / n, 3),
            "top_level": {k: round(v / n, 3) for k, v in top.most_common()},
            "in_scripts": {k: round(v / n, 3) for k, v in monitor.in_scripts().most_common()},
            "statuses": seq["statuses"], "problems": seq["problems"],
            "service_time": seq["latency"],
        }
        if set(seq["statuses"]) != {"200"} or seq["problems"]:
            raise BenchError(f"sequential {kind} ({name}): {seq['statuses']} {seq['problems']}")
        return figures

    def saturation(self) -> dict:
        """(a) Each app at saturation ``opts.rounds`` times, the order alternating, combined."""
        o = self.opts
        names = tuple(self.stack.apps)  # APPS, and the gthread skill with --gthread
        rounds: dict[str, list[dict]] = {name: [] for name in names}
        for order in (names if i % 2 == 0 else names[::-1] for i in range(o.rounds)):
            for name in order:
                if o.generator == "wrk":
                    r = self.measured(name, "saturation", self._wrk_job(0),
                                      warm=self._wrk_job(o.warmup))
                else:
                    r = self.measured(name, "saturation", self._generator_job(
                        run_closed, "load", o.duration, o.warmup, o.connections, o.workers))
                rounds[name].append(r)
                self.progress(f"saturation {name}: {r['requests_per_s']} requests/s, "
                              f"{served_cpu_ms(r)} ms CPU (p99 {r['latency']['p99_ms']} ms, "
                              f"errors {r['errors'] or 0})")
        sat = {name: combine_rounds(rs) for name, rs in rounds.items()}
        sat["generator"] = o.generator
        return add_ratios(sat)

    def _wrk_job(self, seconds: float):
        """Saturation through wrk from the pool file: the measured phase (``seconds`` 0) or its
        warm-up, run before the CPU is counted."""
        def job(port: int) -> dict:
            if self.pool_dumped_at != self.pool_signed_at:
                self.generator.call(dump_pool, "load", str(self.wrk_pool))
                self.pool_dumped_at = self.pool_signed_at
            return run_wrk(port, self.wrk_pool, self.wrk_script,
                           duration=seconds or self.opts.duration,
                           connections=self.opts.connections)
        return job

    def _generator_job(self, job, *args):
        """A phase run by the Python generator's process."""
        return lambda port: self.generator.call(job, port, *args)

    def latency(self) -> dict:
        """(b) Fixed offered loads, the skill and the baseline alternating."""
        o = self.opts
        by_rate = {}
        for rate in o.rates:
            row = {}
            for name in ("skill", "baseline"):
                r = self.measured(name, f"{rate:g} requests/s", self._generator_job(
                    run_open, "load", rate, o.duration, o.warmup, o.max_open_connections))
                row[name] = r
                self.progress(f"{rate:g} requests/s {name}: p50 {r['latency']['p50_ms']} ms, "
                              f"p99 {r['latency']['p99_ms']} ms, achieved {r['achieved_rps']}/s")
            by_rate[f"{rate:g}"] = row
        return by_rate

    def measured(self, name: str, label: str, job, warm=None) -> dict:
        """A load phase, ``job(port)`` (after ``warm(port)``, not counted, if given), run again
        (at most opts.noisy_retries times) while another process on the machine took a
        noticeable share of the CPU; the quietest attempt counts."""
        server = self.stack.apps[name]
        best = None
        for attempt in range(1 + self.opts.noisy_retries):
            if name in VERIFYING:
                self._load_pool(2 * self.opts.warmup + self.opts.duration + 2)
            if warm is not None:
                warm(server.port)
            r = self._measured_once(server, job)
            r["attempts"] = attempt + 1
            if name == "skill":
                self.skill_requests_sent += r["requests_sent"]
            if best is None or r.get("other_cpu_s", 0) < best.get("other_cpu_s", 0):
                best = r
            if not noisy(r) or attempt == self.opts.noisy_retries:
                break
            self.progress(f"{label} {name}: other processes used {r['other_cpu_s']} s of CPU; "
                          f"running it again")
            time.sleep(3)
        best["attempts"] = attempt + 1
        return best

    def _measured_once(self, server: Gunicorn, job) -> dict:
        """Run a load phase and charge each process's CPU time to its requests."""
        groups = {"server": server.pids(), "redis": [self.stack.redis.process.pid],
                  "generator": [self.generator.pid]}
        return charge_cpu(groups, lambda: job(server.port))

    def _load_pool(self, phase_s: float) -> None:
        """Re-sign the load pool when its timestamps would be too old by the phase's end."""
        age_at_end = time.time() - self.pool_signed_at + phase_s
        if age_at_end > REQUEST_TOLERANCE_S - POOL_MARGIN_S:
            pool = self.generator.call(make_pool, "load", "mix", self.opts.pool)
            self.pool_signed_at = pool["signed_at"]
