import MailCanaryCore

/// Signals in, incident events out: minute buckets per series, the tests of ``SeriesDetector``,
/// confirmation of alarms (sustained past a blip, or corroborated by another series), and
/// correlation into incidents through ``IncidentBook``. Pure and clock-injected: time only moves
/// when a signal or ``advance(to:)`` says so, which is what lets a scenario replay at full speed
/// through the same code the server runs.
public struct DetectionEngine: Sendable {
    public let settings: DetectionSettings
    private var index: [SeriesID: Int] = [:]
    private var detectors: [SeriesDetector] = []
    /// Each series' id, apart from its detector, for the per-record comparison.
    private var ids: [SeriesID] = []
    private var buckets: [MinuteBucket] = []
    private var touched: [Int] = []
    private var reportSeries: [Int] = []
    private var currentMinute: Int?
    private var book: IncidentBook
    private var clients: [String: Set<ClientKind>] = [:]
    private var regions: [String: Set<String>] = [:]
    private var probedPaths: [String: Set<AccessPath>] = [:]
    private var reporters = ReporterLedger()
    /// Per series, the clients seen on it (a few at most).
    private var seriesClients: [[ClientKind]] = []
    /// Per series, the series of the records that followed it the last two times they differed
    /// (-1: none yet); and the last record's series. Two, because streams alternate: probes
    /// that run every other minute follow a region's telemetry one minute and not the next.
    private var successors: [(Int, Int)] = []
    private var previousSeries: Int?
    /// Per series, the series of the same service, path and region from the other source
    /// (telemetry for probes, probes for telemetry; -1: none yet): where a slowdown is corroborated.
    private var partners: [Int] = []
    /// Per series, its recent minutes (only when `settings.historyMinutes` > 0).
    private var histories: [SeriesHistory] = []

    public init(settings: DetectionSettings = DetectionSettings()) {
        self.settings = settings
        self.book = IncidentBook(settings: settings)
    }

    /// Every incident, opened first first.
    public var incidents: [Incident] { book.all }
    /// The open incidents (cheap: the live server asks every minute).
    public var openIncidents: [Incident] { book.openIncidents }
    /// The incidents with these ids, open or closed (the ones a step's events name).
    public func incidents(withIDs ids: Set<String>) -> [Incident] { book.incidents(withIDs: ids) }
    /// Advisories that matched no incident: "reported by the provider, not seen here".
    public var providerOnlyAdvisories: [ServiceHealthIssue] { book.unmatchedAdvisories }

    // MARK: - Input

    /// Takes one signal; closes the minutes that ended before it (records cover the interval that
    /// ends at their time, so a record stamped 09:13:00 belongs to the minute 09:12).
    /// The signal is taken (`consuming`): a caller that is done with it moves it in, and its
    /// payload is read where it lies instead of copied out of it.
    public mutating func ingest(_ signal: consuming Signal) -> [IncidentEvent] {
        let minute = Int((signal.timeMs - 1).floorDivided(by: 60_000))
        var events: [IncidentEvent] = []
        if let current = currentMinute {
            if minute > current { events = close(through: minute - 1) }
        } else {
            currentMinute = minute
        }
        switch consume signal {
        case .clients(let counts):
            let series = seriesIndex(service: counts.service, path: counts.path, region: counts.region, source: .telemetry)
            // The service's clients are learned once per series and client, not hashed per record.
            if !seriesClients[series].contains(counts.client) {
                seriesClients[series].append(counts.client)
                clients[counts.service, default: []].insert(counts.client)
            }
            touch(series)
            buckets[series].add(counts)
        case .probe(let probe):
            let series = seriesIndex(service: probe.service, path: probe.path, region: probe.region, source: .probe)
            touch(series)
            buckets[series].add(probe)
        case .report(let report):
            guard reporters.admit(service: report.service, reporter: report.reporter, minute: minute,
                                  windowMinutes: settings.reporterWindowMinutes) else { break }
            let series = seriesIndex(service: report.service, path: nil, region: report.region, source: .reports)
            touch(series)
            buckets[series].add(report: report)
        case .advisory(let timeMs, let issue):
            events += book.receive(issue, atMs: timeMs)
        }
        return events
    }

    /// Closes every minute that ended at or before `timeMs` (the live server calls this on a timer,
    /// a little after each minute, so that late telemetry still counts).
    public mutating func advance(to timeMs: Int64) -> [IncidentEvent] {
        let lastEnded = Int(timeMs.floorDivided(by: 60_000)) - 1
        guard let current = currentMinute, lastEnded >= current else { return [] }
        return close(through: lastEnded)
    }

    // MARK: - Minutes

    static let longestGapMinutes = 7 * 1_440

    private mutating func seriesIndex(service: String, path: AccessPath?, region: String, source: SignalSource) -> Int {
        // Streams repeat their order minute after minute: the series that followed the previous
        // record's series last time is tried first, by comparing its id's fields in place (no
        // id is built, copied or hashed for it).
        let found: Int
        let guesses = previousSeries.map { successors[$0] } ?? (-1, -1)
        func matches(_ guess: Int) -> Bool {
            guess >= 0 && ids.withUnsafeBufferPointer {
                $0[guess].source == source && $0[guess].region == region && $0[guess].path == path && $0[guess].service == service
            }
        }
        if matches(guesses.0) {
            found = guesses.0
        } else if matches(guesses.1) {
            found = guesses.1
        } else {
            found = lookUp(SeriesID(service: service, path: path, region: region, source: source))
            if let previous = previousSeries { successors[previous] = (found, guesses.0) }
        }
        previousSeries = found
        return found
    }

    private mutating func lookUp(_ id: SeriesID) -> Int {
        if let found = index[id] { return found }
        let new = detectors.count
        index[id] = new
        detectors.append(SeriesDetector(id: id))
        ids.append(id)
        buckets.append(MinuteBucket())
        seriesClients.append([])
        successors.append((-1, -1))
        partners.append(-1)
        if id.source != .reports {
            let other = SeriesID(service: id.service, path: id.path, region: id.region, source: id.source == .probe ? .telemetry : .probe)
            if let partner = index[other] {
                partners[new] = partner
                partners[partner] = new
            }
        }
        if settings.historyMinutes > 0 { histories.append(SeriesHistory(capacity: settings.historyMinutes)) }
        // A series' region (and a probe's path) is learned when the series first appears.
        if id.source != .reports { regions[id.service, default: []].insert(id.region) }
        if id.source == .probe, let path = id.path { probedPaths[id.service, default: []].insert(path) }
        if id.source == .reports { reportSeries.append(new) }
        return new
    }

    private mutating func touch(_ series: Int) {
        if !buckets[series].observed { touched.append(series) }
    }

    /// Closes the current minute and any empty minutes up to `last`, then starts `last + 1`.
    private mutating func close(through last: Int) -> [IncidentEvent] {
        guard var minute = currentMinute else { return [] }
        var events: [IncidentEvent] = []
        // A gap longer than a week (a stray timestamp, a server off for a month) is not walked
        // minute by minute: after a week of empty minutes nothing is left to learn or resolve.
        if last - minute > Self.longestGapMinutes {
            events = closeMinute(minute)
            minute = last - Self.longestGapMinutes
        }
        while minute <= last {
            events += closeMinute(minute)
            minute += 1
        }
        currentMinute = minute
        return events
    }

    private mutating func closeMinute(_ minute: Int) -> [IncidentEvent] {
        let hourOfWeek = ((minute / 60) + 72) % 168   // 1970-01-01 was a Thursday; Monday 00:00 is hour 0
        // Probes first: a telemetry series reads its probes' operation-step evidence of this minute.
        for series in touched where ids[series].source == .probe {
            let partner = partners[series]
            detectors[series].evaluate(buckets[series], minute: minute, hourOfWeek: hourOfWeek, settings: settings,
                                       partnerSlow: partner >= 0 && detectors[partner].latencyAlarm)
        }
        for series in touched where ids[series].source != .probe {
            let partner = partners[series]
            detectors[series].evaluate(buckets[series], minute: minute, hourOfWeek: hourOfWeek, settings: settings,
                                       probeSlowness: partner >= 0 ? detectors[partner].slowness(at: minute) : 0)
        }
        // Report series also learn from minutes without reports (touched buckets are the observed ones).
        for series in reportSeries where !buckets[series].observed {
            detectors[series].evaluate(MinuteBucket(), minute: minute, hourOfWeek: hourOfWeek, settings: settings)
        }
        if settings.historyMinutes > 0 { record(minute) }
        let active = detectors.indices.filter { detectors[$0].isAlarmed }
        confirm(active, minute: minute)
        let context = MinuteContext(minute: minute, timeMs: Int64(minute + 1) * 60_000, clients: clients, regions: regions,
                                    probedPaths: probedPaths)
        let events = book.update(detectors: detectors, active: active, buckets: buckets, context: context)
        for series in touched { buckets[series].reset() }
        touched.removeAll(keepingCapacity: true)
        return events
    }

    /// Keeps the minute's points of the series that saw something (charts and cells).
    private mutating func record(_ minute: Int) {
        for series in touched {
            let bucket = buckets[series]
            detectors[series].noteFailures(bucket, minute: minute)
            let detector = detectors[series]
            histories[series].append(SeriesPoint(minute: minute, attempts: bucket.attempts, failed: bucket.failed,
                                                 expected: detector.lastBaseline, latencyMs: bucket.latency,
                                                 expectedLatencyMs: detector.expectedLatency, alarmed: detector.isAlarmed))
        }
    }

    /// Every series' state, last failure and (when kept) recent minutes.
    public func seriesSnapshots() -> [SeriesSnapshot] {
        detectors.indices.map { index in
            let detector = detectors[index]
            let state: SeriesSnapshot.State = detector.alarm == nil ? .healthy
                : (detector.alarm?.confirmedMinute == nil ? .alarmed : .failing)
            let failure = detector.lastFailure
            return SeriesSnapshot(id: detector.id, state: state, alarmKind: detector.alarm?.kind.rawValue,
                                  lastObservedMinute: detector.lastObservedMinute == .min ? nil : detector.lastObservedMinute,
                                  lastFailureMinute: failure?.minute, lastFailureClass: failure?.failureClass,
                                  lastFailedStep: failure?.step, lastError: failure?.error,
                                  points: histories.isEmpty ? [] : histories[index].points)
        }
    }

    /// Marks alarms that are worth an incident: sustained past the blip length while still
    /// failing, or corroborated by another alarm on the same service that shares a path or a
    /// region and started within the corroboration window (two sources agreeing, or the failure
    /// spreading), once either has lasted two minutes.
    private mutating func confirm(_ active: [Int], minute: Int) {
        for a in active where detectors[a].alarm?.confirmedMinute == nil {
            guard let alarm = detectors[a].alarm else { continue }
            let duration = minute - alarm.onsetMinute + 1
            if detectors[a].isSustained(at: minute, settings: settings) {
                detectors[a].confirm(at: minute)
                continue
            }
            guard detectors[a].isFailingNow(at: minute) else { continue }
            let id = detectors[a].id
            for b in active where b != a {
                let other = detectors[b]
                guard let otherAlarm = other.alarm, other.id.service == id.service, other.isFailingNow(at: minute),
                      abs(otherAlarm.onsetMinute - alarm.onsetMinute) <= settings.corroborationMinutes,
                      max(duration, minute - otherAlarm.onsetMinute + 1) >= 2 else { continue }
                let sharesPath = id.path != nil && id.path == other.id.path
                let sharesRegion = id.region == other.id.region
                guard sharesPath || sharesRegion else { continue }
                detectors[a].confirm(at: minute)
                detectors[b].confirm(at: minute)
                break
            }
        }
    }
}

/// What the incident book needs to know about the minute being closed.
struct MinuteContext {
    var minute: Int
    var timeMs: Int64
    var clients: [String: Set<ClientKind>]
    var regions: [String: Set<String>]
    var probedPaths: [String: Set<AccessPath>]

    func knownClients(_ service: String) -> Set<ClientKind> {
        let probed = probedPaths[service] ?? []
        let fromProbes = ClientKind.workaroundOrder.filter { !$0.paths.isDisjoint(with: probed) }
        return (clients[service] ?? []).union(fromProbes)
    }
}
