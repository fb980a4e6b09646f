"""What one benchmark run is asked to do: how long, how hard, with how much traffic."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class BenchOptions:
    duration: float = 10.0
    warmup: float = 2.0
    connections: int = 16
    workers: int = 2
    households: int = 2000
    rates: tuple[float, ...] = (100.0, 200.0, 400.0)
    sequential: int = 200  # requests per kind for the Redis counts
    pool: int = 3000  # signed requests per load pool (sent round-robin)
    max_open_connections: int = 64
    noisy_retries: int = 2  # run a phase again while another process took CPU meanwhile
    seed: int = 6
    quick: bool = False
    rounds: int = 2  # saturation rounds per app, alternating the order
    gthread: bool = False  # also run the skill under the gthread settings used before gevent
    generator: str = "auto"  # saturation's load generator: "wrk", "python", or wrk when installed

    @classmethod
    def quick_run(cls, **overrides) -> BenchOptions:
        values = dict(duration=2.0, warmup=0.5, households=150, sequential=20, pool=600,
                      noisy_retries=0, quick=True)
        values.update(overrides)
        return cls(**values)
