import ArgumentParser
import Foundation
import Logging
import MailCanaryConfig
import MailCanaryServer
import ServiceLifecycle
import UnixSignals

/// `mailcanary serve`: the watch loop, the store and the API in one process.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Watch every configured access path continuously and serve the API.",
        discussion: """
        With no options it reads ./mailcanary.yml if present and the bundled sample configuration otherwise, \
        keeps its SQLite store in ./mailcanary-data/ and listens on 127.0.0.1:8080. \
        Stop it with SIGTERM or Ctrl-C: running probes finish and their results are written first. \
        SIGHUP reloads the configuration file: one with problems is reported in the log and the running \
        configuration stays; a good one restarts the services in place.
        """
    )

    @Option(help: ArgumentHelp("The YAML configuration (default ./mailcanary.yml, else the bundled sample).", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Folder of the SQLite store (default: the configuration's data_dir).", valueName: "DIR"))
    var dataDir: String?

    @Option(help: "Address to listen on (default: the configuration's, 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on, 0 for any free port (default: the configuration's, 8080).")
    var port: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        if let port, !(0...65_535).contains(port) { throw UsageError("--port \(port): give a port from 0 to 65535") }
        if let host, host.isEmpty { throw UsageError("--host: give an address such as 127.0.0.1 or 0.0.0.0") }
        var (watch, source) = try Self.loadConfig(config)
        var logger = Logger(label: "mailcanary")
        logger.logLevel = logLevel
        // SIGHUP reloads the configuration: a file with problems is reported and the running
        // configuration stays; a good one restarts the services in this process (probes in flight
        // finish and are written, the API is away for the restart, detection warms up again
        // from the store, open incidents are adopted as on any start).
        while true {
            let dataDirectory = dataDir ?? watch.server.dataDirectory
            let runtime = ServerRuntime(config: watch, dataDirectory: dataDirectory, host: host ?? watch.server.host,
                                        port: port ?? watch.server.port, logger: logger)
            let group: ServiceGroup
            do {
                (group, _) = try runtime.makeServiceGroup()
            } catch {
                throw UsageError(error.description)
            }
            logger.info("serving", metadata: ["config": "\(source)", "listen": "\(runtime.host):\(runtime.port)",
                                               "store": "\(Self.describeStore(watch, dataDirectory))",
                                               "probes": "\(watch.probes(for: .server).count)"])
            let running = watch
            let log = logger
            let file = config
            let reloaded: WatchConfig? = try await withThrowingTaskGroup(of: WatchConfig?.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    return nil
                }
                tasks.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        switch ConfigReload.decide(running: running, loaded: Result { try Self.loadConfig(file).0 }) {
                        case .keep(let why):
                            log.warning("SIGHUP: configuration not reloaded", metadata: ["reason": "\(why)"])
                        case .unchanged:
                            log.info("SIGHUP: the configuration is unchanged")
                        case .apply(let new, let summary):
                            log.notice("SIGHUP: reloading the configuration", metadata: ["change": "\(summary)"])
                            await group.triggerGracefulShutdown()
                            return new
                        }
                    }
                    return nil
                }
                // The group ends on SIGTERM (no reload) or after a reload's shutdown.
                var next: WatchConfig?
                for try await outcome in tasks {
                    if let outcome { next = outcome } else { tasks.cancelAll() }
                }
                return next
            }
            guard let reloaded else { return }
            watch = reloaded
        }
    }

    /// The configuration: the file named, else ./mailcanary.yml, else the bundled sample.
    static func loadConfig(_ file: String?) throws -> (WatchConfig, String) {
        let chosen = file ?? (FileManager.default.fileExists(atPath: "mailcanary.yml") ? "mailcanary.yml" : nil)
        do {
            if let chosen {
                return (try ConfigLoader.load(file: chosen, checkFiles: false), chosen)
            }
            return (try ConfigLoader(baseDirectory: ".", checkFiles: false).load(text: SampleConfiguration.yaml, file: "bundled sample"),
                    "bundled sample configuration")
        } catch {
            throw UsageError("the configuration has problems:\n\(error.description)")
        }
    }

    static func describeStore(_ config: WatchConfig, _ dataDirectory: String) -> String {
        switch config.storage.backend {
        case .sqlite: return "sqlite \(dataDirectory)/mailcanary.sqlite"
        case .postgres(let postgres): return "postgres \(postgres.user)@\(postgres.host):\(postgres.port)/\(postgres.database)"
        }
    }
}
