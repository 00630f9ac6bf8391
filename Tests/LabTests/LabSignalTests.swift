#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MailCanaryCore
import MailCanaryStorage
import Testing
import MailCanaryTesting

extension LabSuite {
/// Telemetry, user reports and incidents through a running `serve`, and across its restart.
@Suite
struct LabSignalTests {
    let lab = Lab.current!
    static let binary = LabWatchTests.binary

    struct Site {
        let directory: String
        let port: Int
        var config: String { directory + "/mailcanary.yml" }
        var data: String { directory + "/data" }
        var log: String { directory + "/server.log" }
    }

    /// A server whose only probe runs in a region no agent serves here: detection sees only
    /// what the test sends.
    func makeSite(port: Int) throws -> Site {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-signal-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let site = Site(directory: directory, port: port)
        try """
            server: {host: 127.0.0.1, port: \(port), region: local, data_dir: data}
            access: {anonymous: read}   # these tests read the API without signing in
            agents:
              - {id: apac-1, region: apac}
              - {id: na-1, region: na}
            services:
              - id: contoso
                name: Contoso mail
                kind: mail-host
                probes:
                  - target: tcp://\(lab.host):\(lab["POP3_PORT"])
                    regions: [apac, na]
            """.write(toFile: site.config, atomically: true, encoding: .utf8)
        return site
    }

    func token(_ site: Site, _ role: String, _ name: String) throws -> String {
        let issued = try runCLI(["token", role, name, "--config", site.config])
        #expect(issued.status == 0, "\(issued.stderr)")
        return issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func startServer(_ site: Site) throws -> BackgroundProcess {
        let server = try BackgroundProcess(Self.binary, ["serve", "--config", site.config], logPath: site.log)
        for _ in 0..<200 {
            if httpGet(port: site.port, path: "/healthz")?.status == 200 { return server }
            usleep(50_000)
        }
        Issue.record("the server did not answer /healthz: \(server.log.suffix(2_000))")
        return server
    }

    /// `curl` a POST; the answer's body and status.
    func post(_ site: Site, _ path: String, body: String, headers: [String] = []) throws -> (status: Int, body: String, headers: String) {
        let bodyFile = site.directory + "/body-\(UUID().uuidString.prefix(6))"
        let headerFile = site.directory + "/headers-\(UUID().uuidString.prefix(6))"
        try body.write(toFile: bodyFile, atomically: true, encoding: .utf8)
        var arguments = ["-s", "-D", headerFile, "-w", "\n%{http_code}", "-X", "POST", "--data-binary", "@" + bodyFile,
                         "http://127.0.0.1:\(site.port)\(path)"]
        for header in headers { arguments += ["-H", header] }
        let answer = try Shell.run("/usr/bin/curl", arguments)
        let lines = answer.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let responseHeaders = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"), responseHeaders)
    }

    /// 150 minutes of one-minute counts in apac: classic Outlook on MAPI over HTTP and Outlook on
    /// the web both healthy, then MAPI failing for the last 12 minutes while OWA stays fine.
    static func outageTelemetry(endingAt endMs: Int64) -> String {
        var lines: [String] = []
        for minute in 0..<150 {
            let t = UTCTimestamp.format(endMs - Int64(149 - minute) * 60_000)
            let failing = minute >= 138
            let mapiFailed = failing ? 160 : (minute % 7 == 0 ? 2 : 1)
            let mapiOK = failing ? 40 : 200
            lines.append(#"{"kind":"clients","t":"\#(t)","service":"contoso","region":"apac","client":"outlook-classic","path":"mapi-http","ok":\#(mapiOK),"failed":\#(mapiFailed),"errors":{"\#(failing ? "The connection to Microsoft Exchange is unavailable" : "timeout")":\#(mapiFailed)}}"#)
            lines.append(#"{"kind":"clients","t":"\#(t)","service":"contoso","region":"apac","client":"owa","path":"owa","ok":120,"failed":\#(minute % 11 == 0 ? 1 : 0)}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func openIncidents(_ site: Site) -> [[String: Any]] {
        guard let answer = httpGet(port: site.port, path: "/api/v1/incidents?open=true"), answer.status == 200,
              let json = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else { return [] }
        return json["incidents"] as? [[String: Any]] ?? []
    }

    func waitForOpenIncident(_ site: Site) async throws -> [String: Any]? {
        for _ in 0..<100 {
            if let incident = openIncidents(site).first { return incident }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    @Test("telemetry opens an incident with scope, cause and workaround; operators' notes and the incident survive a restart")
    func telemetryToIncident() async throws {
        let site = try makeSite(port: 18_484)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let telemetry = try token(site, "telemetry", "collector")
        let operatorToken = try token(site, "operator", "alice")
        var server = try startServer(site)
        defer { server.stop(SIGTERM) }
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let endMs = now - now % 60_000
        let auth = "Authorization: Bearer \(telemetry)"

        let accepted = try post(site, "/api/v1/telemetry", body: Self.outageTelemetry(endingAt: endMs), headers: [auth, "Idempotency-Key: batch-1"])
        #expect(accepted.status == 200, "\(accepted.body)")
        #expect(accepted.body.contains(#""accepted":300"#), "\(accepted.body)")
        // The same key again is a duplicate: nothing is counted twice.
        let again = try post(site, "/api/v1/telemetry", body: Self.outageTelemetry(endingAt: endMs), headers: [auth, "Idempotency-Key: batch-1"])
        #expect(again.status == 200 && again.body.contains(#""duplicate":true"#) && again.body.contains(#""accepted":0"#), "\(again.body)")

        let incident = try #require(try await waitForOpenIncident(site), "no incident opened: \(server.log.suffix(2_000))")
        #expect(incident["paths"] as? [String] == ["mapi-http"])
        #expect(incident["regions"] as? [String] == ["apac"])
        #expect(incident["cause"] as? String == "server-side")
        #expect((incident["workaround"] as? [String: Any])?["client"] as? String == "owa")
        let id = try #require(incident["id"] as? String)
        let metrics = try #require(httpGet(port: site.port, path: "/metrics"))
        #expect(metrics.body.contains(#"mailcanary_incidents_open{service="contoso"} 1"#), "\(metrics.body.suffix(800))")
        #expect(metrics.body.contains("mailcanary_detection_warmed_up 1"))

        // An operator annotates it; a telemetry token may not.
        let note = #"{"text":"Exchange team engaged","status":"restoringService"}"#
        let refused = try post(site, "/api/v1/incidents/\(id)/notes", body: note, headers: [auth])
        #expect(refused.status == 403 && refused.body.contains("token 'telemetry:collector' (ingest scope) may not do this: it needs the write scope"), "\(refused.body)")
        let noted = try post(site, "/api/v1/incidents/\(id)/notes", body: note, headers: ["Authorization: Bearer \(operatorToken)"])
        #expect(noted.status == 201, "\(noted.body)")
        let badStatus = try post(site, "/api/v1/incidents/\(id)/notes", body: #"{"text":"x","status":"fine"}"#,
                                 headers: ["Authorization: Bearer \(operatorToken)"])
        #expect(badStatus.status == 400 && badStatus.body.contains("status: 'fine' is not a status"), "\(badStatus.body)")

        // Restart: the stored signals are replayed, the same incident is still the one open incident.
        #expect(server.stop(SIGTERM) == 0, "graceful shutdown: \(server.log.suffix(1_500))")
        server = try startServer(site)
        var reopened: [[String: Any]] = []
        for _ in 0..<100 {
            reopened = openIncidents(site)
            if let health = httpGet(port: site.port, path: "/healthz"), health.body.contains(#""warmedUp":true"#), !reopened.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(reopened.map { $0["id"] as? String } == [id], "\(reopened)")
        let detail = try #require(httpGet(port: site.port, path: "/api/v1/incidents/\(id)"))
        #expect(detail.body.contains(#""operatorStatus":"restoringService""#), "\(detail.body)")
        #expect(detail.body.contains("Exchange team engaged"))
        let store = try SQLiteStore(directory: site.data)
        #expect(try await store.incidents(openOnly: true, limit: 10).count == 1)
        for secret in [telemetry, operatorToken] { #expect(!server.log.contains(secret)) }
    }

    @Test("an incident from telemetry is mailed through the real Postfix once; a failing webhook keeps retrying across a restart without duplicates")
    func incidentNotified() async throws {
        let site = try makeSite(port: 18_487)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let config = try String(contentsOfFile: site.config, encoding: .utf8) + """

            notifications:
              dashboard_url: http://127.0.0.1:18487
              retry: {initial: 1s, max: 2s}
              channels:
                - id: mail
                  kind: email
                  smtp: {host: \(lab.host), port: \(lab["SUBMISSION_PORT"]), security: starttls, user: \(lab.user), password: {env: MC_LAB_RELAY_PASSWORD}}
                  ca_file: \(lab.caFile)
                  from: mailcanary@lab.test
                  to: [\(lab.user)]
                - {id: hook, kind: webhook, url: "http://127.0.0.1:1/unreachable", timeout: 2s}
            """
        try config.write(toFile: site.config, atomically: true, encoding: .utf8)
        let environment = ["MC_LAB_RELAY_PASSWORD": lab.password]
        let telemetry = try await offPool { try self.token(site, "telemetry", "collector") }
        var server = try BackgroundProcess(Self.binary, ["serve", "--config", site.config], environment: environment, logPath: site.log)
        defer { server.stop(SIGTERM) }
        try await offPool { for _ in 0..<200 where httpGet(port: site.port, path: "/healthz")?.status != 200 { usleep(50_000) } }
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let accepted = try await offPool {
            try self.post(site, "/api/v1/telemetry", body: Self.outageTelemetry(endingAt: now - now % 60_000),
                          headers: ["Authorization: Bearer \(telemetry)", "Idempotency-Key: batch-n"])
        }
        #expect(accepted.status == 200, "\(accepted.body)")
        let incident = try #require(try await waitForOpenIncident(site), "no incident opened: \(server.log.suffix(2_000))")
        let id = try #require(incident["id"] as? String)

        func deliveries() -> [[String: Any]] {
            guard let answer = httpGet(port: site.port, path: "/api/v1/notifications?incident=\(id)"),
                  let json = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else { return [] }
            return json["notifications"] as? [[String: Any]] ?? []
        }
        /// Delivered files in the lab mailbox that carry this incident's opening.
        func mailed() -> [String] {
            let maildir = lab["DIR"] + "/mail/\(lab.user)/Maildir"
            return ["new", "cur"].flatMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: maildir + "/" + folder)) ?? []).compactMap { name -> String? in
                    let text = try? String(contentsOfFile: maildir + "/" + folder + "/" + name, encoding: .utf8)
                    return text?.contains("X-MailCanary-Delivery: \(id)/opened") == true ? text : nil
                }
            }
        }
        for _ in 0..<150 where mailed().isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        #expect(mailed().count == 1, "\(deliveries()) \(server.log.suffix(1_500))")
        #expect(mailed().first?.contains("Subject: [MailCanary] contoso: mapi-http in apac: opened") == true)
        for _ in 0..<50 where (deliveries().first { $0["channel"] as? String == "hook" }?["attempts"] as? Int ?? 0) < 2 {
            try await Task.sleep(for: .milliseconds(200))
        }
        let hookBefore = try #require(deliveries().first { $0["channel"] as? String == "hook" })
        #expect(hookBefore["status"] as? String == "pending")
        #expect((hookBefore["lastResult"] as? String)?.contains("cannot deliver") == true)

        // Restart while the webhook is mid-retry: no second opening anywhere, the retry goes on.
        let stopping = server
        try await offPool { stopping.stop(SIGTERM) }
        server = try BackgroundProcess(Self.binary, ["serve", "--config", site.config], environment: environment, logPath: site.log + ".2")
        try await offPool { for _ in 0..<200 where httpGet(port: site.port, path: "/healthz")?.status != 200 { usleep(50_000) } }
        let attemptsBefore = hookBefore["attempts"] as? Int ?? 0
        for _ in 0..<50 where (deliveries().first { $0["channel"] as? String == "hook" }?["attempts"] as? Int ?? 0) <= attemptsBefore {
            try await Task.sleep(for: .milliseconds(200))
        }
        let after = deliveries()
        #expect(after.filter { ($0["key"] as? String) == "\(id)/opened" }.count == 2, "\(after)")
        #expect((after.first { $0["channel"] as? String == "hook" }?["attempts"] as? Int ?? 0) > attemptsBefore)
        #expect(mailed().count == 1)
        let page = httpGet(port: site.port, path: "/incidents/\(id)")?.body ?? ""
        #expect(page.contains("<h2>Notifications</h2>"))
        // The relay password is in no log line.
        let logs = ((try? String(contentsOfFile: site.log, encoding: .utf8)) ?? "") + ((try? String(contentsOfFile: site.log + ".2", encoding: .utf8)) ?? "")
        #expect(!logs.contains(lab.password))
        let last = server
        try await offPool { last.stop(SIGTERM) }
    }

    @Test("serve polls the provider's service health: the advisory is linked to the incident telemetry opened, its versions kept, the report shows the lead")
    func advisoriesLinked() async throws {
        let certificates = try TestCertificates()
        let graph = try await ExchangeTestServer.start(identity: try certificates.leaf(names: ["127.0.0.1", "localhost"]))
        defer { Task { await graph.stop() } }
        let site = try makeSite(port: 18_488)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        try certificates.caPEM.write(toFile: site.directory + "/graph-ca.pem", atomically: true, encoding: .utf8)
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        func issue(_ status: String, posts: Int, resolved: Bool = false) -> String {
            // The November 2025 issue, moved to now: started ten minutes ago, first post five minutes ago.
            ServiceCommunicationsFeed.november2025(id: "EX1189820", status: status, modified: UTCTimestamp.format(now), posts: posts, resolved: resolved)
                .replacingOccurrences(of: "2025-11-25T09:40:00Z", with: UTCTimestamp.format(now - 600_000))
                .replacingOccurrences(of: "2025-11-25T09:57:00Z", with: UTCTimestamp.format(now - 300_000))
                .replacingOccurrences(of: "2025-11-25T11:30:00Z", with: UTCTimestamp.format(now - 120_000))
                .replacingOccurrences(of: "2025-11-25T14:10:00Z", with: UTCTimestamp.format(now - 60_000))
                .replacingOccurrences(of: "2025-11-25T14:05:00Z", with: UTCTimestamp.format(now - 60_000))
        }
        let concurrent = ServiceCommunicationsFeed.fixtureIssues[2].replacingOccurrences(of: "2025-11-25T09:40:00Z", with: UTCTimestamp.format(now - 900_000))
        graph.serviceCommunications.publish(issues: [ServiceCommunicationsFeed.fixtureIssues[0], issue("Investigating", posts: 1), concurrent])
        let config = try String(contentsOfFile: site.config, encoding: .utf8) + """

            advisories:
              interval: 10s
              tenants:
                - id: contoso-tenant
                  tenant: contoso.test
                  client_id: mailcanary-probe
                  client_secret: {env: MC_GRAPH_SECRET}
                  graph_url: https://127.0.0.1:\(graph.port)
                  token_url: https://127.0.0.1:\(graph.port)
                  ca_file: graph-ca.pem
                  services: [contoso]
            """
        try config.write(toFile: site.config, atomically: true, encoding: .utf8)
        let telemetry = try await offPool { try self.token(site, "telemetry", "collector") }
        let server = try BackgroundProcess(Self.binary, ["serve", "--config", site.config], environment: ["MC_GRAPH_SECRET": "lab-client-secret"],
                                           logPath: site.log)
        defer { server.stop(SIGTERM) }
        try await offPool { for _ in 0..<200 where httpGet(port: site.port, path: "/healthz")?.status != 200 { usleep(50_000) } }
        let accepted = try await offPool {
            try self.post(site, "/api/v1/telemetry", body: Self.outageTelemetry(endingAt: now - now % 60_000),
                          headers: ["Authorization: Bearer \(telemetry)", "Idempotency-Key: batch-a"])
        }
        #expect(accepted.status == 200, "\(accepted.body)")
        let incident = try #require(try await waitForOpenIncident(site), "no incident opened: \(server.log.suffix(2_000))")
        let id = try #require(incident["id"] as? String)

        func json(_ path: String) -> [String: Any] { httpJSON(port: site.port, path: path) }
        var links: [[String: Any]] = []
        for _ in 0..<100 {
            links = json("/api/v1/incidents/\(id)")["advisoryLinks"] as? [[String: Any]] ?? []
            if !links.isEmpty { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(links.first?["id"] as? String == "EX1189820", "\(server.log.suffix(2_000))")
        let advisories = json("/api/v1/advisories")["advisories"] as? [[String: Any]] ?? []
        #expect(advisories.first { $0["id"] as? String == "EX1189820" }?["incidents"] as? [String] == [id])
        // The 2020 example is the provider's alone: shown, linked to nothing.
        #expect(advisories.first { $0["id"] as? String == "EX226792" }?["incidents"] as? [String] == [])

        #expect(advisories.first { $0["id"] as? String == "EX1189820" }?["possiblyRelated"] as? [String] == ["EX1189768"])
        let dashboard = httpGet(port: site.port, path: "/")?.body ?? ""
        #expect(dashboard.contains("<h2>Provider advisories</h2>") && dashboard.contains("not seen here") && dashboard.contains("possibly related: EX1189768"))

        // The provider moves the issue on: each version is kept and reaches the incident; the
        // restored time is set; the post-incident review is fetched once published.
        graph.serviceCommunications.publish(issues: [ServiceCommunicationsFeed.fixtureIssues[0], issue("ServiceRestored", posts: 3, resolved: true), concurrent])
        var versions: [[String: Any]] = []
        for _ in 0..<100 {
            versions = json("/api/v1/advisories/EX1189820")["versions"] as? [[String: Any]] ?? []
            if versions.count >= 2 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(versions.map { $0["status"] as? String } == ["Investigating", "ServiceRestored"])
        var restored: String?
        for _ in 0..<240 {   // detection judges a signal after the server's 20 s lateness
            let links = json("/api/v1/incidents/\(id)")["advisoryLinks"] as? [[String: Any]] ?? []
            restored = links.first { $0["id"] as? String == "EX1189820" }?["restoredAt"] as? String
            if restored != nil { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(restored == UTCTimestamp.format(now - 60_000))
        let timeline = (json("/api/v1/incidents/\(id)")["timeline"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
        #expect(timeline.contains { $0.hasPrefix("Provider update on EX1189820: The revert has completed") }, "\(timeline)")
        graph.serviceCommunications.publish(issues: [issue("PostIncidentReviewPublished", posts: 3, resolved: true)])
        var review: (status: Int, body: String)?
        for _ in 0..<100 {
            review = httpGet(port: site.port, path: "/api/v1/advisories/EX1189820/incidentReport")
            if review?.status == 200 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(review?.status == 200 && review?.body.contains("post-incident review of EX1189820") == true)
        let report = httpGet(port: site.port, path: "/incidents/\(id)/report.md")?.body ?? ""
        #expect(report.contains("EX1189820"), "\(report.prefix(1_500))")
        #expect(report.contains("Provider said restored"), "\(report.prefix(2_500))")
        let secretFree = ((try? String(contentsOfFile: site.log, encoding: .utf8)) ?? "") + report
        #expect(!secretFree.contains("lab-client-secret") && !secretFree.contains("lab-access-token"))
        try await offPool { server.stop(SIGTERM) }
    }

    @Test("telemetry: bad lines get a 4xx with their line number and the good ones are kept; auth, key and size are checked")
    func telemetryRefusals() async throws {
        let site = try makeSite(port: 18_485)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let telemetry = try token(site, "telemetry", "collector")
        let operatorToken = try token(site, "operator", "bob")
        let server = try startServer(site)
        defer { server.stop(SIGTERM) }
        let t = UTCTimestamp.format(Int64(Date().timeIntervalSince1970 * 1_000) - 120_000)
        let future = UTCTimestamp.format(Int64(Date().timeIntervalSince1970 * 1_000) + 3_600_000)
        let good = #"{"time":"\#(t)","service":"contoso","region":"apac","client":"owa","path":"owa","outcome":"failed","error":"HTTP 503","user":"u1"}"#
        let body = [good,
                    #"{"time":"\#(t)","service":"contoso","region":"apac","client":"owa","path":"owa"}"#,
                    good.replacingOccurrences(of: "u1", with: "u2"),
                    "{not json",
                    "",
                    good.replacingOccurrences(of: "\"contoso\"", with: "\"fabrikam\""),
                    good.replacingOccurrences(of: t, with: future),
                    #"{"kind":"clients","t":"\#(t)","service":"contoso","region":"apac","client":"owa","path":"owa","ok":"many","failed":0}"#,
        ].joined(separator: "\n")
        let auth = "Authorization: Bearer \(telemetry)"
        let mixed = try post(site, "/api/v1/telemetry", body: body, headers: [auth, "Idempotency-Key: mixed-1"])
        #expect(mixed.status == 207, "\(mixed.body)")
        for expected in [#""accepted":2"#, #""rejected":5"#, "line 2: outcome is missing", "line 4: not JSON",
                         "line 6: service 'fabrikam' is not watched here (contoso)", "line 7: time is 60 minutes ahead of the server's clock",
                         "line 8: ok has the wrong type"] {
            #expect(mixed.body.contains(expected), "\(expected) in \(mixed.body)")
        }
        let stored = try await SQLiteStore(directory: site.data).signalBatches(lastTimeFromMs: 0, afterID: 0, limit: 10)
        #expect(stored.map(\.batch.lines) == [2])
        #expect(stored.first?.batch.body.contains("u2") == true)

        let allBad = try post(site, "/api/v1/telemetry", body: "{}\n[1]\n", headers: [auth, "Idempotency-Key: bad-1"])
        #expect(allBad.status == 400 && allBad.body.contains("line 1: kind is missing"), "\(allBad.body)")
        let cases: [([String], String, Int, String)] = [
            ([], good, 401, "missing Authorization: Bearer token"),
            (["Authorization: Bearer mcat_wrong", "Idempotency-Key: k"], good, 401, "unknown or revoked token"),
            (["Authorization: Bearer \(operatorToken)", "Idempotency-Key: k"], good, 403, "(write scope) may not do this: it needs the ingest scope"),
            ([auth], good, 400, "the Idempotency-Key header is missing"),
            ([auth, "Idempotency-Key: has space"], good, 400, "printable ASCII characters without spaces"),
            ([auth, "Idempotency-Key: empty"], "\n\n", 400, "the upload has no lines"),
            ([auth, "Idempotency-Key: big"], String(repeating: good + "\n", count: 16 << 20 / good.utf8.count + 10), 413, "larger than 16 MiB"),
        ]
        for (headers, body, status, text) in cases {
            let answer = try post(site, "/api/v1/telemetry", body: body, headers: headers)
            #expect(answer.status == status, "\(headers): \(answer.status) \(answer.body.prefix(300))")
            #expect(answer.body.contains(text), "\(headers): \(answer.body.prefix(300))")
        }
        for secret in [telemetry, operatorToken] { #expect(!server.log.contains(secret)) }
    }

    @Test("reports: the public page, JSON and form posts, field errors, and a rate limit per sender")
    func reports() async throws {
        let site = try makeSite(port: 18_486)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let server = try startServer(site)
        defer { server.stop(SIGTERM) }
        let page = try #require(httpGet(port: site.port, path: "/report"))
        #expect(page.status == 200)
        for text in ["<form class=\"stack\" method=\"post\" action=\"/api/v1/reports\">", "Contoso mail", "Outlook on the web", "value=\"apac\">Asia Pacific"] {
            #expect(page.body.contains(text), "\(text)")
        }
        let json = #"{"service":"contoso","region":"apac","client":"outlook-classic","symptom":"cannot-connect","text":"Outlook says disconnected","reporter":"r-1"}"#
        let first = try post(site, "/api/v1/reports", body: json, headers: ["Content-Type: application/json"])
        #expect(first.status == 202 && first.body.contains(#""received":true"#), "\(first.body)")
        let form = try post(site, "/api/v1/reports", body: "service=contoso&region=apac&client=owa&symptom=slow&text=very+slow+%C3%A9",
                            headers: ["Content-Type: application/x-www-form-urlencoded"])
        #expect(form.status == 202 && form.body.contains("Thank you"), "\(form.body)")
        #expect(form.headers.lowercased().contains("set-cookie: mc_reporter="))
        let bad: [(String, String)] = [
            (#"{"service":"fabrikam"}"#, "service: 'fabrikam' is not watched here"),
            (#"{"region":"mars"}"#, "region: 'mars' is not a region watched here"),
            (#"{"client":"thunderbird-9"}"#, "client: 'thunderbird-9' is not one of"),
            (#"{"symptom":"angry"}"#, "symptom: 'angry' is not one of"),
            (#"{"colour":"red"}"#, "unknown field 'colour'"),
            ("[1,2]", "the report is not valid"),
        ]
        for (body, text) in bad {
            let answer = try post(site, "/api/v1/reports", body: body, headers: ["Content-Type: application/json"])
            #expect(answer.status == 400 && answer.body.contains(text), "\(body): \(answer.status) \(answer.body)")
        }
        // A flood from one address is cut off (bad reports count against the sender too).
        var limited = (status: 0, body: "", headers: "")
        for _ in 0..<40 where limited.status != 429 {
            limited = try post(site, "/api/v1/reports", body: #"{"symptom":"angry"}"#, headers: ["Content-Type: application/json"])
        }
        #expect(limited.status == 429, "\(limited.body)")
        #expect(limited.body.contains("too many reports from your address"))
        #expect(limited.headers.lowercased().contains("retry-after:"))
        let stored = try await SQLiteStore(directory: site.data).signalBatches(lastTimeFromMs: 0, afterID: 0, limit: 10)
        #expect(stored.map(\.batch.source) == ["reports", "reports"])
        #expect(stored.last?.batch.body.contains("very slow é") == true)
        #expect(httpGet(port: site.port, path: "/healthz")?.status == 200, "the server survived: \(server.log.suffix(1_000))")
    }

    @Test("real Dovecot and Postfix logs from the lab: imported into serve as client counts, once")
    func mailServerLogs() async throws {
        let site = try makeSite(port: 18_487)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let issued = try runCLI(["token", "telemetry", "logs", "--config", site.config, "--out", site.directory + "/logs.token"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let server = try startServer(site)
        defer { server.stop(SIGTERM) }
        let logs = (dovecot: lab["LOG_DIR"] + "/dovecot.log", postfix: lab["LOG_DIR"] + "/postfix.log")
        func size(_ path: String) -> UInt64 { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? UInt64) ?? 0 }
        let start = (dovecot: size(logs.dovecot), postfix: size(logs.postfix))
        // Real sessions: a good and a bad login over IMAP and over submission.
        for (scheme, port) in [("imaps", "IMAPS_PORT"), ("smtps", "SMTPS_PORT")] {
            for (variable, password) in [("GOOD", lab.password), ("BAD", lab.password + "x")] {
                _ = try runCLI(["check", lab.url(scheme, port), "--user", lab.user, "--password-env", variable, "--ca-file", lab.caFile, "--timeout", "20s"],
                               environment: [variable: password])
            }
        }
        try await Task.sleep(for: .seconds(1))
        func tail(_ path: String, from offset: UInt64, to name: String) throws -> String {
            let handle = try #require(FileHandle(forReadingAtPath: path))
            try handle.seek(toOffset: offset)
            let copy = site.directory + "/" + name
            try (handle.readDataToEndOfFile()).write(to: URL(fileURLWithPath: copy))
            return copy
        }
        let dovecot = try tail(logs.dovecot, from: start.dovecot, to: "dovecot.log")
        let postfix = try tail(logs.postfix, from: start.postfix, to: "postfix.log")
        struct Record: Decodable { var path: String; var ok: Int; var failed: Int; var errors: [String: Int] }
        func records(_ format: String, _ file: String) throws -> [Record] {
            let printed = try runCLI(["logs", "import", "--format", format, "--service", "contoso", "--region", "apac", "--print", file])
            #expect(printed.status == 0, "\(printed.stderr)")
            #expect(printed.stderr.contains("client outcomes"), "\(printed.stderr)")
            return printed.stdout.split(separator: "\n").compactMap { try? JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
        }
        let imap = try records("dovecot", dovecot).filter { $0.path == "imap" }
        #expect(imap.reduce(0) { $0 + $1.ok } >= 1, "\(imap)")
        #expect(imap.reduce(0) { $0 + ($1.errors["authentication failed"] ?? 0) } >= 1, "\(imap)")
        let submission = try records("postfix", postfix).filter { $0.path == "smtp-submission" }
        #expect(submission.reduce(0) { $0 + $1.ok } >= 1, "\(submission)")
        #expect(submission.reduce(0) { $0 + ($1.errors["authentication failed"] ?? 0) } >= 1, "\(submission)")

        // Into serve through the telemetry API; importing the same file again adds nothing.
        for (format, file) in [("dovecot", dovecot), ("postfix", postfix), ("dovecot", dovecot)] {
            let posted = try runCLI(["logs", "import", "--format", format, "--service", "contoso", "--region", "apac",
                                     "--server", "http://127.0.0.1:\(site.port)", "--token-file", site.directory + "/logs.token", file])
            #expect(posted.status == 0, "\(posted.stderr)")
        }
        let stored = try await SQLiteStore(directory: site.data).signalBatches(lastTimeFromMs: 0, afterID: 0, limit: 10)
        #expect(stored.map(\.batch.source) == ["telemetry:logs", "telemetry:logs"])
        #expect(stored.first?.batch.body.contains(#""path":"imap""#) == true)
        let usage = try runCLI(["logs", "import", "--format", "exim", "--service", "contoso", "--region", "apac", "--print", dovecot])
        #expect(usage.status != 0 && usage.stderr.contains("exim"), "\(usage.stderr)")
    }
}
}
