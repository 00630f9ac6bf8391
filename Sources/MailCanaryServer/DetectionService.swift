import Logging
import MailCanaryAdvisories
import MailCanaryConfig
import MailCanaryCore
import MailCanaryDetection
import MailCanaryIngest
import MailCanaryStorage
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Detection inside `serve`: one ``DetectionEngine`` fed by every signal the server stores
/// (telemetry, user reports, log lines, its own and its agents' probe results), on the wall clock.
///
/// Signals are handed over only after they are stored, and the store is the source of truth:
/// at start the service replays the stored signals and probe results of the warm-up window
/// through a fresh engine (baselines relearned, open incidents re-derived with the same ids),
/// adopts the incidents it finds open in the store (one open incident per fingerprint), and
/// resolves stored incidents that the window no longer shows failing. The scheduler and the API
/// start after the warm-up, so no signal is both replayed and handed over live. So incidents, their
/// timelines and operators' notes survive restarts without a second copy of detection state.
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
        public var replayedSignals = 0
        public var signalsIn = 0
        public var waiting = 0
        public var openIncidents = 0
        public var storeFailures = 0
    }

    let store: any MailCanaryStore
    let settings: Settings
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Opened once the warm-up has replayed the stored history: the scheduler and the API wait
    /// for it, so nothing stored during the replay can be counted twice.
    public let warmedUp = StartGate()
    private let inbox = NIOLockedValueBox<[[Signal]]>([])
    private let state = NIOLockedValueBox(Status())
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

    /// Hands stored signals to detection (never blocks; the run loop takes them each tick).
    public func submit(_ signals: [Signal]) {
        guard !signals.isEmpty else { return }
        inbox.withLockedValue { $0.append(signals) }
        state.withLockedValue { $0.signalsIn += signals.count }
    }

    public func submit(results: [StoredResult]) {
        submit(results.map { .probe($0.observation) })
    }

    public func run() async throws {
        var engine = DetectionEngine(settings: settings.detection)
        var ledger = IncidentLedger()
        let started = clock()
        await warmUp(&engine, ledger: &ledger, nowMs: started)
        var buffer = SignalReorderBuffer()
        var publishedMinute: Int64 = -1
        let lateness = Int64(settings.lateness.milliseconds)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await gracefulShutdownSleep(settings.tick)
            let submissions = inbox.withLockedValue { inbox in
                defer { inbox.removeAll(keepingCapacity: true) }
                return inbox
            }
            for signals in submissions { buffer.add(signals) }
            let now = clock()
            let cutoff = now - lateness
            // Signals older than the warm-up window (an agent's spool from last month) are stored
            // but not judged: detection is about now, and a restart would not replay them either.
            let oldest = now - Int64(settings.warmup.milliseconds)
            var events: [IncidentEvent] = []
            for signal in buffer.release(through: cutoff) where signal.timeMs >= oldest { events += engine.ingest(signal) }
            events += engine.advance(to: cutoff)
            if cutoff / 60_000 != publishedMinute {
                publishedMinute = cutoff / 60_000
                let snapshots = engine.seriesSnapshots()
                series.withLockedValue { $0 = snapshots }
            }
            let waiting = buffer.count
            state.withLockedValue { $0.waiting = waiting }
            await persist(engine, ledger: &ledger, events: events, nowMs: cutoff)
        }
        // Shutdown: what waited is stored already and will be replayed at the next start.
    }

    // MARK: - Warm-up

    func warmUp(_ engine: inout DetectionEngine, ledger: inout IncidentLedger, nowMs: Int64) async {
        let from = nowMs - Int64(settings.warmup.milliseconds)
        var signals: [Signal] = []
        do {
            ledger.adopt(try await store.incidents(openOnly: true, limit: 1_000))
            var after: Int64 = 0
            var reader = SignalBatchReader()   // stored lines were checked when they came; only the window matters now
            reader.maximumAgeMs = .max / 4
            reader.maximumFutureMs = .max / 4
            while true {
                let page = try await store.signalBatches(lastTimeFromMs: from, afterID: after, limit: 500)
                for stored in page {
                    let bytes = Array(stored.batch.body.utf8)
                    signals += reader.read(bytes, nowMs: nowMs).signals.filter { $0.timeMs >= from }
                }
                guard let last = page.last else { break }
                after = last.id
            }
            after = 0
            while true {
                let page = try await store.results(startedFromMs: from, toMs: nowMs, afterID: after, limit: 10_000)
                signals += page.map { .probe($0.result.observation) }
                guard let last = page.last else { break }
                after = last.id
            }
            // The provider's advisory versions, as they were polled.
            after = 0
            while true {
                let page = try await store.advisoryVersions(polledFromMs: from, afterID: after, limit: 500)
                for version in page where version.status != AdvisoryService.reviewStatus {
                    guard var issue = ServiceHealthIssueReader.read(json: version.body) else { continue }
                    // A tenant no longer configured: matched against every service, as before it went.
                    issue.watchedServices = settings.advisoryScopes[version.tenant]
                    signals.append(.advisory(timeMs: version.polledAtMs, issue))
                }
                guard let last = page.last else { break }
                after = last.id
            }
        } catch {
            logger.warning("detection starts without history: the store did not answer", metadata: ["error": "\(StoreErrorText.describe(error))"])
        }
        signals.sort { $0.timeMs < $1.timeMs }
        let cutoff = nowMs - Int64(settings.lateness.milliseconds)
        var events: [IncidentEvent] = []
        for signal in signals where signal.timeMs <= cutoff { events += engine.ingest(signal) }
        events += engine.advance(to: cutoff)
        let replayed = signals.count
        state.withLockedValue { $0.replayedSignals = replayed }
        let snapshots = engine.seriesSnapshots()
        series.withLockedValue { $0 = snapshots }
        warmedUp.open()
        // Every incident the window re-derived is saved (the same id upserts the same incident);
        // stored open ones the window no longer shows are resolved.
        await persist(engine, ledger: &ledger, events: events, nowMs: cutoff, all: true)
        for stale in ledger.staleOpen(engine.incidents) {
            await save(ledger.resolvedAfterRestart(stale, nowMs: nowMs), ledger: &ledger)
        }
        logger.info("detection warmed up", metadata: ["signals": "\(replayed)", "open": "\(engine.openIncidents.count)"])
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
        let open = engine.openIncidents.count
        state.withLockedValue { $0.openIncidents = open }
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
