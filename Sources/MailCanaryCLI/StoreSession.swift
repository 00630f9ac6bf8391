import Logging
import MailCanaryConfig
import MailCanaryServer
import MailCanaryStorage
import ServiceLifecycle

/// The server's store opened from the command line (tokens, users): migrated first, and for
/// PostgreSQL with its client running only while `body` runs.
enum StoreSession {
    static func run<T: Sendable>(_ watch: WatchConfig, dataDir: String?, _ body: @escaping @Sendable (any MailCanaryStore) async throws -> T) async throws -> T {
        let logger = Logger(label: "mailcanary")
        let (store, service): (any MailCanaryStore, (any Service)?)
        do {
            (store, service) = try ServerRuntime.openStore(watch, dataDirectory: dataDir ?? watch.server.dataDirectory, logger: logger)
        } catch {
            throw UsageError(error.description)
        }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            if let service { group.addTask { try await service.run(); return nil } }
            try await store.migrate()
            let value = try await body(store)
            group.cancelAll()
            return value
        }
    }
}
