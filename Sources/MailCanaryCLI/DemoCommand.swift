import ArgumentParser
import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryIngest
import MailCanaryServer
import MailCanaryStorage
import ServiceLifecycle

/// `mailcanary demo`: a newcomer's first minute. The November 2025 outage re-enacted around now
/// (three days of history, then live minutes) goes through the same store and detection as
/// `serve`; the dashboard, the status page, the feed and the report show the incident.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Serve the dashboard and status page on a re-enactment of the 25 November 2025 outage.",
        discussion: """
        Writes three days of synthetic telemetry, probe results, user reports and provider advisories for \
        the tenant 'contoso' into a fresh SQLite store (./mailcanary-demo-data/, recreated each run), starts \
        the server on it (127.0.0.1:8080 as serve) and keeps feeding it minute by minute. Classic Outlook \
        has been failing in Asia Pacific and North America for 80 minutes when it starts. Open / for the \
        dashboard, /status for the public status page, /status/feed.atom for the feed. With --graph-url the \
        provider's advisories are not written: the server polls them from that Graph endpoint as serve does \
        (start exchange-test-server --advisories november-2025 first, and set GRAPH_CLIENT_SECRET=lab-client-secret).
        """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on, 0 for any free port.")
    var port = 8080

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Folder of the demo's SQLite store (emptied first; only a demo folder).", valueName: "DIR"))
    var dataDir = "mailcanary-demo-data"

    @Option(name: .customLong("history-hours"), help: "Hours of history written before the server starts (2 to 96).")
    var historyHours = 72

    @Option(name: .customLong("graph-url"), help: ArgumentHelp("""
        Read the provider's advisories from this Microsoft Graph endpoint with the real poller instead of writing them \
        into the store (exchange-test-server --advisories november-2025 serves the outage's issues).
        """, valueName: "URL"))
    var graphURL: String?

    @Option(name: .customLong("token-url"), help: ArgumentHelp("The token endpoint for --graph-url (default: the same host).", valueName: "URL"))
    var tokenURL: String?

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of the CA that signed the Graph endpoint's certificate.", valueName: "PATH"))
    var caFile: String?

    @Option(help: "The tenant for --graph-url.")
    var tenant = "contoso.onmicrosoft.com"

    @Option(name: .customLong("client-id"), help: "The app registration's client ID for --graph-url (the test server's by default).")
    var clientID = "mailcanary-probe"

    @Option(name: .customLong("client-secret-env"), help: ArgumentHelp("Environment variable holding the client secret for --graph-url.", valueName: "NAME"))
    var clientSecretEnv = "GRAPH_CLIENT_SECRET"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .notice

    static let marker = ".mailcanary-demo"

    static let yaml = """
    server:
      host: 127.0.0.1
      port: 8080
      region: eu
    storage:
      backend: sqlite
      retention: {raw: 7d, minute: 31d, hour: 400d}
    detection:
      warmup: 5d
    access:
      anonymous: read          # the demo's dashboard needs no sign-in (serve's default is none)
    agents:
      - {id: apac-1, region: apac}
      - {id: na-1, region: na}
    services:
      - id: contoso
        name: Contoso (Exchange Online)
        kind: microsoft365
        tenant: contoso.onmicrosoft.com
    """

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port): give a port from 0 to 65535") }
        guard !host.isEmpty else { throw ValidationError("--host: give an address such as 127.0.0.1") }
        guard (2...96).contains(historyHours) else { throw ValidationError("--history-hours \(historyHours): give 2 to 96") }
        guard !dataDir.isEmpty else { throw ValidationError("--data-dir: give a folder") }
        if graphURL != nil, ProcessInfo.processInfo.environment[clientSecretEnv]?.isEmpty ?? true {
            throw ValidationError("--client-secret-env \(clientSecretEnv): the variable is not set; export \(clientSecretEnv)=… (the test server's secret is lab-client-secret)")
        }
        if graphURL == nil {
            for (name, given) in [("--token-url", tokenURL != nil), ("--ca-file", caFile != nil)] where given {
                throw ValidationError("\(name) goes with --graph-url: give --graph-url too, or leave \(name) out")
            }
        }
    }

    /// The demo's configuration: the sample tenant, and with `--graph-url` an `advisories:`
    /// section polling it every ten seconds. Values are JSON-quoted (YAML reads them as strings).
    func configurationText() -> String {
        guard let graphURL else { return Self.yaml }
        var lines = [
            "advisories:", "  interval: 10s", "  tenants:", "    - id: contoso-tenant",
            "      tenant: \(JSONText.quoted(tenant))", "      client_id: \(JSONText.quoted(clientID))",
            "      client_secret: {env: \(JSONText.quoted(clientSecretEnv))}", "      graph_url: \(JSONText.quoted(graphURL))",
            "      token_url: \(JSONText.quoted(tokenURL ?? graphURL))", "      services: [contoso]",
        ]
        if let caFile { lines.append("      ca_file: \(JSONText.quoted(caFile))") }
        return Self.yaml + "\n" + lines.joined(separator: "\n") + "\n"
    }

    func run() async throws {
        var logger = Logger(label: "mailcanary")
        logger.logLevel = logLevel
        let config: WatchConfig
        do {
            config = try ConfigLoader(baseDirectory: ".", checkFiles: graphURL != nil).load(text: configurationText(), file: "demo configuration")
        } catch {
            throw UsageError(graphURL == nil ? "the demo configuration has problems (a bug):\n\(error.description)"
                                             : "the Graph options do not make a configuration:\n\(error.description)")
        }
        try Self.prepare(dataDir)
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let scenario = {
            var scenario = DemoScenario(nowMs: now)
            scenario.providerRecords = graphURL == nil
            return scenario
        }()
        let lastMinute = now / 60_000 - 1          // the last minute that has ended
        let firstMinute = lastMinute + 1 - Int64(historyHours) * 60
        let started = ContinuousClock.now
        let records: Int
        do {
            let store = try SQLiteStore(directory: dataDir)
            try await store.migrate()
            records = try await DemoFeed.seed(scenario, into: store, fromMinute: firstMinute, toMinute: lastMinute + 1, nowMs: now)
        } catch {
            throw UsageError("cannot write the demo's history into \(dataDir): \(error)")
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let seeded = ("demo: \(records) records of \(historyHours) h written to \(dataDir) in \(String(format: "%.1f", seconds)) s; "
              + "classic Outlook has been failing in Asia Pacific and North America since \(UTCTimestamp.format(scenario.onsetMinute * 60_000))\n")
        FileHandle.standardOutput.write(Data(seeded.utf8))
        var runtime = ServerRuntime(config: config, dataDirectory: dataDir, host: host, port: port, logger: logger)
        let feedLogger = logger
        runtime.extraServices = { store in
            [DemoFeed(scenario: scenario, store: store, firstMinute: lastMinute + 1,
                      clock: { Int64(Date().timeIntervalSince1970 * 1_000) }, logger: feedLogger)]
        }
        let (group, handle): (ServiceGroup, APIHandle)
        do {
            (group, handle) = try runtime.makeServiceGroup()
        } catch {
            throw UsageError(error.description)
        }
        let shownHost = host
        let announce = Task {
            while handle.port == nil, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(100)) }
            guard let port = handle.port else { return }
            let text = """
            demo: serving on http://\(shownHost):\(port)/
              dashboard     http://\(shownHost):\(port)/
              status page   http://\(shownHost):\(port)/status
              Atom feed     http://\(shownHost):\(port)/status/feed.atom
              report        mailcanary report latest --data-dir \(dataDir)
            Ctrl-C stops it.

            """
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        defer { announce.cancel() }
        try await group.run()
    }

    /// Empties the demo folder; refuses a folder that is not one (it might be a real store).
    static func prepare(_ directory: String) throws {
        let files = FileManager.default
        if files.fileExists(atPath: directory) {
            let contents = (try? files.contentsOfDirectory(atPath: directory)) ?? []
            guard contents.isEmpty || contents.contains(marker) else {
                throw UsageError("--data-dir \(directory): the folder exists and is not a demo folder (no \(marker) in it); give another folder")
            }
            for name in contents { try? files.removeItem(atPath: directory + "/" + name) }
        }
        do {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: directory + "/" + marker))
        } catch {
            throw UsageError("--data-dir \(directory): cannot create the folder (\(error.localizedDescription))")
        }
    }
}
