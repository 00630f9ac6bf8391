import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A real HTTP receiver on loopback that answers as scripted: errors, throttling with
/// Retry-After, answers slower than the sender waits, then success. It records every request
/// and checks each signature.
final class WebhookReceiver: Sendable {
    enum Answer: Sendable {
        case status(Int, retryAfter: String? = nil)
        /// Answers 200, but only after the sender has given up waiting.
        case late(Duration)
    }

    struct Request: Sendable {
        var delivery: String
        var event: String
        var body: [UInt8]
        var signatureValid: Bool
        /// What the receiver answered at once (nil when it answered too late to count).
        var accepted: Bool
        var status: Int
    }

    let secret: String
    private let script = NIOLockedValueBox<[Answer]>([])
    private let fallback = NIOLockedValueBox<Answer>(.status(200))
    private let requests = NIOLockedValueBox<[Request]>([])
    private let port = NIOLockedValueBox<Int?>(nil)
    private let task = NIOLockedValueBox<Task<Void, any Error>?>(nil)

    init(secret: String) {
        self.secret = secret
    }

    /// Answers to give, in order; after them, `then` for every request.
    func answer(_ answers: [Answer], then: Answer = .status(200)) {
        script.withLockedValue { $0 = answers }
        fallback.withLockedValue { $0 = then }
    }

    var received: [Request] { requests.withLockedValue { $0 } }
    /// Requests the receiver took (answered 2xx in time), by delivery key.
    var accepted: [String] { received.filter(\.accepted).map(\.delivery) }

    var url: String { "http://127.0.0.1:\(port.withLockedValue { $0 } ?? 0)/hook" }

    func start() async throws {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            let body = Array(buffer: try await request.body.collect(upTo: 1 << 20))
            let answer = self.script.withLockedValue { $0.isEmpty ? nil : $0.removeFirst() } ?? self.fallback.withLockedValue { $0 }
            let timestamp = request.headers[HTTPField.Name("X-MailCanary-Timestamp")!] ?? ""
            let signature = request.headers[HTTPField.Name("X-MailCanary-Signature")!] ?? ""
            let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: SymmetricKey(data: Array(self.secret.utf8)))
            let expected = "v1=" + mac.map { String(format: "%02x", $0) }.joined()
            var record = Request(delivery: request.headers[HTTPField.Name("X-MailCanary-Delivery")!] ?? "",
                                 event: request.headers[HTTPField.Name("X-MailCanary-Event")!] ?? "", body: body,
                                 signatureValid: signature == expected, accepted: false, status: 0)
            switch answer {
            case .status(let code, let retryAfter):
                record.status = code
                record.accepted = (200..<300).contains(code)
                self.requests.withLockedValue { $0.append(record) }
                var headers = HTTPFields()
                if let retryAfter { headers[.retryAfter] = retryAfter }
                return Response(status: .init(code: code), headers: headers, body: .init(byteBuffer: ByteBuffer(string: code >= 400 ? "{\"error\":\"scripted\"}" : "ok")))
            case .late(let delay):
                self.requests.withLockedValue { $0.append(record) }
                try await Task.sleep(for: delay)
                return Response(status: .ok)
            }
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .warning
        let bound = port
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in bound.withLockedValue { $0 = channel.localAddress?.port } }, logger: logger)
        task.withLockedValue { $0 = Task { try await app.runService() } }
        for _ in 0..<200 where port.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
    }

    func stop() {
        task.withLockedValue { $0?.cancel() }
    }
}
