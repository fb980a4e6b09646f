"""``checkin bench``: verified requests per second, CPU per request and latency, against the
same skill written the usual ask-sdk way and a bare-Flask baseline.

One run starts, on 127.0.0.1 only:

* a private Redis (``RedisServer``, TCP) seeded with the history of many households;
* an ``AlexaStandin`` that answers the devices' time-zone lookups and counts them;
* the skill under gunicorn with the production settings (``skill.server.SETTINGS``), built by
  ``apps.bench_app``: verification ON, trusting only a throwaway CA made for this run, the
  certificate chain served from a file (``https://s3.amazonaws.com/...`` is never contacted);
* the usual skill (``usual.usual_app``): the same conversation written as ask-sdk's samples write
  a skill (``CustomSkillBuilder``, ``DefaultSerializer``, persistent attributes as one JSON value
  in Redis through a persistence adapter, a GET and a SET per check-in), with the same
  verification;
* a bare Flask app (``apps.baseline_app``) that parses the JSON body and returns a fixed Alexa
  response, and a "floor" app (``apps.floor_app``): the skill's verification and Redis call, then
  that fixed response; all four under the same gunicorn settings and worker count.

Saturation (closed loop, each app twice in alternating order) is driven by ``wrk`` when it is
installed (a C generator: its own CPU per request is a small fraction of a server's) or else by
the Python generator; either way the CPU time of gunicorn and Redis is charged to the requests
("CPU per request", the headline: it does not depend on who else uses the machine's CPUs). The
Python generator, in a process of its own, also drives p50/p95/p99 latency at fixed offered
loads (open loop, measured from each request's scheduled send time, so a slow server cannot hide
its queueing), Redis round trips and commands per request by kind for the skill and the usual
skill (``MONITOR`` and ``INFO commandstats`` around a sequential run), outbound HTTP calls per
request in steady state, certificate-chain fetches per worker, and the time from process start to
the first answered request. Results go to stdout as a table and to a JSON file.

``checkin bench --profile`` instead measures and profiles both skills' request handling
in-process.

The modules, each leaning only on those listed after it:

* ``commands``: the ``checkin bench`` options and the command;
* ``run``: ``run_bench``, one run from start to results;
* ``profiling``: the ``--profile`` mode;
* ``stages``: its stage-by-stage CPU of both skills;
* ``phases``: the warm-up, Redis per request kind, saturation and fixed-load phases;
* ``stack``: what a run starts (Redis seeded, the stand-in, the apps, the generator) and stops;
* ``report``: saturation rounds combined, ratios, targets, checks, notes and the text report;
* ``generator``: the load generator's process (pools of signed requests, the jobs it runs);
* ``wrkload``: saturation through wrk (the Lua script, the pool file, wrk's own CPU);
* ``loadgen``: the Python event loop, the closed and open loops, connections spread over workers;
* ``servers``: a private Redis, and gunicorn with the production settings;
* ``probes``: CPU accounting and Redis's commands around a phase;
* ``machine``: what the run ran on;
* ``usual``: the usual skill's handlers and app;
* ``usual_store``: its persistence adapter on Redis, and its households' past;
* ``traffic``: households, the request mix, request bodies, the households' past;
* ``wire``: HTTP/1.1 on raw sockets;
* ``apps``: the apps gunicorn loads, and the names they share with the run;
* ``options``: ``BenchOptions``, what a run is asked to do.
"""

from __future__ import annotations

from skill.errors import CommandError


class BenchError(CommandError):
    """The benchmark could not run (a server did not start, a phase failed). ``checkin`` prints
    it as one line, "benchmark failed: <why>", and exits with 2."""

    def __str__(self) -> str:
        return f"benchmark failed: {super().__str__()}"
