import Glibc

/// Builds each distinct string of a stream once: the same service, region, client, path, step
/// and error texts come back on nearly every line, and finding one costs a load and a compare of
/// one or two words (a hash and a `memcmp` past 16 bytes) where building it costs a validation
/// and, past 15 bytes, an allocation that detection later frees. Bounded: past ``capacity``
/// distinct strings (a stream of unique ids) it only builds them, and keeps them for their line.
struct StringInterner {
    static let maximumLength = 64
    static let capacity = 2_048

    private var slots = [Int32](repeating: -1, count: 4_096)
    private var strings: [String] = []
    /// Per entry: its length and first two words (zero-padded), and where its bytes start in `arena`.
    private var lengths: [Int] = []
    private var words: [SIMD2<UInt64>] = []
    private var starts: [Int] = []
    private var arena: [UInt8] = []

    /// Strings past the capacity (or longer than ``maximumLength``): a line's own, given symbols
    /// after the interned ones and kept until ``clearOverflow()``.
    private var overflow: [String] = []

    /// The string of `symbol`.
    @inline(__always)
    subscript(symbol: Int32) -> String {
        let index = Int(symbol)
        return index < Self.capacity ? strings[index] : overflow[index - Self.capacity]
    }

    /// Forgets the overflow strings (a reader calls it before each line).
    @inline(__always)
    mutating func clearOverflow() {
        if !overflow.isEmpty { overflow.removeAll(keepingCapacity: true) }
    }

    /// The symbol of the `count` ASCII bytes at `pointer`: a small integer that costs nothing to
    /// copy, for a reader that builds its strings only once its line is known to be good.
    /// `readable` bytes from `pointer` may be read (at least `count`), which lets the first 16 be
    /// loaded as two words.
    mutating func symbol(_ pointer: UnsafePointer<UInt8>, _ count: Int, readable: Int) -> Int32 {
        guard count <= Self.maximumLength else { return spill(Self.make(pointer, count)) }
        let head = PackedBytes.words(pointer, count: count, readable: readable)
        var hash = (head.x ^ UInt64(count)) &* 0x9E37_79B9_7F4A_7C15 ^ head.y &* 0xC2B2_AE3D_27D4_EB4F
        if count > 16 {
            for index in 16..<count { hash = (hash ^ UInt64(pointer[index])) &* 0x0000_0100_0000_01b3 }
        }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if lengths[entry] == count, words[entry] == head,
               count <= 16 || arena.withUnsafeBufferPointer({ memcmp($0.baseAddress! + starts[entry], pointer, count) }) == 0 {
                return Int32(entry)
            }
            slot = (slot + 1) & mask
        }
        let made = Self.make(pointer, count)
        guard strings.count < Self.capacity else { return spill(made) }
        slots[slot] = Int32(strings.count)
        lengths.append(count)
        words.append(head)
        starts.append(arena.count)
        if count > 16 { arena.append(contentsOf: UnsafeBufferPointer(start: pointer, count: count)) }
        strings.append(made)
        return Int32(strings.count - 1)
    }

    private mutating func spill(_ string: String) -> Int32 {
        overflow.append(string)
        return Int32(Self.capacity + overflow.count - 1)
    }

    private static func make(_ pointer: UnsafePointer<UInt8>, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
