#!/usr/bin/env bash
# Probe-engine benchmark (issue 2): MailCanary's engine and Prometheus's blackbox_exporter probe
# the lab's HTTPS (nginx) and IMAPS (Dovecot) targets the same number of times at the same
# concurrency, in one run; prints probes/s, CPU-seconds per 1,000 probes and the ratio.
# Every probe makes a full TLS handshake: nginx has session caches and tickets off, MailCanary
# never resumes sessions, and blackbox_exporter keeps no client session cache.
#
#   bash scripts/bench-probes.sh [PROBES] [CONCURRENCY]     (defaults 2000 and 16)
set -euo pipefail
cd "$(dirname "$0")/.."
probes=${1:-2000}
concurrency=${2:-16}

if ! command -v prometheus-blackbox-exporter >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus-blackbox-exporter >/dev/null
fi
bash scripts/lab.sh up
source .lab/lab.env

config=$MAILCANARY_LAB_DIR/blackbox.yml
cat > "$config" <<YAML
modules:
  http_2xx:
    prober: http
    timeout: 10s
    http:
      preferred_ip_protocol: ip4
      tls_config:
        ca_file: $MAILCANARY_LAB_CA_FILE
  imaps_banner:
    prober: tcp
    timeout: 10s
    tcp:
      preferred_ip_protocol: ip4
      tls: true
      tls_config:
        ca_file: $MAILCANARY_LAB_CA_FILE
        server_name: mail.lab.test
      query_response:
        - expect: "^\\\\* OK"
        - send: "a1 CAPABILITY"
        - expect: "^a1 OK"
        - send: "a2 LOGOUT"
        - expect: "^a2 OK"
YAML
port=19115
prometheus-blackbox-exporter --config.file="$config" --web.listen-address="127.0.0.1:$port" --log.level=error \
  </dev/null >"$MAILCANARY_LAB_DIR/blackbox.log" 2>&1 &
bb=$!
trap 'kill $bb 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

swift build -c release --product mailcanary-bench
"$(swift build -c release --show-bin-path)/mailcanary-bench" \
  --https "https://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_HTTPS_PORT/" \
  --imaps "imaps://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_IMAPS_PORT" \
  --ca-file "$MAILCANARY_LAB_CA_FILE" \
  --blackbox "http://127.0.0.1:$port" --blackbox-pid "$bb" \
  --probes "$probes" --concurrency "$concurrency"
