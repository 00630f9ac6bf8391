#!/usr/bin/env bash
# The README's first command: installs what it needs, starts the lab, builds MailCanary, runs the
# deep check against every lab service once (and shows one fault), then runs `mailcanary serve`.
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

echo; echo "Exchange and Microsoft 365 paths against the Exchange test server and the lab's DNS server:"
swift build --product exchange-test-server
"$(swift build --show-bin-path)/exchange-test-server" --listen "127.0.0.1:$MAILCANARY_LAB_EXCHANGE_PORT" \
  --http-listen "127.0.0.3:$MAILCANARY_LAB_EXCHANGE_HTTP_PORT" --ca-out .lab/exchange-ca.pem \
  --names "localhost,127.0.0.1,contoso.test,mail.contoso.test,autodiscover.contoso.test" </dev/null >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -s .lab/exchange-ca.pem ] && (exec 3<>"/dev/tcp/127.0.0.1/$MAILCANARY_LAB_EXCHANGE_PORT") 2>/dev/null && break; sleep 0.1; done
export EX_PASSWORD=lab-password EX_SECRET=lab-client-secret
ex=(--ca-file .lab/exchange-ca.pem --dns-server "$MAILCANARY_LAB_DNS_SERVER")
mail="mail.contoso.test:$MAILCANARY_LAB_EXCHANGE_PORT"
echo; "$bin" check "autodiscover://contoso.test?email=alice@contoso.test&port=$MAILCANARY_LAB_EXCHANGE_PORT" --user alice@contoso.test --password-env EX_PASSWORD "${ex[@]}" || status=1
echo; "$bin" check "mapi+https://$mail" "${ex[@]}" || status=1
echo; "$bin" check "mapi+https://$mail" --user alice@contoso.test --password-env EX_PASSWORD "${ex[@]}" || status=1
echo; "$bin" check "graph+https://$mail/?user=alice@contoso.test" --token-url "https://$mail/contoso.test/oauth2/v2.0/token" \
  --client-id mailcanary-probe --client-secret-env EX_SECRET "${ex[@]}" || status=1
echo; "$bin" check "dns://contoso.test?type=MX" "${ex[@]}" || status=1

kill $server 2>/dev/null || true
echo; echo "Deep checks done (status $status). Now the main job: mailcanary serve with the bundled sample configuration,"
echo "an SQLite store in ./mailcanary-data/ and the API on http://127.0.0.1:8080 (/healthz, /metrics, /api/v1/results/latest)."
echo "Ctrl-C stops it; the lab keeps running (stop it with: bash scripts/lab.sh down)."
exec "$bin" serve
