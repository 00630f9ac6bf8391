import Logging
import PostgresNIO

/// The detection lease: a session-level advisory lock on a connection of its own, outside the
/// pool, held for as long as the replica runs. PostgreSQL releases it when the session ends, so a
/// replica that stops or loses its connection gives it up without saying so.
///
/// Every exchange on that connection has a deadline: a query sent on a session the server has
/// just ended (or across a dead network) may never be answered, and detection asks every second.
actor DetectionLeaseHolder {
    static let lockKey: Int64 = 0x4D43_0003
    static let deadline: Duration = .seconds(5)

    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private var connection: PostgresConnection?
    private var held = false

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// True while the lock is this replica's: taken now, or held and its session still answering.
    func hold() async throws -> Bool {
        do {
            let connection: PostgresConnection
            if let open = self.connection, !open.isClosed {
                connection = open
            } else {
                held = false
                let configuration = self.configuration, logger = self.logger
                connection = try await Deadline.within(Self.deadline) {
                    try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
                }
                self.connection = connection
            }
            let logger = self.logger
            if held {
                try await Deadline.within(Self.deadline) { _ = try await connection.query("SELECT 1", logger: logger).collect() }
                return true
            }
            held = try await Deadline.within(Self.deadline) {
                var granted = false
                for try await value in try await connection.query("SELECT pg_try_advisory_lock(\(Self.lockKey))", logger: logger).decode(Bool.self) {
                    granted = value
                }
                return granted
            }
            return held
        } catch {
            await release()
            throw error
        }
    }

    /// Unlocks (so that another replica can take the lease at its next check: the server frees a
    /// closed session's locks only a moment later) and closes the connection, each within the
    /// deadline (a session the server has already ended has nothing to give up).
    func release() async {
        let wasHeld = held
        held = false
        let connection = self.connection
        self.connection = nil
        guard let connection else { return }
        let logger = self.logger
        if wasHeld {
            try? await Deadline.within(Self.deadline) {
                _ = try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger).collect()
            }
        }
        try? await Deadline.within(Self.deadline) { try await connection.close() }
    }
}
