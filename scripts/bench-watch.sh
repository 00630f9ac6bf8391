#!/usr/bin/env bash
# Watch-loop benchmark (issue 4), release build, figures side by side with the issue's goals:
#   scheduler: 10,000 probes at a 60 s interval against a local TCP listener, into SQLite:
#              scheduling lag p50/p99/max (goal p99 < 250 ms), results written per second, peak memory;
#   ingest:    agent batches POSTed to a real server (HTTP, JSON, token, durable append) on SQLite and
#              on the lab's PostgreSQL: results accepted per second (goal 50,000/s on SQLite).
#   telemetry: NDJSON connection events POSTed to a real server (token, idempotency key, durable
#              batch, detection): events accepted per second (goal 200,000/s on SQLite), beside a
#              one-row-per-event SQLite layout.
#
#   bash scripts/bench-watch.sh [PROBES] [SECONDS]     (defaults 10000 and 75)
set -euo pipefail
cd "$(dirname "$0")/.."
probes=${1:-10000}
seconds=${2:-75}
bash scripts/lab.sh up
source .lab/lab.env
swift build -c release --product mailcanary-watch-bench
bin=$(swift build -c release --show-bin-path)/mailcanary-watch-bench
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo
"$bin" scheduler --probes "$probes" --seconds "$seconds"
echo
"$bin" ingest --store sqlite
echo
"$bin" ingest --store postgres \
  --postgres "$MAILCANARY_LAB_POSTGRES_HOST:$MAILCANARY_LAB_POSTGRES_PORT:$MAILCANARY_LAB_POSTGRES_USER:$MAILCANARY_LAB_POSTGRES_DATABASE:$MAILCANARY_LAB_POSTGRES_PASSWORD_FILE"
echo
"$bin" telemetry
