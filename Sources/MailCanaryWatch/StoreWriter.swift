import Logging
import MailCanaryStorage
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Batches the server's own results into the store: a flush every 250 ms or 1,000 results.
/// While the store fails, results wait in memory (bounded; past the bound the oldest are
/// dropped and counted) and the flush is retried with backoff. Shutdown flushes what is left.
public final class StoreWriter: ResultSink, Service {
    struct State {
        var buffer: [StoredResult] = []
        var dropped = 0
        var written = 0
    }

    let store: any ResultStore
    let bound: Int
    let logger: Logger
    /// Told of every batch once it is stored (detection takes the server's own results from here).
    let onStored: @Sendable ([StoredResult]) -> Void
    private let state = NIOLockedValueBox(State())

    public init(store: any ResultStore, bound: Int = 200_000, logger: Logger, onStored: @escaping @Sendable ([StoredResult]) -> Void = { _ in }) {
        self.store = store
        self.bound = bound
        self.logger = logger
        self.onStored = onStored
    }

    public var written: Int { state.withLockedValue { $0.written } }
    public var dropped: Int { state.withLockedValue { $0.dropped } }
    public var pending: Int { state.withLockedValue { $0.buffer.count } }

    public func accept(_ result: StoredResult) async {
        state.withLockedValue { state in
            state.buffer.append(result)
            if state.buffer.count > bound {
                let excess = state.buffer.count - bound
                state.buffer.removeFirst(excess)
                state.dropped += excess
            }
        }
    }

    public func run() async throws {
        var backoff: Duration = .milliseconds(250)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: backoff)
            backoff = await flush() ? .milliseconds(250) : min(backoff * 2, .seconds(10))
        }
        // Graceful shutdown: the scheduler has stopped (it shuts down before this service); write the rest.
        for _ in 0..<5 where pending > 0 {
            if await flush() { continue }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Writes everything buffered; false when the store failed (the results stay buffered).
    /// A batch leaves the buffer while it is written and goes back to its front on failure, so
    /// results accepted meanwhile (or dropped past the bound) never shift what is removed.
    @discardableResult
    public func flush() async -> Bool {
        while true {
            let batch = state.withLockedValue { state -> [StoredResult] in
                let batch = Array(state.buffer.prefix(1_000))
                state.buffer.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return true }
            do {
                _ = try await store.append(batch)
                state.withLockedValue { $0.written += batch.count }
                onStored(batch)
            } catch {
                state.withLockedValue { $0.buffer.insert(contentsOf: batch, at: 0) }
                logger.warning("store write failed; results kept in memory", metadata: ["pending": "\(pending)", "error": "\(StoreErrorText.describe(error))"])
                return false
            }
        }
    }
}
