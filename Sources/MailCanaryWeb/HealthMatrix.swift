import MailCanaryCore
import MailCanaryDetection

/// One service's access paths × regions, each cell in one state. A decision from values: the
/// series' snapshots, the open incidents and the time now (passed in). Data older than the stale
/// limit is `stale`, never `healthy`.
public struct HealthMatrix: Sendable {
    public enum State: String, Sendable, Comparable {
        case noData = "no-data", healthy, stale, degraded, failing

        var rank: Int {
            switch self {
            case .noData: 0
            case .healthy: 1
            case .stale: 2
            case .degraded: 3
            case .failing: 4
            }
        }

        public static func < (lhs: State, rhs: State) -> Bool { lhs.rank < rhs.rank }

        public var words: String {
            switch self {
            case .noData: "no data"
            case .healthy: "healthy"
            case .stale: "stale"
            case .degraded: "degraded"
            case .failing: "failing"
            }
        }
    }

    public struct Cell: Sendable {
        public var path: AccessPath?
        public var region: String
        public var state: State
        /// Minutes since the newest observation ended (nil without any).
        public var ageMinutes: Int?
        public var sources: [SignalSource]
        /// The latest failure seen on the cell within the last hour.
        public var failureClass: FailureClass?
        public var failedStep: StepName?
        public var lastFailureMinute: Int?
        /// The open incident whose scope holds the cell.
        public var incidentID: String?
    }

    public struct Row: Sendable {
        /// Nil for user reports, which name no access path.
        public var path: AccessPath?
        public var label: String
        public var cells: [Cell]
    }

    public var service: String
    public var regions: [String]
    public var rows: [Row]

    /// Builds the matrix; `staleAfterMinutes` is how long a cell may go unobserved.
    public static func build(service: String, configuredPaths: [AccessPath], configuredRegions: [String],
                             snapshots: [SeriesSnapshot], openIncidents: [IncidentView], nowMs: Int64,
                             staleAfterMinutes: Int = 10) -> HealthMatrix {
        let mine = snapshots.filter { $0.id.service == service }
        var regions = configuredRegions
        for region in Set(mine.map(\.id.region)).sorted() where !regions.contains(region) && region != "unknown" { regions.append(region) }
        let paths = Vocabulary.sortedPaths(configuredPaths + mine.compactMap(\.id.path))
        let hasReports = mine.contains { $0.id.source == .reports }
        let currentMinute = Int(nowMs / 60_000)
        let incidents = openIncidents.filter { $0.service == service }

        func cell(path: AccessPath?, region: String) -> Cell {
            let series = mine.filter { $0.id.path == path && $0.id.region == region }
            let newest = series.compactMap(\.lastObservedMinute).max()
            // A minute is judged once it has ended: the newest can be the previous minute at best.
            let age = newest.map { max(0, currentMinute - 1 - $0) }
            let incident = path.flatMap { path in
                incidents.first { $0.cells.contains(IncidentView.Cell(path: path.rawValue, region: region)) }
            }
            var state: State
            if let age {
                if age > staleAfterMinutes {
                    state = .stale
                } else if incident != nil || series.contains(where: { $0.state == .failing }) {
                    state = .failing
                } else if series.contains(where: { $0.state == .alarmed }) {
                    state = .degraded
                } else {
                    state = .healthy
                }
            } else {
                state = .noData
            }
            // Probes know the class and step; telemetry only the error.
            let recent = series.filter { ($0.lastFailureMinute ?? .min) >= currentMinute - 60 }
            let failure = recent.max { a, b in
                (a.id.source == .probe ? 1 : 0, a.lastFailureMinute ?? 0) < (b.id.source == .probe ? 1 : 0, b.lastFailureMinute ?? 0)
            }
            return Cell(path: path, region: region, state: state, ageMinutes: age, sources: series.map(\.id.source).sorted(),
                        failureClass: failure?.lastFailureClass, failedStep: failure?.lastFailedStep,
                        lastFailureMinute: failure?.lastFailureMinute, incidentID: incident?.id)
        }

        var rows = paths.map { path in Row(path: path, label: Vocabulary.path(path), cells: regions.map { cell(path: path, region: $0) }) }
        if hasReports {
            rows.append(Row(path: nil, label: "User reports", cells: regions.map { cell(path: nil, region: $0) }))
        }
        return HealthMatrix(service: service, regions: regions, rows: rows)
    }

    /// The worst state among the paths of one experience (reports excluded), for the status page.
    public func state(of experience: ClientExperience) -> State {
        let cells = rows.filter { row in row.path.map { experience.paths.contains($0) || ClientExperience.shared.contains($0) } ?? false }
            .flatMap(\.cells).filter { $0.state != .noData }
        return cells.map(\.state).max() ?? .noData
    }
}
