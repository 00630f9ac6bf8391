/// Whether the store answers, judged from its periodic health checks. Pure: the time is passed in.
///
/// Two failed checks in a row make it unreachable (one check slower than its deadline under a
/// burst of load is not an outage); one that passes makes it reachable again.
struct StoreReachability: Sendable, Equatable {
    enum Change: Equatable {
        /// It stopped answering; `sinceMs` is the first failed check of the run.
        case lost(sinceMs: Int64)
        /// It answers again after being unreachable this long.
        case restored(afterMs: Int64)
    }

    static let failuresToLose = 2

    /// When it was found unreachable (the first failed check of the run); nil while it answers.
    private(set) var downSinceMs: Int64?
    private var failedSinceMs: Int64?
    private var failures = 0

    var isDown: Bool { downSinceMs != nil }

    /// Takes in one health check's outcome at `atMs`; says when reachability changes.
    mutating func observe(answered: Bool, atMs: Int64) -> Change? {
        if answered {
            failures = 0
            failedSinceMs = nil
            guard let since = downSinceMs else { return nil }
            downSinceMs = nil
            return .restored(afterMs: atMs - since)
        }
        failures += 1
        if failedSinceMs == nil { failedSinceMs = atMs }
        guard downSinceMs == nil, failures >= Self.failuresToLose, let since = failedSinceMs else { return nil }
        downSinceMs = since
        return .lost(sinceMs: since)
    }
}
