import MailCanaryCore
import PostgresNIO

extension PostgresStore {
    // MARK: - Signals

    public func appendSignals(_ batch: SignalBatch) async throws -> SignalAppendOutcome {
        let lines = Int64(batch.lines)
        let rows = try await client.query("""
            INSERT INTO signal_batches (source, idempotency_key, received_at, first_time, last_time, lines, body)
            VALUES (\(batch.source), \(batch.idempotencyKey), \(batch.receivedAtMs), \(batch.firstTimeMs), \(batch.lastTimeMs),
                    \(lines), \(batch.body))
            ON CONFLICT (source, idempotency_key) DO NOTHING RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return .stored(id: id) }
        let existing = try await client.query("""
            SELECT lines FROM signal_batches WHERE source = \(batch.source) AND idempotency_key = \(batch.idempotencyKey)
            """, logger: logger)
        for try await count in existing.decode(Int32.self) { return .duplicate(lines: Int(count)) }
        return .duplicate(lines: 0)
    }

    public func signalBatches(lastTimeFromMs: Int64, afterID: Int64, limit: Int) async throws -> [StoredSignalBatch] {
        let rows = try await client.query("""
            SELECT id, source, idempotency_key, received_at, first_time, last_time, lines, body FROM signal_batches
            WHERE id > \(afterID) AND last_time >= \(lastTimeFromMs) ORDER BY id LIMIT \(Int64(limit))
            """, logger: logger)
        var batches: [StoredSignalBatch] = []
        for try await row in rows { batches.append(try Self.signalBatch(row.makeRandomAccess())) }
        return batches
    }

    /// One `signal_batches` row, by column name (the listing and detection's feed).
    static func signalBatch(_ cells: PostgresRandomAccessRow) throws -> StoredSignalBatch {
        StoredSignalBatch(id: try cells["id"].decode(Int64.self), batch: SignalBatch(
            source: try cells["source"].decode(String.self), idempotencyKey: try cells["idempotency_key"].decode(String.self),
            receivedAtMs: try cells["received_at"].decode(Int64.self), firstTimeMs: try cells["first_time"].decode(Int64.self),
            lastTimeMs: try cells["last_time"].decode(Int64.self), lines: Int(try cells["lines"].decode(Int32.self)),
            body: try cells["body"].decode(String.self)))
    }

    public func pruneSignals(lastTimeBeforeMs: Int64) async throws -> Int {
        let rows = try await client.query("""
            WITH d AS (DELETE FROM signal_batches WHERE last_time < \(lastTimeBeforeMs) RETURNING 1) SELECT COUNT(*)::INT8 FROM d
            """, logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    // MARK: - Incidents

    public func saveIncident(_ record: IncidentRecord) async throws -> IncidentSaveOutcome {
        let logger = self.logger
        do {
            return try await client.withTransaction(logger: logger) { connection in
                if record.isOpen {
                    let others = try await connection.query("""
                        SELECT id FROM incidents WHERE fingerprint = \(record.fingerprint) AND resolved_at IS NULL AND id <> \(record.id)
                        """, logger: logger)
                    for try await other in others.decode(String.self) { return .conflict(openID: other) }
                }
                try await connection.query("""
                    INSERT INTO incidents (id, fingerprint, service, status, opened_at, resolved_at, updated_at, body)
                    VALUES (\(record.id), \(record.fingerprint), \(record.service), \(record.status), \(record.openedMs),
                            \(record.resolvedMs), \(record.updatedMs), \(record.body))
                    ON CONFLICT (id) DO UPDATE SET status = excluded.status, resolved_at = excluded.resolved_at,
                      updated_at = excluded.updated_at, body = excluded.body
                    """, logger: logger)
                return .saved
            }
        } catch where Self.isUniqueViolation(error) {
            // Another replica opened an incident with this fingerprint between our check and our insert.
            let rows = try await client.query("""
                SELECT id FROM incidents WHERE fingerprint = \(record.fingerprint) AND resolved_at IS NULL
                """, logger: logger)
            for try await other in rows.decode(String.self) { return .conflict(openID: other) }
            throw error
        }
    }

    /// A unique-constraint violation (SQLSTATE 23505), also when a transaction wraps it.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == "23505" }
        if let error = error as? PostgresTransactionError, let inner = error.closureError { return isUniqueViolation(inner) }
        return false
    }

    public func incidents(openOnly: Bool, limit: Int) async throws -> [IncidentRecord] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.incidentColumns) FROM incidents
            WHERE \(openOnly) = FALSE OR resolved_at IS NULL ORDER BY opened_at DESC, id DESC LIMIT \(Int64(limit))
            """, logger: logger)
        return try await Self.incidents(rows)
    }

    public func incident(id: String) async throws -> IncidentRecord? {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.incidentColumns) FROM incidents WHERE id = \(id)
            """, logger: logger)
        return try await Self.incidents(rows).first
    }

    /// The columns ``incidents(_:)`` decodes, in its order.
    static let incidentColumns = "id, fingerprint, service, status, opened_at, resolved_at, updated_at, body, operator_status, operator_status_at, operator_status_by"

    static func incidents(_ rows: PostgresRowSequence) async throws -> [IncidentRecord] {
        var records: [IncidentRecord] = []
        for try await (id, fingerprint, service, status, opened, resolved, updated, body, operatorStatus, operatorAt, operatorBy)
            in rows.decode((String, String, String, String, Int64, Int64?, Int64, String, String?, Int64?, String?).self) {
            records.append(IncidentRecord(id: id, fingerprint: fingerprint, service: service, status: status, openedMs: opened,
                                          resolvedMs: resolved, updatedMs: updated, body: body,
                                          operatorStatus: OperatorStatus(columns: operatorStatus, operatorAt, operatorBy)))
        }
        return records
    }

    public func addNote(_ note: IncidentNote) async throws -> Bool {
        // A note changes what the incident says (the notification planner looks again).
        let rows = try await client.query("""
            WITH touched AS (
              UPDATE incidents SET updated_at = GREATEST(updated_at, \(note.atMs)),
                operator_status = CASE WHEN \(note.status)::text IS NOT NULL AND (operator_status_at IS NULL OR operator_status_at <= \(note.atMs))
                                       THEN \(note.status)::text ELSE operator_status END,
                operator_status_at = CASE WHEN \(note.status)::text IS NOT NULL AND (operator_status_at IS NULL OR operator_status_at <= \(note.atMs))
                                          THEN \(note.atMs) ELSE operator_status_at END,
                operator_status_by = CASE WHEN \(note.status)::text IS NOT NULL AND (operator_status_at IS NULL OR operator_status_at <= \(note.atMs))
                                          THEN \(note.author) ELSE operator_status_by END
              WHERE id = \(note.incidentID) RETURNING id)
            INSERT INTO incident_notes (incident_id, at, author, status, text)
            SELECT id, \(note.atMs), \(note.author), \(note.status), \(note.text) FROM touched
            RETURNING 1
            """, logger: logger)
        return try await rows.collect().count == 1
    }

    public func notes(incidentID: String) async throws -> [IncidentNote] {
        let rows = try await client.query("""
            SELECT incident_id, at, author, status, text FROM incident_notes WHERE incident_id = \(incidentID) ORDER BY at, id
            """, logger: logger)
        var notes: [IncidentNote] = []
        for try await (incident, at, author, status, text) in rows.decode((String, Int64, String, String?, String).self) {
            notes.append(IncidentNote(incidentID: incident, atMs: at, author: author, status: status, text: text))
        }
        return notes
    }
}
