#!/usr/bin/env bash
# The README's first command: installs what it needs, starts the lab, builds MailCanary and runs
# the deep check against every lab service (IMAP, POP3, submission, HTTPS), then shows one fault.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v swift >/dev/null || { echo "run.sh: a Swift 6 toolchain must be on PATH (swift.org/install)" >&2; exit 2; }

bash scripts/lab.sh up
source .lab/lab.env
swift build --product mailcanary
bin=$(swift build --show-bin-path)/mailcanary
export LAB_PASSWORD; LAB_PASSWORD=$(cat "$MAILCANARY_LAB_PASSWORD_FILE")
creds=(--user "$MAILCANARY_LAB_USER" --password-env LAB_PASSWORD --ca-file "$MAILCANARY_LAB_CA_FILE")
status=0
for url in "imaps://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_IMAPS_PORT" \
           "imap://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_IMAP_PORT" \
           "pop3s://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_POP3S_PORT" \
           "smtp://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_SUBMISSION_PORT" \
           "smtps://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_SMTPS_PORT"; do
  echo; "$bin" check "$url" "${creds[@]}" || status=1
done
echo; "$bin" check "https://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_HTTPS_PORT/" --ca-file "$MAILCANARY_LAB_CA_FILE" || status=1
echo; echo "And a fault: the same IMAP check without trusting the lab's CA (expected to fail at tls):"
"$bin" check "imaps://$MAILCANARY_LAB_HOST:$MAILCANARY_LAB_IMAPS_PORT" || true
echo; echo "The lab keeps running; stop it with: bash scripts/lab.sh down"
exit $status
