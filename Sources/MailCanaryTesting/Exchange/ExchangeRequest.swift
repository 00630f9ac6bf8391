/// One request as the Exchange test server saw it.
public struct ExchangeRequest: Sendable {
    public var method: String
    /// The path, percent-encoded, without the query.
    public var path: String
    public var query: [String: String]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Whether it came over TLS.
    public var secure: Bool

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The host the client asked for, without the port.
    public var host: String {
        let value = header("Host") ?? ""
        if value.hasPrefix("[") { return String(value.prefix { $0 != "]" }.dropFirst()) }
        return String(value.split(separator: ":").first ?? "").lowercased()
    }
}

/// What the Exchange test server sends back.
public enum ExchangeReply: Sendable {
    /// A complete response with Content-Length.
    case full(status: Int, headers: [(String, String)], body: [UInt8])
    /// A chunked response, one chunk per element, each sent after its delay in milliseconds
    /// (MAPI over HTTP's PROCESSING, PENDING…, DONE framing).
    case chunked(status: Int, headers: [(String, String)], chunks: [(delayMs: Int, bytes: [UInt8])])

    static func text(_ status: Int, _ body: String, type: String = "text/plain; charset=utf-8", headers: [(String, String)] = []) -> ExchangeReply {
        .full(status: status, headers: [("Content-Type", type)] + headers, body: Array(body.utf8))
    }

    var status: Int {
        switch self {
        case .full(let status, _, _), .chunked(let status, _, _): return status
        }
    }
}
