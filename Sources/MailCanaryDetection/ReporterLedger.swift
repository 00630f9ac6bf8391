/// Each reporter counts once: a report from someone already counted on the same service within
/// the window (the length of a typical incident and its aftermath) adds nothing to the report
/// series, so one frustrated user pressing "send" ten times is one report, not a surge.
struct ReporterLedger {
    private var lastCounted: [Key: Int] = [:]
    private var prunedAt: Int?

    private struct Key: Hashable {
        var service: String
        var reporter: String
    }

    /// True when the report should count; remembers the reporter if so.
    mutating func admit(service: String, reporter: String, minute: Int, windowMinutes: Int) -> Bool {
        let key = Key(service: service, reporter: reporter)
        if let last = lastCounted[key], minute - last < windowMinutes { return false }
        lastCounted[key] = minute
        if prunedAt.map({ minute - $0 >= windowMinutes }) ?? true {
            lastCounted = lastCounted.filter { minute - $0.value < windowMinutes }
            prunedAt = minute
        }
        return true
    }
}
