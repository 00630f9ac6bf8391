import Logging
import MailCanaryStorage
import ServiceLifecycle

/// Migrates the store (retrying while it does not answer yet), opens the gate, then stays up
/// until shutdown so the service group keeps its order.
struct MigrationService: Service {
    let store: any MailCanaryStore
    let gate: StartGate
    let logger: Logger

    func run() async throws {
        var attempt = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await store.migrate()
                let version = try await store.schemaVersion()
                logger.info("store ready", metadata: ["schemaVersion": "\(version)"])
                gate.open()
                break
            } catch {
                attempt += 1
                if attempt == 1 || attempt % 10 == 0 {
                    logger.warning("store not ready; retrying", metadata: ["error": "\(StoreErrorText.describe(error))"])
                }
                try? await gracefulShutdownSleep(.seconds(1))
            }
        }
        try? await gracefulShutdown()
    }
}
