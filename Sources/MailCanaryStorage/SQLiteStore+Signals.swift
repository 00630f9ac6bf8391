import MailCanaryCore
import GRDB

extension SQLiteStore {
    // MARK: - Signals

    public func appendSignals(_ batch: SignalBatch) async throws -> SignalAppendOutcome {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO signal_batches (source, idempotency_key, received_at, first_time, last_time, lines, body)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, idempotency_key) DO NOTHING
                """, arguments: [batch.source, batch.idempotencyKey, batch.receivedAtMs, batch.firstTimeMs, batch.lastTimeMs,
                                 batch.lines, batch.body])
            if db.changesCount == 1 { return .stored(id: db.lastInsertedRowID) }
            let lines = try Int.fetchOne(db, sql: "SELECT lines FROM signal_batches WHERE source = ? AND idempotency_key = ?",
                                         arguments: [batch.source, batch.idempotencyKey]) ?? 0
            return .duplicate(lines: lines)
        }
    }

    public func signalBatches(lastTimeFromMs: Int64, afterID: Int64, limit: Int) async throws -> [StoredSignalBatch] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM signal_batches WHERE id > ? AND last_time >= ? ORDER BY id LIMIT ?",
                             arguments: [afterID, lastTimeFromMs, limit]).map(Self.signalBatch)
        }
    }

    public func pruneSignals(lastTimeBeforeMs: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM signal_batches WHERE last_time < ?", arguments: [lastTimeBeforeMs])
            return db.changesCount
        }
    }

    static func signalBatch(_ row: Row) -> StoredSignalBatch {
        StoredSignalBatch(id: row["id"], batch: SignalBatch(
            source: row["source"], idempotencyKey: row["idempotency_key"], receivedAtMs: row["received_at"],
            firstTimeMs: row["first_time"], lastTimeMs: row["last_time"], lines: row["lines"], body: row["body"]))
    }

    // MARK: - Incidents

    public func saveIncident(_ record: IncidentRecord) async throws -> IncidentSaveOutcome {
        try await pool.write { db in
            if record.isOpen, let other = try String.fetchOne(db, sql: """
                SELECT id FROM incidents WHERE fingerprint = ? AND resolved_at IS NULL AND id <> ?
                """, arguments: [record.fingerprint, record.id]) {
                return .conflict(openID: other)
            }
            try db.execute(sql: """
                INSERT INTO incidents (id, fingerprint, service, status, opened_at, resolved_at, updated_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, resolved_at = excluded.resolved_at,
                  updated_at = excluded.updated_at, body = excluded.body
                """, arguments: [record.id, record.fingerprint, record.service, record.status, record.openedMs, record.resolvedMs,
                                 record.updatedMs, record.body])
            return .saved
        }
    }

    public func incidents(openOnly: Bool, limit: Int) async throws -> [IncidentRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM incidents WHERE (? = 0 OR resolved_at IS NULL) ORDER BY opened_at DESC, id DESC LIMIT ?
                """, arguments: [openOnly ? 1 : 0, limit]).map(Self.incident)
        }
    }

    public func incident(id: String) async throws -> IncidentRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE id = ?", arguments: [id]).map(Self.incident)
        }
    }

    public func addNote(_ note: IncidentNote) async throws -> Bool {
        try await pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM incidents WHERE id = ?", arguments: [note.incidentID]) != nil else { return false }
            try db.execute(sql: "INSERT INTO incident_notes (incident_id, at, author, status, text) VALUES (?, ?, ?, ?, ?)",
                           arguments: [note.incidentID, note.atMs, note.author, note.status, note.text])
            // A note changes what the incident says (the notification planner looks again).
            try db.execute(sql: "UPDATE incidents SET updated_at = MAX(updated_at, ?) WHERE id = ?", arguments: [note.atMs, note.incidentID])
            if let status = note.status {
                try db.execute(sql: """
                    UPDATE incidents SET operator_status = ?, operator_status_at = ?, operator_status_by = ?
                    WHERE id = ? AND (operator_status_at IS NULL OR operator_status_at <= ?)
                    """, arguments: [status, note.atMs, note.author, note.incidentID, note.atMs])
            }
            return true
        }
    }

    public func notes(incidentID: String) async throws -> [IncidentNote] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM incident_notes WHERE incident_id = ? ORDER BY at, id", arguments: [incidentID]).map { row in
                IncidentNote(incidentID: row["incident_id"], atMs: row["at"], author: row["author"], status: row["status"], text: row["text"])
            }
        }
    }

    static func incident(_ row: Row) -> IncidentRecord {
        IncidentRecord(id: row["id"], fingerprint: row["fingerprint"], service: row["service"], status: row["status"],
                       openedMs: row["opened_at"], resolvedMs: row["resolved_at"], updatedMs: row["updated_at"], body: row["body"],
                       operatorStatus: OperatorStatus(columns: row["operator_status"], row["operator_status_at"], row["operator_status_by"]))
    }
}

// MARK: - Detection's feed

extension SQLiteStore {
    /// One writer commits at a time, so row ids are in commit order: the feed is the rows past
    /// the cursor's ids, read with the queries the warm-up always used.
    public func feed(after cursor: FeedCursor, fromMs: Int64, limit: Int, batchLimit: Int) async throws -> FeedPage {
        var page = FeedPage(cursor: cursor)
        page.batches = try await signalBatches(lastTimeFromMs: fromMs, afterID: cursor.batches.id, limit: batchLimit)
        if let last = page.batches.last { page.cursor.batches = CommitPosition(transaction: 0, id: last.id) }
        let results = try await results(startedFromMs: fromMs, toMs: .max, afterID: cursor.results.id, limit: limit)
        page.results = results.map(\.result)
        if let last = results.last { page.cursor.results = CommitPosition(transaction: 0, id: last.id) }
        page.advisories = try await advisoryVersions(polledFromMs: fromMs, afterID: cursor.advisories.id, limit: limit)
        if let last = page.advisories.last { page.cursor.advisories = CommitPosition(transaction: 0, id: last.id) }
        page.more = page.batches.count >= batchLimit || results.count >= limit || page.advisories.count >= limit
        return page
    }

    /// One process serves a SQLite store: it always holds the lease.
    public func holdDetectionLease() async throws -> Bool { true }

    public func releaseDetectionLease() async {}
}
