"""The benchmark's verdicts and its report: saturation rounds combined, the targets, the checks
that the run itself is valid, notes worth a look, and the text table."""

from __future__ import annotations

from collections import Counter

from skill.server import SETTINGS

from .apps import APPS, GTHREAD, saturation_order
from .probes import noisy


def combine_rounds(runs: list[dict]) -> dict:
    """One app's saturation rounds as one figure: means of the rates, latencies and CPU per
    request, sums of the counts; each round's requests/s kept under "rounds"."""
    def mean(values):
        values = [v for v in values if v is not None]
        return round(sum(values) / len(values), 3) if values else None

    out = dict(runs[0])
    out["requests_per_s"] = round(mean([r["requests_per_s"] for r in runs]), 1)
    out["latency"] = {q: mean([r["latency"].get(q) for r in runs]) for q in runs[0]["latency"]}
    out["latency"]["count"] = sum(r["latency"].get("count", 0) for r in runs)
    out["cpu_ms_per_request"] = {
        group: mean([r.get("cpu_ms_per_request", {}).get(group) for r in runs])
        for group in runs[0].get("cpu_ms_per_request", {})}
    for key in ("duration_s", "warmup_s", "requests_sent", "other_cpu_s", "attempts"):
        if all(key in r for r in runs):
            out[key] = round(sum(r[key] for r in runs), 3)
    for key in ("statuses", "errors", "requests_by_worker"):
        out[key] = dict(sum((Counter(r[key]) for r in runs), Counter()))
    out["rounds"] = [r["requests_per_s"] for r in runs]
    return out


def served_cpu_ms(phase: dict) -> float | None:
    """The CPU a phase's requests cost the service, per request: gunicorn (master and workers)
    plus Redis, in ms. The generator's CPU is not the service's and is left out."""
    per = phase.get("cpu_ms_per_request", {})
    if per.get("server") is None or per.get("redis") is None:
        return None
    return round(per["server"] + per["redis"], 3)


USUAL_TARGET = 1.5  # issue 15: at least 1.5 x the usual skill's throughput


def add_ratios(sat: dict) -> dict:
    """The ratios of one run's saturation figures: throughput to the baseline (skill, floor,
    usual) and the skill to the usual skill (throughput, and CPU per request inverted: how many
    times more CPU the usual skill spends on a request)."""
    def ratio(a, b):
        return None if a is None or not b else round(a / b, 3)

    base = sat["baseline"]["requests_per_s"]
    sat["ratio"] = ratio(sat["skill"]["requests_per_s"], base)
    sat["floor_ratio"] = ratio(sat["floor"]["requests_per_s"], base)
    sat["usual_baseline_ratio"] = ratio(sat["usual"]["requests_per_s"], base)
    sat["vs_usual"] = {
        "throughput": ratio(sat["skill"]["requests_per_s"], sat["usual"]["requests_per_s"]),
        "cpu": ratio(served_cpu_ms(sat["usual"]), served_cpu_ms(sat["skill"])),
        "by_round": [ratio(s, u) for s, u in zip(sat["skill"]["rounds"], sat["usual"]["rounds"])],
    }
    sat["vs_usual"]["median_of_rounds"] = _median(sat["vs_usual"]["by_round"])
    for name in ("skill", "usual", "baseline", "floor"):
        sat[name]["served_cpu_ms"] = served_cpu_ms(sat[name])
    return sat


def _median(values: list) -> float | None:
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else round((values[middle - 1] + values[middle]) / 2, 3)


def _rate_key(results: dict, rate: float = 200) -> str | None:
    key = f"{rate:g}"
    return key if key in results.get("latency", {}) else None


def targets(results: dict) -> list[dict]:
    out = []
    sat = results["saturation"]
    skill_rps, base_rps = sat["skill"]["requests_per_s"], sat["baseline"]["requests_per_s"]
    out.append({"name": "throughput", "pass": skill_rps >= 0.7 * base_rps,
                "text": f"throughput at saturation: skill {skill_rps:g} requests/s >= 0.7 x "
                        f"baseline {base_rps:g} requests/s (ratio {sat['ratio']:g})"})
    vs = sat["vs_usual"]
    out.append({"name": "vs_usual", "pass": (vs["throughput"] or 0) >= USUAL_TARGET,
                "text": f"throughput against the usual ask-sdk skill: {vs['throughput']:g} x >= "
                        f"{USUAL_TARGET:g} x (skill {skill_rps:g}, usual "
                        f"{sat['usual']['requests_per_s']:g} requests/s; the usual skill spends "
                        f"{vs['cpu']} x our CPU per request)"})
    launch = results["redis"]["launch"]["round_trips_per_request"]
    out.append({"name": "checkin_round_trips", "pass": launch == 1,
                "text": f"recording a check-in (launch): {launch:g} Redis round trips per "
                        f"request == 1"})
    worst_kind, worst = max(((k, v["round_trips_per_request"])
                             for k, v in results["redis"].items()), key=lambda kv: kv[1])
    out.append({"name": "any_request_round_trips", "pass": worst <= 2,
                "text": f"any request: at most {worst:g} Redis round trips ({worst_kind}) <= 2"})
    ob = results["outbound"]
    out.append({"name": "outbound_calls", "pass": ob["steady_state_calls"] == 0,
                "text": f"outbound HTTP calls in steady state: {ob['per_request']:g} per request "
                        f"({ob['steady_state_calls']} in {ob['steady_state_requests']} requests) "
                        f"== 0"})
    key = _rate_key(results)
    if key is not None:
        s, b = (results["latency"][key][n]["latency"]["p99_ms"] for n in ("skill", "baseline"))
        ok = s is not None and b is not None and s <= 2 * b
        out.append({"name": "p99_at_200", "pass": ok,
                    "text": f"p99 at 200 requests/s: skill {s} ms <= 2 x baseline {b} ms"})
    return out


def checks(results: dict) -> list[dict]:
    """Is the run itself valid: every answer a 200, no server errors, one chain fetch a worker."""
    errors = Counter()
    for name in APPS:
        errors.update(results["saturation"][name]["errors"])
    for row in results["latency"].values():
        for name in ("skill", "baseline"):
            errors.update(row[name]["errors"])
    log = results["server_log"]
    bad_outcomes = {k: v for k, v in log["outcomes"].items() if k != "ok"}
    return [
        {"name": "all_answered", "pass": not errors,
         "text": f"every request answered 200 ({dict(errors) or 'no errors'})"},
        {"name": "skill_outcomes", "pass": not bad_outcomes and not log["tracebacks"],
         "text": f"the skill logged only ok outcomes ({log['outcomes']}, "
                 f"{log['tracebacks']} tracebacks)"},
    ]


def notes(results: dict) -> list[str]:
    """Observations worth a look that neither invalidate the run nor are targets."""
    out = []
    fetches = results["chain_fetches"]
    if any(v != 1 for v in fetches["per_worker"].values()):
        out.append(f"certificate chain fetched {fetches['total']} times by {fetches['workers']} "
                   f"workers ({fetches['per_worker']}): expected one per worker")
    phases = [(f"saturation {n}", results["saturation"][n]) for n in APPS]
    phases += [(f"{rate}/s {n}", row[n]) for rate, row in results["latency"].items()
               for n in ("skill", "baseline")]
    noisy_phases = [f"{name} {r['other_cpu_s']:g} s" for name, r in phases if noisy(r)]
    if noisy_phases:
        out.append("other processes used CPU during " + ", ".join(noisy_phases)
                   + ": the machine was not quiet, figures may be low")
    sat = results["saturation"]
    out += _unbalanced(sat)
    floor_ratio = sat.get("floor_ratio")
    served = {name: sat[name]["served_cpu_ms"] for name in ("skill", "floor")
              if sat[name].get("served_cpu_ms") is not None}
    if len(served) == 2:
        out.append(f"the skill's own logic (ask-sdk, handlers, speech, response, log line) costs "
                   f"{served['skill'] - served['floor']:.2f} ms of server and Redis CPU per "
                   f"request beyond the floor")
    if floor_ratio is not None and floor_ratio < 0.7:
        out.append(f"the floor (verification and the Redis call only) reaches {floor_ratio:g} x "
                   f"the baseline: on this machine and these settings no implementation of the "
                   f"skill can meet the 0.7 throughput target")
    lost = results.get("usual_outbound_calls", 0)
    if lost:
        out.append(f"the usual skill asked Alexa for {lost} device time zones after its warm-up: "
                   f"a save of the whole JSON value overwrote zones another request had just "
                   f"kept (GET then SET is not atomic)")
    ob = results["outbound"]
    if ob["warmup_calls"] > ob["devices"]:
        out.append(f"warm-up made {ob['warmup_calls']} time-zone lookups for {ob['devices']} "
                   f"devices: the warm-up sends each device to every worker at once, so a "
                   f"worker can miss the zone another worker is still storing in Redis")
    return out


def _unbalanced(sat: dict) -> list[str]:
    """Saturation phases where one worker answered over 65% of the requests: the generator's
    connections were not spread (wrk cannot choose), so the app's throughput may be low; its CPU
    per request still holds."""
    out = []
    for name in APPS:
        counts = [v for k, v in sat[name]["requests_by_worker"].items() if k != "?"]
        if len(counts) > 1 and max(counts) > 0.65 * sum(counts):
            out.append(f"saturation {name}: one worker answered {max(counts)} of {sum(counts)} "
                       f"requests; its throughput may be low, its CPU per request holds")
    return out


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_report(results: dict) -> str:
    lines = (_heading(results) + _saturation_table(results["saturation"])
             + _latency_table(results["latency"]) + _redis_table(results["redis"])
             + _redis_table(results["redis_usual"], "the usual skill: ")
             + _other_figures(results) + _verdicts(results))
    return "\n".join(lines)


def _heading(results: dict) -> list[str]:
    o = results["options"]
    m = results["machine"]
    tr = results["traffic"]
    return [
        f"Our Check-In benchmark: {o['workers']} gunicorn workers ({SETTINGS['worker_class']}), "
        f"{o['connections']} connections at saturation, {o['duration']:g} s phases "
        f"(+{o['warmup']:g} s warm-up){' [quick]' if o['quick'] else ''}",
        f"machine: {m['nproc']} CPUs, {m['cpu_model']}, Python {m['python']}, {m['platform']}",
        f"traffic: {tr['households']} households, {tr['devices']} devices, "
        f"{tr['seeded_nights']} past nights; mix "
        + ", ".join(f"{k} {v:.0%}" for k, v in tr["mix"].items()),
        "",
    ]


def _saturation_table(sat: dict) -> list[str]:
    orders = saturation_order(len(sat["skill"]["rounds"]))
    generator = {"wrk": "wrk", "python": "the Python generator"}.get(sat.get("generator"), "?")
    lines = [
        f"Saturation (closed loop by {generator}; mean of {len(orders)} rounds, in the order "
        + ", then ".join(" ".join(order) for order in orders[:2]) + (", ..." if len(orders) > 2
                                                                      else "") + ")",
        "                               " + "".join(f"{name:>12}" for name in APPS),
    ]
    apps = [sat[name] for name in APPS]

    def row(label: str, cells) -> str:
        return f"  {label:<29}" + "".join(f"{c:>12}" for c in cells)

    lines.append(row("requests/s", (f"{x['requests_per_s']:.1f}" for x in apps)))
    lines.append(row("x baseline", (f"{sat['ratio']:.2f}", f"{sat['usual_baseline_ratio']:.2f}",
                                    "1.00", f"{sat['floor_ratio']:.2f}")))
    for i in range(len(orders)):
        lines.append(row(f"  round {i + 1}", (f"{x['rounds'][i]:.0f}" for x in apps)))
    for q in ("p50_ms", "p99_ms"):
        lines.append(row(f"latency {q[:3]} ms", (_ms(x["latency"][q]) for x in apps)))
    for group, label in (("server", "gunicorn"), ("redis", "redis"), ("generator", "generator")):
        values = (x.get("cpu_ms_per_request", {}).get(group) for x in apps)
        lines.append(row(f"CPU ms/request {label}", ("-" if v is None else f"{v:.3f}"
                                                     for v in values)))
    lines.append(row("CPU ms/request served", ("-" if x.get("served_cpu_ms") is None
                                               else f"{x['served_cpu_ms']:.3f}" for x in apps)))
    vs = sat["vs_usual"]
    lines.append(f"  skill against the usual skill: {vs['throughput']} x the throughput "
                 f"(by round {' / '.join(str(v) for v in vs['by_round'])}, median "
                 f"{vs['median_of_rounds']}); the usual skill spends {vs['cpu']} x the skill's CPU per "
                 f"request (gunicorn + Redis)")
    lines.append("  (usual: ask-sdk's samples' way; floor: the skill's verification and Redis "
                 "call, then a fixed response; served = gunicorn + Redis)")
    if GTHREAD in sat:
        g, s = sat[GTHREAD], sat["skill"]
        cpu = g.get("cpu_ms_per_request", {})
        served = (cpu.get("server") or 0) + (cpu.get("redis") or 0)
        lines.append(f"  {GTHREAD}, the skill under the gthread workers of before (last in the "
                     f"first order, first in the second): {g['requests_per_s']:.1f} requests/s "
                     f"(rounds {' / '.join(f'{v:.0f}' for v in g['rounds'])}), {served:.3f} ms "
                     f"CPU per request served; skill / {GTHREAD}: "
                     f"{s['requests_per_s'] / max(g['requests_per_s'], 1e-9):.2f} x the throughput")
    return lines


def _latency_table(latency: dict) -> list[str]:
    lines = ["", "Fixed offered load (open loop, latency from the scheduled send, ms)",
             "  rate/s  app        achieved/s    p50     p95     p99     max  errors"]
    for rate, row in latency.items():
        for name in ("skill", "baseline"):
            r = row[name]
            lat = r["latency"]
            errs = sum(r["errors"].values())
            lines.append(f"  {rate:>6}  {name:<9} {r['achieved_rps']:>10.1f} {_ms(lat['p50_ms']):>7}"
                         f" {_ms(lat['p95_ms']):>7} {_ms(lat['p99_ms']):>7} {_ms(lat['max_ms']):>7}"
                         f"  {errs}")
    return lines


def _redis_table(redis: dict, whose: str = "") -> list[str]:
    lines = ["", f"{whose}Redis per request (sequential, warm caches; round trips = top-level "
                 f"commands)",
             "  kind         round trips  commands run  top-level              service p50 ms"]
    for kind, r in redis.items():
        top = ", ".join(f"{k} {v:g}" for k, v in r["top_level"].items()) or "-"
        lines.append(f"  {kind:<12} {r['round_trips_per_request']:>11g}  "
                     f"{r['commands_per_request']:>12g}  {top:<22} "
                     f"{_ms(r['service_time']['p50_ms']):>7}")
    return lines


def _other_figures(results: dict) -> list[str]:
    ob = results["outbound"]
    cf = results["chain_fetches"]
    st = results["startup"]
    return [
        "",
        f"Outbound HTTP calls, steady state: {ob['steady_state_calls']} in "
        f"{ob['steady_state_requests']} requests ({ob['per_request']:g} per request); warm-up: "
        f"{ob['warmup_calls']} time-zone lookups for {ob['devices']} devices on "
        f"{ob['workers']} workers",
        f"Certificate chain fetches: {cf['total']} for {cf['workers']} workers "
        f"({', '.join(f'pid {k}: {v}' for k, v in cf['per_worker'].items())})",
        f"Start-up, process start to first 200: skill /healthz {st['skill']['healthz_s']:.2f} s, "
        f"signed POST / {st['skill']['first_post_s']:.2f} s; baseline /healthz "
        f"{st['baseline']['healthz_s']:.2f} s, POST / {st['baseline']['first_post_s']:.2f} s",
        f"Skill log: outcomes {results['server_log']['outcomes']}, "
        f"{results['server_log']['tracebacks']} tracebacks",
        "",
    ]


def _verdicts(results: dict) -> list[str]:
    lines = [f"NOTE {text}" for text in results.get("notes", [])]
    lines += [f"{'VALID' if t['pass'] else 'INVALID'} {t['text']}" for t in results["checks"]]
    lines += [f"{'PASS' if t['pass'] else 'FAIL'} {t['text']}" for t in results["targets"]]
    return lines
