import ArgumentParser
import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryServer
import MailCanaryStorage
import ServiceLifecycle

/// `mailcanary token telemetry|operator|reader NAME`: tokens for senders of client telemetry (scope
/// ingest), for operators who annotate incidents (write) and for readers of the API and the
/// dashboard (read); `mailcanary token revoke ID` ends any token. Agents' tokens (scope agent) come
/// from `mailcanary agent token`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue (or replace) a telemetry sender's, an operator's or a reader's token, or revoke a token; the server keeps only its SHA-256.",
        discussion: """
        The token is written to --out (mode 600) or printed once. A new token for a name revokes its previous one. \
        `token revoke ID` revokes at once: ID is telemetry:NAME, operator:NAME, reader:NAME or an agent's id.
        """
    )

    enum Role: String, ExpressibleByArgument, CaseIterable {
        case telemetry
        case `operator`
        case reader
        case revoke
    }

    @Argument(help: "telemetry (may POST /api/v1/telemetry), operator (may also add notes and status changes to incidents), reader (may read the API and the dashboard), or revoke.")
    var role: Role

    @Argument(help: "A name for the holder: letters, digits, '.', '_' and '-' (for revoke: the token's id).")
    var name: String

    @OptionGroup var options: TokenOptions

    func run() async throws {
        if role == .revoke {
            let (watch, _) = try ServeCommand.loadConfig(options.config)
            let id = name
            let revoked = try await StoreSession.run(watch, dataDir: options.dataDir) { try await $0.revokeToken(id: id) }
            guard revoked else { throw UsageError("no token '\(id)' (ids look like telemetry:NAME, operator:NAME, reader:NAME or an agent's id)") }
            FileHandleOutput.standardError("token \(id) revoked\n")
            return
        }
        guard AgentToken.isValidHolderName(name) else {
            throw UsageError("NAME '\(name)': use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        let (watch, _) = try ServeCommand.loadConfig(options.config)
        try await Self.issue(id: "\(role.rawValue):\(name)", what: "\(role.rawValue) \(name)", config: watch, options: options)
    }

    /// Stores a new token's hash under `id` and hands the token out once.
    static func issue(id: String, what: String, config watch: WatchConfig, options: TokenOptions) async throws {
        let out = options.out
        let token = AgentToken.generate()
        let hash = AgentToken.hash(token)
        try await StoreSession.run(watch, dataDir: options.dataDir) { store in
            try await store.setAgentToken(agent: id, tokenHash: hash, nowMs: Date().millisecondsSince1970)
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
