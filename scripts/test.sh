#!/usr/bin/env bash
# Installs what the tests need, starts the lab (real Dovecot, Postfix, nginx on loopback), builds,
# and runs every test. The README's second command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null || { echo "test.sh: a Swift 6 toolchain must be on PATH (swift.org/install)" >&2; exit 2; }

bash scripts/lab.sh up
trap 'bash scripts/lab.sh down' EXIT

swift build --build-tests
# MAILCANARY_LAB_REQUIRED makes the lab suites fail, not skip, if the lab is missing.
MAILCANARY_LAB_REQUIRED=1 swift test --skip-build
