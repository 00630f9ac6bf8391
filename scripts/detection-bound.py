#!/usr/bin/env python3
"""How soon could any detector have known? An oracle bound for a scenario's slow faults.

usage: detection-bound.py SPEC.json SCENARIO.ndjson [REPLAY.json] [--bar Z]

For each fault of the spec, the oracle knows what no detector knows: the fault's onset, its
shape (ramp length, failure rate, latency factor) and the series it touches. It reads the
scenario's telemetry of those series minute by minute from the onset and weighs each minute by
the shift the fault is expected to cause there (a matched filter, the most powerful test of
"this shape started at this minute" against "nothing changed"):

    z(T) = sum_m s_m (y_m - mu) / var_m  /  sqrt(sum_m s_m^2 / var_m),  m = 0 .. T-1

- latency: y is the minute's log median latency; mu and the variance are those of the series'
  minutes before the onset; s_m = log(1 + (factor - 1) k_m).
- failures: y is the minute's failures; mu = n p0 with p0 the series' ratio before the onset; the
  variance is binomial plus the overdispersion the minutes before the onset show; s_m is the
  expected excess n (E[max(p, rate k_m)] - p0) over the usual ratio's own spread.

where k_m = min(1, (m + 1) / rampMinutes), as the generator ramps. Latency and failure evidence
on the same minutes are independent and add as squares. The first T with z(T) >= the bar (4.5
by default: one-sided p = 3.4e-6, about one false alarm a week for forty series tested every
minute, even for an oracle told the shape) is the soonest minute a detector with that false
alarm rate could open, and a real detector, which knows neither onset nor shape, needs more.

Prints that minute beside the replay's opening delay, when a replay is given. A fault that only
the probes see (one probe every minute or two) has no telemetry evidence to weigh, and says so.
"""
import json, math, sys
from datetime import datetime, timezone


def ts(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def minute_of(s):
    return int(ts(s).timestamp() // 60)


def usage(message):
    print(f"detection-bound: {message}", file=sys.stderr)
    print(__doc__.split("\n\n")[1], file=sys.stderr)
    sys.exit(2)


def series_minutes(scenario, fault):
    """Per minute (record minute - 1, the minute it covers): attempts, failures, log latency."""
    regions, paths = set(fault["regions"]), set(fault["paths"])
    clients = set(fault.get("clients", [])) or None
    out = {}
    with open(scenario) as f:
        for line in f:
            if '"clients"' not in line:
                continue
            r = json.loads(line)
            if r.get("kind") != "clients" or r["region"] not in regions or r["path"] not in paths:
                continue
            if clients and r["client"] not in clients:
                continue
            m = minute_of(r["t"]) - 1
            key = (r["region"], r["path"], r["client"])
            n = r["ok"] + r["failed"]
            slot = out.setdefault(key, {}).setdefault(m, [0, 0, 0.0, 0])
            slot[0] += n
            slot[1] += r["failed"]
            if r.get("latencyMsP50") and n >= 10:
                slot[2] += math.log(r["latencyMsP50"])
                slot[3] += 1
    return out


def excess_ratio(p0, rate):
    """E[max(p0 u, rate)] - p0 for u uniform on [0.7, 1.3] (the generator's per-minute spread)."""
    grid = [0.7 + 0.6 * (i + 0.5) / 200 for i in range(200)]
    return sum(max(p0 * u, rate) for u in grid) / len(grid) - p0


def bound(spec, scenario, bar, horizon=30):
    results = []
    for fault in spec["faults"]:
        onset = minute_of(fault["onset"])
        ramp = max(fault.get("rampMinutes", 3), 1)
        factor = fault.get("latencyFactor", 1.0)
        rate = fault.get("failureRate", 0.0)
        # z's numerator and the squared norm of the weights, summed over every touched series.
        num = [0.0] * horizon
        norm = [0.0] * horizon
        for key, minutes in series_minutes(scenario, fault).items():
            before = [v for m, v in minutes.items() if onset - 2 * 1440 <= m < onset]
            lat = [v[2] / v[3] for v in before if v[3]]
            n_before = sum(v[0] for v in before)
            p0 = sum(v[1] for v in before) / n_before if n_before else 0
            if len(lat) > 30 and factor != 1.0:
                mu = sum(lat) / len(lat)
                var = sum((x - mu) ** 2 for x in lat) / (len(lat) - 1)
                for m in range(horizon):
                    v = minutes.get(onset + m)
                    if not v or not v[3]:
                        continue
                    k = min(1.0, (m + 1) / ramp)
                    s = math.log(1 + (factor - 1) * k)
                    num[m] += s * (v[2] / v[3] - mu) / var
                    norm[m] += s * s / var
            if p0 > 0 and rate > 0:
                # Overdispersion: the part of the minutes' variance that binomial noise leaves.
                resid = [(v[1] - v[0] * p0) ** 2 - v[0] * p0 * (1 - p0) for v in before if v[0]]
                scale = [(v[0] * p0) ** 2 for v in before if v[0]]
                c2 = max(0.0, sum(resid) / sum(scale)) if sum(scale) else 0.0
                for m in range(horizon):
                    v = minutes.get(onset + m)
                    if not v or not v[0]:
                        continue
                    k = min(1.0, (m + 1) / ramp)
                    s = v[0] * excess_ratio(p0, rate * k)
                    var = v[0] * p0 * (1 - p0) + c2 * (v[0] * p0) ** 2
                    num[m] += s * (v[1] - v[0] * p0) / var
                    norm[m] += s * s / var
        z, total_num, total_norm, first = [], 0.0, 0.0, None
        for m in range(horizon):
            total_num += num[m]
            total_norm += norm[m]
            z.append(total_num / math.sqrt(total_norm) if total_norm > 0 else 0.0)
            if first is None and z[-1] >= bar:
                first = m + 1
        results.append((fault, first, z))
    return results


def main():
    args = list(sys.argv[1:])
    bar = 4.5
    if "--bar" in args:
        i = args.index("--bar")
        try:
            bar = float(args[i + 1])
        except (IndexError, ValueError):
            usage("--bar needs a number")
        del args[i:i + 2]
    if len(args) not in (2, 3):
        usage("expected SPEC.json SCENARIO.ndjson [REPLAY.json]")
    try:
        spec = json.load(open(args[0]))
    except (OSError, ValueError) as error:
        usage(f"cannot read the spec {args[0]}: {error}")
    opened = []
    if len(args) == 3:
        try:
            opened = [ts(i["openedAt"]) for i in json.load(open(args[2]))["incidents"] if i.get("openedAt")]
        except (OSError, ValueError, KeyError) as error:
            usage(f"cannot read the replay {args[2]}: {error}")
    try:
        results = bound(spec, args[1], bar)
    except OSError as error:
        usage(f"cannot read the scenario {args[1]}: {error}")
    except (KeyError, ValueError) as error:
        usage(f"the spec or the scenario is not in the shape FORMAT.md gives: {error!r}")
    for fault, first, z in results:
        on = ts(fault["onset"])
        after = [(o - on).total_seconds() / 60 for o in opened if 0 <= (o - on).total_seconds() <= 3600]
        got = f"{min(after):.0f}" if after else "-"
        if not any(z):
            print(f"{spec['name']:34s} {fault['onset']} no telemetry evidence (the fault shows only in the probes), opened at {got}")
            continue
        best = first if first is not None else f">{len(z)}"
        shown = " ".join(f"{v:.1f}" for v in z[:15])
        print(f"{spec['name']:34s} {fault['onset']} oracle z>={bar:g} at minute {best}, opened at {got}   z: {shown}")


if __name__ == "__main__":
    main()
