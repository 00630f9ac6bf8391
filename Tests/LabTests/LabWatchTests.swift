#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MailCanaryCore
import MailCanaryStorage
import Testing

extension LabSuite {
/// `serve` and two agents against the real Dovecot/Postfix lab, as separate processes.
@Suite
struct LabWatchTests {
    let lab = Lab.current!
    static let binary = Lab.repositoryRoot.appendingPathComponent(".build/debug/mailcanary").path

    /// A scratch folder with a configuration, agent tokens and a data directory.
    struct Site {
        let directory: String
        let port: Int
        var config: String { directory + "/mailcanary.yml" }
        var data: String { directory + "/data" }
        func token(_ agent: String) -> String { directory + "/\(agent).token" }
        func spool(_ agent: String) -> String { directory + "/spool-\(agent)" }
        func log(_ name: String) -> String { directory + "/\(name).log" }
    }

    func makeSite(port: Int, extraProbes: String = "") throws -> Site {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-watch-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let site = Site(directory: directory, port: port)
        try writeConfig(site, extraProbes: extraProbes)
        for agent in ["apac-1", "na-1"] {
            let issued = try runCLI(["agent", "token", agent, "--config", site.config, "--out", site.token(agent)])
            #expect(issued.status == 0, "\(issued.stderr)")
        }
        return site
    }

    /// The site's configuration; `extraProbes` are more items of the lab service's probes (six spaces in).
    func writeConfig(_ site: Site, extraProbes: String = "") throws {
        let port = site.port
        let yaml = """
            server: {host: 127.0.0.1, port: \(port), region: local, data_dir: data}
            access: {anonymous: read}   # these tests read the API without signing in
            scheduler: {concurrency: 16, jitter: 0.5}
            defaults: {interval: 2s, timeout: 1500ms, regions: [local]}
            agents:
              - {id: apac-1, region: apac}
              - {id: na-1, region: na}
            services:
              - id: lab
                kind: mail-host
                credentials:
                  probe:
                    user: \(lab.user)
                    password: {file: \(lab["PASSWORD_FILE"])}
                probes:
                  - target: imaps://\(lab.host):\(lab["IMAPS_PORT"])
                    credential: probe
                    ca_file: \(lab.caFile)
                    regions: [local, apac, na]
                  - target: smtp://\(lab.host):\(lab["SUBMISSION_PORT"])
                    ca_file: \(lab.caFile)
                    regions: [apac, na]
                  - target: tcp://\(lab.host):\(lab["POP3_PORT"])
                    interval: 1s
                    timeout: 500ms
                    regions: [local, apac, na]
            \(extraProbes)
            """
        try yaml.write(toFile: site.config, atomically: true, encoding: .utf8)
        let check = try runCLI(["config", "check", site.config])
        #expect(check.status == 0, "\(check.stderr)")
    }

    func startServer(_ site: Site) throws -> BackgroundProcess {
        let server = try BackgroundProcess(Self.binary, ["serve", "--config", site.config], logPath: site.log("server"))
        for _ in 0..<200 {
            if httpGet(port: site.port, path: "/healthz")?.status == 200 { return server }
            usleep(50_000)
        }
        Issue.record("the server did not answer /healthz: \(server.log.suffix(2_000))")
        return server
    }

    func startAgent(_ site: Site, _ agent: String, region: String) throws -> BackgroundProcess {
        try BackgroundProcess(Self.binary, ["agent", "--server", "http://127.0.0.1:\(site.port)", "--token-file", site.token(agent),
                                            "--region", region, "--spool-dir", site.spool(agent), "--plan-refresh", "1s"], logPath: site.log(agent))
    }

    struct SpoolState: Decodable { var lastSequence: Int64; var acknowledged: Int64; var dropped: Int64 }

    func spoolState(_ site: Site, _ agent: String) throws -> SpoolState {
        try JSONDecoder().decode(SpoolState.self, from: Data(contentsOf: URL(fileURLWithPath: site.spool(agent) + "/state.json")))
    }

    /// Results in an agent's spool not yet acknowledged (read without touching the running agent's files).
    func spooledCount(_ site: Site, _ agent: String) throws -> Int {
        let acknowledged = try spoolState(site, agent).acknowledged
        struct Line: Decodable { var sequence: Int64 }
        var count = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: site.spool(agent)) where name.hasPrefix("segment-") {
            let data = try Data(contentsOf: URL(fileURLWithPath: site.spool(agent) + "/" + name))
            count += data.split(separator: 0x0A).compactMap { try? JSONDecoder().decode(Line.self, from: Data($0)) }
                .filter { $0.sequence > acknowledged }.count
        }
        return count
    }

    /// Every sequence an agent produced is in the store exactly once, and nothing is pending.
    func expectDeliveredExactlyOnce(_ site: Site, agents: [String]) async throws {
        let store = try SQLiteStore(directory: site.data)
        for agent in agents {
            let state = try spoolState(site, agent)
            #expect(state.acknowledged == state.lastSequence, "agent \(agent) still has results in its spool")
            #expect(state.dropped == 0)
            let stored = try await store.results(origin: "agent:\(agent)", afterSequence: 0, limit: 1_000_000)
            let sequences = stored.compactMap(\.sequence)
            #expect(Set(sequences).count == sequences.count, "duplicates for \(agent)")
            let first = try #require(sequences.first)
            #expect(sequences == Array(first...state.lastSequence), "agent \(agent): gaps in the delivered sequences")
            #expect(stored.allSatisfy { $0.region == (agent == "apac-1" ? "apac" : "na") })
        }
    }

    @Test("serve and two agents: results produced while the server is down arrive exactly once")
    func serverOutage() async throws {
        let site = try makeSite(port: 18_481)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        var server = try startServer(site)
        let apac = try startAgent(site, "apac-1", region: "apac")
        let na = try startAgent(site, "na-1", region: "na")
        try await Task.sleep(for: .seconds(5))
        #expect(server.stop(SIGTERM) == 0, "graceful shutdown: \(server.log.suffix(1_500))")
        let downAt = Int64(Date().timeIntervalSince1970 * 1_000)
        try await Task.sleep(for: .seconds(6))
        let backAt = Int64(Date().timeIntervalSince1970 * 1_000)
        #expect(try spooledCount(site, "apac-1") >= 4, "the agent kept probing into its spool while the server was away")
        // The server comes back with one more probe for apac: the agents follow the new plan.
        try writeConfig(site, extraProbes: """
                  - target: tcp://\(lab.host):\(lab["IMAPS_PORT"])
                    name: added-later
                    interval: 1s
                    timeout: 500ms
                    regions: [apac]
            """)
        server = try startServer(site)
        try await Task.sleep(for: .seconds(5))
        #expect(apac.stop(SIGTERM) == 0, "\(apac.log.suffix(1_500))")
        #expect(na.stop(SIGTERM) == 0, "\(na.log.suffix(1_500))")
        // The API shows what the server and the agents measured.
        let latest = try #require(httpGet(port: site.port, path: "/api/v1/results/latest?service=lab"))
        #expect(latest.status == 200)
        for region in ["\"local\"", "\"apac\"", "\"na\""] { #expect(latest.body.contains(region)) }
        #expect(!latest.body.contains(lab.password))
        let metrics = try #require(httpGet(port: site.port, path: "/metrics"))
        #expect(metrics.body.contains("mailcanary_probe_success{service=\"lab\",path=\"imap\",probe=\"lab/imap\",region=\"apac\"} 1"))
        #expect(metrics.body.contains("mailcanary_certificate_days_left{service=\"lab\",path=\"imap\",probe=\"lab/imap\",region=\"local\"}"))
        #expect(metrics.body.contains("mailcanary_probe_duration_seconds{service=\"lab\",path=\"imap\",probe=\"lab/imap\",region=\"na\",step=\"auth\"}"))
        #expect(server.stop(SIGTERM) == 0)
        try await expectDeliveredExactlyOnce(site, agents: ["apac-1", "na-1"])
        let store = try SQLiteStore(directory: site.data)
        let during = try await store.results(probeID: "lab/imap", region: "apac", fromMs: downAt, toMs: backAt, limit: 100)
        #expect(during.count >= 2, "results produced during the outage were delivered later")
        #expect(during.allSatisfy { $0.outcome == .ok })
        let added = try await store.results(probeID: "lab/added-later", region: "apac", fromMs: backAt, toMs: .max, limit: 100)
        #expect(added.count >= 2 && added.allSatisfy { $0.origin == "agent:apac-1" && $0.outcome == .ok },
                "the apac agent runs the probe added while the server was away: \(apac.log.suffix(1_500))")
        #expect(apac.log.contains("the server's plan changed") && apac.log.contains("added lab/added-later"))
        #expect(try await store.results(probeID: "lab/added-later", region: "na", fromMs: 0, toMs: .max, limit: 10).isEmpty)
        for log in [server.log, apac.log, na.log] { #expect(!log.contains(lab.password)) }
    }

    @Test("SIGKILL of the server during uploads loses nothing an agent had acknowledged")
    func serverKilled() async throws {
        let many = (1...40).map { "      - {target: \"tcp://\(lab.host):\(lab["IMAP_PORT"])\", name: tcp\($0), interval: 1s, timeout: 500ms, regions: [apac]}" }
            .joined(separator: "\n")
        let site = try makeSite(port: 18_482, extraProbes: many)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        var server = try startServer(site)
        let apac = try startAgent(site, "apac-1", region: "apac")
        try await Task.sleep(for: .seconds(4))
        server.stop(SIGKILL)
        let acknowledged = try spoolState(site, "apac-1").acknowledged
        try await Task.sleep(for: .seconds(2))
        // Nothing the agent holds as acknowledged can be missing after the crash.
        let store = try SQLiteStore(directory: site.data)
        let stored = Set(try await store.results(origin: "agent:apac-1", afterSequence: 0, limit: 1_000_000).compactMap(\.sequence))
        let first = try #require(stored.min())
        #expect(acknowledged > first)
        #expect((first...acknowledged).allSatisfy { stored.contains($0) }, "an acknowledged result was lost")
        server = try startServer(site)
        try await Task.sleep(for: .seconds(3))
        #expect(apac.stop(SIGTERM) == 0)
        #expect(server.stop(SIGTERM) == 0)
        try await expectDeliveredExactlyOnce(site, agents: ["apac-1"])
    }

    @Test("agent API: a token uploads only for its own agent; bad batches get a 4xx naming the cause")
    func agentAPIRefusals() async throws {
        let site = try makeSite(port: 18_483)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let server = try startServer(site)
        defer { server.stop(SIGTERM) }
        let token = try String(contentsOfFile: site.token("apac-1"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        func post(_ body: String, token: String?) throws -> (status: Int32, stdout: String, stderr: String) {
            var arguments = ["-s", "-w", "\n%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
                             "--data-binary", body, "http://127.0.0.1:\(site.port)/api/v1/agent/results"]
            if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
            return try Shell.run("/usr/bin/curl", arguments)
        }
        let result = #"{"origin":"x","sequence":5,"probeID":"lab/imap","service":"lab","path":"imap","region":"apac","startedAtMs":1,"plannedAtMs":1,"durationMs":1,"outcome":"ok","steps":[]}"#
        let cases: [(String, String?, String, String)] = [
            (#"{"agent":"apac-1","region":"apac","results":[]}"#, nil, "401", "missing Authorization: Bearer token"),
            (#"{"agent":"apac-1","region":"apac","results":[]}"#, "mcat_wrong", "401", "unknown or revoked token"),
            (#"{"agent":"na-1","region":"na","results":[]}"#, token, "403", "this token belongs to agent 'apac-1'; it cannot upload for 'na-1'"),
            (#"{"agent":"apac-1","region":"na","results":[]}"#, token, "403", "agent 'apac-1' is configured for region 'apac', not 'na'"),
            ("not json", token, "400", "the batch is not valid: not JSON"),
            (#"{"agent":"apac-1","region":"apac"}"#, token, "400", "the batch is not valid: results is missing"),
            (#"{"agent":"apac-1","region":"apac","results":[\#(result.replacingOccurrences(of: "\"sequence\":5,", with: ""))]}"#, token, "400", "results[0].sequence is missing; agents number every result"),
            (#"{"agent":"apac-1","region":"apac","results":[\#(result)]}"#, token, "200", #""accepted":1"#),
            (#"{"agent":"apac-1","region":"apac","results":[\#(result)]}"#, token, "200", #""duplicates":1"#),
        ]
        for (body, token, status, text) in cases {
            let answer = try post(body, token: token)
            #expect(answer.stdout.hasSuffix("\n" + status), "\(body): \(answer.stdout)")
            #expect(answer.stdout.contains(text), "\(body): \(answer.stdout)")
        }
        let stored = try await SQLiteStore(directory: site.data).results(origin: "agent:apac-1", afterSequence: 0, limit: 10)
        #expect(stored.map(\.origin) == ["agent:apac-1"]) // the server stamps the origin from the token, not the body
        let history = try #require(httpGet(port: site.port, path: "/api/v1/series/history?service=lab&path=imap&region=local&resolution=day"))
        #expect(history.status == 400)
        #expect(history.body.contains("query parameter 'resolution': 'day' is not minute or hour"))
    }

    @Test("SIGHUP reloads the configuration; a broken file is reported and the running configuration stays")
    func reloadOnSIGHUP() async throws {
        let site = try makeSite(port: 18_488)
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let server = try startServer(site)
        func probes() -> String { httpGet(port: site.port, path: "/api/v1/services")?.body ?? "" }
        func waitFor(_ text: String, in read: () -> String) async -> Bool {
            for _ in 0..<200 {
                if read().contains(text) { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        #expect(!probes().contains("added-by-reload"))
        try writeConfig(site, extraProbes: """
                  - target: tcp://\(lab.host):\(lab["IMAPS_PORT"])
                    name: added-by-reload
                    regions: [local]
            """)
        kill(server.pid, SIGHUP)
        #expect(await waitFor("added-by-reload", in: probes), "the reloaded configuration is served: \(server.log.suffix(1_500))")
        #expect(server.log.contains("probes added: lab/added-by-reload"))
        // The new probe runs and is stored.
        #expect(await waitFor("added-by-reload", in: { httpGet(port: site.port, path: "/api/v1/results/latest?service=lab")?.body ?? "" }))

        // A broken file: the problem is logged with its key, and the running configuration stays.
        try "services:\n  - id: lab\n    kind: mail-host\n    probes: []\n    colour: blue\n".write(toFile: site.config, atomically: true, encoding: .utf8)
        kill(server.pid, SIGHUP)
        #expect(await waitFor("configuration not reloaded", in: { server.log }), "\(server.log.suffix(1_500))")
        #expect(server.log.contains("colour"))
        #expect(probes().contains("added-by-reload") && httpGet(port: site.port, path: "/healthz")?.status == 200)
        #expect(server.stop(SIGTERM) == 0, "SIGTERM still stops the server after reloads: \(server.log.suffix(1_500))")
        #expect(!server.log.contains(lab.password))
    }
}
}

extension LabSuite {
/// Two `serve` replicas on the lab's PostgreSQL.
@Suite
struct LabReplicaTests {
    let lab = Lab.current!

    func runPSQL(_ sql: String, database: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let password = (try? String(contentsOfFile: lab["POSTGRES_PASSWORD_FILE"], encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return try Shell.run("/usr/bin/psql", ["-h", lab["POSTGRES_HOST"], "-p", lab["POSTGRES_PORT"], "-U", lab["POSTGRES_USER"],
                                              "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                             environment: ["PGPASSWORD": password])
    }

    func psql(_ sql: String, database: String) throws -> String {
        let result = try runPSQL(sql, database: database)
        #expect(result.status == 0, "psql: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A scratch database and folder for one test (the test removes the folder and drops the database).
    func scratch(_ name: String) throws -> (database: String, directory: String) {
        let database = "mc_\(name)_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try psql("CREATE DATABASE \(database)", database: lab["POSTGRES_DATABASE"])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-\(name)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (database, directory)
    }

    /// The configuration's `storage` section for the lab's PostgreSQL and `database`.
    func storage(_ database: String) -> String {
        """
        storage:
          backend: postgres
          postgres:
            host: \(lab["POSTGRES_HOST"])
            port: \(lab["POSTGRES_PORT"])
            user: \(lab["POSTGRES_USER"])
            database: \(database)
            password: {file: \(lab["POSTGRES_PASSWORD_FILE"])}
        """
    }

    /// Drops a scratch database. FORCE cannot end an autovacuum worker that happens to be in it
    /// (it runs as the superuser): that refusal is retried until the worker is done.
    func dropDatabase(_ database: String) throws {
        var refusal = ""
        for _ in 0..<50 {
            let result = try runPSQL("DROP DATABASE IF EXISTS \(database) WITH (FORCE)", database: lab["POSTGRES_DATABASE"])
            if result.status == 0 { return }
            refusal = result.stderr
            guard refusal.contains("pg_signal_backend") else { break }
            usleep(200_000)
        }
        Issue.record("cannot drop \(database): \(refusal)")
    }

    @Test("replicas on one PostgreSQL never run a planned probe twice, and one keeps going when the other stops")
    func replicas() async throws {
        let (database, directory) = try scratch("replicas")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let probes = (1...10).map { "      - {target: \"tcp://\(lab.host):\(lab["IMAP_PORT"])\", name: tcp\($0), interval: 1s, timeout: 500ms}" }
            .joined(separator: "\n")
        let yaml = """
            server: {host: 127.0.0.1, port: 18490}
            \(storage(database))
            services:
              - id: lab
                kind: mail-host
                probes:
                  - target: imaps://\(lab.host):\(lab["IMAPS_PORT"])
                    interval: 2s
                    timeout: 1s
                    ca_file: \(lab.caFile)
            \(probes)
            """
        let config = directory + "/mailcanary.yml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let binary = LabWatchTests.binary
        let first = try BackgroundProcess(binary, ["serve", "--config", config, "--port", "18491"], logPath: directory + "/a.log")
        let second = try BackgroundProcess(binary, ["serve", "--config", config, "--port", "18492"], logPath: directory + "/b.log")
        for port in [18_491, 18_492] {
            var healthy = false
            for _ in 0..<200 where !healthy {
                healthy = httpGet(port: port, path: "/healthz")?.status == 200
                if !healthy { usleep(50_000) }
            }
            #expect(healthy, "replica on \(port) did not become healthy")
        }
        try await Task.sleep(for: .seconds(5))
        #expect(first.stop(SIGTERM) == 0, "\(first.log.suffix(1_000))")
        let stoppedAt = Int64(Date().timeIntervalSince1970 * 1_000)
        try await Task.sleep(for: .seconds(4))
        #expect(second.stop(SIGTERM) == 0, "\(second.log.suffix(1_000))")
        let doubles = try psql("SELECT COUNT(*) FROM (SELECT probe_id, region, planned_at FROM results GROUP BY 1, 2, 3 HAVING COUNT(*) > 1) d", database: database)
        #expect(doubles == "0", "a planned run was executed twice")
        let replicas = try psql("SELECT COUNT(DISTINCT replica) FROM run_claims", database: database)
        #expect(replicas == "2", "both replicas took part")
        let after = Int(try psql("SELECT COUNT(*) FROM results WHERE started_at > \(stoppedAt + 1_000)", database: database)) ?? 0
        #expect(after >= 20, "the remaining replica ran every probe after the other stopped")
        let covered = try psql("SELECT COUNT(DISTINCT probe_id) FROM results WHERE started_at > \(stoppedAt + 1_000)", database: database)
        #expect(covered == "11")
        try dropDatabase(database)
    }

    /// `/healthz`'s detection part of the replica on `port`.
    func detectionHealth(port: Int) -> [String: Any] {
        guard let answer = httpGet(port: port, path: "/healthz"),
              let json = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else { return [:] }
        return json["detection"] as? [String: Any] ?? [:]
    }

    func waitUntil(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<150 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }

    @Test("replicas share detection: telemetry sent to one is read by both, the lease holder writes one incident, the other takes over when it dies")
    func sharedDetection() async throws {
        let (database, directory) = try scratch("detect")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The only probe runs in regions no agent serves here: detection sees what the test sends.
        let config = directory + "/mailcanary.yml"
        try """
            server: {host: 127.0.0.1, port: 18495, region: local}
            access: {anonymous: read}
            \(storage(database))
            agents:
              - {id: apac-1, region: apac}
              - {id: na-1, region: na}
            services:
              - id: contoso
                kind: mail-host
                probes:
                  - target: tcp://\(lab.host):\(lab["POP3_PORT"])
                    regions: [apac, na]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let issued = try runCLI(["token", "telemetry", "collector", "--config", config])
        #expect(issued.status == 0, "\(issued.stderr)")
        let token = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let binary = LabWatchTests.binary
        let first = try BackgroundProcess(binary, ["serve", "--config", config, "--port", "18496"], logPath: directory + "/a.log")
        #expect(try await waitUntil { detectionHealth(port: 18_496)["leading"] as? Bool == true }, "the first replica did not take the lease: \(first.log.suffix(1_500))")
        let second = try BackgroundProcess(binary, ["serve", "--config", config, "--port", "18497"], logPath: directory + "/b.log")
        #expect(try await waitUntil { detectionHealth(port: 18_497)["warmedUp"] as? Bool == true }, "\(second.log.suffix(1_500))")
        #expect(detectionHealth(port: 18_497)["leading"] as? Bool == false, "two replicas hold the lease")

        // The outage is sent to the replica that does not write incidents.
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let body = directory + "/telemetry.ndjson"
        try LabSignalTests.outageTelemetry(endingAt: now - now % 60_000).write(toFile: body, atomically: true, encoding: .utf8)
        let sent = try Shell.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", "-X", "POST", "--data-binary", "@" + body,
                                                   "-H", "Authorization: Bearer \(token)", "-H", "Idempotency-Key: outage",
                                                   "http://127.0.0.1:18497/api/v1/telemetry"])
        #expect(sent.stdout.hasSuffix("200"), "\(sent.stdout)")
        func openIncidents(_ port: Int) -> [[String: Any]] {
            guard let answer = httpGet(port: port, path: "/api/v1/incidents?open=true"), answer.status == 200,
                  let json = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any] else { return [] }
            return json["incidents"] as? [[String: Any]] ?? []
        }
        #expect(try await waitUntil { !openIncidents(18_496).isEmpty }, "the lease holder wrote no incident: \(first.log.suffix(2_000))")
        let opened = openIncidents(18_496).first?["id"] as? String
        #expect(openIncidents(18_496).first?["paths"] as? [String] == ["mapi-http"])
        for port in [18_496, 18_497] {
            #expect(try await waitUntil { (detectionHealth(port: port)["signalsIn"] as? Int ?? 0) >= 300 },
                    "replica on \(port) did not read the telemetry the other stored: \(detectionHealth(port: port))")
        }
        #expect(try psql("SELECT COUNT(*) FROM incidents", database: database) == "1")

        // The holder dies without letting go (its database session ends with it): the other takes
        // the lease and goes on with the same incident.
        _ = first.stop(SIGKILL)
        #expect(try await waitUntil { detectionHealth(port: 18_497)["leading"] as? Bool == true }, "the lease did not pass: \(second.log.suffix(1_500))")
        try await Task.sleep(for: .seconds(2))
        #expect(openIncidents(18_497).map { $0["id"] as? String } == [opened])
        #expect(try psql("SELECT COUNT(*) FROM incidents", database: database) == "1")
        #expect(second.stop(SIGTERM) == 0, "\(second.log.suffix(1_000))")
        try dropDatabase(database)
    }
}
}
