@testable import MailCanaryStorage
import NIOConcurrencyHelpers
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    struct Refused: Error {}

    @Test("appends waiting for a transaction share the next one; a failing one fails alone")
    func sharesAndIsolates() async throws {
        let transactions = NIOLockedValueBox<[[Int]]>([])
        let commit = GroupCommit<Int, Int> { items in
            transactions.withLockedValue { $0.append(items) }
            try await Task.sleep(for: .milliseconds(100))
            if items.contains(where: { $0 < 0 }) { throw Refused() }
            return items.map { $0 * 10 }
        }
        async let first = commit.submit(1)
        try await Task.sleep(for: .milliseconds(30))   // the first transaction is running
        async let second = commit.submit(2)
        async let bad: Bool = { do { _ = try await commit.submit(-1); return false } catch { return error is Refused } }()
        async let third = commit.submit(3)
        #expect(try await first == 10)
        #expect(try await second == 20)
        #expect(try await third == 30)
        #expect(await bad, "the bad item fails with its own error")
        let seen = transactions.withLockedValue { $0 }
        // [1], then the three that waited together, then each of them alone after that failed.
        #expect(seen.first == [1])
        #expect(seen.count == 5 && Set(seen[1]) == [2, -1, 3] && seen[2...].allSatisfy { $0.count == 1 }, "\(seen)")
    }
}
