#!/usr/bin/env bash
# What API requests see while PostgreSQL stops answering (README, "API"): starts a private
# PostgreSQL (port 15432, files in /var/lib/mailcanary-outage), `mailcanary serve` on it (port
# 18591), issues a reader token, then stops PostgreSQL at once and sends GET /api/v1/incidents
# every 5 s for 75 s, each on its own connection, printing when it was sent, its status and how
# long it took, and what the public status page answers then; then starts PostgreSQL again and
# prints how long until requests succeed.
#
#   sudo bash scripts/store-outage.sh                      # the release build
#   MAILCANARY=/path/to/other/mailcanary sudo bash scripts/store-outage.sh   # another build, to compare
#
# Needs root (PostgreSQL runs as the postgres user) and the postgresql and curl packages.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "store-outage: run as root" >&2; exit 2; }
bin=${MAILCANARY:-}
if [[ -z $bin ]]; then
  swift build -c release --product mailcanary >/dev/null
  bin=$(swift build -c release --show-bin-path)/mailcanary
fi
pg=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n $pg ]] || { echo "store-outage: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 2; }
command -v curl >/dev/null || { echo "store-outage: curl is not installed" >&2; exit 2; }

PGDIR=/var/lib/mailcanary-outage
PGPORT=15432
PORT=18591
work=$(mktemp -d /tmp/mc-outage.XXXXXX)
server=
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  runuser -u postgres -- "$pg/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work" "$PGDIR"
}
trap cleanup EXIT

rm -rf "$PGDIR"; mkdir -p "$PGDIR/data" "$PGDIR/run"; chown -R postgres:postgres "$PGDIR"
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
printf '%s\n' "$password" > "$work/password"; chmod 600 "$work/password"
runuser -u postgres -- "$pg/initdb" -D "$PGDIR/data" -A peer --auth-host=scram-sha-256 -U postgres >/dev/null
start_postgres() {
  runuser -u postgres -- "$pg/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/postgres.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$PGPORT -c unix_socket_directories=$PGDIR/run" start >/dev/null
}
start_postgres
runuser -u postgres -- "$pg/psql" -h "$PGDIR/run" -p "$PGPORT" -U postgres -q -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE mailcanary LOGIN PASSWORD '$password'" -c "CREATE DATABASE mailcanary OWNER mailcanary" >/dev/null

cat > "$work/mailcanary.yml" <<EOF
server: {host: 127.0.0.1, port: $PORT, region: local, data_dir: data}
storage:
  backend: postgres
  postgres:
    host: 127.0.0.1
    port: $PGPORT
    user: mailcanary
    database: mailcanary
    password: {file: $work/password}
services:
  - {id: contoso, name: Contoso, kind: microsoft365}
EOF
"$bin" token reader outage --config "$work/mailcanary.yml" --out "$work/token" >/dev/null
"$bin" serve --config "$work/mailcanary.yml" --log-level warning > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
  sleep 0.1
done
auth="Authorization: Bearer $(cat "$work/token")"
request() {   # prints "STATUS SECONDS"
  curl -s -o /dev/null -m 120 -H "$auth" -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$PORT/api/v1/incidents" || true
}
echo "binary: $bin"
status_page() {   # prints "STATUS SECONDS" and whether the page says its incidents are not current
  local answer
  answer=$(curl -s -o "$work/status.html" -m 120 -w '%{http_code} %{time_total}' "http://127.0.0.1:$PORT/status" || true)
  grep -q "Incidents as of" "$work/status.html" 2>/dev/null && answer+=" (incidents as of an earlier read)"
  echo "$answer"
}
echo "before: $(request); GET /status: $(status_page)"
runuser -u postgres -- "$pg/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null
stopped=$(date +%s.%N)
echo "PostgreSQL stopped; GET /api/v1/incidents every 5 s:"
pids=()
for offset in $(seq 0 5 75); do
  sleep "$(awk -v s="$stopped" -v o="$offset" -v n="$(date +%s.%N)" 'BEGIN { d = s + o - n; print (d > 0 ? d : 0) }')"
  ( printf '  sent at +%2d s: %s\n' "$offset" "$(request)" > "$work/at-$(printf %02d "$offset")" ) &
  pids+=($!)
done
wait "${pids[@]}"
cat "$work"/at-*
echo "GET /status at +$(awk -v s="$stopped" -v n="$(date +%s.%N)" 'BEGIN { printf "%d", n - s }') s: $(status_page)"
start_postgres
restarted=$(date +%s.%N)
while :; do
  answer=$(request)
  [[ $answer == 200* ]] && break
  sleep 0.5
done
printf 'PostgreSQL started again; the first 200 came %.1f s later\n' "$(awk -v s="$restarted" -v n="$(date +%s.%N)" 'BEGIN { print n - s }')"
