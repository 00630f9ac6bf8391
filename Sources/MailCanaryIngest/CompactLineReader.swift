import MailCanaryCore

/// The fast path of ``SignalLineParser``: one pass over a line in the compact shape that scenario
/// files, agents and ``SignalLineWriter`` produce (no white space, strings of printable ASCII
/// without escapes, the known keys, plain numbers), with the repeating strings interned and the
/// minute's timestamp parsed once. The line's fields are held as symbols and ranges
/// (``CompactFields``), so nothing reference-counted is built, copied or destroyed for them: the
/// strings are made once, straight into the signal, when the line is known to be good.
///
/// Anything else answers nil, and the line goes to ``SignalLineReader``, which reads all of JSON
/// and names what is wrong: white space, an escape, a byte above 0x7F, an unknown key, an
/// exponent, a number too long to convert exactly here, an advisory or a scenario header, a
/// missing or invalid field. So this reader only has to be right on what it accepts;
/// `CompactLineReaderTests` holds it to giving the same signal as the full reader on every line
/// of the scenarios and on mutations of them.
struct CompactLineReader {
    private var strings = StringInterner()
    private let keys = LineField.Table.shared
    /// The last timestamp read (16 to 24 bytes, as three overlapping words) and its value.
    private var lastTime: (count: Int, words: SIMD3<UInt64>, ms: Int64) = (0, SIMD3(), 0)
    /// The keys of the last line, in order. The lines of a stream repeat their keys in the same
    /// order, so a key is first compared, as two words, with the key at the same place in the
    /// last line; only when that differs is it scanned and looked up in the table.
    private var lastKeys: [KnownKey] = []
    private static let rememberedKeys = 32
    /// Per field that often repeats its value from line to line, its last value (as two words) and symbol.
    private var memos = [KnownValue](repeating: KnownValue(), count: 5)

    /// The signal `bytes[range]` describes; nil when the line is not in the compact shape or not
    /// a good `clients`, `probe`, `report` or single-event line.
    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Signal? {
        withUnsafeTemporaryAllocation(of: Signal.self, capacity: 1) { slot in
            read(bytes, range, into: slot.baseAddress!) ? slot.baseAddress!.move() : nil
        }
    }

    /// Reads the signal `bytes[range]` describes into `slot` (uninitialized memory), where it is
    /// built in place; false (`slot` left uninitialized) when ``read(_:_:)`` would answer nil.
    mutating func read(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, into slot: UnsafeMutablePointer<Signal>) -> Bool {
        guard let base = bytes.baseAddress, range.lowerBound >= 0, range.upperBound <= bytes.count else { return false }
        strings.clearOverflow()
        var cursor = Cursor(base: base, index: range.lowerBound, end: range.upperBound)
        var line = CompactFields()
        guard cursor.take(Cursor.openBrace) else { return false }
        if !cursor.take(Cursor.closeBrace) {
            var position = 0
            repeat {
                let field: LineField
                if position < lastKeys.count, let known = cursor.take(key: lastKeys[position]) {
                    field = known
                } else {
                    guard let key = cursor.plainString(), cursor.take(Cursor.colon) else { return false }
                    field = cursor.field(key, keys)
                    remember(key, field, at: position, cursor)
                }
                guard readValue(of: field, &cursor, into: &line) else { return false }
                position += 1
            } while cursor.take(Cursor.comma)
            guard cursor.take(Cursor.closeBrace) else { return false }
        }
        guard cursor.atEnd else { return false }
        return initialize(slot, from: &line, base)
    }

    /// Keeps the key just scanned as the one expected at `position` of the next line.
    private mutating func remember(_ key: Range<Int>, _ field: LineField, at position: Int, _ cursor: Cursor) {
        guard field != .other, key.count <= KnownKey.maximumLength, position <= lastKeys.count,
              position < Self.rememberedKeys else { return }
        let known = KnownKey(words: PackedBytes.words(cursor.base + key.lowerBound, count: key.count, readable: key.count),
                             count: key.count, field: field)
        if position == lastKeys.count { lastKeys.append(known) } else { lastKeys[position] = known }
    }

    /// Builds in `slot` what ``LineFields/record()`` makes of the same fields, for the kinds this
    /// reader takes; false (nothing built) for a line it leaves to the full reader. In place: a
    /// signal is over a hundred bytes, and each move through a returned value is a `memcpy`.
    private func initialize(_ slot: UnsafeMutablePointer<Signal>, from line: inout CompactFields, _ base: UnsafePointer<UInt8>) -> Bool {
        let absent = CompactFields.absent
        guard let timeMs = line.timeMs, line.service != absent, line.region != absent else { return false }
        let kind = line.kind != absent ? strings[line.kind] : (line.outcome != absent ? "event" : "")
        switch kind {
        case "clients":
            guard line.client != absent, line.path != absent, let ok = line.ok, let failed = line.failed else { return false }
            slot.initialize(to: .clients(ClientCounts(timeMs: timeMs, service: strings[line.service], region: strings[line.region],
                                         client: ClientKind(strings[line.client]), path: AccessPath(strings[line.path]),
                                         ok: ok, failed: failed, errors: line.takeErrors(), latencyMsP50: line.latencyMsP50)))
        case "event":
            guard line.client != absent, line.path != absent, let failed = outcomeFailed(line.outcome) else { return false }
            slot.initialize(to: .clients(ClientCounts(timeMs: timeMs, service: strings[line.service], region: strings[line.region],
                                         client: ClientKind(strings[line.client]), path: AccessPath(strings[line.path]),
                                         ok: failed ? 0 : 1, failed: failed ? 1 : 0,
                                         errors: failed ? [ErrorCount(line.error != absent ? strings[line.error] : "failed", 1)] : [],
                                         latencyMsP50: line.latencyMsP50, user: line.user.map { Cursor.make(base, $0) })))
        case "probe":
            guard line.path != absent, let failed = outcomeFailed(line.outcome) else { return false }
            let region = strings[line.region]
            slot.initialize(to: .probe(ProbeObservation(
                timeMs: timeMs, service: strings[line.service], region: region, path: AccessPath(strings[line.path]),
                agent: line.agent != absent ? strings[line.agent] : region, failed: failed,
                failureClass: failed ? line.failureClass : nil,
                failedStep: failed && line.failedStep != absent ? StepName(strings[line.failedStep]) : nil,
                error: failed && line.error != absent ? strings[line.error] : nil, durationMs: line.durationMs ?? 0,
                operationMs: failed ? nil : line.operationMs)))
        case "report":
            guard let reporter = line.reporter else { return false }
            slot.initialize(to: .report(UserReport(
                timeMs: timeMs, service: strings[line.service], region: strings[line.region],
                client: ClientKind(line.client != absent ? strings[line.client] : "unknown"),
                symptom: line.symptom != absent ? strings[line.symptom] : "other", reporter: Cursor.make(base, reporter),
                text: line.text.map { Cursor.make(base, $0) })))
        default:
            return false
        }
        return true
    }

    /// ``LineFields/failed(outcome:)`` of the `outcome` symbol; nil when it is missing or unknown.
    private func outcomeFailed(_ outcome: Int32) -> Bool? {
        outcome == CompactFields.absent ? nil : LineFields.failed(outcome: strings[outcome])
    }

    /// Reads the value of one key into `line`, as ``LineFields/read(_:name:from:decodedName:)`` would
    /// (`null` and a missing key are the same to every field the record reads).
    private mutating func readValue(of field: LineField, _ cursor: inout Cursor, into line: inout CompactFields) -> Bool {
        switch field {
        case .kind: return assign(&line.kind, symbol(&cursor, memo: 0))
        case .t, .time: return assign(&line.timeMs, timestamp(&cursor))
        case .service: return assign(&line.service, symbol(&cursor, memo: 1))
        case .region: return assign(&line.region, symbol(&cursor, memo: 2))
        case .client: return assign(&line.client, symbol(&cursor))
        case .path: return assign(&line.path, symbol(&cursor))
        case .outcome: return assign(&line.outcome, symbol(&cursor, memo: 3))
        case .agent: return assign(&line.agent, symbol(&cursor, memo: 4))
        case .symptom: return assign(&line.symptom, symbol(&cursor))
        case .reporter: return assign(&line.reporter, cursor.plainString())
        case .ok: return assign(&line.ok, cursor.count())
        case .failed: return assign(&line.failed, cursor.count())
        case .durationMs: return assign(&line.durationMs, cursor.double())
        case .latencyMsP50, .latencyMs:
            if cursor.null() { line.latencyMsP50 = nil; return true }
            return assign(&line.latencyMsP50, cursor.double())
        case .error:
            if cursor.null() { line.error = CompactFields.absent; return true }
            return assign(&line.error, symbol(&cursor))
        case .failedStep:
            if cursor.null() { line.failedStep = CompactFields.absent; return true }
            return assign(&line.failedStep, symbol(&cursor))
        case .user:
            if cursor.null() { line.user = nil; return true }
            return assign(&line.user, cursor.plainString())
        case .text:
            if cursor.null() { line.text = nil; return true }
            return assign(&line.text, cursor.plainString())
        case .failureClass:
            if cursor.null() { line.failureClass = nil; return true }
            return assign(&line.failureClass, cursor.plainString().flatMap { FailureClass(rawValue: Cursor.make(cursor.base, $0)) })
        case .errors:
            return assign(&line.errors, readErrors(&cursor))
        case .steps:
            guard let failing = readSteps(&cursor, operationMs: &line.operationMs) else { return false }
            if failing != CompactFields.absent { line.failedStep = failing }
            return true
        case .issue, .name, .start, .end, .regions, .ms, .other:
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

    private mutating func symbol(_ cursor: inout Cursor) -> Int32? {
        guard let range = cursor.plainString() else { return nil }
        return strings.symbol(cursor.base + range.lowerBound, range.count, readable: cursor.end - range.lowerBound)
    }

    /// The symbol of a field whose value often repeats the last line's (the kind, service,
    /// region, outcome, agent): compared first, as two words, with the last value `memo` holds.
    private mutating func symbol(_ cursor: inout Cursor, memo slot: Int) -> Int32? {
        let last = memos[slot]
        if let symbol = cursor.take(value: last) { return symbol }
        guard let range = cursor.plainString() else { return nil }
        let symbol = strings.symbol(cursor.base + range.lowerBound, range.count, readable: cursor.end - range.lowerBound)
        if range.count <= KnownKey.maximumLength {
            memos[slot] = KnownValue(words: PackedBytes.words(cursor.base + range.lowerBound, count: range.count, readable: range.count),
                                     count: range.count, symbol: symbol)
        }
        return symbol
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
            guard let message = symbol(&cursor), cursor.take(Cursor.colon), let count = cursor.count() else { return nil }
            errors.append(ErrorCount(strings[message], count))
        } while cursor.take(Cursor.comma)
        return cursor.take(Cursor.closeBrace) ? errors : nil
    }

    /// `[{name, ms, ok}, …]`: the symbol of the first step with `"ok": false` (``CompactFields/absent``
    /// when none failed), nil when the array is not in the compact shape; a successful `operation`
    /// step's time goes to `operationMs`.
    private mutating func readSteps(_ cursor: inout Cursor, operationMs: inout Double?) -> Int32? {
        guard cursor.take(Cursor.openBracket) else { return nil }
        var failing: Range<Int>?
        if cursor.take(Cursor.closeBracket) { return CompactFields.absent }
        repeat {
            // The shape every writer uses, `{"name":"…","ms":…,"ok":…}`, by whole words; anything else
            // (other order, other keys) through the loop below from the element's start.
            let element = cursor.index
            if cursor.take(packed: Cursor.nameKey, count: 8), let name = cursor.plainString(),
               cursor.take(packed: Cursor.msKey, count: 6) {
                // Only the operation step's time is read; the others are skipped.
                let operation = cursor.isOperation(name)
                var ms: Double?
                if operation { ms = cursor.double() } else if cursor.skipNumber() { ms = 0 }
                if ms != nil, cursor.take(packed: Cursor.okKey, count: 6), let ok = cursor.bool(), cursor.take(Cursor.closeBrace) {
                    if !ok, failing == nil { failing = name }
                    if ok, operation, let ms, ms >= 0 { operationMs = ms }
                    continue
                }
            }
            cursor.index = element
            guard cursor.take(Cursor.openBrace) else { return nil }
            var name: Range<Int>?
            var ms: Double?
            var ok = true
            if !cursor.take(Cursor.closeBrace) {
                repeat {
                    guard let key = cursor.plainString(), cursor.take(Cursor.colon) else { return nil }
                    switch cursor.field(key, keys) {
                    case .name: guard let value = cursor.plainString() else { return nil }; name = value
                    case .ok: guard let value = cursor.bool() else { return nil }; ok = value
                    case .ms: guard let value = cursor.double() else { return nil }; ms = value
                    default:
                        // Any other number; anything else is for the full reader.
                        guard cursor.skipNumber() else { return nil }
                    }
                } while cursor.take(Cursor.comma)
                guard cursor.take(Cursor.closeBrace) else { return nil }
            }
            if !ok, failing == nil { failing = name }
            if ok, let name, cursor.isOperation(name), let ms, ms >= 0 { operationMs = ms }
        } while cursor.take(Cursor.comma)
        guard cursor.take(Cursor.closeBracket) else { return nil }
        guard let failing else { return CompactFields.absent }
        return strings.symbol(cursor.base + failing.lowerBound, failing.count, readable: cursor.end - failing.lowerBound)
    }
}

/// A key of the last line: its bytes as two words (zero past `count`) and its field.
private struct KnownKey {
    static let maximumLength = 16
    var words: SIMD2<UInt64>
    var count: Int
    var field: LineField
}

/// A field's last string value, at most 16 bytes, as two words (zero past `count`) and its symbol.
private struct KnownValue {
    var words = SIMD2<UInt64>()
    /// -1 until a value is known (no string matches).
    var count = -1
    var symbol: Int32 = -1
}

/// One compact line's fields as they are read: the repeating strings as the reader's interned
/// symbols (``absent`` when missing or `null`), the line's own strings as byte ranges. Nothing in
/// it is reference-counted but the error list, so reading and dropping a line costs no retain or
/// release per field.
private struct CompactFields {
    static let absent: Int32 = -1

    var kind = absent, service = absent, region = absent, client = absent, path = absent, outcome = absent
    var agent = absent, symptom = absent, error = absent, failedStep = absent
    var reporter: Range<Int>?, user: Range<Int>?, text: Range<Int>?
    var timeMs: Int64?
    var ok: Int?, failed: Int?
    var latencyMsP50: Double?, durationMs: Double?, operationMs: Double?
    var failureClass: FailureClass?
    var errors: [ErrorCount] = []

    mutating func takeErrors() -> [ErrorCount] {
        var moved: [ErrorCount] = []
        swap(&moved, &errors)
        return moved
    }
}

/// A position in one line, read forward; every read checks the line's end.
private struct Cursor {
    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), colon = UInt8(ascii: ":"), comma = UInt8(ascii: ",")
    static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")

    /// `{"name":`, `,"ms":` and `,"ok":` as little-endian words (the bytes past the count are
    /// zero). Written out rather than computed: a computed static is a `swift_once` on every use.
    static let nameKey: UInt64 = 0x3A22_656D_616E_227B, msKey: UInt64 = 0x3A22_736D_222C, okKey: UInt64 = 0x3A22_6B6F_222C
    /// `operatio` as a little-endian word (the step whose time is kept ends in `n`).
    static let operationWord: UInt64 = 0x6F69_7461_7265_706F

    /// Whether the string at `range` (the line's bytes, no escapes) is `operation`.
    @inline(__always)
    func isOperation(_ range: Range<Int>) -> Bool {
        range.count == 9 && UnsafeRawPointer(base + range.lowerBound).loadUnaligned(as: UInt64.self) == Self.operationWord
            && base[range.lowerBound + 8] == UInt8(ascii: "n")
    }

    let base: UnsafePointer<UInt8>
    var index: Int
    let end: Int

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

    /// `"value"` when the next bytes are `known`'s value in quotes: its symbol, nil (nothing taken)
    /// otherwise. The value was a plain string when remembered.
    @inline(__always)
    mutating func take(value known: KnownValue) -> Int32? {
        let count = known.count
        guard count >= 0, end - index >= count + 2, base[index] == Self.quote,
              PackedBytes.words(base + index + 1, count: count, readable: end - index - 1) == known.words,
              base[index + count + 1] == Self.quote else { return nil }
        index += count + 2
        return known.symbol
    }

    /// `"key":` when the next bytes are `known`'s key in quotes and a colon: its field, nil (nothing
    /// taken) otherwise. The key's bytes were a plain key when remembered, so the bytes matched
    /// are exactly what ``plainString()`` would have read.
    @inline(__always)
    mutating func take(key known: KnownKey) -> LineField? {
        let count = known.count
        guard end - index >= count + 3, base[index] == Self.quote,
              PackedBytes.words(base + index + 1, count: count, readable: end - index - 1) == known.words,
              base[index + count + 1] == Self.quote, base[index + count + 2] == Self.colon else { return nil }
        index += count + 3
        return known.field
    }

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

    static func make(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
    }

    /// `null`, `true` and `fals` as little-endian words of four bytes.
    static let nullWord: UInt32 = 0x6C6C_756E, trueWord: UInt32 = 0x6575_7274, falsWord: UInt32 = 0x736C_6166

    /// The next four bytes as a word (nil when fewer are left).
    @inline(__always)
    private func word4() -> UInt32? {
        guard end - index >= 4 else { return nil }
        return UnsafeRawPointer(base + index).loadUnaligned(as: UInt32.self)
    }

    @inline(__always)
    mutating func null() -> Bool {
        guard word4() == Self.nullWord else { return false }
        index += 4
        return true
    }

    @inline(__always)
    mutating func bool() -> Bool? {
        switch word4() {
        case Self.trueWord:
            index += 4
            return true
        case Self.falsWord where end - index >= 5 && base[index + 4] == UInt8(ascii: "e"):
            index += 5
            return false
        default:
            return nil
        }
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
        // 10^fraction (at most 10^14) is exact, and so is each product on the way to it.
        var scale = 1.0
        for _ in 0..<fraction { scale *= 10 }
        let value = Double(mantissa) / scale
        return negative ? -value : value
    }
}
