/// The sample configuration bundled into the binary (`mailcanary config sample` prints it; `serve`
/// uses it when there is no ./mailcanary.yml). It is `mailcanary.sample.yml`; a test keeps
/// the two identical (regenerate with `scripts/embed-sample.sh`).
public enum SampleConfiguration {
    public static let yaml = #"""
# MailCanary sample configuration: watches the local lab (bash scripts/lab.sh up) out of the box.
# Copy it to ./mailcanary.yml and edit; `mailcanary config check FILE` lists every problem.
# Secrets are never written here: each names an environment variable ({env: NAME}) or a file
# ({file: PATH}, relative to this file's folder, or to the working directory for the bundled copy).

server:
  host: 127.0.0.1
  port: 8080
  region: local              # the region the server's own probes stand for
  data_dir: mailcanary-data  # SQLite store, created on first run

storage:
  backend: sqlite            # or postgres, with a postgres: section (several server replicas)
  retention:
    raw: 7d                  # every probe result
    minute: 31d              # per-minute rollups per series
    hour: 400d               # per-hour rollups per series

scheduler:
  concurrency: 64            # probes running at once in one process
  jitter: 0.5                # each probe starts at a stable offset within half its interval

detection:
  warmup: 24h                # stored history replayed at start (at most storage.retention.raw)
  lateness: 20s              # how long a minute waits for late telemetry before it is judged
  blip_minutes: 3            # a burst that recovers by itself within this is a blip, not an incident
  resolve_minutes: 15        # quiet minutes before an incident is resolved
  reporter_window: 2h        # each reporter counts once per service within this

access:
  anonymous: none            # none: sign in for the dashboard and the read API (read: open them read-only)
  session_idle: 30m          # a dashboard session unused this long ends
  session_max: 12h           # and every session ends this long after sign-in
  # users: mailcanary user add NAME --role admin|viewer (password from stdin or --password-file)

defaults:
  interval: 60s
  timeout: 15s
  regions: [local]

# Agents run the probes of their region elsewhere and upload to the server:
#   mailcanary agent token apac-1 --out apac-1.token     (on the server)
#   mailcanary agent --server http://SERVER:8080 --token-file apac-1.token --region apac
agents:
  - id: apac-1
    region: apac
  - id: na-1
    region: na

services:
  - id: lab
    name: Lab mail host (Dovecot and Postfix)
    kind: mail-host
    credentials:
      probe:
        user: alice@lab.test
        password: {file: .lab/secrets/alice.password}
    probes:
      - target: imaps://127.0.0.1:14993
        credential: probe
        ca_file: .lab/certs/ca.pem
        regions: [local, apac, na]
      - target: imap://127.0.0.1:14143
        name: imap-starttls
        credential: probe
        ca_file: .lab/certs/ca.pem
      - target: pop3s://127.0.0.1:14995
        credential: probe
        ca_file: .lab/certs/ca.pem
      - target: smtp://127.0.0.1:14587
        credential: probe
        ca_file: .lab/certs/ca.pem
        regions: [local, apac, na]
      - target: https://127.0.0.1:14443/
        name: webmail
        ca_file: .lab/certs/ca.pem
        interval: 30s
        timeout: 10s

# Who hears about incidents (docs/notifications.md). Off until a channel is named; uncomment
# and fill in. Credentials (Slack and Teams URLs, signing keys, relay passwords) are never
# written here: {env: NAME} or {file: PATH}. `mailcanary notify test CHANNEL` sends a test.
# notifications:
#   dashboard_url: https://mailcanary.example.com
#   remind_every: 4h
#   channels:
#     - {id: oncall, kind: webhook, url: "https://hooks.example.com/mailcanary", signing_secret: {env: MAILCANARY_WEBHOOK_SECRET}}
#     - {id: chat, kind: slack, url: {env: SLACK_WEBHOOK_URL}}
#     - {id: teams, kind: teams, url: {env: TEAMS_WEBHOOK_URL}}
#     - id: mail
#       kind: email
#       smtp: {host: smtp.example.com, port: 587, security: starttls, user: mailcanary, password: {env: SMTP_PASSWORD}}
#       from: mailcanary@example.com
#       to: [messaging-oncall@example.com]
#   routes:
#     - {channels: [chat, teams]}
#     - {channels: [oncall, mail], min_severity: degradation, events: [opened, escalated, resolved, reminder]}
#   maintenance:
#     - {name: Exchange CU, from: "2026-11-28T22:00:00Z", until: "2026-11-29T02:00:00Z", services: [lab], paths: [imap]}

# The provider's service health (Microsoft 365, through Graph; README "Provider advisories").
# An app registration with ServiceHealth.Read.All and ServiceMessage.Read.All (application
# permissions, admin consent). `mailcanary advisories poll …` tests it from the command line.
# advisories:
#   interval: 5m
#   tenants:
#     - id: contoso
#       tenant: contoso.onmicrosoft.com
#       client_id: 11111111-2222-3333-4444-555555555555
#       client_secret: {env: GRAPH_CLIENT_SECRET}
#       services: [lab]

"""#
}
