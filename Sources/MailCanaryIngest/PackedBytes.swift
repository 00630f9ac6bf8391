/// Up to sixteen bytes as two little-endian words, zero past their count: how keys and repeating
/// strings are compared by one or two integer compares instead of byte by byte.
enum PackedBytes {
    /// `bytes[from..<min(from + 8, count)]` as a word (zero when `from >= count`). `readable` bytes
    /// from `bytes` may be read: when eight past `from` are, one unaligned load does it.
    @inline(__always)
    static func word(_ bytes: UnsafePointer<UInt8>, from: Int, count: Int, readable: Int) -> UInt64 {
        let length = min(count - from, 8)
        guard length > 0 else { return 0 }
        if from + 8 <= readable {
            let word = UnsafeRawPointer(bytes + from).loadUnaligned(as: UInt64.self)
            return length == 8 ? word : word & (1 << (length * 8) - 1)
        }
        var value: UInt64 = 0
        var index = from + length
        while index > from {
            index -= 1
            value = value << 8 | UInt64(bytes[index])
        }
        return value
    }

    /// The first sixteen of `count` bytes as two words.
    @inline(__always)
    static func words(_ bytes: UnsafePointer<UInt8>, count: Int, readable: Int) -> SIMD2<UInt64> {
        SIMD2(word(bytes, from: 0, count: count, readable: readable), word(bytes, from: 8, count: count, readable: readable))
    }
}
