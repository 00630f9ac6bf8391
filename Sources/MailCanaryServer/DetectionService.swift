import Logging
import MailCanaryAdvisories
import MailCanaryConfig
import MailCanaryCore
import MailCanaryDetection
import MailCanaryIngest
import MailCanaryStorage
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Detection inside `serve`: one ``DetectionEngine`` fed by every signal stored (telemetry, user
/// reports, log lines, probe results of the server and its agents, provider advisory versions),
/// on the wall clock.
///
/// The store is the source of truth and the only way in: the service reads what was stored, in
/// commit order (``DetectionFeedStore/feed(after:fromMs:limit:batchLimit:)``), whichever replica stored it.
/// At start it reads the warm-up window through a fresh engine (baselines relearned, open
/// incidents re-derived with the same ids), then follows the feed each tick. So every replica's
/// engine sees every signal, and a restart loses nothing.
///
/// Incidents are written by one replica: the holder of the detection lease (always this one on
/// SQLite; on PostgreSQL a session lock that passes to another replica when this one stops). On
/// taking the lease it adopts the incidents it finds open in the store (one open incident per
/// fingerprint), saves what its engine holds, and resolves stored incidents that its window no
/// longer shows failing; incidents, their timelines and operators' notes survive restarts and
/// hand-overs without a second copy of detection state.
public final class DetectionService: Service, Sendable {
    public struct Settings: Sendable {
        /// How long live signals wait for late ones before their minute is judged.
        public var lateness: Duration = .seconds(20)
        /// How much stored history a restart replays.
        public var warmup: Duration = .seconds(86_400)
        public var tick: Duration = .seconds(1)
        public var detection = DetectionSettings()
        /// Each configured advisory tenant's watched services (``GraphTenantConfig/watchedServices``),
        /// given again to the advisory versions replayed at warm-up.
        /// Tenants not listed here concern every service.
        public var advisoryScopes: [String: Set<String>] = [:]
        public init() {
            detection.historyMinutes = 1_440
        }

        /// From the configuration's `detection:` section.
        public init(_ config: DetectionConfig) {
            warmup = config.warmup
            lateness = config.lateness
            detection.blipMinutes = config.blipMinutes
            detection.resolveMinutes = config.resolveMinutes
            detection.reporterWindowMinutes = Int(config.reporterWindow.components.seconds / 60)
            detection.historyMinutes = 1_440
        }
    }

    /// What `/healthz` and `/metrics` show.
    public struct Status: Sendable {
        public var warmedUp = false
        /// Whether this replica holds the detection lease (writes incidents).
        public var leading = false
        public var replayedSignals = 0
        public var signalsIn = 0
        public var waiting = 0
        /// The last tick's read of the store stopped at its page limit with rows left: signals
        /// arrive faster than detection reads them (uploads get 429 until it catches up).
        public var behind = false
        public var openIncidents = 0
        public var storeFailures = 0
    }

    let store: any MailCanaryStore
    let settings: Settings
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Opened once the warm-up has replayed the stored history: the scheduler, the API and the
    /// notifier wait for it (the incidents the warm-up re-derived are saved by then).
    public let warmedUp = StartGate()
    private let state = NIOLockedValueBox(Status())
    /// Whether the last lease check and the last feed read found the store unreachable (so that
    /// an outage is said once, not every tick).
    private let leaseOutage = OutageNote()
    private let feedOutage = OutageNote()
    /// The series as of the last closed minute, for the dashboard (a copy the engine does not share).
    private let series = NIOLockedValueBox<[SeriesSnapshot]>([])

    public init(store: any MailCanaryStore, settings: Settings = Settings(), clock: @escaping @Sendable () -> Int64, logger: Logger) {
        self.store = store
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    public var status: Status {
        var status = state.withLockedValue { $0 }
        status.warmedUp = warmedUp.isOpen
        return status
    }

    /// Every series' state and recent minutes, as of the last closed minute.
    public var seriesSnapshots: [SeriesSnapshot] {
        series.withLockedValue { $0 }
    }

    public func run() async throws {
        var engine = DetectionEngine(settings: settings.detection)
        var ledger = IncidentLedger()
        var cursor = FeedCursor()
        var buffer = SignalReorderBuffer()
        var publishedMinute: Int64 = -1
        var leading = false
        let lateness = Int64(settings.lateness.milliseconds)
        let warm = await warmUp(&engine, cursor: &cursor, nowMs: clock())
        var events = warm.events
        buffer.add(warm.late)
        while true {
            let now = clock()
            // Signals older than the warm-up window (an agent's spool from last month) are stored
            // but not judged: detection is about now, and a restart would not read them either.
            let oldest = now - Int64(settings.warmup.milliseconds)
            if warmedUp.isOpen {
                let read = await readFeed(&cursor, fromMs: oldest, nowMs: now)
                buffer.add(read.signals)
                state.withLockedValue {
                    $0.signalsIn += read.signals.count
                    $0.behind = read.behind
                }
            }
            let cutoff = now - lateness
            for signal in buffer.release(through: cutoff) where signal.timeMs >= oldest { events += engine.ingest(signal) }
            events += engine.advance(to: cutoff)
            if cutoff / 60_000 != publishedMinute {
                publishedMinute = cutoff / 60_000
                let snapshots = engine.seriesSnapshots()
                series.withLockedValue { $0 = snapshots }
            }
            let waiting = buffer.count
            let open = engine.openIncidents.count   // followers too: they save nothing, yet show it
            state.withLockedValue {
                $0.waiting = waiting
                $0.openIncidents = open
            }
            let holds = await holdsLease()
            if holds && !leading {
                await takeLead(engine, ledger: &ledger, events: events, nowMs: cutoff)
            } else if holds {
                await persist(engine, ledger: &ledger, events: events, nowMs: cutoff)
            } else if leading {
                logger.warning("this replica no longer holds the detection lease; another one writes incidents now")
                ledger = IncidentLedger()
            }
            leading = holds
            state.withLockedValue { $0.leading = holds }
            events = []
            warmedUp.open()
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            try? await gracefulShutdownSleep(settings.tick)
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
        }
        // Shutdown: what waited is stored already and will be read again at the next start.
        await store.releaseDetectionLease()
    }

    /// Whether this replica holds the detection lease; a store that does not answer means no
    /// (another replica may hold it; this one takes it again when the store answers). Said once
    /// per outage, not every tick.
    private func holdsLease() async -> Bool {
        do {
            let holds = try await store.holdDetectionLease()
            leaseOutage.ended()
            return holds
        } catch {
            if leaseOutage.began() {
                logger.warning("cannot reach the store for the detection lease", metadata: ["error": "\(StoreErrorText.describe(error))"])
            }
            return false
        }
    }

    // MARK: - Reading the store

    /// The signals stored past `cursor` (by any replica), as detection takes them, at most `pages`
    /// pages; the cursor moves past what was read, and `behind` says whether rows were left. A store
    /// that does not answer is read again from the same place next tick.
    func readFeed(_ cursor: inout FeedCursor, fromMs: Int64, nowMs: Int64, pages: Int = 20) async -> (signals: [Signal], behind: Bool) {
        var signals: [Signal] = []
        var behind = false
        var reader = SignalBatchReader()   // stored lines were checked when they came; only the window matters now
        reader.maximumAgeMs = .max / 4
        reader.maximumFutureMs = .max / 4
        for _ in 0..<pages {
            let page: FeedPage
            do {
                // A batch is a whole upload (up to megabytes): a few per page keep memory small.
                page = try await store.feed(after: cursor, fromMs: fromMs, limit: 1_000, batchLimit: 8)
            } catch is CancellationError {
                break   // shutting down
            } catch {
                if feedOutage.began() {
                    logger.warning("cannot read stored signals; trying again each second", metadata: ["error": "\(StoreErrorText.describe(error))"])
                }
                break
            }
            feedOutage.ended()
            for stored in page.batches {
                signals += reader.read(Array(stored.batch.body.utf8), nowMs: nowMs).signals.filter { $0.timeMs >= fromMs }
            }
            signals += page.results.map { .probe($0.observation) }
            // The provider's advisory versions, as they were polled.
            for version in page.advisories where version.status != AdvisoryService.reviewStatus {
                guard var issue = ServiceHealthIssueReader.read(json: version.body) else { continue }
                // A tenant no longer configured: matched against every service, as before it went.
                issue.watchedServices = settings.advisoryScopes[version.tenant]
                signals.append(.advisory(timeMs: version.polledAtMs, issue))
            }
            cursor = page.cursor
            behind = page.more
            guard page.more else { break }
        }
        return (signals, behind)
    }

    // MARK: - Warm-up

    /// Reads the warm-up window into `engine`: the events it raised (for the first lease holder to
    /// log), and the signals of the last seconds, which wait for their minute like live ones.
    func warmUp(_ engine: inout DetectionEngine, cursor: inout FeedCursor, nowMs: Int64) async -> (events: [IncidentEvent], late: [Signal]) {
        let from = nowMs - Int64(settings.warmup.milliseconds)
        var signals = await readFeed(&cursor, fromMs: from, nowMs: nowMs, pages: .max).signals
        signals.sort { $0.timeMs < $1.timeMs }
        let cutoff = nowMs - Int64(settings.lateness.milliseconds)
        var events: [IncidentEvent] = []
        var late: [Signal] = []
        for signal in signals {
            if signal.timeMs <= cutoff { events += engine.ingest(signal) } else { late.append(signal) }
        }
        events += engine.advance(to: cutoff)
        let replayed = signals.count
        state.withLockedValue { $0.replayedSignals = replayed }
        logger.info("detection warmed up", metadata: ["signals": "\(replayed)", "open": "\(engine.openIncidents.count)"])
        return (events, late)
    }

    /// On taking the lease (at start, or from a replica that stopped): every incident the engine
    /// holds is saved (the same id upserts the same incident, and an open one the store holds under
    /// another id is continued), and stored open incidents the engine no longer shows are resolved.
    func takeLead(_ engine: DetectionEngine, ledger: inout IncidentLedger, events: [IncidentEvent], nowMs: Int64) async {
        do {
            ledger.adopt(try await store.incidents(openOnly: true, limit: 1_000))
        } catch {
            logger.warning("cannot read the stored open incidents; saving the engine's", metadata: ["error": "\(StoreErrorText.describe(error))"])
        }
        await persist(engine, ledger: &ledger, events: events, nowMs: nowMs, all: true)
        for stale in ledger.staleOpen(engine.incidents) {
            await save(ledger.resolvedAfterRestart(stale, nowMs: nowMs), ledger: &ledger)
        }
        logger.notice("this replica holds the detection lease and writes incidents", metadata: ["open": "\(engine.openIncidents.count)"])
    }

    // MARK: - Persistence

    /// Saves the incidents that changed (and every open one, whose evidence moves each minute).
    /// Most ticks change nothing and save nothing.
    func persist(_ engine: DetectionEngine, ledger: inout IncidentLedger, events: [IncidentEvent], nowMs: Int64, all: Bool = false) async {
        let minuteClosed = ledger.noteMinute(nowMs)
        var incidents = all ? engine.incidents : engine.incidents(withIDs: Set(events.map(\.incidentID)))
        if minuteClosed && !all {
            let saved = Set(incidents.map(\.id))
            incidents += engine.openIncidents.filter { !saved.contains($0.id) }
        }
        for incident in incidents {
            await save(incident, ledger: &ledger, nowMs: nowMs)
        }
        for event in events {
            logger.notice("incident \(event.kind.rawValue)", metadata: ["incident": "\(ledger.storedID(event.incidentID))",
                                                                         "status": "\(event.status.rawValue)"])
        }
    }

    /// Saves an engine incident; when the store has another open incident of its fingerprint (a
    /// replica opened it, or it predates a restart), the engine's copy continues that one.
    func save(_ incident: Incident, ledger: inout IncidentLedger, nowMs: Int64) async {
        var record = ledger.record(for: incident, nowMs: nowMs)
        do {
            if case .conflict(let openID) = try await store.saveIncident(record) {
                guard let stored = try await store.incident(id: openID) else { return }
                ledger.alias(incident.id, to: stored)
                record = ledger.record(for: incident, nowMs: nowMs)
                guard case .saved = try await store.saveIncident(record) else { return }
            }
            ledger.saved(record)
        } catch {
            noteFailure(record.id, error)
        }
    }

    func save(_ record: IncidentRecord, ledger: inout IncidentLedger) async {
        do {
            if case .saved = try await store.saveIncident(record) { ledger.saved(record) }
        } catch {
            noteFailure(record.id, error)
        }
    }

    func noteFailure(_ id: String, _ error: any Error) {
        state.withLockedValue { $0.storeFailures += 1 }
        logger.warning("cannot save an incident; will retry with the next change", metadata: ["incident": "\(id)", "error": "\(StoreErrorText.describe(error))"])
    }
}

/// Whether the store is in an outage, so that it is said once when it begins, not every tick.
private final class OutageNote: Sendable {
    private let down = NIOLockedValueBox(false)

    /// True when this failure begins an outage (the first since the store last answered).
    func began() -> Bool {
        down.withLockedValue { down in
            defer { down = true }
            return !down
        }
    }

    func ended() {
        down.withLockedValue { $0 = false }
    }
}
