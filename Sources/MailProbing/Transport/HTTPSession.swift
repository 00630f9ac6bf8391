import Foundation
import MailCanaryCore
import MailWire

/// Several HTTP/1.1 requests to one origin over one kept-alive connection, as a client does:
/// the `resolve`, `connect` and `tls` steps are recorded once; a connection the server closed
/// is opened again (its layers then go unrecorded, the request's step still is).
public final class HTTPSession {
    public let host: String
    public let port: Int
    public let secure: Bool
    let context: ProbeContext
    let recorder: ProbeRecorder
    private var connection: ProbeConnection?
    private var opened = false
    /// Cookies set by the server (`name=value`), sent back on later requests (RFC 6265 §5.4,
    /// reduced: one origin, no expiry). Never written to a transcript.
    private(set) var cookies: [String: String] = [:]

    public init(host: String, port: Int, secure: Bool = true, context: ProbeContext, recorder: ProbeRecorder) {
        self.host = host
        self.port = port
        self.secure = secure
        self.context = context
        self.recorder = recorder
    }

    deinit { connection?.close() }

    /// The `Host` header value: the port only when it is not the scheme's default.
    public var authority: String { HTTPRequest.authority(host: host, port: port, secure: secure) }

    /// Sends `method target` with `headers` and `body`, records `step`, returns the response.
    public func send(
        _ method: String,
        _ target: String,
        headers: [HTTPField] = [],
        body: [UInt8] = [],
        step: StepName,
        sendCookies: Bool = false
    ) async throws(ProbeFailure) -> HTTPExchange.Response {
        let open = try await openConnection()
        var fields = [HTTPField("User-Agent", "MailCanary/1 (+probe)")] + headers
        if sendCookies, !cookies.isEmpty {
            let value = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            fields.append(HTTPField("Cookie", secret: Secret(value)))
        }
        let request = HTTPRequest(method: method, target: target, host: authority, headers: fields, body: body, keepAlive: true)
        let response = try await HTTPExchange.exchange(request, on: open, step: step, context: context, recorder: recorder)
        for field in response.head.headers where field.name.lowercased() == "set-cookie" {
            let pair = field.value.split(separator: ";", maxSplits: 1).first ?? ""
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { cookies[parts[0].trimmingCharacters(in: .whitespaces)] = String(parts[1]) }
        }
        let closes = response.head.first("Connection")?.lowercased().contains("close") == true || response.head.version == "HTTP/1.0"
        if closes || !open.isOpen {
            open.close()
            connection = nil
        }
        return response
    }

    private func openConnection() async throws(ProbeFailure) -> ProbeConnection {
        if let connection, connection.isOpen { return connection }
        // The first connection's layers are the probe's steps; a reconnection's are not repeated.
        let layers = opened ? ProbeRecorder() : recorder
        let fresh = try await ProbeConnection.open(host: host, port: port, context: context, recorder: layers)
        if secure { try await fresh.startTLS() }
        if layers !== recorder, recorder.tls == nil { recorder.tls = layers.tls }
        recorder.greeted = true
        opened = true
        connection = fresh
        return fresh
    }
}
