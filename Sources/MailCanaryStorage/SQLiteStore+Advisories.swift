import Foundation
import GRDB

extension SQLiteStore {
    public func appendAdvisoryVersion(_ version: AdvisoryVersion) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO advisory_versions (tenant, issue_id, version_key, polled_at, status, body) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (tenant, version_key) DO NOTHING
                """, arguments: [version.tenant, version.issueID, version.versionKey, version.polledAtMs, version.status, version.body])
            return db.changesCount == 1
        }
    }

    public func advisoryVersions(polledFromMs: Int64, afterID: Int64, limit: Int) async throws -> [AdvisoryVersion] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM advisory_versions WHERE polled_at >= ? AND id > ? ORDER BY id LIMIT ?",
                             arguments: [polledFromMs, afterID, limit]).map(Self.advisoryVersion)
        }
    }

    public func advisoryVersions(issueID: String) async throws -> [AdvisoryVersion] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM advisory_versions WHERE issue_id = ? ORDER BY id", arguments: [issueID]).map(Self.advisoryVersion)
        }
    }

    public func replacePlannedChanges(tenant: String, _ changes: [PlannedChangeRecord]) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM planned_changes WHERE tenant = ?", arguments: [tenant])
            for change in changes {
                try db.execute(sql: "INSERT INTO planned_changes (tenant, id, title, services, start_at, end_at) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [tenant, change.id, change.title, Self.encodeList(change.services), change.startMs, change.endMs])
            }
        }
    }

    public func plannedChanges(endingAfterMs: Int64) async throws -> [PlannedChangeRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM planned_changes WHERE end_at > ? ORDER BY start_at, tenant, id", arguments: [endingAfterMs]).map { row in
                PlannedChangeRecord(tenant: row["tenant"], id: row["id"], title: row["title"], services: Self.decodeList(row["services"]),
                                    startMs: row["start_at"], endMs: row["end_at"])
            }
        }
    }

    static func advisoryVersion(_ row: Row) -> AdvisoryVersion {
        AdvisoryVersion(id: row["id"], tenant: row["tenant"], issueID: row["issue_id"], versionKey: row["version_key"],
                        polledAtMs: row["polled_at"], status: row["status"], body: row["body"])
    }

    static func encodeList(_ list: [String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: list)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decodeList(_ text: String) -> [String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String] ?? []
    }
}
