#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

extension LabSuite {
/// The README's walk-through of provider advisories, as two processes: `exchange-test-server
/// --advisories november-2025` standing in for Microsoft Graph (real TLS, the token endpoint,
/// the outage's issues appearing at their minutes) and `mailcanary demo --graph-url` polling it
/// with the real poller. The advisory is linked to the incident the demo's telemetry opened, the
/// documentation's 2020 example is the provider's alone, and the report gives the lead.
@Suite
struct DemoAdvisoriesTests {
    static let binary = Lab.repositoryRoot.appendingPathComponent(".build/debug/mailcanary").path
    static let testServer = Lab.repositoryRoot.appendingPathComponent(".build/debug/exchange-test-server").path
    static let graphPort = 18_630
    static let port = 18_631

    @Test("demo --graph-url reads the November 2025 advisories from the test server, links EX1189820 and reports the lead")
    func demoWithGraph() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-demo-graph-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ca = directory + "/exchange-test-ca.pem"
        let graph = try BackgroundProcess(Self.testServer, ["--listen", "127.0.0.1:\(Self.graphPort)", "--advisories", "november-2025", "--ca-out", ca],
                                          logPath: directory + "/graph.log")
        defer { graph.stop() }
        let listening = try await offPool { () -> Bool in
            for _ in 0..<200 where !graph.log.contains("advisories november-2025") { usleep(50_000) }
            return graph.log.contains("advisories november-2025")
        }
        try #require(listening, "the test server did not start: \(graph.log.suffix(1_000))")

        let secret = "lab-client-secret"
        let demo = try BackgroundProcess(Self.binary, ["demo", "--port", "\(Self.port)", "--data-dir", directory + "/data", "--history-hours", "24",
                                                       "--graph-url", "https://127.0.0.1:\(Self.graphPort)", "--ca-file", ca],
                                         environment: ["GRAPH_CLIENT_SECRET": secret], logPath: directory + "/demo.log")
        defer { demo.stop() }

        func json(_ path: String) -> [String: Any] { httpJSON(port: Self.port, path: path) }
        var advisories: [[String: Any]] = []
        for _ in 0..<240 {
            advisories = json("/api/v1/advisories")["advisories"] as? [[String: Any]] ?? []
            let main = advisories.first { $0["id"] as? String == "EX1189820" }
            if let linked = main?["incidents"] as? [String], !linked.isEmpty { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let main = try #require(advisories.first { $0["id"] as? String == "EX1189820" }, "no EX1189820: \(advisories) \(demo.log.suffix(2_000))")
        let linked = main["incidents"] as? [String] ?? []
        #expect(linked.count == 1, "EX1189820 linked to \(linked): \(demo.log.suffix(2_000))")
        // Polled, not written: the demo's store holds only the poller's versions.
        #expect((main["status"] as? String)?.lowercased() == "investigating")
        #expect(advisories.first { $0["id"] as? String == "EX226792" }?["incidents"] as? [String] == [])
        #expect(advisories.first { $0["id"] as? String == "EX1189768" }.map { _ in true } == true)

        let id = try #require(linked.first)
        let incident = json("/api/v1/incidents/\(id)")
        let links = incident["advisoryLinks"] as? [[String: Any]] ?? []
        #expect(links.first?["id"] as? String == "EX1189820")
        let lead = links.first?["leadMinutes"] as? Double ?? 0
        #expect(lead >= 40 && lead <= 45, "lead \(lead) min over the provider's first post (45 min after the onset): \(links)")
        let report = try await offPool { try runCLI(["report", id, "--data-dir", directory + "/data"]) }
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("before the provider's first post (EX1189820)"), "\(report.stdout.prefix(2_000))")
        let page = httpGet(port: Self.port, path: "/incidents/\(id)")?.body ?? ""
        #expect(page.contains("EX1189820"))

        let logs = demo.log + graph.log
        #expect(!logs.contains(secret), "the client secret reached a log")
        let stopped = try await offPool { demo.stop(SIGTERM) }
        #expect(stopped == 0, "graceful stop: \(demo.log.suffix(1_500))")
    }

    @Test("demo's Graph options: a missing secret, a CA file without --graph-url and a plain-http URL are named")
    func badGraphOptions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-demo-bad-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cases: [(arguments: [String], environment: [String: String], message: String)] = [
            (["--graph-url", "https://127.0.0.1:1"], ["GRAPH_CLIENT_SECRET": ""],
             "--client-secret-env GRAPH_CLIENT_SECRET: the variable is not set"),
            (["--ca-file", "ca.pem"], [:], "--ca-file goes with --graph-url"),
            (["--graph-url", "http://127.0.0.1:1"], ["GRAPH_CLIENT_SECRET": "s"], "graph_url"),
        ]
        for (arguments, environment, message) in cases {
            let result = try await offPool {
                try runCLI(["demo", "--port", "0", "--data-dir", directory + "/data", "--history-hours", "2"] + arguments, environment: environment)
            }
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
}
