/// A credential (password, client secret, token) that must never be printed.
///
/// `description`, `debugDescription` and `Codable` all redact, so a secret that slips into a
/// log line, an error or a JSON body shows as `<redacted>`. Only ``exposedForWire`` reveals it,
/// and only encoders that put it on the wire call that.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, Encodable {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The plain value, for the one encoder that sends it to the server.
    public var exposedForWire: String { value }
    public var isEmpty: Bool { value.isEmpty }

    public static let redactedMarker = "<redacted>"
    public var description: String { Self.redactedMarker }
    public var debugDescription: String { Self.redactedMarker }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Self.redactedMarker)
    }
}
