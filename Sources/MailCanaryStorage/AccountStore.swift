/// A person who may sign in to the dashboard: an administrator or a read-only viewer. Only a
/// hash of the password is stored (scrypt, with its parameters and salt, in one string).
public struct UserAccount: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case admin, viewer
    }

    public var name: String
    public var passwordHash: String
    public var role: Role
    public var createdMs: Int64

    public init(name: String, passwordHash: String, role: Role, createdMs: Int64) {
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.createdMs = createdMs
    }
}

/// A signed-in browser: the hash of its cookie's secret, whose it is, its form token, and when it
/// began and was last used (idle and absolute timeouts are decided from these).
public struct SessionRecord: Sendable, Equatable {
    public var idHash: String
    public var user: String
    public var csrfToken: String
    public var createdMs: Int64
    public var lastSeenMs: Int64

    public init(idHash: String, user: String, csrfToken: String, createdMs: Int64, lastSeenMs: Int64) {
        self.idHash = idHash
        self.user = user
        self.csrfToken = csrfToken
        self.createdMs = createdMs
        self.lastSeenMs = lastSeenMs
    }
}

/// Users, sessions and token revocation.
public protocol AccountStore: Sendable {
    /// Creates or replaces a user (a new password or role); replacing ends the user's sessions.
    func saveUser(_ user: UserAccount) async throws
    func user(name: String) async throws -> UserAccount?
    func users() async throws -> [UserAccount]
    /// False when there was no such user. Its sessions end with it.
    func deleteUser(name: String) async throws -> Bool
    func createSession(_ session: SessionRecord) async throws
    func session(idHash: String) async throws -> SessionRecord?
    func touchSession(idHash: String, atMs: Int64) async throws
    func deleteSession(idHash: String) async throws
    /// Removes sessions idle since before `lastSeenBeforeMs` or begun before `createdBeforeMs`.
    func pruneSessions(lastSeenBeforeMs: Int64, createdBeforeMs: Int64) async throws -> Int
    /// Revokes a bearer token (an agent's, or a `telemetry:`, `operator:` or `reader:` one): it
    /// stops working at once. False when there was none.
    func revokeToken(id: String) async throws -> Bool
}
