/// The last minutes of one series, oldest overwritten first: bounded whatever the uptime.
struct SeriesHistory: Sendable {
    private var ring: [SeriesPoint] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func append(_ point: SeriesPoint) {
        guard capacity > 0 else { return }
        if ring.count < capacity {
            ring.append(point)
        } else {
            ring[next] = point
            next = (next + 1) % capacity
        }
    }

    /// Oldest first.
    var points: [SeriesPoint] {
        ring.count < capacity ? ring : Array(ring[next...] + ring[..<next])
    }
}
