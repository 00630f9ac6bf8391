import GRDB

extension SQLiteStore {
    public func saveUser(_ user: UserAccount) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE user_name = ?", arguments: [user.name])
            try db.execute(sql: """
                INSERT INTO users (name, password_hash, role, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role
                """, arguments: [user.name, user.passwordHash, user.role.rawValue, user.createdMs])
        }
    }

    public func user(name: String) async throws -> UserAccount? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).flatMap(Self.user)
        }
    }

    public func users() async throws -> [UserAccount] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").compactMap(Self.user) }
    }

    public func deleteUser(name: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE user_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            return db.changesCount == 1
        }
    }

    public func createSession(_ session: SessionRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                           arguments: [session.idHash, session.user, session.csrfToken, session.createdMs, session.lastSeenMs])
        }
    }

    public func session(idHash: String) async throws -> SessionRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sessions WHERE id_hash = ?", arguments: [idHash]).map { row in
                SessionRecord(idHash: row["id_hash"], user: row["user_name"], csrfToken: row["csrf_token"],
                              createdMs: row["created_at"], lastSeenMs: row["last_seen"])
            }
        }
    }

    public func touchSession(idHash: String, atMs: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE sessions SET last_seen = ? WHERE id_hash = ? AND last_seen < ?", arguments: [atMs, idHash, atMs])
        }
    }

    public func deleteSession(idHash: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM sessions WHERE id_hash = ?", arguments: [idHash]) }
    }

    public func pruneSessions(lastSeenBeforeMs: Int64, createdBeforeMs: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?", arguments: [lastSeenBeforeMs, createdBeforeMs])
            return db.changesCount
        }
    }

    public func revokeToken(id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM agents WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
    }

    static func user(_ row: Row) -> UserAccount? {
        guard let role = UserAccount.Role(rawValue: row["role"]) else { return nil }
        return UserAccount(name: row["name"], passwordHash: row["password_hash"], role: role, createdMs: row["created_at"])
    }
}
