import Foundation

/// The status line and header fields of an HTTP/1.1 response (RFC 9112 §4, §5).
public struct HTTPResponseHead: Equatable, Sendable {
    public var version: String
    public var status: Int
    public var reason: String
    /// Header fields in order, names as sent.
    public var headers: [(name: String, value: String)]

    public init(version: String, status: Int, reason: String, headers: [(name: String, value: String)]) {
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    /// The first value of a field, by case-insensitive name.
    public func first(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }


    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.version == rhs.version && lhs.status == rhs.status && lhs.reason == rhs.reason
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }
}
