/// Typed field readers over ``JSONScanner`` that name the field in their errors, for readers of
/// flat records (telemetry lines, scenario records, reports). `path` is only built on failure.
extension JSONScanner {
    public mutating func readString(_ path: @autoclosure () -> String) throws(JSONReadError) -> String {
        try read(path()) { scanner throws(JSONScanError) in try scanner.string() }
    }

    public mutating func readOptionalString(_ path: @autoclosure () -> String) throws(JSONReadError) -> String? {
        try readOptional(path()) { scanner throws(JSONScanError) in try scanner.string() }
    }

    /// A string value checked but not built (a field the reader keeps as raw text).
    public mutating func checkString(_ path: @autoclosure () -> String) throws(JSONReadError) {
        try read(path()) { scanner throws(JSONScanError) in try scanner.skipString() }
    }

    public mutating func readInt(_ path: @autoclosure () -> String) throws(JSONReadError) -> Int {
        try read(path()) { scanner throws(JSONScanError) in try scanner.int() }
    }

    public mutating func readOptionalInt(_ path: @autoclosure () -> String) throws(JSONReadError) -> Int? {
        try readOptional(path()) { scanner throws(JSONScanError) in try scanner.int() }
    }

    public mutating func readInt64(_ path: @autoclosure () -> String) throws(JSONReadError) -> Int64 {
        try read(path()) { scanner throws(JSONScanError) in try scanner.int64() }
    }

    public mutating func readOptionalInt64(_ path: @autoclosure () -> String) throws(JSONReadError) -> Int64? {
        try readOptional(path()) { scanner throws(JSONScanError) in try scanner.int64() }
    }

    /// An optional string value that must be one of `T`'s raw values.
    public mutating func readOptional<T: RawRepresentable>(_ type: T.Type, _ path: @autoclosure () -> String) throws(JSONReadError) -> T?
    where T.RawValue == String {
        guard let raw = try readOptionalString(path()) else { return nil }
        guard let value = T(rawValue: raw) else { throw JSONReadError(path: path(), kind: .invalid) }
        return value
    }

    /// A count: an integer that is not negative.
    public mutating func readCount(_ path: @autoclosure () -> String) throws(JSONReadError) -> Int {
        let value = try readInt(path())
        guard value >= 0 else { throw JSONReadError(path: path(), kind: .invalid) }
        return value
    }

    public mutating func readDouble(_ path: @autoclosure () -> String) throws(JSONReadError) -> Double {
        try read(path()) { scanner throws(JSONScanError) in try scanner.double() }
    }

    public mutating func readOptionalDouble(_ path: @autoclosure () -> String) throws(JSONReadError) -> Double? {
        try readOptional(path()) { scanner throws(JSONScanError) in try scanner.double() }
    }

    public mutating func readBool(_ path: @autoclosure () -> String) throws(JSONReadError) -> Bool {
        try read(path()) { scanner throws(JSONScanError) in try scanner.bool() }
    }

    /// An RFC 3339 date-time string, as milliseconds since 1970.
    public mutating func readTimestamp(_ path: @autoclosure () -> String) throws(JSONReadError) -> Int64 {
        guard let value = try readOptionalTimestamp(path()) else { throw JSONReadError(path: path(), kind: .wrongType) }
        return value
    }

    /// An RFC 3339 date-time string or `null`.
    public mutating func readOptionalTimestamp(_ path: @autoclosure () -> String) throws(JSONReadError) -> Int64? {
        let range: Range<Int>? = try readOptional(path()) { scanner throws(JSONScanError) in try scanner.plainStringRange() }
        guard let range else { return nil }
        guard let value = UTCTimestamp.parse(bytes, range) else { throw JSONReadError(path: path(), kind: .invalid) }
        return value
    }

    /// Skips the value of a key the reader does not use.
    public mutating func skip(_ path: @autoclosure () -> String) throws(JSONReadError) {
        try read(path()) { scanner throws(JSONScanError) in try scanner.skipValue() }
    }

    /// The `{` of a whole document (a request body, a line): anything else is "not JSON", with the
    /// scanner's reason and byte offset, so `[1]` and `garbage` read alike: not what was asked for.
    public mutating func readRootObject(_ path: @autoclosure () -> String) throws(JSONReadError) {
        do {
            try beginObject()
        } catch {
            throw JSONReadError(path: path(), kind: .notJSON(error))
        }
    }

    public mutating func readObjectStart(_ path: @autoclosure () -> String) throws(JSONReadError) {
        try read(path()) { scanner throws(JSONScanError) in try scanner.beginObject() }
    }

    /// The next key of an object, nil at its end. Anything but a string where a key belongs
    /// (`{not json`) is broken JSON, not a value of the wrong type.
    public mutating func readKey(_ path: @autoclosure () -> String) throws(JSONReadError) -> String? {
        do {
            return try nextKey()
        } catch {
            throw JSONReadError(path: path(), kind: .notJSON(error))
        }
    }

    /// The next key as bytes (see ``JSONScanner/nextKeyBytes()``), nil at the object's end.
    public mutating func readKeyBytes(_ path: @autoclosure () -> String) throws(JSONReadError) -> Key? {
        do {
            return try nextKeyBytes()
        } catch {
            throw JSONReadError(path: path(), kind: .notJSON(error))
        }
    }

    public mutating func readArrayStart(_ path: @autoclosure () -> String) throws(JSONReadError) {
        try read(path()) { scanner throws(JSONScanError) in try scanner.beginArray() }
    }

    public mutating func readElement(_ path: @autoclosure () -> String) throws(JSONReadError) -> Bool {
        try read(path()) { scanner throws(JSONScanError) in try scanner.nextElement() }
    }

    /// Only white space may follow the document just read.
    public mutating func readEnd(_ path: @autoclosure () -> String) throws(JSONReadError) {
        try read(path()) { scanner throws(JSONScanError) in try scanner.end() }
    }

    /// True (and consumed) when the next value is `null`.
    public mutating func readNull(_ path: @autoclosure () -> String) throws(JSONReadError) -> Bool {
        try read(path()) { scanner throws(JSONScanError) in try scanner.null() }
    }
}
