import Logging
import PostgresNIO

/// Detection's reading of the shared store (``DetectionFeedStore``): rows in commit order, by
/// inserting transaction and id, each read only once no older transaction is still running.
extension PostgresStore {
    /// One table that feeds detection: its time column, and how a row becomes part of a page.
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
        let batches = try await rows(of: .batches, after: cursor.batches, fromMs: fromMs, limit: batchLimit)
        for (position, cells) in batches.rows {
            page.batches.append(StoredSignalBatch(id: try cells["id"].decode(Int64.self), batch: SignalBatch(
                source: try cells["source"].decode(String.self), idempotencyKey: try cells["idempotency_key"].decode(String.self),
                receivedAtMs: try cells["received_at"].decode(Int64.self), firstTimeMs: try cells["first_time"].decode(Int64.self),
                lastTimeMs: try cells["last_time"].decode(Int64.self), lines: Int(try cells["lines"].decode(Int32.self)),
                body: try cells["body"].decode(String.self))))
            page.cursor.batches = position
        }
        page.cursor.batches = max(page.cursor.batches, batches.start)
        let results = try await rows(of: .results, after: cursor.results, fromMs: fromMs, limit: limit)
        for (position, cells) in results.rows {
            page.results.append(try Self.result(cells))
            page.cursor.results = position
        }
        page.cursor.results = max(page.cursor.results, results.start)
        let advisories = try await rows(of: .advisories, after: cursor.advisories, fromMs: fromMs, limit: limit)
        for (position, cells) in advisories.rows {
            page.advisories.append(AdvisoryVersion(
                id: try cells["id"].decode(Int64.self), tenant: try cells["tenant"].decode(String.self),
                issueID: try cells["issue_id"].decode(String.self), versionKey: try cells["version_key"].decode(String.self),
                polledAtMs: try cells["polled_at"].decode(Int64.self), status: try cells["status"].decode(String.self),
                body: try cells["body"].decode(String.self)))
            page.cursor.advisories = position
        }
        page.cursor.advisories = max(page.cursor.advisories, advisories.start)
        page.more = batches.rows.count >= batchLimit || results.rows.count >= limit || advisories.rows.count >= limit
        return page
    }

    /// The rows of `table` committed past `position` and no longer overtakable, with their
    /// positions; and where reading starts (past `position` when it was ``CommitPosition/start``).
    private func rows(of table: FeedTable, after position: CommitPosition, fromMs: Int64,
                      limit: Int) async throws -> (rows: [(CommitPosition, PostgresRandomAccessRow)], start: CommitPosition) {
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
        var rows: [(CommitPosition, PostgresRandomAccessRow)] = []
        for try await row in try await client.query(query, logger: logger) {
            let cells = row.makeRandomAccess()
            rows.append((CommitPosition(transaction: try cells["feed_xid"].decode(Int64.self), id: try cells["id"].decode(Int64.self)), cells))
        }
        return (rows, start)
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
