import ArgumentParser
import Crypto
import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailCanaryIngest
import MailCanaryWatch

/// `mailcanary logs import|follow`: Dovecot, Postfix and Exchange/IIS logs into per-minute
/// client counts, printed as NDJSON or posted to a server's telemetry API.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Read mail-server logs (Dovecot, Postfix, Exchange IIS) as client telemetry.",
        subcommands: [Import.self, Follow.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "dovecot, postfix or iis.") var format: MailLogFormat
        @Option(help: "The service id the log belongs to, as in the server's configuration.") var service: String
        @Option(help: "The region the server's users are in.") var region: String
        @Option(help: ArgumentHelp("Post the counts to this server's telemetry API (http://HOST:PORT).", valueName: "URL")) var server: String?
        @Option(name: .customLong("token-file"), help: ArgumentHelp("A telemetry or agent token for --server.", valueName: "FILE")) var tokenFile: String?
        @Flag(help: "Print the counts as NDJSON on standard output instead of posting them.") var print = false

        func validate() throws {
            if print == (server != nil) { throw ValidationError("give either --server URL (with --token-file) or --print") }
            if server != nil, tokenFile == nil { throw ValidationError("--server needs --token-file FILE") }
            if service.isEmpty || region.isEmpty { throw ValidationError("--service and --region must not be empty") }
        }

        func sink() throws -> CountsSink {
            if print { return .print }
            guard let server, let tokenFile else { return .print }
            let token: Secret
            switch SecretReader.read(.file(tokenFile)) {
            case .success(let secret): token = secret
            case .failure(let error): throw UsageError("--token-file: \(error.message)")
            }
            return .post(AgentClient(server: server.hasSuffix("/") ? String(server.dropLast()) : server, token: token))
        }
    }

    enum CountsSink {
        case print
        case post(AgentClient)

        /// Prints or posts the records; a post is retried while the server is away or busy (the
        /// key, the content's hash, makes a retry safe).
        func send(_ counts: [ClientCounts]) async throws {
            guard !counts.isEmpty else { return }
            let body = Data((counts.map(\.ndjsonLine).joined(separator: "\n") + "\n").utf8)
            switch self {
            case .print:
                FileHandle.standardOutput.write(body)
            case .post(let client):
                let key = "logs-" + SHA256.hash(data: body).prefix(16).map { String(format: "%02x", $0) }.joined()
                var delay: Duration = .milliseconds(500)
                for attempt in 1...6 {
                    do {
                        _ = try await client.postTelemetry(body, idempotencyKey: key)
                        return
                    } catch {
                        switch error {
                        case .refused, .badAnswer: throw UsageError("the server refused the counts: \(error)")
                        case .unreachable, .retryLater: if attempt == 6 { throw UsageError("\(error)") }
                        }
                    }
                    try await Task.sleep(for: delay)
                    delay *= 2
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read whole log files once; re-importing the same file counts nothing twice.")

        @OptionGroup var options: Options
        @Argument(help: "Log files, oldest first.") var files: [String]

        func run() async throws {
            let sink = try options.sink()
            var reader = MailLogReader(format: options.format, service: options.service, region: options.region)
            let now = Date().millisecondsSince1970
            var pending: [ClientCounts] = []
            for file in files {
                do {
                    try NDJSONFileReader(path: file, maximumLineBytes: 64 << 10).forEachLine { buffer, range, _, _ in
                        pending += reader.read(Substring(String(decoding: buffer[range], as: UTF8.self)), referenceMs: now)
                    }
                } catch {
                    throw UsageError("\(error)")
                }
                if pending.count >= 5_000 {
                    try await sink.send(pending)
                    pending = []
                }
            }
            pending += reader.flush()
            try await sink.send(pending)
            FileHandleOutput.standardError("\(reader.summary)\n")
            for sample in reader.unknownSamples { FileHandleOutput.standardError("unknown: \(sample)\n") }
        }
    }

    struct Follow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a log file as it grows, across rotation and truncation; counts go out a minute after each minute ends.")

        @OptionGroup var options: Options
        @Argument(help: "The log file.") var file: String
        @Flag(name: .customLong("from-start"), help: "Read the file from its start instead of from its end.") var fromStart = false
        @Option(help: "Seconds between polls.") var poll: Double = 1

        func run() async throws {
            let sink = try options.sink()
            guard poll > 0, poll <= 60 else { throw ValidationError("--poll: give 0 < seconds <= 60") }
            var reader = MailLogReader(format: options.format, service: options.service, region: options.region)
            let follower = LogFollower(path: file, fromEnd: !fromStart)
            var quietPolls = 0
            while !Task.isCancelled {
                let lines = follower.poll()
                let now = Date().millisecondsSince1970
                var counts: [ClientCounts] = []
                for line in lines { counts += reader.read(line, referenceMs: now) }
                // A quiet log still ends its minutes: after two quiet minutes everything open goes out.
                quietPolls = lines.isEmpty ? quietPolls + 1 : 0
                if Double(quietPolls) * poll >= 120 {
                    counts += reader.flush()
                    quietPolls = 0
                }
                try await sink.send(counts)
                try await Task.sleep(for: .milliseconds(Int(poll * 1_000)))
            }
        }
    }
}

extension MailLogFormat: ExpressibleByArgument {}
