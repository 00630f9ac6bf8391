import Foundation
import MailCanaryConfig
import MailCanaryCore
import Testing

@Suite("Configuration")
struct ConfigLoaderTests {
    let loader = ConfigLoader(baseDirectory: "/etc/mailcanary", checkFiles: false)

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try loader.load(text: yaml, file: "test.yml")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    static let minimal = """
        services:
          - id: lab
            kind: mail-host
            probes:
              - target: imaps://mail.example.com
        """

    @Test("a minimal file gets every default")
    func defaults() throws {
        let config = try loader.load(text: Self.minimal, file: "test.yml")
        #expect(config.server.host == "127.0.0.1")
        #expect(config.server.port == 8080)
        #expect(config.server.dataDirectory == "/etc/mailcanary/mailcanary-data")
        #expect(config.storage.backend == .sqlite)
        #expect(config.scheduler.concurrency == 64)
        #expect(config.detection == DetectionConfig())
        let probe = try #require(config.probes.first)
        #expect(probe.id == "lab/imap")
        #expect(probe.path == .imap)
        #expect(probe.interval == .seconds(60))
        #expect(probe.timeout == .seconds(15))
        #expect(probe.regions == ["local"])
    }

    @Test("a service without probes is watched through telemetry, logs and reports; an empty list is still a mistake")
    func serviceWithoutProbes() throws {
        let config = try loader.load(text: """
            services:
              - id: contoso
                kind: microsoft365
                tenant: contoso.onmicrosoft.com
            """, file: "test.yml")
        #expect(config.services.map(\.id) == ["contoso"])
        #expect(config.probes.isEmpty)
        #expect(problems("""
            services:
              - id: contoso
                kind: microsoft365
                probes: []
            """) == ["line 4: services[0].probes: lists no probe. Fix: add at least one probe with a target:"])
    }

    @Test("access: who may read without signing in, and session lifetimes, each checked")
    func access() throws {
        let base = Self.minimal + "\n"
        let config = try loader.load(text: base + "access: {anonymous: read, session_idle: 10m, session_max: 8h}", file: "test.yml")
        #expect(config.access.anonymous == .read)
        #expect(config.access.sessionIdle == .seconds(600))
        #expect(config.access.sessionMaximum == .seconds(28_800))
        #expect(try loader.load(text: Self.minimal, file: "test.yml").access == AccessConfig())
        #expect(problems(base + "access: {anonymous: everyone}") == [
            "line 6: access.anonymous: 'everyone' is not an access level. Fix: write none (only the public pages) or read (the dashboard and read API too)",
        ])
        #expect(problems(base + "access: {session_idle: 2h, session_max: 1h}") == [
            "line 6: access.session_idle: a session would end by its maximum (1h) before it could be idle for 2h. Fix: make session_idle shorter than session_max",
        ])
        #expect(problems(base + "access: {sesion_idle: 2h}").first?.contains("did you mean 'session_idle'") == true)
    }

    @Test("notifications: channels, routes, maintenance and retries read and checked; credentials never inline")
    func notifications() throws {
        let base = Self.minimal + "\n"
        let config = try loader.load(text: base + """
            notifications:
              dashboard_url: https://mailcanary.example.com/
              remind_every: 2h
              retry: {initial: 5s, max: 10m, give_up_after: 1d}
              channels:
                - {id: hook, kind: webhook, url: "https://hooks.example.com/mc", signing_secret: {env: HOOK_SECRET}}
                - {id: chat, kind: slack, url: {env: SLACK_URL}}
                - {id: teams, kind: teams, url: {file: teams.url}, timeout: 5s}
                - id: mail
                  kind: email
                  smtp: {host: relay.example.com, security: tls, user: mc, password: {env: RELAY_PASSWORD}}
                  from: mailcanary@example.com
                  to: [ops@example.com, noc@example.com]
              routes:
                - {channels: [hook, mail], paths: [mapi-http], min_severity: interruption, events: [opened, resolved]}
                - {channels: [chat, teams]}
              maintenance:
                - {name: CU update, from: "2026-11-28T22:00:00Z", until: "2026-11-29T02:00:00Z", paths: [ews]}
            """, file: "test.yml")
        let notifications = config.notifications
        #expect(notifications.dashboardURL == "https://mailcanary.example.com")
        #expect(notifications.remindEvery == .seconds(7_200))
        #expect(notifications.retry.initial == .seconds(5) && notifications.retry.maximum == .seconds(600))
        #expect(notifications.channels.map(\.id) == ["hook", "chat", "teams", "mail"])
        #expect(notifications.channel("hook")?.url == .inline("https://hooks.example.com/mc"))
        #expect(notifications.channel("hook")?.signingSecret == .environment("HOOK_SECRET"))
        #expect(notifications.channel("chat")?.url == .secret(.environment("SLACK_URL")))
        #expect(notifications.channel("teams")?.url == .secret(.file("/etc/mailcanary/teams.url")))
        let mail = try #require(notifications.channel("mail")?.email)
        #expect(mail.port == 465 && mail.security == .tls && mail.to == ["ops@example.com", "noc@example.com"])
        #expect(notifications.routes.count == 2)
        #expect(notifications.routes[0].minimumSeverity == .interruption && notifications.routes[0].events == [.opened, .resolved])
        #expect(notifications.maintenance.first?.startMs == UTCTimestamp.parse("2026-11-28T22:00:00Z"))
        // Without routes every channel hears everything.
        let plain = try loader.load(text: base + "notifications: {channels: [{id: hook, kind: webhook, url: \"http://127.0.0.1:9/x\"}]}", file: "t.yml")
        #expect(plain.notifications.routes.first?.channels == ["hook"])

        #expect(problems(base + "notifications: {channels: [{id: chat, kind: slack, url: \"https://hooks.slack.com/services/T0/B0/SECRETPART\"}]}") == [
            "line 6: notifications.channels[0].url: a slack webhook URL is a credential and is never written inline (the value is not shown here). Fix: write url: {env: VARIABLE} or {file: PATH} and keep the URL there",
        ])
        #expect(problems(base + "notifications: {channels: [{id: x, kind: pager}]}") == [
            "line 6: notifications.channels[0].kind: 'pager' is not a channel kind. Fix: write webhook, slack, teams or email",
        ])
        #expect(problems(base + "notifications: {channels: [{id: h, kind: webhook, url: \"ftp://x\"}], routes: [{channels: [nope], paths: [mapi]}]}") == [
            "line 6: notifications.channels[0].url: is not an http(s) URL. Fix: write the receiver's address, such as https://hooks.example.com/mailcanary",
            "line 6: notifications.routes[0].channels[0]: no channel is named 'nope'. Fix: add it under notifications.channels",
            "line 6: notifications.routes[0].paths[0]: 'mapi' is not an access path. Fix: write one of autodiscover, mapi-http, ews, activesync, owa, graph, imap, pop3, smtp-submission, smtp-inbound, dns, token, tcp, tls, http",
        ])
        #expect(problems(base + "notifications: {channels: [{id: m, kind: email, smtp: {host: r, security: none, user: u, password: {env: P}}, from: \"Ops <o@x>\", to: []}]}") == [
            "line 6: notifications.channels[0].smtp.security: the password would cross the network unencrypted. Fix: use security: starttls or tls",
            "line 6: notifications.channels[0].from: is not a plain mail address. Fix: write it as name@example.com, without a display name",
            "line 6: notifications.channels[0].to: names no recipient. Fix: add at least one address",
        ])
        #expect(problems(base + "notifications: {maintenance: [{from: \"2026-11-29T02:00:00Z\", until: \"2026-11-28T22:00:00Z\"}]}") == [
            "line 6: notifications.maintenance[0].until: the window ends before it starts. Fix: make until later than from",
        ])
    }

    @Test("advisories: tenants with a secret or a certificate, URLs, budget; every mistake named")
    func advisories() throws {
        let base = Self.minimal + "\n"
        let config = try loader.load(text: base + """
            advisories:
              interval: 2m
              tenants:
                - {id: contoso, tenant: contoso.onmicrosoft.com, client_id: 11111111-2222-3333-4444-555555555555, client_secret: {env: GRAPH_SECRET}, services: [lab]}
                - id: fabrikam
                  tenant: 0b5e8f4c-0000-4000-8000-000000000000
                  client_id: app
                  certificate: certs/graph.pem
                  private_key: {file: certs/graph.key}
                  graph_url: https://graph.microsoft.us/
                  requests_per_minute: 30
            """, file: "test.yml")
        #expect(config.advisories.interval == .seconds(120))
        #expect(config.advisories.tenants.map(\.id) == ["contoso", "fabrikam"])
        #expect(config.advisories.tenants[0].credential == .secret(.environment("GRAPH_SECRET")))
        #expect(config.advisories.tenants[0].services == ["lab"])
        #expect(config.advisories.tenants[1].credential == .certificate(certificateFile: "/etc/mailcanary/certs/graph.pem",
                                                                         privateKey: .file("/etc/mailcanary/certs/graph.key")))
        #expect(config.advisories.tenants[1].graphURL == "https://graph.microsoft.us")
        #expect(config.advisories.tenants[1].tokenURL == "https://login.microsoftonline.com")
        #expect(config.advisories.tenants[1].requestsPerMinute == 30)

        #expect(problems(base + "advisories: {tenants: [{id: a, tenant: t, client_id: c, client_secret: plain-text-secret}]}") == [
            "line 6: advisories.tenants[0].client_secret: a secret is never written inline (the value is not shown here). Fix: write {env: VARIABLE} or {file: PATH} and keep the secret there",
        ])
        #expect(problems(base + "advisories: {tenants: [{id: a, tenant: t, client_id: c}]}") == [
            "line 6: advisories.tenants[0]: names no credential. Fix: add client_secret: {env: NAME}, or certificate: FILE with private_key: {file: PATH}",
        ])
        #expect(problems(base + "advisories: {tenants: [{id: a, tenant: \"t/x\", client_id: c, client_secret: {env: S}, graph_url: \"http://graph\", services: [nope], requests_per_hour: 5000}]}") == [
            "line 6: advisories.tenants[0].tenant: 't/x' is not a tenant id or domain. Fix: write the tenant's GUID or a verified domain such as contoso.onmicrosoft.com",
        ])
        #expect(problems(base + "advisories: {tenants: [{id: a, tenant: t, client_id: c, client_secret: {env: S}, graph_url: \"http://graph\", services: [nope], requests_per_hour: 5000}]}") == [
            "line 6: advisories.tenants[0].graph_url: 'http://graph' is not an https URL. Fix: write https://graph.microsoft.com (or a national cloud's)",
            "line 6: advisories.tenants[0].services[0]: no service is named 'nope'. Fix: write one of lab",
            "line 6: advisories.tenants[0].requests_per_hour: 5000 is out of range. Fix: write a number from 1 to 800",
        ])
        #expect(problems(base + "advisories: {tenants: [{id: a, tenant: t, client_id: c, certificate: c.pem}]}") == [
            "line 6: advisories.tenants[0]: a certificate needs its private key. Fix: add private_key: {file: PATH} (the key is a secret)",
        ])
    }

    @Test("the sample file parses, and the bundled copy is the same text")
    func sample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("mailcanary.sample.yml"), encoding: .utf8)
        #expect(file == SampleConfiguration.yaml, "run scripts/embed-sample.sh")
        let config = try ConfigLoader(baseDirectory: root.path, checkFiles: false).load(text: file, file: "mailcanary.sample.yml")
        #expect(config.services.first?.probes.count == 5)
        #expect(config.agents.map(\.region) == ["apac", "na"])
        #expect(config.probes(for: .agent("apac-1")).map(\.id) == ["lab/imap", "lab/smtp-submission"])
        #expect(config.probes(for: .server).count == 5)
        let credential = try #require(config.services.first?.credential(named: "probe"))
        #expect(credential.password == .file(root.path + "/.lab/secrets/alice.password"))
    }

    @Test("bad files: each problem with its line, key path and fix", arguments: [
        ("""
        storage: {retention: {raw: 2d}}
        detection: {warmup: 3d, lateness: 10m, blip_minutes: -1, reporter_windw: 1h}
        services:
          - id: lab
            kind: mail-host
            probes:
              - target: imaps://mail.example.com
        """, [
            "line 2: detection.reporter_windw: unknown key. Fix: did you mean 'reporter_window'? allowed here: warmup, lateness, blip_minutes, resolve_minutes, reporter_window",
            "line 2: detection.lateness: 10m is out of range. Fix: write a duration from 0s to 5m",
            "line 2: detection.blip_minutes: -1 is out of range. Fix: write a number from 0 to 60",
            "line 2: detection.warmup: the stored signals are kept only 2d (storage.retention.raw), so a warm-up of 3d cannot be replayed. Fix: shorten warmup or lengthen storage.retention.raw",
        ]),
        ("services: [", ["line 2: YAML syntax: did not find expected node content. Fix: check the indentation and quoting on or just before this line"]),
        ("", ["is empty. Fix: start from the sample: mailcanary config sample"]),
        ("- a\n- b", ["line 1: expected a mapping of keys (server, storage, scheduler, detection, access, defaults, agents, services, notifications, advisories), found a list. Fix: write the keys indented under this one"]),
        ("server: {port: 8080}", ["line 1: 'services' is missing. Fix: add services: under the top level"]),
        ("""
        sever: {port: 1}
        services:
          - id: lab
            kind: mail-host
            probes:
              - target: imaps://mail.example.com
                intreval: 30s
        """, [
            "line 1: sever: unknown key. Fix: did you mean 'server'? allowed here: server, storage, scheduler, detection, access, defaults, agents, services, notifications, advisories",
            "line 7: services[0].probes[0].intreval: unknown key. Fix: did you mean 'interval'? allowed here: target, name, credential, interval, timeout, regions, ca_file, insecure, mailbox, mail_from, send_test_to, dns_server, tenant",
        ]),
        ("""
        server: {port: 99999, host: ""}
        scheduler: {concurrency: 0, jitter: 2}
        services:
          - id: Lab Host
            kind: mailhost
            probes:
              - target: imapx://mail.example.com
        """, [
            "line 1: server.host: expected a text value, found nothing. Fix: write a text value",
            "line 1: server.port: 99999 is out of range. Fix: write a number from 1 to 65535",
            "line 2: scheduler.concurrency: 0 is out of range. Fix: write a number from 1 to 10000",
            "line 2: scheduler.jitter: 2.0 is out of range. Fix: write a number from 0.0 to 1.0",
            "line 4: services[0].id: 'Lab Host' is not a valid service id. Fix: use up to 64 lowercase letters, digits, '-', '_' or '.', such as eu-west or lab",
        ]),
        ("""
        services:
          - id: lab
            kind: mailhost
            probes:
              - target: imapx://mail.example.com
              - target: imaps://mail.example.com
                interval: 5x
                timeout: 90s
              - target: imaps://mail.example.com
                interval: 30s
                timeout: 30s
        """, [
            "line 3: services[0].kind: 'mailhost' is not a service kind. Fix: write one of microsoft365, exchange-server, mail-host",
            "line 5: services[0].probes[0].target: unknown scheme 'imapx' in 'imapx://mail.example.com': use one of imap, imaps, pop3, pop3s, smtp, smtps, tls, tcp, http, https, autodiscover, autodiscover+https, mapi+https, ews+https, activesync+https, owa+https, graph+https, token+https, dns. Fix: write a URL as mailcanary check takes it, such as imaps://mail.example.com",
            "line 7: services[0].probes[1].interval: '5x' is not a duration. Fix: write a duration such as 750ms, 30s, 5m, 2h or 7d",
            "line 8: services[0].probes[1].timeout: 1m30s is not shorter than the interval (1m); the probe would still run when its next start comes. Fix: make the timeout shorter than the interval",
            "line 9: services[0].probes[2]: probe 'lab/imap' already exists (services[0].probes[1]). Fix: give one of them a name:, such as name: imap-2",
            "line 11: services[0].probes[2].timeout: 30s is not shorter than the interval (30s); the probe would still run when its next start comes. Fix: make the timeout shorter than the interval",
        ]),
        ("""
        services:
          - id: lab
            kind: mail-host
            credentials:
              probe:
                user: alice
                password: hunter2-inline
            probes:
              - target: imaps://mail.example.com
                credential: prob
              - target: imaps://mail.example.com
        """, [
            "line 7: services[0].credentials.probe.password: a secret is never written inline (the value is not shown here). Fix: write {env: VARIABLE} or {file: PATH} and keep the secret there",
            "line 10: services[0].probes[0].credential: no credential 'prob' in service 'lab'. Fix: use one of probe",
            "line 11: services[0].probes[1]: probe 'lab/imap' already exists (services[0].probes[0]). Fix: give one of them a name:, such as name: imap-2",
        ]),
        ("""
        storage:
          backend: postgres
          retention: {raw: 30d, minute: 7d}
        agents:
          - {id: apac-1, region: apac}
          - {id: apac-1, region: na}
        services:
          - id: lab
            kind: mail-host
            probes:
              - target: imaps://mail.example.com
                regions: [apac, eu]
        """, [
            "line 2: storage.backend: postgres needs a postgres: section. Fix: add postgres: {host: ..., port: 5432, user: ..., database: ..., password: {env: NAME}}",
            "line 3: storage.retention.minute: per-minute rollups would be dropped before the raw results they summarise. Fix: keep minute at least as long as raw (30d)",
            "line 6: agents[1].id: agent 'apac-1' is defined twice. Fix: give each agent its own id",
            "services[0].probes[0].regions: no one runs region 'eu' (the server runs 'local'; agents run apac). Fix: add an agent with region: eu, or remove the region",
        ]),
        ("""
        services:
          - id: m365
            kind: microsoft365
            credentials:
              app:
                oauth: {client_id: abc, client_secret: {env: 9BAD}}
            probes:
              - target: token+https://login.example.com/contoso.onmicrosoft.com
              - target: dns://contoso.test?type=MX
                dns_server: 300.1.1.1
        """, [
            "line 6: services[0].credentials.app.oauth.client_secret.env: '9BAD' is not an environment variable name. Fix: use letters, digits and '_', such as MAILCANARY_PASSWORD",
            "line 8: services[0].probes[0]: a token+https probe needs a credential. Fix: add credential: NAME naming a credential with an oauth: section",
            "line 10: services[0].probes[1].dns_server: '300.1.1.1' is not an IP address with an optional port. Fix: write e.g. 127.0.0.1, 10.0.0.53:5353 or [::1]:53",
        ]),
    ])
    func badFiles(yaml: String, expected: [String]) {
        #expect(problems(yaml) == expected)
    }

    @Test("config check reads a CA file now; serve leaves it to the probe")
    func caFiles() {
        let yaml = Self.minimal + "\n        ca_file: missing-ca.pem"
        let strict = ConfigLoader(baseDirectory: "/nonexistent", checkFiles: true)
        #expect(throws: ConfigProblems.self) { try strict.load(text: yaml, file: "t.yml") }
        #expect((try? loader.load(text: yaml, file: "t.yml"))?.probes.first?.caFile == "/etc/mailcanary/missing-ca.pem")
    }

    @Test("an unreadable file is one problem naming the cause")
    func unreadable() {
        do {
            _ = try ConfigLoader.load(file: "/nonexistent/mailcanary.yml")
            Issue.record("expected problems")
        } catch {
            #expect(error.description == "/nonexistent/mailcanary.yml: cannot be read (no such file). Fix: check the path and that the file is readable UTF-8 text")
        }
    }
}
