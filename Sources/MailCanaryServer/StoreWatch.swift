import Logging
import MailCanaryCore
import MailCanaryStorage
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Checks every few seconds that the store answers (its `ping()`, which has its own deadline),
/// so that requests fail at once with 503 while it does not, instead of each waiting for the
/// connection pool to give up (PostgreSQL: a minute). After a check that failed, the next comes
/// after a second, so that an outage is known, and its end seen, within seconds. Runs in the
/// service group beside the store.
public final class StoreWatch: Service, Sendable {
    let store: any MailCanaryStore
    let clock: @Sendable () -> Int64
    let logger: Logger
    private let state = NIOLockedValueBox(StoreReachability())

    /// How often the store is checked while it answers (and so what a 503's Retry-After says).
    public static let checkEvery: Duration = .seconds(5)
    /// How soon the next check comes after one that failed.
    static let recheck: Duration = .seconds(1)

    public init(store: any MailCanaryStore, clock: @escaping @Sendable () -> Int64, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// When the store was found unreachable, while it is.
    var downSinceMs: Int64? { state.withLockedValue { $0.downSinceMs } }

    struct Unreachable: Error, CustomStringConvertible {
        var description: String { "the store does not answer its health checks" }
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let answered = await check()
            try? await gracefulShutdownSleep(answered ? Self.checkEvery : Self.recheck)
        }
    }

    /// One health check (the loop's step, and what tests call); whether the store answered.
    @discardableResult
    func check() async -> Bool {
        // When the check began: an unreachable store has not answered since then.
        let now = clock()
        var answered = true
        var cause = ""
        do {
            try await store.ping()
        } catch {
            answered = false
            cause = StoreErrorText.describe(error)
        }
        note(answered: answered, atMs: now, cause: cause)
        return answered
    }

    /// Takes in one check's outcome (what `check()` found; tests give it directly).
    func note(answered: Bool, atMs now: Int64, cause: String = "") {
        switch state.withLockedValue({ $0.observe(answered: answered, atMs: now) }) {
        case .lost(let since):
            logger.error("the store does not answer; requests that need it get 503 until it does",
                         metadata: ["since": "\(UTCTimestamp.format(since))", "error": "\(cause)"])
        case .restored(let after):
            logger.notice("the store answers again", metadata: ["unreachableSeconds": "\(after / 1_000)"])
        case nil:
            break
        }
    }
}
