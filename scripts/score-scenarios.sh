#!/usr/bin/env bash
# Detection scores (issue 5): generate every scenario (the shared specs and this repository's own
# in scenarios/specs), replay each with `mailcanary replay --json` (release build), score it with
# the shared score.py, and print one summary line per scenario plus the replay speed.
#
#   bash scripts/score-scenarios.sh [SPEC.json ...]
#
# Then the replay benchmark on healthy-week (mailcanary-watch-bench replay; NO_REPLAY_BENCH=1 skips it).
#
# SCENARIOS_DIR points at the shared scenario tools (default ../shared/scenarios beside the
# repository); generated files go to .scenarios/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${SCENARIOS_DIR:-../shared/scenarios}
if [[ ! -f "$tools/make_scenario.py" || ! -f "$tools/score.py" ]]; then
  echo "score-scenarios: the scenario tools are not at $tools (set SCENARIOS_DIR)" >&2
  exit 1
fi
if [[ $# -gt 0 ]]; then specs=("$@"); else specs=("$tools"/specs/*.json scenarios/specs/*.json); fi
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

# Replay speed against the goal (1,000,000 records/s), median of rounds, with the peer reader.
if [[ -z ${NO_REPLAY_BENCH:-} && -f .scenarios/healthy-week.ndjson ]]; then
  swift build -c release --product mailcanary-watch-bench >/dev/null
  "$(swift build -c release --show-bin-path)/mailcanary-watch-bench" replay .scenarios/healthy-week.ndjson
fi
