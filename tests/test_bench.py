"""`checkin bench --quick`: the benchmark runs end to end on loopback and measures what issues 6
and 15 ask for, beside the usual ask-sdk skill. Its targets are reported, not asserted here,
except those that hold by design."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from skill.dev.bench import BenchError
from skill.dev.bench.apps import APPS
from skill.dev.bench.report import add_ratios, combine_rounds
from skill.dev.bench.run import choose_generator
from skill.dev.bench.traffic import CHECKIN_KINDS, KINDS
from skill.dev.bench.wire import raw_post
from skill.dev.bench.wrkload import find_wrk, run_wrk, write_pool, write_script

EXPECTED_KEYS = {"command", "options", "machine", "traffic", "startup", "saturation", "latency",
                 "redis", "redis_usual", "outbound", "usual_outbound_calls", "chain_fetches",
                 "server_log", "targets", "checks", "notes"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "bench.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "bench", "--quick", "--duration", "1",
         "--out", str(out)],
        cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)  # the bench stops its servers on SIGTERM
        stdout, stderr = proc.communicate(timeout=30)
        pytest.fail(f"checkin bench --quick took over 120 s:\n{stderr[-3000:]}")
    assert proc.returncode == 0, stderr[-3000:]
    return json.loads(out.read_text()), stdout


def test_results_have_every_figure(quick_run):
    data, _ = quick_run
    assert EXPECTED_KEYS <= set(data)
    assert set(APPS) == {"skill", "usual", "baseline", "floor"}
    for name in APPS:
        assert data["saturation"][name]["requests_per_s"] > 0
        assert data["saturation"][name]["served_cpu_ms"] > 0  # gunicorn + Redis per request
        assert data["startup"][name]["first_post_s"] > 0
        assert len(data["saturation"][name]["rounds"]) == 2  # each app in both orders
    assert data["saturation"]["ratio"] > 0
    assert data["saturation"]["floor_ratio"] > 0
    assert data["saturation"]["generator"] in ("wrk", "python")
    assert set(data["latency"]) == {"100", "200", "400"}
    for row in data["latency"].values():
        for name in ("skill", "baseline"):
            assert {"p50_ms", "p95_ms", "p99_ms"} <= set(row[name]["latency"])
    assert set(data["redis"]) == set(KINDS)
    assert {t["name"] for t in data["targets"]} == {
        "throughput", "vs_usual", "checkin_round_trips", "any_request_round_trips",
        "outbound_calls", "p99_at_200"}


def test_the_skill_is_compared_with_the_usual_skill(quick_run):
    data, stdout = quick_run
    sat = data["saturation"]
    vs = sat["vs_usual"]
    assert vs["throughput"] == round(sat["skill"]["requests_per_s"]
                                     / sat["usual"]["requests_per_s"], 3)
    assert vs["cpu"] == round(sat["usual"]["served_cpu_ms"] / sat["skill"]["served_cpu_ms"], 3)
    assert len(vs["by_round"]) == 2
    usual = sat["usual"]
    assert usual["errors"] == {} and set(usual["statuses"]) == {"200"}
    assert "skill against the usual skill" in stdout


def test_the_usual_skill_loads_and_saves_one_json_value(quick_run):
    """ask-sdk's persistence adapter way: a check-in is a GET and a SET, a status read a GET
    (and a SET when it had to ask a device's zone: two devices' first saves can overwrite each
    other), a tip or a phrase nothing; every answer spoken (the sequential run checks each)."""
    redis = quick_run[0]["redis_usual"]
    assert set(redis) == set(KINDS)
    for kind in CHECKIN_KINDS:
        assert redis[kind]["top_level"] == {"get": 1, "set": 1}, kind
    assert redis["done"]["top_level"]["get"] == 1
    assert redis["done"]["top_level"].get("set", 0) < 0.5
    assert redis["tip"]["round_trips_per_request"] == 0
    assert redis["validation"]["round_trips_per_request"] == 0
    for figures in redis.values():
        assert figures["statuses"] == {"200": figures["requests"]} and not figures["problems"]


def test_the_run_is_valid(quick_run):
    data, _ = quick_run
    assert all(c["pass"] for c in data["checks"]), data["checks"]
    assert data["chain_fetches"]["total"] >= 1  # fetched through the injected fetcher


def test_a_checkin_is_one_redis_round_trip(quick_run):
    data, _ = quick_run
    assert data["redis"]["launch"]["round_trips_per_request"] == 1
    assert data["redis"]["launch"]["top_level"] == {"evalsha": 1}


def test_the_floor_verifies_and_answers_every_request(quick_run):
    data, _ = quick_run
    floor = data["saturation"]["floor"]
    assert floor["errors"] == {} and set(floor["statuses"]) == {"200"}
    assert any("beyond the floor" in note for note in data["notes"]), data["notes"]


def test_saturation_rounds_combine_into_means_and_sums():
    def run(rps, p99, cpu, sent):
        return {"requests_per_s": rps, "latency": {"count": sent, "p50_ms": 1.0, "p99_ms": p99},
                "cpu_ms_per_request": {"server": cpu}, "duration_s": 10, "warmup_s": 2,
                "requests_sent": sent, "statuses": {"200": sent}, "errors": {},
                "requests_by_worker": {"1": sent}}

    combined = combine_rounds([run(1000, 10.0, 1.0, 12000), run(800, 20.0, 1.5, 9000)])
    assert combined["requests_per_s"] == 900
    assert combined["rounds"] == [1000, 800]
    assert combined["latency"]["p99_ms"] == 15.0
    assert combined["latency"]["count"] == 21000
    assert combined["cpu_ms_per_request"]["server"] == 1.25
    assert combined["requests_sent"] == 21000 and combined["statuses"] == {"200": 21000}
    assert combined["duration_s"] == 20


def test_ratios_to_the_usual_skill():
    def app(rps, server, redis, rounds):
        return {"requests_per_s": rps, "cpu_ms_per_request": {"server": server, "redis": redis,
                                                              "generator": 0.05},
                "rounds": rounds}

    sat = add_ratios({"skill": app(1500, 0.9, 0.1, [1400, 1600]),
                      "usual": app(1000, 1.4, 0.1, [1000, 1000]),
                      "baseline": app(3000, 0.5, 0.0, [3000, 3000]),
                      "floor": app(2000, 0.7, 0.05, [2000, 2000])})
    assert sat["vs_usual"] == {"throughput": 1.5, "cpu": 1.5, "by_round": [1.4, 1.6],
                               "median_of_rounds": 1.5}
    assert sat["ratio"] == 0.5 and sat["usual_baseline_ratio"] == 0.333
    assert sat["skill"]["served_cpu_ms"] == 1.0  # gunicorn + Redis, not the generator


def test_no_outbound_calls_in_steady_state(quick_run):
    data, _ = quick_run
    assert data["outbound"]["steady_state_requests"] > 0
    assert data["outbound"]["steady_state_calls"] == 0
    assert data["outbound"]["per_request"] == 0


def test_report_prints_a_line_per_target(quick_run):
    data, stdout = quick_run
    verdicts = [line for line in stdout.splitlines() if line.startswith(("PASS ", "FAIL "))]
    assert len(verdicts) == len(data["targets"])


@pytest.fixture
def tagged_server():
    """A loopback HTTP server that records each body and answers 200 (or 503 for b"fail"),
    tagged with a worker id as the benchmark's apps are."""
    seen: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(body)
            self.send_response(503 if body == b"fail" else 200)
            self.send_header("X-Bench-Worker", "w1")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, seen
    server.shutdown()
    server.server_close()


@pytest.mark.skipif(find_wrk() is None, reason="wrk is not installed (Debian: apt-get install "
                    "wrk); checkin bench then runs saturation with its Python generator")
def test_wrk_sends_the_pool_round_robin_and_counts_answers(tagged_server, tmp_path):
    port, seen = tagged_server
    bodies = [b'{"n": %d}' % i for i in range(4)] + [b"fail"]
    write_pool(tmp_path / "pool", [raw_post(body, {"X-Test": "1"}) for body in bodies])
    r = run_wrk(port, tmp_path / "pool", write_script(tmp_path), duration=1, connections=1)
    assert seen[:6] == bodies[1:] + bodies[:2]  # one connection: the pool in order, round robin
    answered = r["requests_sent"]  # the answers counted; one more may be in flight at the end
    assert 0 < answered <= len(seen) <= answered + 1
    assert r["requests_by_worker"] == {"w1": answered}
    failed = seen[:answered].count(b"fail")
    assert r["errors"] == {"HTTP 503": failed} and r["statuses"]["200"] == answered - failed
    assert r["generator_cpu_s"] >= 0 and r["latency"]["p99_ms"] > 0


def test_a_missing_wrk_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert choose_generator("auto") == "python"
    with pytest.raises(BenchError, match="apt-get install wrk"):
        choose_generator("wrk")
