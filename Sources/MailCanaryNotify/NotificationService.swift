import Foundation
import Logging
import MailCanaryConfig
import MailCanaryStorage
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Notification inside `serve`: each pass plans what changed about stored incidents into the
/// outbox (planner state and messages in one transaction, so at least once and never twice per
/// transition, across restarts and replicas), then delivers what is due, with retries.
///
/// The store is the source of truth: the service reads the incidents detection saved, not
/// detection's events, so an incident saved just before a crash is still announced after it.
public final class NotificationService: Service, Sendable {
    public struct Settings: Sendable {
        public var tick: Duration = .seconds(2)
        /// How long a claimed message is reserved for this sender (then another may take it).
        public var leaseMs: Int64 = 120_000
        public var batch = 16
        /// Incidents saved this long before the cursor are looked at again (saves lag the clock).
        public var marginMs: Int64 = 900_000
        public init() {}
    }

    public struct Status: Sendable, Equatable {
        public var planned = 0
        public var delivered = 0
        public var retried = 0
        public var failed = 0
        public var abandoned = 0
        public var muted = 0
    }

    static let cursorName = "notify.cursor"

    let config: NotificationConfig
    let store: any MailCanaryStore
    let dispatcher: ChannelDispatcher
    let settings: Settings
    let clock: @Sendable () -> Int64
    let logger: Logger
    let owner: String
    let planner: NotificationPlanner
    let router: NotificationRouter
    let policy: RetryPolicy
    private let counters = NIOLockedValueBox(Status())
    /// Incident id → the saved version (updatedMs) last planned, and when every candidate was last
    /// planned: between full passes (a minute apart, for reminders and ended windows) only
    /// incidents saved since are read and planned again.
    private let planned = NIOLockedValueBox<(versions: [String: Int64], fullPassMs: Int64)>(([:], 0))
    /// More maintenance windows, read at each pass (the provider's planned maintenance).
    let plannedWindows: (@Sendable (Int64) async -> [MaintenanceWindowConfig])?

    public init(config: NotificationConfig, store: any MailCanaryStore, dispatcher: ChannelDispatcher, settings: Settings = Settings(),
                owner: String, clock: @escaping @Sendable () -> Int64, logger: Logger,
                plannedWindows: (@Sendable (Int64) async -> [MaintenanceWindowConfig])? = nil) {
        self.plannedWindows = plannedWindows
        self.config = config
        self.store = store
        self.dispatcher = dispatcher
        self.settings = settings
        self.owner = owner
        self.clock = clock
        self.logger = logger
        planner = NotificationPlanner(remindEveryMs: config.remindEvery.map { Int64($0.components.seconds) * 1_000 })
        router = NotificationRouter(routes: config.routes)
        policy = RetryPolicy(config.retry)
    }

    public var status: Status { counters.withLockedValue { $0 } }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock()
            await plan(nowMs: now)
            await deliver(nowMs: now)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.tick) }
        }
        // Messages in flight finished above; claimed-but-unsent ones wait for their lease to end.
        await dispatcher.shutdown()
    }

    // MARK: - Planning

    /// Plans every incident that changed since the last pass (and every open one, for reminders).
    @discardableResult
    public func plan(nowMs now: Int64) async -> Int {
        var planned = 0
        do {
            let stored = try await store.mark(Self.cursorName)
            // The first start with notifications does not announce history: open incidents only.
            let since = stored.map { $0 - settings.marginMs } ?? now
            var seen: Set<String> = []
            let calendar = MaintenanceCalendar(windows: config.maintenance + (await plannedWindows?(now) ?? []))
            let candidates = try await store.incidents(openOnly: true, limit: 1_000) + store.incidents(updatedSinceMs: since, limit: 1_000)
            let (versions, lastFull) = self.planned.withLockedValue { $0 }
            let full = now - lastFull >= 60_000
            for record in candidates where seen.insert(record.id).inserted && (full || versions[record.id] != record.updatedMs) {
                guard let count = await plan(record, nowMs: now, calendar: calendar) else { continue }
                planned += count
                self.planned.withLockedValue { $0.versions[record.id] = record.updatedMs }
            }
            if full {
                self.planned.withLockedValue { memo in
                    memo.fullPassMs = now
                    memo.versions = memo.versions.filter { seen.contains($0.key) }
                }
            }
            try await store.setMark(Self.cursorName, now)
        } catch {
            logger.warning("notification planning skipped a pass: the store did not answer", metadata: ["error": "\(StoreErrorText.describe(error))"])
        }
        return planned
    }

    /// How many messages were queued; nil when the store failed (planned again next pass).
    func plan(_ record: IncidentRecord, nowMs now: Int64, calendar: MaintenanceCalendar) async -> Int? {
        guard let incident = IncidentDigest(record) else {
            logger.warning("an incident's stored body is not readable; not notified", metadata: ["incident": "\(record.id)"])
            return 0
        }
        do {
            let mark = try await store.notificationMark(incidentID: record.id)
            let previous = mark.flatMap { try? JSONDecoder().decode(NotificationState.self, from: Data($0.state.utf8)) }
            let window = calendar.window(muting: incident, atMs: now)
            guard let plan = planner.plan(previous: previous, incident: incident, nowMs: now, muted: window != nil) else { return 0 }
            let link = config.dashboardURL.map { "\($0)/incidents/\(Self.pathSegment(record.id))" }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var entries: [OutboxEntry] = []
            for transition in plan.transitions {
                let message = NotificationMessage(transition: transition, incident: incident, link: link, mutedBy: window?.name)
                let payload = String(decoding: try encoder.encode(message), as: UTF8.self)
                for channel in router.channels(for: transition.kind, incident: incident, severity: plan.state.severity) {
                    entries.append(OutboxEntry(key: transition.key, channel: channel, incidentID: record.id, kind: transition.kind.rawValue,
                                               createdMs: now, payload: payload, status: window == nil ? .pending : .muted, nextAttemptMs: now))
                }
            }
            let state = String(decoding: try encoder.encode(plan.state), as: UTF8.self)
            guard try await store.commitNotifications(incidentID: record.id, expectedVersion: mark?.version, state: state, entries: entries) else {
                return nil   // another replica planned it first; the next pass sees its state
            }
            counters.withLockedValue {
                $0.planned += entries.count
                if window != nil { $0.muted += entries.count }
            }
            for transition in plan.transitions {
                logger.notice("notification planned", metadata: [
                    "incident": "\(record.id)", "event": "\(transition.kind.rawValue)", "key": "\(transition.key)",
                    "channels": "\(entries.filter { $0.key == transition.key }.map(\.channel).joined(separator: ","))",
                    "muted": "\(window?.name ?? "no")",
                ])
            }
            return entries.count
        } catch {
            logger.warning("cannot plan notifications for an incident; retried next pass", metadata: ["incident": "\(record.id)", "error": "\(StoreErrorText.describe(error))"])
            return nil
        }
    }

    // MARK: - Delivery

    /// Sends what is due, a few at a time; returns how many attempts were made.
    @discardableResult
    public func deliver(nowMs now: Int64) async -> Int {
        let claimed: [OutboxEntry]
        do {
            claimed = try await store.claimDeliveries(nowMs: now, owner: owner, leaseMs: settings.leaseMs, limit: settings.batch)
        } catch {
            logger.warning("cannot read the notification outbox", metadata: ["error": "\(StoreErrorText.describe(error))"])
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for entry in claimed {
                group.addTask { await self.attempt(entry) }
            }
        }
        return claimed.count
    }

    func attempt(_ entry: OutboxEntry) async {
        let verdict: DeliveryVerdict
        if let message = try? JSONDecoder().decode(NotificationMessage.self, from: Data(entry.payload.utf8)) {
            verdict = await dispatcher.send(message, channelID: entry.channel, nowMs: clock())
        } else {
            verdict = .refused("the stored message is not readable")
        }
        let update = verdict.update(for: entry, nowMs: clock(), policy: policy)
        let metadata: Logger.Metadata = ["incident": "\(entry.incidentID)", "key": "\(entry.key)", "channel": "\(entry.channel)",
                                         "attempt": "\(update.attempts)", "result": "\(update.lastResult)"]
        switch update.status {
        case .delivered:
            counters.withLockedValue { $0.delivered += 1 }
            logger.info("notification delivered", metadata: metadata)
        case .pending:
            counters.withLockedValue { $0.retried += 1 }
            logger.warning("notification not delivered; will retry", metadata: metadata)
        case .failed:
            counters.withLockedValue { $0.failed += 1 }
            logger.error("notification refused by the receiver; not retried", metadata: metadata)
        case .abandoned:
            counters.withLockedValue { $0.abandoned += 1 }
            logger.error("notification abandoned after its retry period", metadata: metadata)
        case .muted:
            break
        }
        do {
            try await store.finishDelivery(id: entry.id, update)
        } catch {
            // The lease runs out and the message is tried again: at least once, not at most once.
            logger.warning("cannot record a delivery attempt", metadata: metadata.merging(["error": "\(StoreErrorText.describe(error))"]) { $1 })
        }
    }

    static func pathSegment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }
}
