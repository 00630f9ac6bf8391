import Foundation

/// One versioned schema change, written once with the few words that differ per dialect.
struct Migration: Sendable {
    var version: Int
    var name: String
    var statements: [String]
    /// The dialects the statements are for; a migration for one store's layout alone is recorded
    /// as applied by the other without running anything, so that versions stay the same on both.
    var dialects: Set<Dialect> = [.sqlite, .postgres]

    enum Dialect {
        case sqlite
        case postgres
    }

    /// The statements with `{ID}` and `{REAL}` spelt for the dialect.
    func sql(for dialect: Dialect) -> [String] {
        guard dialects.contains(dialect) else { return [] }
        return statements.map { statement in
            switch dialect {
            case .sqlite:
                return statement.replacingOccurrences(of: "{ID}", with: "INTEGER PRIMARY KEY AUTOINCREMENT")
                    .replacingOccurrences(of: "{REAL}", with: "REAL")
            case .postgres:
                return statement.replacingOccurrences(of: "{ID}", with: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
                    .replacingOccurrences(of: "{REAL}", with: "DOUBLE PRECISION")
            }
        }
    }

    /// Every migration, in order. Append only: an applied migration is never edited.
    static let all: [Migration] = [
        Migration(version: 1, name: "results, rollups, agents, run claims", statements: [
            """
            CREATE TABLE results (
                id {ID},
                origin TEXT NOT NULL,
                sequence BIGINT,
                probe_id TEXT NOT NULL,
                service TEXT NOT NULL,
                path TEXT NOT NULL,
                region TEXT NOT NULL,
                started_at BIGINT NOT NULL,
                planned_at BIGINT NOT NULL,
                duration_ms {REAL} NOT NULL,
                outcome TEXT NOT NULL,
                failure_class TEXT,
                failure_reason TEXT,
                failed_step TEXT,
                error TEXT,
                cert_days_left INTEGER,
                steps TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX results_origin_sequence ON results (origin, sequence)",
            "CREATE INDEX results_probe_time ON results (probe_id, region, started_at)",
            "CREATE INDEX results_series_time ON results (service, path, region, started_at)",
            "CREATE INDEX results_started ON results (started_at)",
            """
            CREATE TABLE latest_results (
                probe_id TEXT NOT NULL,
                region TEXT NOT NULL,
                result_id BIGINT NOT NULL,
                started_at BIGINT NOT NULL,
                PRIMARY KEY (probe_id, region)
            )
            """,
            """
            CREATE TABLE rollups (
                resolution TEXT NOT NULL,
                service TEXT NOT NULL,
                path TEXT NOT NULL,
                region TEXT NOT NULL,
                source TEXT NOT NULL,
                bucket BIGINT NOT NULL,
                total BIGINT NOT NULL,
                ok BIGINT NOT NULL,
                failed BIGINT NOT NULL,
                classes TEXT NOT NULL,
                latency TEXT NOT NULL,
                p50 {REAL},
                p90 {REAL},
                p99 {REAL},
                PRIMARY KEY (resolution, service, path, region, source, bucket)
            )
            """,
            "CREATE INDEX rollups_bucket ON rollups (resolution, bucket)",
            """
            CREATE TABLE rollup_dirty (
                service TEXT NOT NULL,
                path TEXT NOT NULL,
                region TEXT NOT NULL,
                source TEXT NOT NULL,
                bucket BIGINT NOT NULL,
                PRIMARY KEY (service, path, region, source, bucket)
            )
            """,
            """
            CREATE TABLE agents (
                id TEXT PRIMARY KEY,
                token_hash TEXT UNIQUE,
                region TEXT,
                created_at BIGINT NOT NULL,
                last_seen BIGINT
            )
            """,
            """
            CREATE TABLE run_claims (
                probe_id TEXT NOT NULL,
                region TEXT NOT NULL,
                planned_at BIGINT NOT NULL,
                replica TEXT NOT NULL,
                PRIMARY KEY (probe_id, region, planned_at)
            )
            """,
            "CREATE INDEX run_claims_planned ON run_claims (planned_at)",
        ]),
        Migration(version: 2, name: "signal batches, incidents, incident notes", statements: [
            """
            CREATE TABLE signal_batches (
                id {ID},
                source TEXT NOT NULL,
                idempotency_key TEXT NOT NULL,
                received_at BIGINT NOT NULL,
                first_time BIGINT NOT NULL,
                last_time BIGINT NOT NULL,
                lines INTEGER NOT NULL,
                body TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX signal_batches_key ON signal_batches (source, idempotency_key)",
            "CREATE INDEX signal_batches_last_time ON signal_batches (last_time)",
            """
            CREATE TABLE incidents (
                id TEXT PRIMARY KEY,
                fingerprint TEXT NOT NULL,
                service TEXT NOT NULL,
                status TEXT NOT NULL,
                opened_at BIGINT NOT NULL,
                resolved_at BIGINT,
                updated_at BIGINT NOT NULL,
                body TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX incidents_one_open_per_fingerprint ON incidents (fingerprint) WHERE resolved_at IS NULL",
            "CREATE INDEX incidents_opened ON incidents (opened_at)",
            """
            CREATE TABLE incident_notes (
                id {ID},
                incident_id TEXT NOT NULL REFERENCES incidents (id),
                at BIGINT NOT NULL,
                author TEXT NOT NULL,
                status TEXT,
                text TEXT NOT NULL
            )
            """,
            "CREATE INDEX incident_notes_incident ON incident_notes (incident_id, at)",
        ]),
        Migration(version: 3, name: "users and sessions", statements: [
            """
            CREATE TABLE users (
                name TEXT PRIMARY KEY,
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE sessions (
                id_hash TEXT PRIMARY KEY,
                user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
                csrf_token TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_seen BIGINT NOT NULL
            )
            """,
            "CREATE INDEX sessions_user ON sessions (user_name)",
        ]),
        Migration(version: 4, name: "notification outbox", statements: [
            "CREATE INDEX incidents_updated ON incidents (updated_at)",
            """
            CREATE TABLE marks (
                name TEXT PRIMARY KEY,
                value BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE notification_marks (
                incident_id TEXT PRIMARY KEY,
                version INTEGER NOT NULL,
                state TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE notification_outbox (
                id {ID},
                key TEXT NOT NULL,
                channel TEXT NOT NULL,
                incident_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                payload TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                next_attempt_at BIGINT NOT NULL,
                last_result TEXT,
                delivered_at BIGINT,
                lease_owner TEXT,
                lease_until BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX notification_outbox_key ON notification_outbox (key, channel)",
            "CREATE INDEX notification_outbox_due ON notification_outbox (status, next_attempt_at)",
            "CREATE INDEX notification_outbox_incident ON notification_outbox (incident_id, created_at)",
        ]),
        Migration(version: 5, name: "provider advisories", statements: [
            """
            CREATE TABLE advisory_versions (
                id {ID},
                tenant TEXT NOT NULL,
                issue_id TEXT NOT NULL,
                version_key TEXT NOT NULL,
                polled_at BIGINT NOT NULL,
                status TEXT NOT NULL,
                body TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX advisory_versions_key ON advisory_versions (tenant, version_key)",
            "CREATE INDEX advisory_versions_polled ON advisory_versions (polled_at)",
            "CREATE INDEX advisory_versions_issue ON advisory_versions (issue_id, id)",
            """
            CREATE TABLE planned_changes (
                tenant TEXT NOT NULL,
                id TEXT NOT NULL,
                title TEXT NOT NULL,
                services TEXT NOT NULL,
                start_at BIGINT NOT NULL,
                end_at BIGINT NOT NULL,
                PRIMARY KEY (tenant, id)
            )
            """,
        ]),
        // Rollups read a minute's results by time (results_started) and count the dirty series
        // in it; the per-series index cost every append a fourth index insert.
        Migration(version: 6, name: "rollups read results by time", statements: [
            "DROP INDEX IF EXISTS results_series_time",
        ]),
        // The status an operator set last (a note with a status), kept on the incident so that
        // every list shows an operator's resolution without reading the notes of each incident.
        Migration(version: 7, name: "operator status on incidents", statements: [
            "ALTER TABLE incidents ADD COLUMN operator_status TEXT",
            "ALTER TABLE incidents ADD COLUMN operator_status_at BIGINT",
        ]),
        // Who set it, so that notifications say so without reading the notes; incidents annotated
        // before version 7 get all three from their latest status note.
        Migration(version: 8, name: "operator status author", statements: [
            "ALTER TABLE incidents ADD COLUMN operator_status_by TEXT",
            """
            UPDATE incidents SET
              operator_status = (SELECT n.status FROM incident_notes n WHERE n.incident_id = incidents.id AND n.status IS NOT NULL
                                 ORDER BY n.at DESC, n.id DESC LIMIT 1),
              operator_status_at = (SELECT n.at FROM incident_notes n WHERE n.incident_id = incidents.id AND n.status IS NOT NULL
                                    ORDER BY n.at DESC, n.id DESC LIMIT 1),
              operator_status_by = (SELECT n.author FROM incident_notes n WHERE n.incident_id = incidents.id AND n.status IS NOT NULL
                                    ORDER BY n.at DESC, n.id DESC LIMIT 1)
            WHERE EXISTS (SELECT 1 FROM incident_notes n WHERE n.incident_id = incidents.id AND n.status IS NOT NULL)
            """,
        ]),
        // A probe's results indexed by minute first: with 10,000 probes, (probe_id, region,
        // started_at) put every appended result at a random place in the index, so each commit
        // rewrote thousands of index pages; by minute, appends touch only the current minute's part.
        // A probe's history walks the minutes of its window (SQLiteStore/PostgresStore.results(probeID:…)).
        Migration(version: 9, name: "probe history indexed by minute", statements: [
            "DROP INDEX IF EXISTS results_probe_time",
            "CREATE INDEX results_minute_probe ON results ((started_at / 60000), probe_id, region)",
        ]),
        // SQLite's one writer thread is the ceiling of ingest: an append now inserts the results
        // and nothing else. The newest result per probe and the minutes to roll up are worked out
        // by the maintenance job from what came after a mark (`store_marks.folded`; rowids only
        // grow and SQLite commits one writer at a time, so nothing committed can hide below it),
        // and the minute index serves every read by time, so `results_started` goes. The marks
        // left in rollup_dirty by older versions are still read. PostgreSQL, whose identities
        // can commit out of order, keeps its marks and its upsert per append.
        Migration(version: 10, name: "appends insert results only", statements: [
            "DROP INDEX IF EXISTS results_started",
            "CREATE TABLE store_marks (name TEXT PRIMARY KEY, id BIGINT NOT NULL)",
            "INSERT INTO store_marks (name, id) SELECT 'folded', COALESCE(MAX(id), 0) FROM results",
        ], dialects: [.sqlite]),
        // Detection on every replica reads what any replica stored, in commit order
        // (`CommitPosition`): each row keeps the id of the transaction that inserted it. Existing
        // rows take the migration's own. SQLite's row ids are in commit order already.
        Migration(version: 11, name: "rows keep their inserting transaction", statements: [
            "ALTER TABLE signal_batches ADD COLUMN committed_xid xid8 NOT NULL DEFAULT pg_current_xact_id()",
            "ALTER TABLE results ADD COLUMN committed_xid xid8 NOT NULL DEFAULT pg_current_xact_id()",
            "ALTER TABLE advisory_versions ADD COLUMN committed_xid xid8 NOT NULL DEFAULT pg_current_xact_id()",
            "CREATE INDEX signal_batches_commit ON signal_batches (committed_xid, id)",
            "CREATE INDEX results_commit ON results (committed_xid, id)",
            "CREATE INDEX advisory_versions_commit ON advisory_versions (committed_xid, id)",
        ], dialects: [.postgres]),
    ]
}
