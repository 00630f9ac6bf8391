import MailCanaryCore

/// Encodes an HTTP/1.1 request head and body (RFC 9112 §3).
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var target: String
    public var host: String
    /// Fields besides `Host`, `Content-Length` and `Connection`, which the encoder writes.
    public var headers: [HTTPField]
    public var body: [UInt8]
    /// Whether the connection stays open for another request (an ``HTTPSession``); single
    /// requests send `Connection: close`.
    public var keepAlive: Bool

    public init(method: String, target: String, host: String, headers: [HTTPField] = [], body: [UInt8] = [], keepAlive: Bool = false) {
        self.method = method
        self.target = target
        self.host = host
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The `Host` value for a target (RFC 9110 §7.2): the port only when it is not the
    /// scheme's default, an IPv6 literal in brackets.
    public static func authority(host: String, port: Int, secure: Bool) -> String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (secure ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// The bytes to send.
    public var wire: [UInt8] {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\n"
        for field in headers { head += "\(field.name): \(field.value.exposedForWire)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += keepAlive ? "\r\n" : "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// The head as the transcript shows it: secret fields redacted.
    public var transcriptLines: [String] {
        var lines = ["\(method) \(target) HTTP/1.1", "Host: \(host)"]
        for field in headers { lines.append("\(field.name): \(field.isSecret ? "<redacted>" : field.value.exposedForWire)") }
        return lines
    }
}

/// A request field whose value may be secret (`Authorization`).
public struct HTTPField: Sendable, Equatable {
    public var name: String
    public var value: MailCanaryCore.Secret
    public var isSecret: Bool

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = .init(value)
        self.isSecret = false
    }

    public init(_ name: String, secret: MailCanaryCore.Secret) {
        self.name = name
        self.value = secret
        self.isSecret = true
    }
}
