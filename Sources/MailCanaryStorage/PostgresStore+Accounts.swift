import PostgresNIO

extension PostgresStore {
    public func saveUser(_ user: UserAccount) async throws {
        // One statement: the user's sessions end in the same transaction as the change.
        try await client.query("""
            WITH ended AS (DELETE FROM sessions WHERE user_name = \(user.name))
            INSERT INTO users (name, password_hash, role, created_at)
            VALUES (\(user.name), \(user.passwordHash), \(user.role.rawValue), \(user.createdMs))
            ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role
            """, logger: logger)
    }

    public func user(name: String) async throws -> UserAccount? {
        let rows = try await client.query("SELECT name, password_hash, role, created_at FROM users WHERE name = \(name)", logger: logger)
        for try await row in rows.decode((String, String, String, Int64).self) { return Self.user(row) }
        return nil
    }

    public func users() async throws -> [UserAccount] {
        let rows = try await client.query("SELECT name, password_hash, role, created_at FROM users ORDER BY name", logger: logger)
        var users: [UserAccount] = []
        for try await row in rows.decode((String, String, String, Int64).self) { if let user = Self.user(row) { users.append(user) } }
        return users
    }

    public func deleteUser(name: String) async throws -> Bool {
        let rows = try await client.query("""
            WITH ended AS (DELETE FROM sessions WHERE user_name = \(name))
            DELETE FROM users WHERE name = \(name) RETURNING 1
            """, logger: logger)
        return try await rows.collect().count == 1
    }

    public func createSession(_ session: SessionRecord) async throws {
        try await client.query("""
            INSERT INTO sessions (id_hash, user_name, csrf_token, created_at, last_seen)
            VALUES (\(session.idHash), \(session.user), \(session.csrfToken), \(session.createdMs), \(session.lastSeenMs))
            """, logger: logger)
    }

    public func session(idHash: String) async throws -> SessionRecord? {
        let rows = try await client.query("""
            SELECT id_hash, user_name, csrf_token, created_at, last_seen FROM sessions WHERE id_hash = \(idHash)
            """, logger: logger)
        for try await (id, user, csrf, created, lastSeen) in rows.decode((String, String, String, Int64, Int64).self) {
            return SessionRecord(idHash: id, user: user, csrfToken: csrf, createdMs: created, lastSeenMs: lastSeen)
        }
        return nil
    }

    public func touchSession(idHash: String, atMs: Int64) async throws {
        try await client.query("UPDATE sessions SET last_seen = \(atMs) WHERE id_hash = \(idHash) AND last_seen < \(atMs)", logger: logger)
    }

    public func deleteSession(idHash: String) async throws {
        try await client.query("DELETE FROM sessions WHERE id_hash = \(idHash)", logger: logger)
    }

    public func pruneSessions(lastSeenBeforeMs: Int64, createdBeforeMs: Int64) async throws -> Int {
        let rows = try await client.query("""
            DELETE FROM sessions WHERE last_seen < \(lastSeenBeforeMs) OR created_at < \(createdBeforeMs) RETURNING 1
            """, logger: logger)
        return try await rows.collect().count
    }

    public func revokeToken(id: String) async throws -> Bool {
        let rows = try await client.query("DELETE FROM agents WHERE id = \(id) RETURNING 1", logger: logger)
        return try await rows.collect().count == 1
    }

    static func user(_ row: (String, String, String, Int64)) -> UserAccount? {
        UserAccount.Role(rawValue: row.2).map { UserAccount(name: row.0, passwordHash: row.1, role: $0, createdMs: row.3) }
    }
}
