import Logging
import MailCanaryStorage
import ServiceLifecycle

/// Delivers the spool to the server, oldest first, in batches; acknowledges what the server
/// stored. While the server is away it backs off (capped, honouring Retry-After) and the spool
/// keeps everything; nothing is dropped here.
public final class AgentUploader: Service {
    let spool: Spool
    let client: AgentClient
    let agent: String
    let region: String
    let batchSize: Int
    let logger: Logger

    public init(spool: Spool, client: AgentClient, agent: String, region: String, batchSize: Int = 500, logger: Logger) {
        self.spool = spool
        self.client = client
        self.agent = agent
        self.region = region
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws {
        var backoff: Duration = .milliseconds(500)
        var reachable = true
        while !Task.isCancelled {
            let shuttingDown = Task.isShuttingDownGracefully
            let batch = spool.pending(limit: batchSize)
            if batch.isEmpty {
                if shuttingDown { return }
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            do {
                let receipt = try await client.upload(ResultBatch(agent: agent, region: region, results: batch))
                try spool.acknowledge(through: receipt.through)
                if !reachable { logger.info("server reachable again; delivering the spool", metadata: ["pending": "\(spool.pendingCount)"]) }
                reachable = true
                backoff = .milliseconds(500)
            } catch let failure as AgentClient.Failure {
                if reachable { logger.warning("upload failed; results stay in the spool", metadata: ["reason": "\(failure)"]) }
                reachable = false
                if shuttingDown { return }
                var wait = backoff
                if case .retryLater(_, let after?) = failure { wait = after }
                try? await Task.sleep(for: wait)
                backoff = min(backoff * 2, .seconds(15))
            } catch {
                logger.error("spool acknowledgement failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: backoff)
            }
        }
    }
}
