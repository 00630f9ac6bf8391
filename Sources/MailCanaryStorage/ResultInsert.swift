import GRDB
import GRDBSQLite
import MailCanaryCore

/// The one statement of the ingest path, bound through the SQLite C API: GRDB's argument arrays
/// box every value in an existential, which cost the single writer thread about a fifth of its time
/// at 40,000 rows per second. Lives only inside one write transaction.
struct ResultInsert {
    private let statement: Statement
    private let handle: OpaquePointer

    init(_ db: Database) throws {
        statement = try db.makeStatement(sql: """
            INSERT OR IGNORE INTO results (origin, sequence, probe_id, service, path, region, started_at, planned_at,
                duration_ms, outcome, failure_class, failure_reason, failed_step, error, cert_days_left, steps)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        handle = statement.sqliteStatement
    }

    /// Inserts one result; false when (origin, sequence) is already stored.
    func insert(_ result: StoredResult, steps: String, db: Database) throws -> Bool {
        sqlite3_reset(handle)
        bind(1, result.origin)
        bind(2, result.sequence)
        bind(3, result.probeID)
        bind(4, result.service)
        bind(5, result.path)
        bind(6, result.region)
        bind(7, result.startedAtMs)
        bind(8, result.plannedAtMs)
        sqlite3_bind_double(handle, 9, result.durationMs)
        bind(10, result.outcome.rawValue)
        bind(11, result.failureClass?.rawValue)
        bind(12, result.failureReason)
        bind(13, result.failedStep)
        bind(14, result.error)
        bind(15, result.certificateDaysLeft.map(Int64.init))
        bind(16, steps)
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        return sqlite3_changes(db.sqliteConnection) > 0
    }

    private static let empty: [CChar] = [0]
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func bind(_ index: Int32, _ text: String?) {
        guard var text else { sqlite3_bind_null(handle, index); return }
        text.withUTF8 { utf8 in
            _ = utf8.withMemoryRebound(to: CChar.self) { chars in
                // A zero-length blob of text still needs a non-null pointer, or SQLite stores NULL.
                Self.empty.withUnsafeBufferPointer { empty in
                    sqlite3_bind_text(handle, index, chars.baseAddress ?? empty.baseAddress, Int32(chars.count), Self.transient)
                }
            }
        }
    }

    private func bind(_ index: Int32, _ value: Int64?) {
        guard let value else { sqlite3_bind_null(handle, index); return }
        sqlite3_bind_int64(handle, index, value)
    }
}
