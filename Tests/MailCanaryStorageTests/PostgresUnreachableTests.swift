import Foundation
import Logging
@testable import MailCanaryStorage
import Testing

@Suite("PostgreSQL unreachable")
struct PostgresUnreachableTests {
    @Test("the health check answers within its deadline, naming the cause, instead of waiting a minute for the pool to give up")
    func pingDeadline() async throws {
        // Nothing listens on port 1 of the loopback: every connection attempt is refused, and the
        // pool keeps the query waiting for a connection until its circuit breaker trips (60 s).
        let store = PostgresStore(.init(host: "127.0.0.1", port: 1, user: "nobody", password: "not-logged", database: "none"),
                                  logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            let started = ContinuousClock.now
            let failure = await #expect(throws: (any Error).self) { try await store.ping() }
            let waited = ContinuousClock.now - started
            // Far below the pool's minute, with room for a machine busy running other tests.
            #expect(waited < PostgresStore.pingDeadline + .seconds(15), "waited \(waited)")
            #expect(failure.map { String(describing: $0) } == "PostgreSQL did not answer in time")
            #expect(!String(describing: failure as Any).contains("not-logged"))
        }
    }
}
