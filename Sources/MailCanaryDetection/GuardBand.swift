/// A baseline's guard band: each observation waits here for `capacity` newer ones before it may be
/// learned, so the minutes in which a fault's evidence is still gathering are not yet in the
/// baseline they are tested against.
struct GuardBand<Element> {
    private var ring: [Element] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// Adds the newest observation and returns the one now old enough to learn, if any.
    mutating func push(_ value: Element) -> Element? {
        guard capacity > 0 else { return value }
        if ring.count < capacity {
            ring.append(value)
            return nil
        }
        let oldest = ring[next]
        ring[next] = value
        next = (next + 1) % capacity
        return oldest
    }
}

extension GuardBand: Sendable where Element: Sendable {}
