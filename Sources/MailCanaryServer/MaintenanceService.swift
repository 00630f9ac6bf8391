import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryStorage
import ServiceLifecycle

/// Keeps the rollups current (every 30 s) and applies the retention periods and ends expired
/// sessions (every hour; a session past its time is refused on use anyway).
public struct MaintenanceService: Service {
    let store: any MailCanaryStore
    let retention: RetentionConfig
    var access = AccessConfig()
    /// Delivery records older than this are removed (pending messages stay).
    var notificationsKept: Duration = NotificationConfig().keep
    let logger: Logger
    let rollupEvery: Duration

    public init(store: any MailCanaryStore, retention: RetentionConfig, rollupEvery: Duration = .seconds(30), logger: Logger) {
        self.store = store
        self.retention = retention
        self.rollupEvery = rollupEvery
        self.logger = logger
    }

    public func run() async throws {
        var lastPrune = Date.distantPast
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await store.rollUp()
                let now = Date()
                if now.timeIntervalSince(lastPrune) >= 3_600 {
                    let cutoffs = Self.cutoffs(retention, nowMs: now.millisecondsSince1970)
                    let outcome = try await store.prune(cutoffs)
                    let signals = try await store.pruneSignals(lastTimeBeforeMs: cutoffs.rawBeforeMs)
                    let nowMs = now.millisecondsSince1970
                    let sessions = try await store.pruneSessions(lastSeenBeforeMs: nowMs - Int64(access.sessionIdle.milliseconds),
                                                                 createdBeforeMs: nowMs - Int64(access.sessionMaximum.milliseconds))
                    let deliveries = try await store.pruneDeliveries(createdBeforeMs: nowMs - Int64(notificationsKept.milliseconds))
                    lastPrune = now
                    logger.info("retention applied", metadata: ["results": "\(outcome.results)", "minuteRollups": "\(outcome.minuteRollups)",
                                                                "hourRollups": "\(outcome.hourRollups)", "signalBatches": "\(signals)",
                                                                "sessions": "\(sessions)", "deliveries": "\(deliveries)"])
                }
            } catch {
                logger.warning("maintenance failed; will retry", metadata: ["error": "\(StoreErrorText.describe(error))"])
            }
            try? await gracefulShutdownSleep(rollupEvery)
        }
    }

    static func cutoffs(_ retention: RetentionConfig, nowMs: Int64) -> RetentionCutoffs {
        func ms(_ duration: Duration) -> Int64 { Int64(duration.milliseconds) }
        return RetentionCutoffs(rawBeforeMs: nowMs - ms(retention.raw), minuteBeforeMs: nowMs - ms(retention.minute),
                                hourBeforeMs: nowMs - ms(retention.hour))
    }
}

/// Sleeps, but wakes at once on graceful shutdown.
func gracefulShutdownSleep(_ duration: Duration) async throws {
    try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
}
