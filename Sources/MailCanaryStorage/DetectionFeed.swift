/// A place in one table's commit order.
///
/// PostgreSQL numbers rows as they are inserted, but concurrent transactions commit in another
/// order: a reader that has gone past row 100 could miss row 99, committed a moment later by a
/// slower transaction. So a position is the inserting transaction's id (`xid8`) and then the
/// row's id, and a row is read only once every transaction older than it has ended (its
/// transaction id is below the reading snapshot's `xmin`): nothing can then appear behind it.
/// SQLite commits one writer at a time, so its row ids are already in commit order, and
/// `transaction` is 0 there.
public struct CommitPosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var transaction: Int64
    public var id: Int64

    public init(transaction: Int64, id: Int64) {
        self.transaction = transaction
        self.id = id
    }

    public static let start = CommitPosition(transaction: 0, id: 0)

    public static func < (lhs: CommitPosition, rhs: CommitPosition) -> Bool {
        (lhs.transaction, lhs.id) < (rhs.transaction, rhs.id)
    }

    public var description: String { "\(transaction):\(id)" }
}

/// How far detection has read each table that feeds it.
public struct FeedCursor: Sendable, Equatable {
    public var batches = CommitPosition.start
    public var results = CommitPosition.start
    public var advisories = CommitPosition.start

    public init() {}
}

/// Rows committed past a cursor, and the cursor after them.
public struct FeedPage: Sendable {
    public var batches: [StoredSignalBatch] = []
    public var results: [StoredResult] = []
    public var advisories: [AdvisoryVersion] = []
    public var cursor: FeedCursor
    /// True when a table had more rows than the limit: read again from `cursor`.
    public var more = false

    public init(cursor: FeedCursor) {
        self.cursor = cursor
    }

    public var isEmpty: Bool { batches.isEmpty && results.isEmpty && advisories.isEmpty }
}

/// What detection reads when several server replicas share one store: every replica reads every
/// stored signal batch, probe result and advisory version in commit order (whichever replica
/// stored it), so every replica's engine sees the same signals, and the one replica that holds the
/// detection lease writes the incidents. A replica that stops (or loses its database session)
/// loses the lease, and another takes it over with an engine that is already warm.
public protocol DetectionFeedStore: Sendable {
    /// Rows committed past `cursor` whose time is at or after `fromMs` (a signal batch's latest
    /// signal, a result's start, a version's poll), in commit order: at most `limit` results and
    /// versions, and `batchLimit` signal batches (each is a whole upload, up to megabytes).
    func feed(after cursor: FeedCursor, fromMs: Int64, limit: Int, batchLimit: Int) async throws -> FeedPage
    /// Takes the detection lease, or confirms that this replica still holds it. True while this
    /// replica is the one that writes incidents. SQLite, which serves one process, always grants it.
    func holdDetectionLease() async throws -> Bool
    /// Gives the lease up (at shutdown) so that another replica takes it at once.
    func releaseDetectionLease() async
}
