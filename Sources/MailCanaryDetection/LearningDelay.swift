/// A baseline's guard band: each observation waits here for `capacity` newer ones before it is
/// learned, so the climb before an alarm (the first minutes of a subtle fault or a slow rise, while
/// the evidence is still gathering) is not taught to the baseline it is tested against. When an
/// alarm is raised, what waits is discarded: those minutes belong to the anomaly.
struct LearningDelay<Element> {
    private var ring: [Element] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { ring.count }

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

    mutating func discard() {
        ring.removeAll(keepingCapacity: true)
        next = 0
    }
}
extension LearningDelay: Sendable where Element: Sendable {}
