import MailCanaryCore

/// The fast path of ``SignalLineParser``: one pass over a line in the compact shape that scenario
/// files, agents and ``SignalLineWriter`` produce (no white space, strings of printable ASCII
/// without escapes, the known keys, plain numbers) straight into ``LineFields``, with the
/// repeating strings interned and the minute's timestamp parsed once.
///
/// Anything else (white space, an escape, a byte above 0x7F, an unknown key, an exponent, a
/// number too long to convert exactly here, an advisory's `issue`, a scenario header) answers nil,
/// and the line goes to ``SignalLineReader``, which reads all of JSON and names what is wrong. So
/// this reader only has to be right on what it accepts; `CompactLineReaderTests` holds it to giving
/// the same record as the full reader on every line of the scenarios and on mutations of them.
struct CompactLineReader {
    private var strings = StringInterner()
    private let keys = LineField.Table.shared
    /// The last timestamp read (16 to 24 bytes, as three overlapping words) and its value.
    private var lastTime: (count: Int, words: SIMD3<UInt64>, ms: Int64) = (0, SIMD3(), 0)

    /// Reads `bytes[range]` into `line` (which starts empty); false when the line is not in the
    /// compact shape (`line` is then of no use).
    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into line: inout LineFields) -> Bool {
        guard let base = bytes.baseAddress, range.lowerBound >= 0, range.upperBound <= bytes.count else { return false }
        var cursor = Cursor(base: base, index: range.lowerBound, end: range.upperBound)
        guard cursor.take(Cursor.openBrace) else { return false }
        if cursor.take(Cursor.closeBrace) { return cursor.atEnd }
        repeat {
            guard let key = cursor.plainString(), cursor.take(Cursor.colon),
                  readValue(of: cursor.field(key, keys), &cursor, into: &line) else { return false }
        } while cursor.take(Cursor.comma)
        return cursor.take(Cursor.closeBrace) && cursor.atEnd
    }

    /// Reads the value of one key into `line`, as ``LineFields/read(_:name:from:decodedName:)`` would.
    private mutating func readValue(of field: LineField, _ cursor: inout Cursor, into line: inout LineFields) -> Bool {
        switch field {
        case .kind: return assign(&line.kind, interned(&cursor))
        case .t, .time: return assign(&line.timeMs, timestamp(&cursor))
        case .service: return assign(&line.service, interned(&cursor))
        case .region: return assign(&line.region, interned(&cursor))
        case .client: return assign(&line.client, interned(&cursor))
        case .path: return assign(&line.path, interned(&cursor))
        case .outcome: return assign(&line.outcome, interned(&cursor))
        case .agent: return assign(&line.agent, interned(&cursor))
        case .symptom: return assign(&line.symptom, interned(&cursor))
        case .reporter: return assign(&line.reporter, cursor.plainString().map { cursor.make($0) })
        case .ok: return assign(&line.ok, cursor.count())
        case .failed: return assign(&line.failed, cursor.count())
        case .durationMs: return assign(&line.durationMs, cursor.double())
        case .latencyMsP50, .latencyMs:
            if cursor.null() { line.latencyMsP50 = nil; return true }
            return assign(&line.latencyMsP50, cursor.double())
        case .error:
            if cursor.null() { line.error = nil; return true }
            return assign(&line.error, interned(&cursor))
        case .failedStep:
            if cursor.null() { line.failedStep = nil; return true }
            return assign(&line.failedStep, interned(&cursor))
        case .user:
            if cursor.null() { line.user = nil; return true }
            return assign(&line.user, cursor.plainString().map { cursor.make($0) })
        case .text:
            if cursor.null() { line.text = nil; return true }
            return assign(&line.text, cursor.plainString().map { cursor.make($0) })
        case .failureClass:
            if cursor.null() { line.failureClass = nil; return true }
            return assign(&line.failureClass, cursor.plainString().flatMap { FailureClass(rawValue: cursor.make($0)) })
        case .errors:
            return assign(&line.errors, readErrors(&cursor))
        case .steps:
            guard let failing = readSteps(&cursor) else { return false }
            line.failedStep = failing ?? line.failedStep
            return true
        case .issue, .name, .start, .end, .regions, .other:
            return false
        }
    }

    /// Stores a value the cursor read; false (the line goes to the full reader) when it refused.
    @inline(__always)
    private func assign<T>(_ target: inout T?, _ value: T?) -> Bool {
        guard let value else { return false }
        target = value
        return true
    }

    @inline(__always)
    private func assign<T>(_ target: inout T, _ value: T?) -> Bool {
        guard let value else { return false }
        target = value
        return true
    }

    private mutating func interned(_ cursor: inout Cursor) -> String? {
        guard let range = cursor.plainString() else { return nil }
        return strings.string(cursor.base + range.lowerBound, range.count, readable: cursor.end - range.lowerBound)
    }

    /// An RFC 3339 string; the lines of one minute share theirs, so the last one is remembered.
    private mutating func timestamp(_ cursor: inout Cursor) -> Int64? {
        guard let range = cursor.plainString() else { return nil }
        let bytes = UnsafeBufferPointer(start: cursor.base, count: cursor.end)
        let count = range.count
        guard count >= 16, count <= 24 else { return UTCTimestamp.parse(bytes, range) }
        let raw = UnsafeRawPointer(cursor.base + range.lowerBound)
        let words = SIMD3(raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                          raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        if count == lastTime.count, words == lastTime.words { return lastTime.ms }
        guard let ms = UTCTimestamp.parse(bytes, range) else { return nil }
        lastTime = (count, words, ms)
        return ms
    }

    /// `{"message": count, …}` or `null`.
    private mutating func readErrors(_ cursor: inout Cursor) -> [ErrorCount]? {
        if cursor.null() { return [] }
        guard cursor.take(Cursor.openBrace) else { return nil }
        var errors: [ErrorCount] = []
        if cursor.take(Cursor.closeBrace) { return errors }
        repeat {
            guard let message = interned(&cursor), cursor.take(Cursor.colon), let count = cursor.count() else { return nil }
            errors.append(ErrorCount(message, count))
        } while cursor.take(Cursor.comma)
        return cursor.take(Cursor.closeBrace) ? errors : nil
    }

    /// `[{name, ms, ok}, …]`: the name of the first step with `"ok": false` (`.some(nil)` when none
    /// failed), nil when the array is not in the compact shape. Only that one name is built.
    private mutating func readSteps(_ cursor: inout Cursor) -> String?? {
        guard cursor.take(Cursor.openBracket) else { return nil }
        var failing: Range<Int>?
        if cursor.take(Cursor.closeBracket) { return .some(nil) }
        repeat {
            // The shape every writer uses, `{"name":"…","ms":…,"ok":…}`, by whole words; anything else
            // (other order, other keys) through the loop below from the element's start.
            let element = cursor.index
            if cursor.take(packed: Cursor.nameKey, count: 8), let name = cursor.plainString(),
               cursor.take(packed: Cursor.msKey, count: 6), cursor.skipNumber(),
               cursor.take(packed: Cursor.okKey, count: 6), let ok = cursor.bool(), cursor.take(Cursor.closeBrace) {
                if !ok, failing == nil { failing = name }
                continue
            }
            cursor.index = element
            guard cursor.take(Cursor.openBrace) else { return nil }
            var name: Range<Int>?
            var ok = true
            if !cursor.take(Cursor.closeBrace) {
                repeat {
                    guard let key = cursor.plainString(), cursor.take(Cursor.colon) else { return nil }
                    switch cursor.field(key, keys) {
                    case .name: guard let value = cursor.plainString() else { return nil }; name = value
                    case .ok: guard let value = cursor.bool() else { return nil }; ok = value
                    default:
                        // `ms` and any other number; anything else is for the full reader.
                        guard cursor.skipNumber() else { return nil }
                    }
                } while cursor.take(Cursor.comma)
                guard cursor.take(Cursor.closeBrace) else { return nil }
            }
            if !ok, failing == nil { failing = name }
        } while cursor.take(Cursor.comma)
        guard cursor.take(Cursor.closeBracket) else { return nil }
        return .some(failing.map { strings.string(cursor.base + $0.lowerBound, $0.count, readable: cursor.end - $0.lowerBound) })
    }
}

/// A position in one line, read forward; every read checks the line's end.
private struct Cursor {
    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")
    static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

    /// `{"name":`, `,"ms":` and `,"ok":` as little-endian words (the bytes past the count are zero).
    static let nameKey = packed("{\"name\":"), msKey = packed(",\"ms\":"), okKey = packed(",\"ok\":")

    let base: UnsafePointer<UInt8>
    var index: Int
    let end: Int

    private static func packed(_ text: StaticString) -> UInt64 {
        var word: UInt64 = 0
        for offset in 0..<min(text.utf8CodeUnitCount, 8) { word |= UInt64(text.utf8Start[offset]) << (8 * offset) }
        return word
    }

    /// The `count` (at most 8) bytes of `packed`, compared as one word when 8 bytes are left to
    /// load; false (nothing taken) otherwise, and the caller reads byte by byte instead.
    @inline(__always)
    mutating func take(packed: UInt64, count: Int) -> Bool {
        guard end - index >= 8 else { return false }
        let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
        let mask: UInt64 = count >= 8 ? ~0 : (1 << (UInt64(count) * 8)) - 1
        guard word & mask == packed else { return false }
        index += count
        return true
    }

    var atEnd: Bool { index == end }

    @inline(__always)
    mutating func take(_ byte: UInt8) -> Bool {
        guard index < end, base[index] == byte else { return false }
        index += 1
        return true
    }

    /// `"…"` of printable ASCII without escapes: the range inside the quotes. Eight bytes at a
    /// time while the line goes on that far: the first quote and the first byte that is not
    /// plain (a control byte, a byte above 0x7F, a backslash) are found in a word at once.
    mutating func plainString() -> Range<Int>? {
        guard take(Self.quote) else { return nil }
        let start = index
        while index + 8 <= end {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let quotes = Self.zeroBytes(word ^ Self.everyByte(Self.quote))
            let notPlain = Self.bytesBelow0x20(word) | (word & Self.everyByte(0x80)) | Self.zeroBytes(word ^ Self.everyByte(Self.backslash))
            if quotes != 0 || notPlain != 0 {
                // The lowest flagged byte of each mask is exact (borrows only run upwards).
                let quote = quotes.trailingZeroBitCount
                guard quote < notPlain.trailingZeroBitCount else { return nil }
                index += quote / 8 + 1
                return start..<index - 1
            }
            index += 8
        }
        while index < end {
            let byte = base[index]
            if byte == Self.quote {
                index += 1
                return start..<index - 1
            }
            guard byte >= 0x20, byte < 0x80, byte != Self.backslash else { return nil }
            index += 1
        }
        return nil
    }

    @inline(__always) private static func everyByte(_ byte: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(byte) }

    /// 0x80 in the bytes of `word` that are zero (exact up to the lowest one).
    @inline(__always) private static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- everyByte(0x01)) & ~word & everyByte(0x80)
    }

    /// 0x80 in the bytes of `word` below 0x20 (exact up to the lowest one).
    @inline(__always) private static func bytesBelow0x20(_ word: UInt64) -> UInt64 {
        (word &- everyByte(0x20)) & ~word & everyByte(0x80)
    }

    /// The key at `range` (just read); the rest of the line may be read past it.
    @inline(__always)
    func field(_ range: Range<Int>, _ keys: LineField.Table) -> LineField {
        keys.field(base + range.lowerBound, range.count, readable: end - range.lowerBound)
    }

    func make(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
    }

    mutating func null() -> Bool { literal("null") }

    mutating func bool() -> Bool? {
        if literal("true") { return true }
        if literal("false") { return false }
        return nil
    }

    private mutating func literal(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard end - index >= count else { return false }
        for offset in 0..<count where base[index + offset] != literal.utf8Start[offset] { return false }
        index += count
        return true
    }

    private mutating func digits() -> Int {
        let start = index
        while index < end, base[index] &- 48 < 10 { index += 1 }
        return index - start
    }

    /// A count: digits without a sign, a fraction or a leading zero, at most 18 of them.
    mutating func count() -> Int? {
        let start = index
        let count = digits()
        guard count > 0, count <= 18, count == 1 || base[start] != 48 else { return nil }
        var value = 0
        for position in start..<index { value = value * 10 + Int(base[position] &- 48) }
        return value
    }

    /// Steps over a number of any form RFC 8259 allows (`-`, fraction, exponent) without converting it.
    mutating func skipNumber() -> Bool {
        _ = take(UInt8(ascii: "-"))
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || base[integerStart] != 48 else { return false }
        if take(UInt8(ascii: ".")) { guard digits() > 0 else { return false } }
        if index < end, base[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard digits() > 0 else { return false }
        }
        return true
    }

    /// `-?digits(.digits)?` of at most 15 bytes, converted with the arithmetic of
    /// ``JSONScanner/double()`` for such numbers (exact: at most 15 digits, one division by 10^k).
    mutating func double() -> Double? {
        let start = index
        let negative = take(UInt8(ascii: "-"))
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || base[integerStart] != 48 else { return nil }
        var fraction = -1
        if take(UInt8(ascii: ".")) {
            fraction = digits()
            guard fraction > 0 else { return nil }
        }
        guard index - start <= 15 else { return nil }
        if fraction < 0 {
            var value = 0.0
            for position in integerStart..<index { value = value * 10 + Double(base[position] &- 48) }
            return negative ? -value : value
        }
        var mantissa: Int64 = 0
        for position in integerStart..<index where base[position] != UInt8(ascii: ".") {
            mantissa = mantissa * 10 + Int64(base[position] &- 48)
        }
        let value = Double(mantissa) / Self.powersOfTen[fraction]
        return negative ? -value : value
    }
}
