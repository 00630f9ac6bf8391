/// Where a series' observations come from (DESIGN.md, "series").
public enum SignalSource: String, Codable, Sendable, CaseIterable, Comparable {
    /// Synthetic probes run by the server or an agent.
    case probe
    /// What real clients saw: telemetry events and counts, and mail-server logs.
    case telemetry
    /// End-user problem reports.
    case reports

    public static func < (lhs: SignalSource, rhs: SignalSource) -> Bool {
        lhs.order < rhs.order
    }

    private var order: Int {
        switch self {
        case .probe: 0
        case .telemetry: 1
        case .reports: 2
        }
    }
}
