import ArgumentParser
import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryServer
import MailCanaryStorage
import ServiceLifecycle

/// `mailcanary token telemetry|operator NAME`: tokens for senders of client telemetry and for
/// operators who annotate incidents. Agents' tokens come from `mailcanary agent token`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue (or replace) a telemetry sender's or an operator's token; the server keeps only its SHA-256.",
        discussion: "The token is written to --out (mode 600) or printed once. A new token for a name revokes its previous one."
    )

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case telemetry
        case `operator`
    }

    @Argument(help: "telemetry (may POST /api/v1/telemetry) or operator (may add notes and status changes to incidents).")
    var role: Role

    @Argument(help: "A name for the holder: letters, digits, '.', '_' and '-'.")
    var name: String

    @OptionGroup var options: TokenOptions

    func run() async throws {
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw UsageError("NAME '\(name)': use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        let (watch, _) = try ServeCommand.loadConfig(options.config)
        try await Self.issue(id: "\(role.rawValue):\(name)", what: "\(role.rawValue) \(name)", config: watch, options: options)
    }

    /// Stores a new token's hash under `id` and hands the token out once.
    static func issue(id: String, what: String, config watch: WatchConfig, options: TokenOptions) async throws {
        let dataDir = options.dataDir
        let out = options.out
        let logger = Logger(label: "mailcanary")
        let (store, service): (any MailCanaryStore, (any Service)?)
        do {
            (store, service) = try ServerRuntime.openStore(watch, dataDirectory: dataDir ?? watch.server.dataDirectory, logger: logger)
        } catch {
            throw UsageError(error.description)
        }
        let token = AgentToken.generate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let service { group.addTask { try await service.run() } }
            try await store.migrate()
            try await store.setAgentToken(agent: id, tokenHash: AgentToken.hash(token), nowMs: Date().millisecondsSince1970)
            group.cancelAll()
        }
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data((token.exposedForWire + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw UsageError("--out \(out): cannot write the file")
            }
            FileHandleOutput.standardError("token for \(what) written to \(out)\n")
        } else {
            print(token.exposedForWire)
        }
    }
}

/// Where a token is issued (the server's store) and where it goes.
struct TokenOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The server's configuration (default ./mailcanary.yml, else the bundled sample).", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Folder of the SQLite store (default: the configuration's data_dir).", valueName: "DIR"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Write the token to this file instead of printing it.", valueName: "PATH"))
    var out: String?
}
