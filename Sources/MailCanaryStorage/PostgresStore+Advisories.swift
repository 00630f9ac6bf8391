import PostgresNIO

extension PostgresStore {
    public func appendAdvisoryVersion(_ version: AdvisoryVersion) async throws -> Bool {
        let rows = try await client.query("""
            INSERT INTO advisory_versions (tenant, issue_id, version_key, polled_at, status, body)
            VALUES (\(version.tenant), \(version.issueID), \(version.versionKey), \(version.polledAtMs), \(version.status), \(version.body))
            ON CONFLICT (tenant, version_key) DO NOTHING RETURNING 1
            """, logger: logger)
        return try await rows.collect().count == 1
    }

    public func advisoryVersions(polledFromMs: Int64, afterID: Int64, limit: Int) async throws -> [AdvisoryVersion] {
        let rows = try await client.query("""
            SELECT id, tenant, issue_id, version_key, polled_at, status, body FROM advisory_versions
            WHERE polled_at >= \(polledFromMs) AND id > \(afterID) ORDER BY id LIMIT \(Int64(limit))
            """, logger: logger)
        return try await Self.advisoryVersions(rows)
    }

    public func advisoryVersions(issueID: String) async throws -> [AdvisoryVersion] {
        let rows = try await client.query("""
            SELECT id, tenant, issue_id, version_key, polled_at, status, body FROM advisory_versions WHERE issue_id = \(issueID) ORDER BY id
            """, logger: logger)
        return try await Self.advisoryVersions(rows)
    }

    public func replacePlannedChanges(tenant: String, _ changes: [PlannedChangeRecord]) async throws {
        let logger = self.logger
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("DELETE FROM planned_changes WHERE tenant = \(tenant)", logger: logger)
            for change in changes {
                try await connection.query("""
                    INSERT INTO planned_changes (tenant, id, title, services, start_at, end_at)
                    VALUES (\(tenant), \(change.id), \(change.title), \(SQLiteStore.encodeList(change.services)), \(change.startMs), \(change.endMs))
                    """, logger: logger)
            }
        }
    }

    public func plannedChanges(endingAfterMs: Int64) async throws -> [PlannedChangeRecord] {
        let rows = try await client.query("""
            SELECT tenant, id, title, services, start_at, end_at FROM planned_changes WHERE end_at > \(endingAfterMs) ORDER BY start_at, tenant, id
            """, logger: logger)
        var out: [PlannedChangeRecord] = []
        for try await (tenant, id, title, services, start, end) in rows.decode((String, String, String, String, Int64, Int64).self) {
            out.append(PlannedChangeRecord(tenant: tenant, id: id, title: title, services: SQLiteStore.decodeList(services), startMs: start, endMs: end))
        }
        return out
    }

    static func advisoryVersions(_ rows: PostgresRowSequence) async throws -> [AdvisoryVersion] {
        var out: [AdvisoryVersion] = []
        for try await row in rows { out.append(try Self.advisoryVersion(row.makeRandomAccess())) }
        return out
    }

    /// One `advisory_versions` row, by column name (the listings and detection's feed).
    static func advisoryVersion(_ cells: PostgresRandomAccessRow) throws -> AdvisoryVersion {
        AdvisoryVersion(id: try cells["id"].decode(Int64.self), tenant: try cells["tenant"].decode(String.self),
                        issueID: try cells["issue_id"].decode(String.self), versionKey: try cells["version_key"].decode(String.self),
                        polledAtMs: try cells["polled_at"].decode(Int64.self), status: try cells["status"].decode(String.self),
                        body: try cells["body"].decode(String.self))
    }
}
