import PostgresNIO

extension PostgresStore {
    public func incidents(updatedSinceMs: Int64, limit: Int) async throws -> [IncidentRecord] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.incidentColumns) FROM incidents
            WHERE updated_at >= \(updatedSinceMs) ORDER BY updated_at, id LIMIT \(Int64(limit))
            """, logger: logger)
        return try await Self.incidents(rows)
    }

    public func mark(_ name: String) async throws -> Int64? {
        let rows = try await client.query("SELECT value FROM marks WHERE name = \(name)", logger: logger)
        for try await value in rows.decode(Int64.self) { return value }
        return nil
    }

    public func setMark(_ name: String, _ value: Int64) async throws {
        try await client.query("""
            INSERT INTO marks (name, value) VALUES (\(name), \(value)) ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """, logger: logger)
    }

    public func notificationMark(incidentID: String) async throws -> NotificationMark? {
        let rows = try await client.query("SELECT incident_id, version, state FROM notification_marks WHERE incident_id = \(incidentID)",
                                          logger: logger)
        for try await (id, version, state) in rows.decode((String, Int32, String).self) {
            return NotificationMark(incidentID: id, version: Int(version), state: state)
        }
        return nil
    }

    public func commitNotifications(incidentID: String, expectedVersion: Int?, state: String, entries: [OutboxEntry]) async throws -> Bool {
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            let changed: PostgresRowSequence
            if let expectedVersion {
                changed = try await connection.query("""
                    UPDATE notification_marks SET version = version + 1, state = \(state)
                    WHERE incident_id = \(incidentID) AND version = \(Int32(expectedVersion)) RETURNING 1
                    """, logger: logger)
            } else {
                changed = try await connection.query("""
                    INSERT INTO notification_marks (incident_id, version, state) VALUES (\(incidentID), 1, \(state))
                    ON CONFLICT (incident_id) DO NOTHING RETURNING 1
                    """, logger: logger)
            }
            guard try await changed.collect().count == 1 else { return false }
            for entry in entries {
                try await connection.query("""
                    INSERT INTO notification_outbox (key, channel, incident_id, kind, created_at, payload, status, attempts,
                                                     next_attempt_at, last_result, delivered_at, lease_owner, lease_until)
                    VALUES (\(entry.key), \(entry.channel), \(entry.incidentID), \(entry.kind), \(entry.createdMs), \(entry.payload),
                            \(entry.status.rawValue), \(Int32(entry.attempts)), \(entry.nextAttemptMs), \(entry.lastResult),
                            \(entry.deliveredMs), NULL, 0)
                    ON CONFLICT (key, channel) DO NOTHING
                    """, logger: logger)
            }
            return true
        }
    }

    public func claimDeliveries(nowMs: Int64, owner: String, leaseMs: Int64, limit: Int) async throws -> [OutboxEntry] {
        // SKIP LOCKED: two replicas claiming at once take different rows.
        let rows = try await client.query("""
            UPDATE notification_outbox SET lease_owner = \(owner), lease_until = \(nowMs + leaseMs)
            WHERE id IN (SELECT id FROM notification_outbox AS o
                         WHERE status = 'pending' AND next_attempt_at <= \(nowMs) AND lease_until <= \(nowMs)
                           AND NOT EXISTS (SELECT 1 FROM notification_outbox AS e WHERE e.incident_id = o.incident_id
                                           AND e.channel = o.channel AND e.status = 'pending' AND e.id < o.id)
                         ORDER BY next_attempt_at, id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: Self.outboxColumns)
            """, logger: logger)
        return try await Self.outboxEntries(rows).sorted { ($0.nextAttemptMs, $0.id) < ($1.nextAttemptMs, $1.id) }
    }

    public func finishDelivery(id: Int64, _ update: DeliveryUpdate) async throws {
        try await client.query("""
            UPDATE notification_outbox SET status = \(update.status.rawValue), attempts = \(Int32(update.attempts)),
              next_attempt_at = \(update.nextAttemptMs), last_result = \(update.lastResult), delivered_at = \(update.deliveredMs),
              lease_owner = NULL, lease_until = 0
            WHERE id = \(id)
            """, logger: logger)
    }

    public func deliveries(incidentID: String?, limit: Int) async throws -> [OutboxEntry] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.outboxColumns) FROM notification_outbox
            WHERE \(incidentID)::TEXT IS NULL OR incident_id = \(incidentID) ORDER BY created_at DESC, id DESC LIMIT \(Int64(limit))
            """, logger: logger)
        return try await Self.outboxEntries(rows)
    }

    public func pruneDeliveries(createdBeforeMs: Int64) async throws -> Int {
        let rows = try await client.query("""
            DELETE FROM notification_outbox WHERE created_at < \(createdBeforeMs) AND status <> 'pending' RETURNING 1
            """, logger: logger)
        return try await rows.collect().count
    }

    static let outboxColumns = """
        id, key, channel, incident_id, kind, created_at, payload, status, attempts, next_attempt_at, last_result, delivered_at
        """

    static func outboxEntries(_ rows: PostgresRowSequence) async throws -> [OutboxEntry] {
        var entries: [OutboxEntry] = []
        for try await row in rows {
            let (id, key, channel, incident, kind, created, payload, status, attempts, next, last, delivered) =
                try row.decode((Int64, String, String, String, String, Int64, String, String, Int32, Int64, String?, Int64?).self)
            guard let status = OutboxEntry.Status(rawValue: status) else { continue }
            entries.append(OutboxEntry(id: id, key: key, channel: channel, incidentID: incident, kind: kind, createdMs: created,
                                       payload: payload, status: status, attempts: Int(attempts), nextAttemptMs: next,
                                       lastResult: last, deliveredMs: delivered))
        }
        return entries
    }
}
