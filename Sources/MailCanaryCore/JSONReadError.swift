/// A JSON document that is not what the reader expected, named by the path of the offending value
/// (`results[3].outcome`), in the words the API's 400 answers use.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The bytes are not JSON at all.
        case notJSON(JSONScanError)
        case missing
        case wrongType
        /// The right type with a value outside the allowed set (an unknown outcome).
        case invalid
    }

    public var path: String
    public var kind: Kind

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    /// A scanner error met while reading the value at `path`.
    public init(_ error: JSONScanError, path: String) {
        self.init(path: path, kind: error.isSyntax ? .notJSON(error) : .wrongType)
    }

    public var description: String {
        switch kind {
        case .notJSON(let error): return "not JSON (\(error))"
        case .missing: return "\(path) is missing"
        case .wrongType: return "\(path) has the wrong type"
        case .invalid: return "\(path) is not valid"
        }
    }
}

extension JSONScanner {
    /// Reads the value at `path` with `body`; a scanner error becomes a ``JSONReadError`` naming the
    /// path (built only when something is wrong).
    @inlinable
    public mutating func read<T>(_ path: @autoclosure () -> String,
                                 _ body: (inout JSONScanner) throws(JSONScanError) -> T) throws(JSONReadError) -> T {
        do {
            return try body(&self)
        } catch {
            throw JSONReadError(error, path: path())
        }
    }

    /// A string value that must be one of `T`'s raw values.
    @inlinable
    public mutating func read<T: RawRepresentable>(_ type: T.Type, _ path: @autoclosure () -> String) throws(JSONReadError) -> T
    where T.RawValue == String {
        let raw = try read(path()) { scanner throws(JSONScanError) in try scanner.string() }
        guard let value = T(rawValue: raw) else { throw JSONReadError(path: path(), kind: .invalid) }
        return value
    }

    /// An optional value: `null` or absent reads as nil.
    @inlinable
    public mutating func readOptional<T>(_ path: @autoclosure () -> String,
                                         _ body: (inout JSONScanner) throws(JSONScanError) -> T) throws(JSONReadError) -> T? {
        do {
            if try null() { return nil }
            return try body(&self)
        } catch {
            throw JSONReadError(error, path: path())
        }
    }
}
