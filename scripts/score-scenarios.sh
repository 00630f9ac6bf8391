#!/usr/bin/env bash
# Detection scores (issue 5): generate every scenario (the shared specs and this repository's own
# in scenarios/specs), replay each with `mailcanary replay --json` (release build), score it with
# the shared score.py, and print one summary line per scenario plus the replay speed. Each incident
# opened later than six minutes is shown beside the oracle bound of scripts/detection-bound.py.
#
#   bash scripts/score-scenarios.sh [SPEC.json ...]
#
# Then the replay benchmark on healthy-week (mailcanary-watch-bench replay; NO_REPLAY_BENCH=1 skips it).
#
# SCENARIOS_DIR points at the shared scenario tools (default ../shared/scenarios beside the
# repository); generated files go to .scenarios/ (not committed).
#
# SEED_VARIANTS=N also scores N variants of every spec that differ only in their random seed
# (seed × 7 + 1 … N; named NAME-s1 …): the same shapes with other noise, a check that the detector
# was not fitted to one draw of each. A summary line totals every scenario scored.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${SCENARIOS_DIR:-../shared/scenarios}
if [[ ! -f "$tools/make_scenario.py" || ! -f "$tools/score.py" ]]; then
  echo "score-scenarios: the scenario tools are not at $tools (set SCENARIOS_DIR)" >&2
  exit 1
fi
if [[ $# -gt 0 ]]; then specs=("$@"); else specs=("$tools"/specs/*.json scenarios/specs/*.json); fi
variants=${SEED_VARIANTS:-0}
if ! [[ $variants =~ ^[0-9]+$ ]]; then
  echo "score-scenarios: SEED_VARIANTS must be a whole number, not '$variants'" >&2
  exit 1
fi
if (( variants > 0 )); then
  mkdir -p .scenarios/variants
  for spec in "${specs[@]}"; do
    for ((k = 1; k <= variants; k++)); do
      name=$(basename "$spec" .json)-s$k
      python3 - "$spec" "$k" ".scenarios/variants/$name.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
k = int(sys.argv[2])
spec["seed"] = spec.get("seed", 1) * 7 + k
spec["name"] = spec["name"] + "-s%d" % k
text = json.dumps(spec, indent=1)
try:
    unchanged = open(sys.argv[3]).read() == text
except OSError:
    unchanged = False
if not unchanged:   # rewritten only when it changed: an older scenario file is generated again
    open(sys.argv[3], "w").write(text)
PY
      specs+=(".scenarios/variants/$name.json")
    done
  done
fi
swift build -c release --product mailcanary >/dev/null
bin=$(swift build -c release --show-bin-path)/mailcanary
mkdir -p .scenarios
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
for spec in "${specs[@]}"; do
  name=$(basename "$spec" .json)
  out=.scenarios/$name
  if [[ ! -f $out.ndjson || $spec -nt $out.ndjson ]]; then
    python3 "$tools/make_scenario.py" "$spec" "$out.ndjson" "$out.truth.json"
  fi
  records=$(($(wc -l < "$out.ndjson") - 1))
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$out.rss" "$bin" replay "$out.ndjson" --json > "$out.replay.json"
  end=$(date +%s.%N)
  seconds=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  python3 "$tools/score.py" "$out.truth.json" "$out.replay.json" > "$out.score"
  printf '%-34s %s\n' "$name" "$(grep '^score:' "$out.score")"
  { grep -v '^score:' "$out.score" || true; } | sed 's/^/    /'
  printf '    replay: %d records in %.2f s = %.0f records/s, peak memory %d MiB\n' \
    "$records" "$seconds" "$(awk -v r="$records" -v s="$seconds" 'BEGIN { print r / s }')" "$(( $(cat "$out.rss") / 1024 ))"
done

# Totals over every scenario scored: truth incidents found, delays, false incidents.
python3 - .scenarios "${specs[@]}" <<'PY'
import json, os, re, statistics, sys
found = total = false = 0
delays = []
for spec in sys.argv[2:]:
    name = os.path.basename(spec)[:-5]
    text = open(os.path.join(sys.argv[1], name + ".score")).read()
    score = re.search(r"detected (\d+)/(\d+).*false (\d+)", text)
    found += int(score.group(1)); total += int(score.group(2)); false += int(score.group(3))
    delays += [float(d) for d in re.findall(r"^found .* delay ([\d.]+) min", text, re.M)]
median = statistics.median(delays) if delays else float("nan")
print(f"total: {len(sys.argv) - 2} scenarios, found {found}/{total}, false {false}, "
      f"delay median {median:.1f} min, max {max(delays, default=float('nan')):.1f}, over 6 min: {sum(d > 6 for d in delays)}")
PY

# Every scenario with an incident opened later than six minutes, beside the soonest minute an
# oracle told the fault's onset and shape could have opened it (scripts/detection-bound.py).
for spec in "${specs[@]}"; do
  name=$(basename "$spec" .json)
  if grep -Eq '^found .* delay ([7-9]|[1-9][0-9]+)\.' ".scenarios/$name.score"; then
    python3 scripts/detection-bound.py "$spec" ".scenarios/$name.ndjson" ".scenarios/$name.replay.json"
  fi
done

# Replay speed against the goal (1,000,000 records/s), median of rounds, with the peer reader.
if [[ -z ${NO_REPLAY_BENCH:-} && -f .scenarios/healthy-week.ndjson ]]; then
  swift build -c release --product mailcanary-watch-bench >/dev/null
  "$(swift build -c release --show-bin-path)/mailcanary-watch-bench" replay .scenarios/healthy-week.ndjson
fi
