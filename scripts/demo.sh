#!/usr/bin/env bash
# A newcomer's first minute: installs what the build needs, builds MailCanary (release) and runs
# `mailcanary demo`: the 25 November 2025 outage re-enacted around now, on an embedded SQLite store,
# with the dashboard at http://127.0.0.1:8080/, the status page at /status and the feed at
# /status/feed.atom. Ctrl-C stops it.   bash scripts/demo.sh [--port N]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v swift >/dev/null || { echo "demo.sh: a Swift 6 toolchain must be on PATH (swift.org/install)" >&2; exit 2; }
if [ "$(id -u)" = 0 ]; then bash scripts/lab.sh build-deps; fi
swift build -c release --product mailcanary
exec "$(swift build -c release --show-bin-path)/mailcanary" demo "$@"
