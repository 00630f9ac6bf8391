/// A forward-only reader of JSON text (RFC 8259) for the hot ingest paths: agent batches,
/// telemetry lines, spool segments and stored step lists.
///
/// Foundation's `JSONDecoder` builds a tree and goes through `Codable` for every field; on a batch
/// of 1,000 results that was most of the server's ingest time. The scanner reads the bytes once and
/// lets the caller pull the values it expects, in whatever order the keys come. It never traps on
/// hostile input: every problem is a ``JSONScanError`` with the byte offset, nesting is bounded,
/// and strings must be valid UTF-8 without raw control characters.
public struct JSONScanner: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    /// Deepest nesting `skipValue()` accepts, so a hostile body cannot exhaust the stack.
    public static let maximumDepth = 64

    /// One past the last byte this scanner reads (the limit of `bytes`, or of one line in it).
    public let limit: Int
    /// Where this scanner's text starts in `bytes`.
    private let textStart: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.textStart = 0
        self.limit = bytes.count
    }

    /// Reads only `range` of `bytes` (one line of an NDJSON buffer), without copying it.
    public init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range outside the buffer")
        self.bytes = bytes
        self.offset = range.lowerBound
        self.textStart = range.lowerBound
        self.limit = range.upperBound
    }

    public init(_ text: String) {
        self.init(Array(text.utf8))
    }

    // MARK: - Structure

    /// Reads `{`.
    public mutating func beginObject() throws(JSONScanError) {
        try expect(UInt8(ascii: "{"), .expectedObject)
        needsComma = false
    }

    /// The next key of the current object, or nil at its `}` (which is consumed).
    public mutating func nextKey() throws(JSONScanError) -> String? {
        switch try nextKeyBytes() {
        case nil: return nil
        case .plain(let range): return String(decoding: bytes[range], as: UTF8.self)   // ASCII without escapes
        case .decoded(let key): return key
        }
    }

    /// A key as its bytes: the common plain key (ASCII, no escapes) is not copied.
    public enum Key: Sendable, Equatable {
        case plain(Range<Int>)
        case decoded(String)
    }

    /// Like ``nextKey()``, without building a `String` for a plain key (nil at the object's end).
    public mutating func nextKeyBytes() throws(JSONScanError) -> Key? {
        skipSpace()
        guard offset < limit else { throw error(.truncated) }
        if bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            needsComma = true
            return nil
        }
        if needsComma {
            try expect(UInt8(ascii: ","), .expectedCommaOrEnd)
            skipSpace()
        }
        let start = try openQuote()
        var index = start
        var key: Key?
        while index < limit {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                offset = index + 1
                key = .plain(start..<index)
                break
            }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 || byte < 0x20 {
                offset = start - 1
                key = .decoded(try string())
                break
            }
            index += 1
        }
        guard let key else {
            offset = index
            throw error(.truncated)
        }
        try expect(UInt8(ascii: ":"), .expectedColon)
        needsComma = true
        return key
    }

    /// Reads `[`.
    public mutating func beginArray() throws(JSONScanError) {
        try expect(UInt8(ascii: "["), .expectedArray)
        needsComma = false
    }

    /// True when another element of the current array follows; false at its `]` (which is consumed).
    public mutating func nextElement() throws(JSONScanError) -> Bool {
        skipSpace()
        guard offset < limit else { throw error(.truncated) }
        if bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            needsComma = true
            return false
        }
        if needsComma { try expect(UInt8(ascii: ","), .expectedCommaOrEnd) }
        needsComma = true
        return true
    }

    /// Only white space may follow the value just read.
    public mutating func end() throws(JSONScanError) {
        skipSpace()
        guard offset == limit else { throw error(.trailingBytes) }
    }

    /// True (and consumed) when the next value is `null`.
    public mutating func null() throws(JSONScanError) -> Bool {
        skipSpace()
        guard offset + 4 <= limit, bytes[offset] == UInt8(ascii: "n") else { return false }
        guard bytes[offset + 1] == UInt8(ascii: "u"), bytes[offset + 2] == UInt8(ascii: "l"),
              bytes[offset + 3] == UInt8(ascii: "l") else { throw error(.invalidLiteral) }
        offset += 4
        return true
    }

    /// What kind of value comes next, without consuming it.
    public mutating func peek() throws(JSONScanError) -> JSONValueKind {
        skipSpace()
        guard offset < limit else { throw error(.truncated) }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw error(.unexpectedByte)
        }
    }

    /// Steps over one value of any kind (an unknown key's value).
    public mutating func skipValue() throws(JSONScanError) {
        try skipValue(depth: 0)
    }

    private mutating func skipValue(depth: Int) throws(JSONScanError) {
        guard depth < Self.maximumDepth else { throw error(.tooDeep) }
        switch try peek() {
        case .object:
            try beginObject()
            while try nextKey() != nil { try skipValue(depth: depth + 1) }
        case .array:
            try beginArray()
            while try nextElement() { try skipValue(depth: depth + 1) }
        case .string: _ = try string()
        case .bool: _ = try bool()
        case .null: _ = try null()
        case .number: _ = try numberBytes()
        }
        needsComma = true
    }

    // MARK: - Scalars

    public mutating func bool() throws(JSONScanError) -> Bool {
        skipSpace()
        if matches("true") { offset += 4; return true }
        if matches("false") { offset += 5; return false }
        throw error(.expectedBool)
    }

    /// A string value; escapes decoded, UTF-8 checked.
    public mutating func string() throws(JSONScanError) -> String {
        let start = try openQuote()
        var index = start
        while index < limit {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                offset = index + 1
                return try text(start..<index)
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { offset = index; throw error(.controlCharacter) }
            index += 1
        }
        offset = index
        throw error(.truncated)
    }

    /// Checks a string value without building it (ASCII without escapes, the common case, is only scanned).
    public mutating func skipString() throws(JSONScanError) {
        var index = try openQuote()
        while index < limit {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { offset = index + 1; return }
            if byte == UInt8(ascii: "\\") || byte >= 0x80 { _ = try string(); return }
            if byte < 0x20 { offset = index; throw error(.controlCharacter) }
            index += 1
        }
        offset = index
        throw error(.truncated)
    }

    /// The bytes of a string value without escapes (timestamps, ids), not copied; a string with
    /// escapes or non-ASCII bytes is a type error here.
    public mutating func plainStringRange() throws(JSONScanError) -> Range<Int> {
        let start = try openQuote()
        var index = start
        while index < limit {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let range = start..<index
                offset = index + 1
                return range
            }
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { throw error(.expectedString, at: index) }
            index += 1
        }
        offset = index
        throw error(.truncated)
    }

    /// Where the next value starts (after white space).
    public mutating func valueStart() -> Int {
        skipSpace()
        return offset
    }

    public mutating func int64() throws(JSONScanError) -> Int64 {
        let range = try numberBytes()
        var value: Int64 = 0
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw error(.expectedInteger, at: range.lowerBound) }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = negative ? times.subtractingReportingOverflow(Int64(byte - 48))
                                            : times.addingReportingOverflow(Int64(byte - 48))
            guard !overflow1, !overflow2 else { throw error(.numberOutOfRange, at: range.lowerBound) }
            value = sum
            index += 1
        }
        return value
    }

    public mutating func int() throws(JSONScanError) -> Int {
        let start = offset
        let value = try int64()
        guard let result = Int(exactly: value) else { throw error(.numberOutOfRange, at: start) }
        return result
    }

    public mutating func double() throws(JSONScanError) -> Double {
        let range = try numberBytes()
        // Plain integers (the common case for counts and whole milliseconds) without a text round trip.
        if range.count < 16, !bytes[range].contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }) {
            var value = 0.0
            var index = range.lowerBound
            let negative = bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            while index < range.upperBound { value = value * 10 + Double(bytes[index] - 48); index += 1 }
            return negative ? -value : value
        }
        if let value = shortDecimal(range) { return value }
        guard let value = Double(String(decoding: bytes[range], as: UTF8.self)), value.isFinite else {
            throw error(.numberOutOfRange, at: range.lowerBound)
        }
        return value
    }

    // MARK: - Internals

    /// `-?digits.digits` with at most 15 significant digits: the integer of all digits is exact in a
    /// Double, and so is 10^k for k ≤ 22, so one division gives the correctly rounded value (the
    /// common shape of latencies and durations, without a text round trip). Nil for anything else.
    private func shortDecimal(_ range: Range<Int>) -> Double? {
        guard range.count <= 16 else { return nil }
        var index = range.lowerBound
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var mantissa: Int64 = 0
        var fraction = -1
        while index < range.upperBound {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                fraction = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                mantissa = mantissa * 10 + Int64(byte - 48)
                if fraction >= 0 { fraction += 1 }
            } else {
                return nil
            }
            index += 1
        }
        guard fraction >= 0 else { return nil }
        let value = Double(mantissa) / Self.powersOfTen[fraction]
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...16).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    private var needsComma = false

    /// The bytes of a number, checked against the RFC 8259 grammar.
    private mutating func numberBytes() throws(JSONScanError) -> Range<Int> {
        skipSpace()
        let start = offset
        var index = offset
        func digits(_ index: inout Int) -> Int {
            let first = index
            while index < limit, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
            return index - first
        }
        if index < limit, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let leading = index
        guard digits(&index) > 0 else { throw error(index < limit ? .expectedNumber : .truncated, at: start) }
        if bytes[leading] == UInt8(ascii: "0"), index - leading > 1 { throw error(.expectedNumber, at: start) }
        if index < limit, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&index) > 0 else { throw error(.expectedNumber, at: start) }
        }
        if index < limit, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < limit, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&index) > 0 else { throw error(.expectedNumber, at: start) }
        }
        offset = index
        return start..<index
    }

    private mutating func escapedString(from start: Int) throws(JSONScanError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var index = start
        while index < limit {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                offset = index + 1
                guard let text = String(validating: out, as: UTF8.self) else { throw error(.invalidUTF8, at: start) }
                return text
            case UInt8(ascii: "\\"):
                guard index + 1 < limit else { offset = index; throw error(.truncated) }
                index += 1
                switch bytes[index] {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(at: index + 1)
                    index += 4
                    if scalar >= 0xD800, scalar < 0xDC00 {
                        // A high surrogate must be followed by an escaped low one.
                        guard index + 2 < limit, bytes[index + 1] == UInt8(ascii: "\\"), bytes[index + 2] == UInt8(ascii: "u")
                        else { offset = index; throw error(.invalidEscape) }
                        let low = try hex4(at: index + 3)
                        guard low >= 0xDC00, low < 0xE000 else { offset = index; throw error(.invalidEscape) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    } else if scalar >= 0xDC00, scalar < 0xE000 {
                        offset = index
                        throw error(.invalidEscape)
                    }
                    out.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
                default:
                    offset = index
                    throw error(.invalidEscape)
                }
                index += 1
            case 0..<0x20:
                offset = index
                throw error(.controlCharacter)
            default:
                out.append(byte)
                index += 1
            }
        }
        offset = index
        throw error(.truncated)
    }

    private mutating func hex4(at start: Int) throws(JSONScanError) -> UInt32 {
        guard start + 4 <= limit else { offset = limit; throw error(.truncated) }
        var value: UInt32 = 0
        for index in start..<start + 4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 55
            default: offset = index; throw error(.invalidEscape)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private func text(_ range: Range<Int>) throws(JSONScanError) -> String {
        // ASCII (nearly every key and value) needs no validation.
        if !bytes[range].contains(where: { $0 >= 0x80 }) { return String(decoding: bytes[range], as: UTF8.self) }
        guard let text = String(validating: bytes[range], as: UTF8.self) else { throw error(.invalidUTF8, at: range.lowerBound) }
        return text
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= limit else { return false }
        let pointer = literal.utf8Start
        for index in 0..<count where bytes[offset + index] != pointer[index] { return false }
        return true
    }

    private mutating func expect(_ byte: UInt8, _ problem: JSONScanError.Problem) throws(JSONScanError) {
        skipSpace()
        guard offset < limit else { throw error(.truncated) }
        guard bytes[offset] == byte else { throw error(problem) }
        offset += 1
    }

    private mutating func skipSpace() {
        while offset < limit {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    /// Errors count bytes from the start of what this scanner reads (a line of a buffer counts from
    /// the line's first byte), so a message means the same wherever the text sat.
    private func error(_ problem: JSONScanError.Problem, at position: Int? = nil) -> JSONScanError {
        JSONScanError(problem: problem, offset: (position ?? offset) - textStart)
    }

    /// Checks the opening quote of a string value (after white space); returns the first byte inside.
    private mutating func openQuote() throws(JSONScanError) -> Int {
        skipSpace()
        guard offset < limit, bytes[offset] == UInt8(ascii: "\"") else {
            throw error(offset < limit ? .expectedString : .truncated)
        }
        return offset + 1
    }
}

/// The kinds of JSON value, for ``JSONScanner/peek()``.
public enum JSONValueKind: Sendable {
    case object, array, string, number, bool, null
}

/// Why the scanner stopped, and where (byte offset from the start of the text).
public struct JSONScanError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: String, Sendable {
        case truncated = "the text ends too early"
        case trailingBytes = "there is more after the value"
        case unexpectedByte = "a value was expected"
        case expectedObject = "an object was expected"
        case expectedArray = "an array was expected"
        case expectedString = "a string was expected"
        case expectedNumber = "a number was expected"
        case expectedInteger = "a whole number was expected"
        case expectedBool = "true or false was expected"
        case expectedColon = "':' was expected"
        case expectedCommaOrEnd = "',' or the end of the object or array was expected"
        case invalidLiteral = "an unknown word"
        case invalidEscape = "an invalid escape"
        case controlCharacter = "a raw control character inside a string"
        case invalidUTF8 = "text that is not UTF-8"
        case numberOutOfRange = "a number out of range"
        case tooDeep = "nesting deeper than 64 levels"
    }

    public var problem: Problem
    public var offset: Int

    public init(problem: Problem, offset: Int) {
        self.problem = problem
        self.offset = offset
    }

    /// True when the text is not JSON at all (as opposed to JSON of the wrong shape).
    public var isSyntax: Bool {
        switch problem {
        case .expectedObject, .expectedArray, .expectedString, .expectedNumber, .expectedInteger, .expectedBool,
             .numberOutOfRange: return false
        default: return true
        }
    }

    public var description: String { "\(problem.rawValue) at byte \(offset)" }
}
