"""The open-loop sender: requests at a fixed rate whatever the answers do, each on its own
connection, latency measured from its scheduled send time (so queueing is never hidden)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

ANSWER_LIMIT_S = 15.0  # past Alexa's 8 s: how long the sender waits for any one answer


@dataclass
class Outcome:
    index: int
    latency: float | None  # seconds from the scheduled send; None: no answer
    status: int | None
    body: bytes
    error: str = ""


async def _one(port: int, index: int, raw: bytes, scheduled: float) -> Outcome:
    writer = None
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port), ANSWER_LIMIT_S)
        writer.write(raw)
        await writer.drain()
        remaining = ANSWER_LIMIT_S - (time.perf_counter() - scheduled)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), max(remaining, 0.01))
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next((int(line.split(":", 1)[1]) for line in lines[1:]
                       if line.lower().startswith("content-length:")), 0)
        remaining = ANSWER_LIMIT_S - (time.perf_counter() - scheduled)
        body = await asyncio.wait_for(reader.readexactly(length), max(remaining, 0.01))
        return Outcome(index, time.perf_counter() - scheduled, status, body)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
        return Outcome(index, None, None, b"", type(e).__name__)
    finally:
        if writer is not None:
            writer.close()


async def _open_loop(port: int, raws: list[bytes], rate: float, during=None) -> list[Outcome]:
    start = time.perf_counter() + 0.05
    loop = asyncio.get_running_loop()
    tasks = []
    for i, raw in enumerate(raws):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if during is not None:  # in a thread: a fault's step may block, the sending must not
            loop.run_in_executor(None, during, i)
        tasks.append(asyncio.create_task(_one(port, i, raw, scheduled)))
    return list(await asyncio.gather(*tasks))


def open_loop(port: int, raws: list[bytes], rate: float, during=None) -> list[Outcome]:
    """Send ``raws`` at ``rate`` a second; ``during(i)`` runs before the i-th (a fault's step)."""
    return asyncio.run(_open_loop(port, raws, rate, during))
