/// One accepted upload of signal lines (client telemetry, a user report, lines read from a mail
/// server's log): the good lines as NDJSON text, exactly as detection reads them back.
///
/// Lines are kept as text rather than as rows: the detection service is the only reader, it
/// reads them in time order after a restart, and one row per upload is what lets SQLite accept
/// hundreds of thousands of events per second.
public struct SignalBatch: Sendable, Equatable {
    /// Who sent it: `telemetry:NAME`, `agent:ID`, `reports`, `logs:NAME`.
    public var source: String
    /// The sender's idempotency key: a second upload with the same (source, key) is a duplicate.
    public var idempotencyKey: String
    public var receivedAtMs: Int64
    /// The earliest and latest signal time in the batch.
    public var firstTimeMs: Int64
    public var lastTimeMs: Int64
    public var lines: Int
    /// NDJSON, one line per signal, each ending in a newline.
    public var body: String

    public init(source: String, idempotencyKey: String, receivedAtMs: Int64, firstTimeMs: Int64, lastTimeMs: Int64,
                lines: Int, body: String) {
        self.source = source
        self.idempotencyKey = idempotencyKey
        self.receivedAtMs = receivedAtMs
        self.firstTimeMs = firstTimeMs
        self.lastTimeMs = lastTimeMs
        self.lines = lines
        self.body = body
    }
}

/// A batch as stored, with its row id (see ``CommitPosition`` for the order rows commit in).
public struct StoredSignalBatch: Sendable, Equatable {
    public var id: Int64
    public var batch: SignalBatch

    public init(id: Int64, batch: SignalBatch) {
        self.id = id
        self.batch = batch
    }
}

/// What appending a signal batch did.
public enum SignalAppendOutcome: Sendable, Equatable {
    case stored(id: Int64)
    /// The (source, key) was stored before: nothing written; the first upload's line count.
    case duplicate(lines: Int)
}

/// Signal batches: append (idempotent per source and key), read back for detection, prune.
public protocol SignalStore: Sendable {
    /// Appends durably: when this returns `.stored`, the batch survives a crash.
    func appendSignals(_ batch: SignalBatch) async throws -> SignalAppendOutcome
    /// Batches whose latest signal is at or after `lastTimeFromMs`, with an id above `afterID`,
    /// in id order; page with the last id seen.
    func signalBatches(lastTimeFromMs: Int64, afterID: Int64, limit: Int) async throws -> [StoredSignalBatch]
    /// Removes batches whose latest signal is before the cut-off; returns how many.
    func pruneSignals(lastTimeBeforeMs: Int64) async throws -> Int
}
