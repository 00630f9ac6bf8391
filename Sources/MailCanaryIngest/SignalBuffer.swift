import MailCanaryCore

/// A chunk's signals in file order, in memory of its own, so that detection can move each one out
/// (``drain(_:)``) instead of copying it out of an array: copying a `clients` record and
/// destroying both copies touches the reference counts of its six strings and its error list
/// three times over, a seventh of a replay's work. Reused from chunk to chunk (its capacity stays).
///
/// Held by one thread at a time: the parser that fills it, then the pipeline's lock, then the
/// consumer that drains it, then the lock again. That hand-over is why it may cross threads.
final class SignalBuffer: @unchecked Sendable {
    private var base: UnsafeMutablePointer<Signal>
    private(set) var capacity: Int
    /// Signals held (initialized at `base[0..<count]`).
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    /// Room for at least `minimum` signals without growing.
    func reserve(_ minimum: Int) {
        guard minimum > capacity else { return }
        let grown = UnsafeMutablePointer<Signal>.allocate(capacity: minimum)
        grown.moveInitialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = minimum
    }

    func append(_ signal: consuming Signal) {
        if count == capacity { reserve(capacity * 2) }
        (base + count).initialize(to: signal)
        count += 1
    }

    /// Lets `build` initialize the next slot in place, and keeps the signal when it answers true
    /// (false: it left the slot uninitialized). A signal built where it stays is not moved through
    /// returned values: it is over a hundred bytes, and each such move is a `memcpy`.
    func append(building build: (UnsafeMutablePointer<Signal>) -> Bool) -> Bool {
        if count == capacity { reserve(capacity * 2) }
        guard build(base + count) else { return false }
        count += 1
        return true
    }

    /// Moves every signal out, in order, into `body`; the buffer is empty afterwards.
    func drain(_ body: (consuming Signal) -> Void) {
        let held = count
        count = 0    // the signals are moved out below: none is left for `deinit` to destroy
        for index in 0..<held { body((base + index).move()) }
    }

    /// Destroys the signals without reading them.
    func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    /// A copy of the signals, for tests and checks (not on the replay's path).
    var signals: [Signal] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
