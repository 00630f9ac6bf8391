import NIOConcurrencyHelpers

/// A thread-safe dictionary that empties itself when it reaches `limit` entries: the simplest
/// bound that keeps memory flat when targets rotate certificates or many targets are probed.
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let storage = NIOLockedValueBox([Key: Value]())
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    subscript(key: Key) -> Value? {
        storage.withLockedValue { $0[key] }
    }

    func insert(_ value: Value, for key: Key) {
        storage.withLockedValue { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }
}
