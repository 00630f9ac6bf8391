import NIOConcurrencyHelpers

/// Group commit: appends that arrive while a write transaction is running wait for it and then go
/// into the next transaction together, so that concurrent uploads share one commit (one `fsync`
/// with `synchronous=FULL`) instead of queueing for one each. Each caller still gets its own
/// outcome, and only after the transaction holding its rows has committed. When a shared
/// transaction fails, its items are written again one by one, so one bad batch cannot fail the
/// batches that happened to share its commit.
final class GroupCommit<Item: Sendable, Outcome: Sendable>: Sendable {
    typealias Write = @Sendable ([Item]) async throws -> [Outcome]

    private struct State {
        var waiting: [(item: Item, continuation: CheckedContinuation<Outcome, any Error>)] = []
        var writing = false
    }

    private let state = NIOLockedValueBox(State())
    private let write: Write
    /// At most this many items share one transaction (bounds a transaction's size and time).
    private let maximumItems: Int

    init(maximumItems: Int = 16, write: @escaping Write) {
        self.maximumItems = maximumItems
        self.write = write
    }

    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let startWriter = state.withLockedValue { state -> Bool in
                state.waiting.append((item, continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if startWriter { Task { await self.drain() } }
        }
    }

    /// Writes what is waiting, transaction after transaction, until nothing is.
    private func drain() async {
        while true {
            let group = state.withLockedValue { state -> [(item: Item, continuation: CheckedContinuation<Outcome, any Error>)] in
                guard !state.waiting.isEmpty else {
                    state.writing = false
                    return []
                }
                let taken = Array(state.waiting.prefix(maximumItems))
                state.waiting.removeFirst(taken.count)
                return taken
            }
            if group.isEmpty { return }
            do {
                let outcomes = try await write(group.map(\.item))
                for (index, waiting) in group.enumerated() { waiting.continuation.resume(returning: outcomes[index]) }
            } catch where group.count > 1 {
                for waiting in group {
                    do {
                        let outcome = try await write([waiting.item])
                        waiting.continuation.resume(returning: outcome[0])
                    } catch {
                        waiting.continuation.resume(throwing: error)
                    }
                }
            } catch {
                group[0].continuation.resume(throwing: error)
            }
        }
    }
}
