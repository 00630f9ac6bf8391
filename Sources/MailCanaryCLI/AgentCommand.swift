import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryServer
import MailCanaryStorage
import MailCanaryWatch
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// `mailcanary agent`: run a region's share of the probes and upload the results.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a region's probes (configuration from the server) and upload results through a disk spool.",
        subcommands: [Run.self, Token.self],
        defaultSubcommand: Run.self
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run the agent (the default: mailcanary agent --server URL --token-file F --region R).",
            discussion: """
            Every result is written to the spool (fsync) before it counts as done; the spool is uploaded in batches \
            and kept while the server is unreachable (bounded by --spool-max-mb; past it the oldest results are \
            dropped and counted). The last plan from the server is kept in the spool folder, so the agent also \
            starts while the server is away; every --plan-refresh the agent asks for it again and, when the server's \
            configuration changed, restarts its schedule with the new plan. Secrets named by the plan are read from this machine's environment and files.
            """
        )

        @Option(help: ArgumentHelp("The server's base URL, e.g. http://mailcanary.example.net:8080", valueName: "URL"))
        var server: String

        @Option(name: .customLong("token-file"), help: ArgumentHelp("File holding this agent's token (mailcanary agent token NAME).", valueName: "PATH"))
        var tokenFile: String

        @Option(help: "The region this agent runs (must match the server's configuration).")
        var region: String

        @Option(name: .customLong("spool-dir"), help: ArgumentHelp("Spool folder (default ./mailcanary-spool-REGION).", valueName: "DIR"))
        var spoolDir: String?

        @Option(name: .customLong("spool-max-mb"), help: "Spool bound in MiB (default 256).")
        var spoolMaxMB: Int = 256

        @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
        var logLevel: Logger.Level = .info

        @Option(name: .customLong("plan-refresh"), help: ArgumentHelp("How often to ask the server for changes to the plan, e.g. 60s or 5m (default 60s).", valueName: "DURATION"))
        var planRefresh: String = "60s"

        func run() async throws {
            guard let url = URL(string: server), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw UsageError("--server \(server): give the server's base URL, such as http://127.0.0.1:8080")
            }
            guard (1...65_536).contains(spoolMaxMB) else { throw UsageError("--spool-max-mb \(spoolMaxMB): give 1 to 65536") }
            guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw UsageError("--region '\(region)': give a region name such as apac")
            }
            guard let refresh = DurationParser.parse(planRefresh), refresh >= .seconds(1), refresh <= .seconds(86_400) else {
                throw UsageError("--plan-refresh \(planRefresh): give a duration from 1s to 24h, such as 60s or 5m")
            }
            let token = try SecretSource.file(tokenFile, option: "--token-file")
            var logger = Logger(label: "mailcanary-agent")
            logger.logLevel = logLevel
            logger[metadataKey: "region"] = "\(region)"
            let directory = spoolDir ?? "mailcanary-spool-\(region)"
            let spool: Spool
            do {
                spool = try Spool(directory: directory, maxBytes: spoolMaxMB << 20,
                                  nowMicroseconds: Int64(Date().timeIntervalSince1970 * 1_000_000))
            } catch {
                throw UsageError("--spool-dir \(directory): cannot use it as a spool (\(error))")
            }
            let client = AgentClient(server: server, token: token)
            let plan = try await fetchPlan(client, directory: directory, logger: logger)
            logger.info("agent starting", metadata: ["agent": "\(plan.agent)", "probes": "\(plan.probes.count)",
                                                     "spoolPending": "\(spool.pendingCount)", "spoolDropped": "\(spool.droppedCount)"])
            let region = region
            let agentLogger = logger
            let follower = PlanFollower(
                plan: plan, refresh: refresh,
                fetch: { try await client.plan(region: region) },
                makeScheduler: { plan in
                    let jobs = ProbeJobFactory(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
                        .jobs(for: plan.probes, credentials: plan.credentials).map { (job: $0, region: plan.region) }
                    return ProbeScheduler(jobs: jobs, scheduler: plan.scheduler, origin: "agent:\(plan.agent)", sink: spool,
                                          nowMs: Date().millisecondsSince1970, logger: agentLogger)
                },
                adopted: { plan in Self.keep(plan, directory: directory) },
                logger: logger)
            let uploader = AgentUploader(spool: spool, client: client, agent: plan.agent, region: plan.region, logger: logger)
            let group = ServiceGroup(configuration: .init(services: [.init(service: uploader), .init(service: follower)],
                                                          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }

        /// Keeps the plan in use in the spool folder, for a start while the server is away.
        static func keep(_ plan: AgentPlan, directory: String) {
            let cache = (directory as NSString).appendingPathComponent("plan.json")
            if let data = try? JSONEncoder().encode(plan) { try? data.write(to: URL(fileURLWithPath: cache), options: .atomic) }
        }

        /// The plan from the server, or the last one kept in the spool folder while the server is away.
        func fetchPlan(_ client: AgentClient, directory: String, logger: Logger) async throws -> AgentPlan {
            let cache = (directory as NSString).appendingPathComponent("plan.json")
            var delay: Duration = .milliseconds(500)
            while true {
                do {
                    let plan = try await client.plan(region: region)
                    Self.keep(plan, directory: directory)
                    return plan
                } catch {
                    if case .refused(let status, let message) = error {
                        throw UsageError("the server refused this agent (\(status)): \(message)")
                    }
                    if let data = FileManager.default.contents(atPath: cache), let plan = try? JSONDecoder().decode(AgentPlan.self, from: data),
                       plan.region == region {
                        logger.warning("server unreachable; running the last plan kept in the spool", metadata: ["reason": "\(error)"])
                        return plan
                    }
                    logger.warning("server unreachable and no plan kept yet; retrying", metadata: ["reason": "\(error)"])
                    try await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(15))
                }
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Issue (or replace) an agent's token; the server keeps only its SHA-256.",
            discussion: "The token is written to --out (mode 600) or printed once. A new token revokes the agent's previous one."
        )

        @Argument(help: "The agent id, as in the configuration's agents: list.")
        var agent: String

        @OptionGroup var options: TokenOptions

        func run() async throws {
            let (watch, _) = try ServeCommand.loadConfig(options.config)
            guard watch.agent(agent) != nil else {
                let known = watch.agents.map(\.id)
                throw UsageError("agent '\(agent)' is not in the configuration's agents: list" + (known.isEmpty ? "; add it there first" : " (\(known.joined(separator: ", ")))"))
            }
            try await TokenCommand.issue(id: agent, what: "agent \(agent)", config: watch, options: options)
        }
    }
}
