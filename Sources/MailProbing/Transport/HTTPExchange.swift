import Foundation
import MailCanaryCore
import MailWire
import NIOCore

/// One HTTP/1.1 request and response on a fresh connection (resolve, connect, tls, request).
/// Used by the HTTP prober for each hop and by the token provider.
public enum HTTPExchange {
    public struct Response: Sendable {
        public var head: HTTPResponseHead
        public var body: [UInt8]
        public var bodyTruncated: Bool
        /// Milliseconds from sending the request to the first byte of the answer.
        public var timeToFirstByteMs: Double
        /// Milliseconds from the first byte to the end of the body.
        public var transferMs: Double
    }

    /// - Parameters:
    ///   - step: the step name used for the request/response part (`operation` for the HTTP
    ///     prober, `token` for a token request).
    public static func perform(
        _ request: HTTPRequest,
        secure: Bool,
        host: String,
        port: Int,
        step: StepName,
        context: ProbeContext,
        recorder: ProbeRecorder
    ) async throws(ProbeFailure) -> Response {
        let connection = try await ProbeConnection.open(host: host, port: port, context: context, recorder: recorder)
        defer { connection.close() }
        if secure { try await connection.startTLS() }
        recorder.greeted = true
        return try await exchange(request, on: connection, step: step, context: context, recorder: recorder)
    }

    /// One request and its response on an open connection (kept open for the next request
    /// when the response allows it).
    public static func exchange(
        _ request: HTTPRequest,
        on connection: ProbeConnection,
        step: StepName,
        context: ProbeContext,
        recorder: ProbeRecorder
    ) async throws(ProbeFailure) -> Response {
        try await recorder.step(step) { () async throws(ProbeFailure) in
            for line in request.transcriptLines { recorder.transcript.client(line) }
            let sent = NIODeadline.now()
            connection.write(request.wire)
            var parser = HTTPResponseParser(maxHeadSize: context.settings.limits.maxHeadSize, maxBodySize: context.settings.limits.maxBodySize)
            parser.isResponseToHead = request.method == "HEAD"
            var firstByte: NIODeadline?
            var head: HTTPResponseHead?
            var result: (body: [UInt8], truncated: Bool)?
            func feed(_ buffer: inout ByteBuffer) throws(ProbeFailure) -> Bool {
                if firstByte == nil, buffer.readableBytes > 0 { firstByte = .now() }
                do {
                    for event in try parser.parse(&buffer) {
                        switch event {
                        case .head(let parsed):
                            if (100..<200).contains(parsed.status) && parsed.status != 101 {
                                // An interim response (RFC 9110 §15.2): the final one follows.
                                parser = HTTPResponseParser(maxHeadSize: context.settings.limits.maxHeadSize, maxBodySize: context.settings.limits.maxBodySize)
                                parser.isResponseToHead = request.method == "HEAD"
                                continue
                            }
                            head = parsed
                            recorder.transcript.server("\(parsed.version) \(parsed.status) \(parsed.reason)")
                            for field in parsed.headers.prefix(40) {
                                // Cookies can be session credentials: their values never reach a transcript.
                                let secret = field.name.lowercased() == "set-cookie"
                                recorder.transcript.server("\(field.name): \(secret ? "<redacted>" : field.value)")
                            }
                        case .end(let body, let truncated):
                            result = (body, truncated)
                        }
                    }
                } catch {
                    throw ProbeFailure(.protocol, reason: .malformed, step: step, message: "the server's HTTP response is malformed: \(error)")
                }
                return result != nil || parser.isTruncated
            }
            let complete: Bool = try await connection.read(step: step, waitingFor: "waiting for the HTTP response") { (buffer: inout ByteBuffer) throws(ProbeFailure) -> Bool? in
                if try feed(&buffer) { return true }
                return parser.readsUntilClose ? false : nil
            }
            if !complete {
                try await connection.readUntilClose(step: step) { buffer in
                    _ = try? feed(&buffer)
                    return !parser.isTruncated
                }
                if result == nil, let event = parser.peerClosed(), case .end(let body, let truncated) = event {
                    result = (body, truncated)
                }
            }
            guard let head else {
                throw ProbeFailure(.protocol, reason: .malformed, step: step, message: "the server closed the connection before a complete HTTP response")
            }
            let finished = NIODeadline.now()
            let ttfb = Double(((firstByte ?? finished) - sent).nanoseconds) / 1e6
            let transfer = Double((finished - (firstByte ?? finished)).nanoseconds) / 1e6
            let body = result ?? (body: parser.keptBody, truncated: parser.isTruncated)
            let response = Response(head: head, body: body.body, bodyTruncated: body.truncated,
                                    timeToFirstByteMs: ttfb, transferMs: transfer)
            let detail = "HTTP \(head.status) \(head.reason), \(body.body.count) bytes\(body.truncated ? " (truncated)" : ""), first byte after \(ttfb.tenthsText) ms"
            return (response, detail)
        }
    }
}
