import MailCanaryCore

/// Log events → one `clients` record per (minute, path, client): what a log says, in the shape
/// detection and the telemetry API take. A minute is released once a line at least `graceMs`
/// past its end has been read (logs are nearly in order), or when the reader flushes at the end.
public struct LogAggregator: Sendable {
    public let service: String
    public let region: String
    public var graceMs: Int64 = 60_000
    private var open: [Key: Tally] = [:]
    private var newestMs = Int64.min

    struct Key: Hashable {
        var minute: Int64
        var path: AccessPath
        var client: ClientKind
    }

    struct Tally {
        var ok = 0
        var failed = 0
        var errors: [String: Int] = [:]
        var latencySum = 0.0
        var latencyCount = 0
    }

    public init(service: String, region: String) {
        self.service = service
        self.region = region
    }

    /// Adds an event; returns the minutes that are now complete.
    public mutating func add(_ event: MailLogEvent) -> [ClientCounts] {
        let key = Key(minute: event.timeMs.floorDivided(by: 60_000) * 60_000, path: event.path, client: event.client)
        var tally = open[key] ?? Tally()
        if event.failed {
            tally.failed += 1
            if let error = event.error, tally.errors.count < 16 || tally.errors[error] != nil { tally.errors[error, default: 0] += 1 }
        } else {
            tally.ok += 1
        }
        if let latency = event.latencyMs, latency.isFinite, latency >= 0 {
            tally.latencySum += latency
            tally.latencyCount += 1
        }
        open[key] = tally
        newestMs = max(newestMs, event.timeMs)
        return release(before: newestMs - graceMs)
    }

    /// Every minute still open (end of an import).
    public mutating func flush() -> [ClientCounts] {
        release(before: .max)
    }

    private mutating func release(before limitMs: Int64) -> [ClientCounts] {
        let due = open.keys.filter { $0.minute + 60_000 <= limitMs }
        guard !due.isEmpty else { return [] }
        return due.sorted { ($0.minute, $0.path.rawValue, $0.client.rawValue) < ($1.minute, $1.path.rawValue, $1.client.rawValue) }.map { key in
            let tally = open.removeValue(forKey: key)!
            return ClientCounts(timeMs: key.minute + 60_000, service: service, region: region, client: key.client, path: key.path,
                                ok: tally.ok, failed: tally.failed,
                                errors: tally.errors.sorted { $0.key < $1.key }.map { ErrorCount($0.key, $0.value) },
                                latencyMsP50: tally.latencyCount > 0 ? tally.latencySum / Double(tally.latencyCount) : nil)
        }
    }
}
