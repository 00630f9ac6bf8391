import Logging
import PostgresNIO

/// Detection's reading of the shared store (``DetectionFeedStore``): rows in commit order, by
/// inserting transaction and id, each read only once no older transaction is still running.
extension PostgresStore {
    /// One table that feeds detection, and its time column.
    private enum FeedTable: String {
        case batches = "signal_batches"
        case results = "results"
        case advisories = "advisory_versions"

        var timeColumn: String {
            switch self {
            case .batches: "last_time"
            case .results: "started_at"
            case .advisories: "polled_at"
            }
        }
    }

    public func feed(after cursor: FeedCursor, fromMs: Int64, limit: Int, batchLimit: Int) async throws -> FeedPage {
        var page = FeedPage(cursor: cursor)
        var more = false
        (page.batches, page.cursor.batches) = try await rows(of: .batches, after: cursor.batches, fromMs: fromMs, limit: batchLimit,
                                                             more: &more, Self.signalBatch)
        (page.results, page.cursor.results) = try await rows(of: .results, after: cursor.results, fromMs: fromMs, limit: limit,
                                                             more: &more, Self.result)
        (page.advisories, page.cursor.advisories) = try await rows(of: .advisories, after: cursor.advisories, fromMs: fromMs,
                                                                   limit: limit, more: &more, Self.advisoryVersion)
        page.more = more
        return page
    }

    /// The rows of `table` committed past `position` and no longer overtakable, decoded, and the
    /// position after them (past a first read's start when there were none); `more` is set when
    /// the limit cut the read short.
    private func rows<Row>(of table: FeedTable, after position: CommitPosition, fromMs: Int64, limit: Int, more: inout Bool,
                           _ decode: (PostgresRandomAccessRow) throws -> Row) async throws -> ([Row], CommitPosition) {
        var start = position
        if position == .start {
            // A first read starts at the oldest transaction that stored a row of the window (found
            // through the time column), not at the table's first row; or at the oldest still
            // running, if older (its rows are not visible yet, and may be in the window).
            // LEAST ignores the NULL of an empty window.
            let query = PostgresQuery(unsafeSQL: """
                SELECT (LEAST(MIN(committed_xid), pg_snapshot_xmin(pg_current_snapshot()))::text::int8 - 1)
                FROM \(table.rawValue) WHERE \(table.timeColumn) >= $1
                """, binds: try Self.binds(fromMs))
            for try await first in try await client.query(query, logger: logger).decode(Int64.self) {
                start = CommitPosition(transaction: first, id: .max)
            }
        }
        let query = PostgresQuery(unsafeSQL: """
            SELECT committed_xid::text::int8 AS feed_xid, * FROM \(table.rawValue)
            WHERE (committed_xid, id) > ($1::text::xid8, $2) AND committed_xid < pg_snapshot_xmin(pg_current_snapshot())
              AND \(table.timeColumn) >= $3
            ORDER BY committed_xid, id LIMIT $4
            """, binds: try Self.binds(start.transaction, start.id, fromMs, Int64(limit)))
        var rows: [Row] = []
        var last = start
        for try await row in try await client.query(query, logger: logger) {
            let cells = row.makeRandomAccess()
            rows.append(try decode(cells))
            last = CommitPosition(transaction: try cells["feed_xid"].decode(Int64.self), id: try cells["id"].decode(Int64.self))
        }
        if rows.count >= limit { more = true }
        return (rows, last)
    }

    private static func binds(_ values: Int64...) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }

    // MARK: - Lease

    public func holdDetectionLease() async throws -> Bool {
        try await lease.hold()
    }

    public func releaseDetectionLease() async {
        await lease.release()
    }
}
