import GRDB

extension SQLiteStore {
    public func incidents(updatedSinceMs: Int64, limit: Int) async throws -> [IncidentRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM incidents WHERE updated_at >= ? ORDER BY updated_at, id LIMIT ?",
                             arguments: [updatedSinceMs, limit]).map(Self.incident)
        }
    }

    public func mark(_ name: String) async throws -> Int64? {
        try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM marks WHERE name = ?", arguments: [name]) }
    }

    public func setMark(_ name: String, _ value: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO marks (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                           arguments: [name, value])
        }
    }

    public func notificationMark(incidentID: String) async throws -> NotificationMark? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM notification_marks WHERE incident_id = ?", arguments: [incidentID]).map { row in
                NotificationMark(incidentID: row["incident_id"], version: row["version"], state: row["state"])
            }
        }
    }

    public func commitNotifications(incidentID: String, expectedVersion: Int?, state: String, entries: [OutboxEntry]) async throws -> Bool {
        try await pool.write { db in
            if let expectedVersion {
                try db.execute(sql: "UPDATE notification_marks SET version = version + 1, state = ? WHERE incident_id = ? AND version = ?",
                               arguments: [state, incidentID, expectedVersion])
            } else {
                try db.execute(sql: "INSERT INTO notification_marks (incident_id, version, state) VALUES (?, 1, ?) ON CONFLICT (incident_id) DO NOTHING",
                               arguments: [incidentID, state])
            }
            guard db.changesCount == 1 else { return false }
            for entry in entries {
                try db.execute(sql: """
                    INSERT INTO notification_outbox (key, channel, incident_id, kind, created_at, payload, status, attempts,
                                                     next_attempt_at, last_result, delivered_at, lease_owner, lease_until)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0)
                    ON CONFLICT (key, channel) DO NOTHING
                    """, arguments: [entry.key, entry.channel, entry.incidentID, entry.kind, entry.createdMs, entry.payload,
                                     entry.status.rawValue, entry.attempts, entry.nextAttemptMs, entry.lastResult, entry.deliveredMs])
            }
            return true
        }
    }

    public func claimDeliveries(nowMs: Int64, owner: String, leaseMs: Int64, limit: Int) async throws -> [OutboxEntry] {
        try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM notification_outbox AS o WHERE status = 'pending' AND next_attempt_at <= ? AND lease_until <= ?
                  AND NOT EXISTS (SELECT 1 FROM notification_outbox AS e WHERE e.incident_id = o.incident_id
                                  AND e.channel = o.channel AND e.status = 'pending' AND e.id < o.id)
                ORDER BY next_attempt_at, id LIMIT ?
                """, arguments: [nowMs, nowMs, limit])
            for row in rows {
                try db.execute(sql: "UPDATE notification_outbox SET lease_owner = ?, lease_until = ? WHERE id = ?",
                               arguments: [owner, nowMs + leaseMs, row["id"] as Int64])
            }
            return rows.compactMap(Self.outboxEntry)
        }
    }

    public func finishDelivery(id: Int64, _ update: DeliveryUpdate) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE notification_outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_result = ?, delivered_at = ?,
                  lease_owner = NULL, lease_until = 0 WHERE id = ?
                """, arguments: [update.status.rawValue, update.attempts, update.nextAttemptMs, update.lastResult, update.deliveredMs, id])
        }
    }

    public func deliveries(incidentID: String?, limit: Int) async throws -> [OutboxEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM notification_outbox WHERE (? IS NULL OR incident_id = ?) ORDER BY created_at DESC, id DESC LIMIT ?
                """, arguments: [incidentID, incidentID, limit]).compactMap(Self.outboxEntry)
        }
    }

    public func pruneDeliveries(createdBeforeMs: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM notification_outbox WHERE created_at < ? AND status <> 'pending'", arguments: [createdBeforeMs])
            return db.changesCount
        }
    }

    static func outboxEntry(_ row: Row) -> OutboxEntry? {
        guard let status = OutboxEntry.Status(rawValue: row["status"]) else { return nil }
        return OutboxEntry(id: row["id"], key: row["key"], channel: row["channel"], incidentID: row["incident_id"], kind: row["kind"],
                           createdMs: row["created_at"], payload: row["payload"], status: status, attempts: row["attempts"],
                           nextAttemptMs: row["next_attempt_at"], lastResult: row["last_result"], deliveredMs: row["delivered_at"])
    }
}
