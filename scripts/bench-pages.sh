#!/usr/bin/env bash
# Page benchmark (issue 6): the dashboard, the public status page and an incident page of
# `mailcanary demo` (release build, 72 h of history, the November 2025 incident open) under wrk,
# beside the peer: nginx serving the same pages' bytes as static files. Prints requests per second
# and latency percentiles per page, and the ratio to nginx.
# Goal: p99 under 50 ms at 500 requests per second on two cores.
#
#   bash scripts/bench-pages.sh [SECONDS] [CONNECTIONS...]     (defaults 10 s; 4 and 16 connections)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
connections=("${@:-4 16}")
read -r -a connections <<< "${connections[*]}"
command -v wrk >/dev/null && command -v nginx >/dev/null || bash scripts/lab.sh up >/dev/null
swift build -c release --product mailcanary >/dev/null
bin=$(swift build -c release --show-bin-path)/mailcanary
work=$(mktemp -d /tmp/mc-bench-pages.XXXXXX)
port=18620
peer=18621
cleanup() {
  [ -n "${demo:-}" ] && kill "$demo" 2>/dev/null && wait "$demo" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" demo --port "$port" --data-dir "$work/demo" --history-hours 72 --log-level error > "$work/demo.log" 2>&1 &
demo=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/healthz" 2>/dev/null | grep -q '"warmedUp":true' && break
  sleep 0.1
done
id=$(curl -fs "http://127.0.0.1:$port/api/v1/incidents?limit=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
[ -n "$id" ] || { echo "bench-pages: the demo shows no incident" >&2; cat "$work/demo.log" >&2; exit 1; }

# The peer: the same bytes from nginx (static files, the page as our server rendered it).
mkdir -p "$work/www/incidents" "$work/www/status" "$work/tmp"
curl -fs "http://127.0.0.1:$port/" > "$work/www/index.html"
curl -fs "http://127.0.0.1:$port/status" > "$work/www/status/index.html"
curl -fs "http://127.0.0.1:$port/incidents/$id" > "$work/www/incidents/$id.html"
cat > "$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp;
  uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  default_type text/html;
  server {
    listen 127.0.0.1:$peer;
    root $work/www;
    location = /status { try_files /status/index.html =404; }
    location /incidents/ { try_files \$uri.html =404; }
  }
}
CONF
nginx -c "$work/nginx.conf"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk, server and nginx share the cores"
echo "goal: p99 < 50 ms at 500 requests/s"
printf '%-10s %5s  %-8s %10s %8s %8s %8s   %s\n' page conns server "req/s" p50 p99 max "ratio to nginx (req/s)"
run() { # url connections -> "req/s p50 p99 max"
  wrk -t2 -c"$2" -d"${seconds}s" --latency "$1" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /^ +Latency +[0-9]/ { max = $4 }
    END { printf "%s %s %s %s", rps, p50, p99, max }'
}
for page in "dashboard /" "status /status" "incident /incidents/$id"; do
  name=${page%% *}; path=${page#* }
  for c in "${connections[@]}"; do
    read -r ours_rps ours_p50 ours_p99 ours_max <<< "$(run "http://127.0.0.1:$port$path" "$c")"
    read -r peer_rps peer_p50 peer_p99 peer_max <<< "$(run "http://127.0.0.1:$peer$path" "$c")"
    ratio=$(awk -v a="$ours_rps" -v b="$peer_rps" 'BEGIN { printf "%.2f", a / b }')
    printf '%-10s %5s  %-8s %10s %8s %8s %8s   %s×\n' "$name" "$c" mailcanary "$ours_rps" "$ours_p50" "$ours_p99" "$ours_max" "$ratio"
    printf '%-10s %5s  %-8s %10s %8s %8s %8s\n' "" "" nginx "$peer_rps" "$peer_p50" "$peer_p99" "$peer_max"
  done
done
