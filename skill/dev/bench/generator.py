"""The load generator's process: it holds pools of signed requests and runs the jobs the benchmark
submits to it. It is a process of its own (spawned), so it shares no GIL with any server."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from ..ca import BodySigner
from .apps import WORKER_HEADER
from .loadgen import closed_loop, open_loop, percentiles, pin_connections
from .traffic import MIX, Household, request_body
from .wire import Client, raw_post


class GeneratorProcess:
    """The benchmark's side of the generator's process: it submits jobs (the functions below) and
    waits for their results."""

    def __init__(self, households: list[Household], key_pem: bytes, standin_url: str, seed: int):
        self._executor = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                                             initializer=init_process,
                                             initargs=(households, key_pem, standin_url, seed))
        self.pid: int | None = None

    def start(self) -> GeneratorProcess:
        """Start the process (with its first job) and note its pid."""
        self.pid = self.call(os.getpid)
        return self

    def call(self, job, *args, timeout: float = 900):
        """``job(*args)`` run in the generator's process."""
        return self._executor.submit(job, *args).result(timeout=timeout)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


# -- in the generator's process -----------------------------------------------------------------

_G: dict = {}  # the process's state: households, signer, stand-in URL, rng, pools by name


def init_process(households: list[Household], key_pem: bytes, standin_url: str, seed: int) -> None:
    _G.update(households=households, signer=BodySigner(key_pem), standin_url=standin_url,
              rng=random.Random(seed), pools={})


def make_pool(name: str, kind: str, count: int, households: slice | None = None) -> dict:
    """Build and sign ``count`` requests stamped now: ``kind`` is a request kind, "mix" (the MIX
    over all households) or "warm" (one StreakIntent per device of every household)."""
    rng: random.Random = _G["rng"]
    hhs: list[Household] = _G["households"]
    signer = _G["signer"]
    started = time.perf_counter()
    now = time.time()
    plan: list[tuple[str, Household, int]] = []
    if kind == "warm":
        plan = [("streak", hh, i) for hh in hhs for i in range(len(hh.devices))]
    elif kind == "mix":
        kinds = [k for k, _ in MIX]
        weights = [w for _, w in MIX]
        for _ in range(count):
            plan.append((rng.choices(kinds, weights)[0], rng.choice(hhs), rng.randrange(2)))
    else:
        chosen = hhs[households] if households is not None else hhs
        plan = [(kind, chosen[i % len(chosen)], rng.randrange(2)) for i in range(count)]
    reqs = []
    for k, hh, device_index in plan:
        body = request_body(k, hh, device_index, _G["standin_url"], now, rng)
        reqs.append((k, raw_post(body, signer.headers(body))))
    _G["pools"][name] = reqs
    return {"name": name, "requests": len(reqs), "signed_at": now,
            "build_s": round(time.perf_counter() - started, 2)}


def dump_pool(name: str, path: str) -> int:
    """Write a pool's raw requests to a file for wrk (``wrkload.write_pool``)."""
    from pathlib import Path

    from .wrkload import write_pool

    reqs = _G["pools"][name]
    write_pool(Path(path), [raw for _, raw in reqs])
    return len(reqs)


def run_closed(port: int, pool: str, duration: float, warmup: float, connections: int,
               workers: int) -> dict:
    return closed_loop(port, _G["pools"][pool], duration=duration, warmup=warmup,
                       connections=connections, workers=workers)


def run_open(port: int, pool: str, rate: float, duration: float, warmup: float,
             max_connections: int) -> dict:
    return open_loop(port, _G["pools"][pool], rate=rate, duration=duration, warmup=warmup,
                     max_connections=max_connections)


def run_warm(port: int, pool: str, workers: int, per_worker: int = 2) -> dict:
    """Send the whole pool to every worker, so each has every device's time zone cached."""
    reqs = _G["pools"][pool]
    pinned = pin_connections(port, workers, per_worker)
    results: Counter = Counter()
    lock = threading.Lock()

    def run(client: Client, part: list[tuple[str, bytes]]) -> None:
        for _, raw in part:
            try:
                status = client.request(raw)[0]
            except OSError as e:
                status = type(e).__name__
            with lock:
                results[status] += 1

    threads = []
    for conns in pinned.values():
        for j, client in enumerate(conns):
            t = threading.Thread(target=run, args=(client, reqs[j::len(conns)]), daemon=True)
            threads.append(t)
            t.start()
    for t in threads:
        t.join(timeout=600)
    for conns in pinned.values():
        for c in conns:
            c.close()
    return {"workers": sorted(pinned), "requests": sum(results.values()),
            "statuses": {str(k): v for k, v in results.items()}}


def run_sequential(port: int, pool: str) -> dict:
    """One request at a time over one connection; checks each answer is a spoken response."""
    reqs = _G["pools"][pool]
    client = Client(port)
    latencies, statuses, problems = [], Counter(), Counter()
    workers = Counter()
    try:
        for _, raw in reqs:
            started = time.perf_counter()
            status, headers, body = client.request(raw)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            workers[headers.get(WORKER_HEADER, "?")] += 1
            if status == 200:
                data = json.loads(body)
                ssml = data.get("response", {}).get("outputSpeech", {}).get("ssml", "")
                if not ssml.startswith("<speak>"):
                    problems["no speech"] += 1
                elif "sorry" in ssml.lower() and "went wrong" in ssml.lower():
                    problems["apology"] += 1
    finally:
        client.close()
    return {"requests": len(reqs), "statuses": {str(k): v for k, v in statuses.items()},
            "problems": dict(problems), "latency": percentiles(latencies),
            "workers": dict(workers)}

