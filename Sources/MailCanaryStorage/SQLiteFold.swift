import GRDB
import MailCanaryCore

/// What folding in the results appended since the last fold amounts to, worked out on a reader
/// connection (WAL readers do not hold up the writer) and then applied in one short write.
///
/// Reading is the bulk of the work: one pass over the new rows in rowid order finds each
/// (probe, region)'s newest result and the minutes they fell in; every such minute is read whole
/// through the minute index and rolled up for all its series, and their hours are merged from the
/// stored minute rollups with the new ones in place. Marks an older schema left in `rollup_dirty`
/// are taken in too. Applying is only upserts, and happens only if the mark is still where the
/// plan began: a fold that ran in between wrote the same minutes from a newer read, and the mark
/// only moves forward.
struct SQLiteFold {
    let folded: Int64
    let last: Int64
    /// More results wait past `last`.
    let more: Bool
    let marked: [RollupBucketKey]
    let newest: [SQLiteStore.LatestKey: SQLiteStore.Recency]
    let rollups: [Rollup]

    /// The plan for at most `limit` results after the mark; nil when there is nothing to fold.
    init?(_ db: Database, limit: Int) throws {
        folded = try Int64.fetchOne(db, sql: "SELECT id FROM store_marks WHERE name = 'folded'") ?? 0
        let stored = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM results") ?? 0
        last = try Int64.fetchOne(db, sql: """
            SELECT COALESCE(MAX(id), ?) FROM (SELECT id FROM results WHERE id > ? ORDER BY id LIMIT ?)
            """, arguments: [folded, folded, limit]) ?? folded
        marked = try Row.fetchAll(db, sql: "SELECT * FROM rollup_dirty").map { row in
            RollupBucketKey(series: SeriesKey(service: row["service"], path: row["path"], region: row["region"], source: row["source"]),
                            bucket: row["bucket"])
        }
        guard last > folded || !marked.isEmpty else { return nil }
        more = last < stored

        var wholeMinutes: Set<Int64> = []
        var newest: [SQLiteStore.LatestKey: SQLiteStore.Recency] = [:]
        let fresh = try Row.fetchCursor(db, sql: "SELECT id, probe_id, region, started_at FROM results WHERE id > ? AND id <= ?",
                                        arguments: [folded, last])
        while let row = try fresh.next() {
            let recency = SQLiteStore.Recency(startedAtMs: row[3], id: row[0])
            wholeMinutes.insert(Resolution.minute.bucket(containing: recency.startedAtMs))
            let key = SQLiteStore.LatestKey(probeID: row[1], region: row[2])
            if newest[key].map({ $0 < recency }) ?? true { newest[key] = recency }
        }
        self.newest = newest

        var minutes = MinuteRollups(dirty: marked, wholeMinutes: wholeMinutes)
        for bucket in minutes.buckets {
            // The index divides with truncation: one index minute per bucket, two before 1970.
            let rows = try Row.fetchCursor(db, sql: """
                SELECT service, path, region, outcome, failure_class, duration_ms FROM results
                WHERE (started_at / 60000) >= ? AND (started_at / 60000) <= ? AND started_at >= ? AND started_at < ?
                """, arguments: [bucket / 60_000, (bucket + 59_999) / 60_000, bucket, bucket + 60_000])
            while let raw = try rows.next() {
                minutes.add(bucket: bucket, service: raw[0], path: raw[1], region: raw[2], outcome: raw[3], failureClass: raw[4], durationMs: raw[5])
            }
        }
        let minuteRollups = minutes.rollups
        var hours: [Rollup] = []
        for (hour, fresh) in Dictionary(grouping: minuteRollups, by: { RollupBucketKey(series: $0.series, bucket: $0.bucketMs).hour }) {
            var byMinute: [Int64: Rollup] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT * FROM rollups WHERE resolution = 'minute' AND service = ? AND path = ? AND region = ? AND source = ?
                AND bucket >= ? AND bucket < ?
                """, arguments: [hour.series.service, hour.series.path, hour.series.region, hour.series.source, hour.bucket, hour.bucket + 3_600_000]) {
                let stored = SQLiteStore.rollup(row, series: hour.series, resolution: .minute)
                byMinute[stored.bucketMs] = stored
            }
            for minute in fresh { byMinute[minute.bucketMs] = minute }
            var total = Rollup(series: hour.series, resolution: .hour, bucketMs: hour.bucket)
            for minute in byMinute.values { total.merge(minute) }
            hours.append(total)
        }
        rollups = minuteRollups + hours
    }

    /// Writes the plan; nil (nothing written) when another fold moved the mark since it was read.
    func apply(_ db: Database) throws -> Int? {
        guard try Int64.fetchOne(db, sql: "SELECT id FROM store_marks WHERE name = 'folded'") ?? 0 == folded else { return nil }
        if !marked.isEmpty { try db.execute(sql: "DELETE FROM rollup_dirty") }
        let latest = try db.cachedStatement(sql: """
            INSERT INTO latest_results (probe_id, region, result_id, started_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (probe_id, region) DO UPDATE SET result_id = excluded.result_id, started_at = excluded.started_at
            WHERE excluded.started_at >= latest_results.started_at
            """)
        for (key, recency) in newest {
            try latest.execute(arguments: [key.probeID, key.region, recency.id, recency.startedAtMs])
        }
        for rollup in rollups { try SQLiteStore.upsert(rollup, db) }
        try db.execute(sql: "UPDATE store_marks SET id = ? WHERE name = 'folded'", arguments: [last])
        return rollups.count
    }
}
