/// A tenant's request budget: at most `perMinute` requests in any 60 s and `perHour` in any
/// hour (Graph allows 240 and 800 per app and tenant under /admin/serviceAnnouncement/,
/// exchange-protocols.md §1.1; the defaults stay well below). A pure value: time is passed in.
public struct RequestBudget: Sendable, Equatable {
    public var perMinute: Int
    public var perHour: Int
    /// Times of the requests of the last hour, oldest first.
    private(set) var spent: [Int64] = []

    public init(perMinute: Int, perHour: Int) {
        self.perMinute = perMinute
        self.perHour = perHour
    }

    /// Takes one request if the budget allows it now; otherwise says when it will.
    public mutating func take(nowMs: Int64) -> Result<Void, Exhausted> {
        spent.removeAll { $0 <= nowMs - 3_600_000 }
        let lastMinute = spent.filter { $0 > nowMs - 60_000 }
        if lastMinute.count >= perMinute {
            return .failure(Exhausted(untilMs: lastMinute[lastMinute.count - perMinute] + 60_000))
        }
        if spent.count >= perHour {
            return .failure(Exhausted(untilMs: spent[spent.count - perHour] + 3_600_000))
        }
        spent.append(nowMs)
        return .success(())
    }

    public struct Exhausted: Error, Sendable, Equatable {
        /// When the next request fits.
        public var untilMs: Int64
    }
}
