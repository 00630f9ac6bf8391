/// Everything detection takes in, in one type: the four record kinds of a scenario.
public enum Signal: Sendable, Equatable {
    case clients(ClientCounts)
    case probe(ProbeObservation)
    case report(UserReport)
    /// Boxed: an issue is several times the size of the other payloads, and every signal would
    /// take its size (copied per record as the chunks are built and read) for a kind that is rare.
    indirect case advisory(timeMs: Int64, ServiceHealthIssue)

    /// When the signal was observed, milliseconds since 1970. Inlinable: called from another
    /// module, the switch would copy the whole payload (six reference-counted fields of a
    /// `clients` record) to read one integer, twice for every replayed record.
    @inlinable
    public var timeMs: Int64 {
        switch self {
        case .clients(let counts): counts.timeMs
        case .probe(let probe): probe.timeMs
        case .report(let report): report.timeMs
        case .advisory(let timeMs, _): timeMs
        }
    }

    /// The watched service the signal is about (nil for a provider advisory, which names the
    /// provider's service instead).
    @inlinable
    public var service: String? {
        switch self {
        case .clients(let counts): counts.service
        case .probe(let probe): probe.service
        case .report(let report): report.service
        case .advisory: nil
        }
    }
}
