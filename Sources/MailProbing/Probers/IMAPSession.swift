import MailCanaryCore
import MailWire
import NIOCore

/// An IMAP conversation on a ``ProbeConnection``: tags, the response parser, and the rules that
/// turn a server's words into a ``ProbeFailure`` (RFC 3501, RFC 5530 response codes).
final class IMAPSession {
    let connection: ProbeConnection
    let recorder: ProbeRecorder
    var parser: IMAPResponseParser
    private var tagCounter = 0

    init(connection: ProbeConnection, recorder: ProbeRecorder, limits: ProbeLimits) {
        self.connection = connection
        self.recorder = recorder
        self.parser = IMAPResponseParser(maxLineLength: limits.maxLineLength, maxLiteralSize: limits.maxLiteralSize)
    }

    func nextTag() -> String {
        tagCounter += 1
        return "a\(tagCounter)"
    }

    /// Reads one response, writing it to the transcript.
    func readResponse(step: StepName, waitingFor what: String) async throws(ProbeFailure) -> IMAPResponse {
        let response = try await connection.read(step: step, waitingFor: what) { (buffer: inout ByteBuffer) throws(ProbeFailure) -> IMAPResponse? in
            do throws(IMAPResponseParser.Error) {
                return try parser.parse(&buffer)
            } catch {
                throw Self.failure(for: error, step: step)
            }
        }
        recorder.transcript.server(Self.render(response))
        return response
    }

    /// Reads responses until the tagged one for `tag`; a `* BYE` on the way is a server failure
    /// unless `byeExpected` (LOGOUT).
    func readUntilTagged(_ tag: String, step: StepName, waitingFor what: String, byeExpected: Bool = false) async throws(ProbeFailure) -> (untagged: [IMAPUntagged], status: IMAPStatus) {
        var untagged: [IMAPUntagged] = []
        while true {
            let response: IMAPResponse
            do {
                response = try await readResponse(step: step, waitingFor: what)
            } catch {
                // A server that said BYE and closed gives its BYE as the reason.
                if let bye = untagged.lazy.compactMap(Self.bye).first, error.failureClass == .network {
                    throw ProbeFailure(.server, reason: .unavailable, step: step, message: "the server ended the session: \(bye.text)", serverReply: "* " + bye.rendered)
                }
                throw error
            }
            switch response {
            case .tagged(let responseTag, let status) where responseTag == tag:
                return (untagged, status)
            case .tagged(let other, _):
                throw ProbeFailure(.protocol, reason: .unexpectedReply, step: step, message: "the server answered tag \(other), expected \(tag)")
            case .continuation:
                throw ProbeFailure(.protocol, reason: .unexpectedReply, step: step, message: "unexpected continuation request while \(what)")
            case .untagged(let data):
                if let bye = Self.bye(data), !byeExpected {
                    throw ProbeFailure(.server, reason: .unavailable, step: step, message: "the server ended the session: \(bye.text)", serverReply: "* " + bye.rendered)
                }
                untagged.append(data)
            }
        }
    }

    static func bye(_ data: IMAPUntagged) -> IMAPStatus? {
        if case .status(let status) = data, status.kind == .bye { return status }
        return nil
    }

    /// The failure for a tagged NO or BAD, by response code (RFC 5530 §3).
    static func failure(for status: IMAPStatus, step: StepName, doing what: String) -> ProbeFailure {
        let reply = status.rendered
        if status.kind == .bad {
            return ProbeFailure(.protocol, reason: .unexpectedReply, step: step, message: "the server rejected \(what) as malformed: \(status.text)", serverReply: reply)
        }
        switch status.codeAtom {
        case "UNAVAILABLE", "SERVERBUG", "INUSE", "LIMIT", "OVERQUOTA":
            return ProbeFailure(.server, reason: .unavailable, step: step, message: "the server could not \(what): \(status.text)", serverReply: reply)
        case "PRIVACYREQUIRED":
            return ProbeFailure(.config, reason: .invalidOption, step: step, message: "the server requires TLS to \(what): \(status.text)", serverReply: reply)
        case "NONEXISTENT", "CANNOT", "NOPERM":
            // A `where` after a pattern list binds to the last pattern only, hence the `if`.
            if step == .operation {
                return ProbeFailure(.config, reason: .notFound, step: step, message: "the server could not \(what): \(status.text)", serverReply: reply)
            }
            fallthrough
        default:
            if step == .auth {
                return ProbeFailure(.auth, reason: .credentialsRejected, step: step, message: "credentials rejected: \(status.text)", serverReply: reply)
            }
            return ProbeFailure(.server, reason: .serverError, step: step, message: "the server could not \(what): \(status.text)", serverReply: reply)
        }
    }

    static func failure(for error: IMAPResponseParser.Error, step: StepName) -> ProbeFailure {
        switch error {
        case .lineTooLong(let limit):
            return ProbeFailure(.protocol, reason: .lineTooLong, step: step, message: "the server sent a line longer than \(limit) bytes")
        case .literalTooLarge(let size, let limit):
            return ProbeFailure(.protocol, reason: .responseTooLarge, step: step, message: "the server announced a \(size)-byte literal (limit \(limit))")
        case .responseTooLarge(let limit):
            return ProbeFailure(.protocol, reason: .responseTooLarge, step: step, message: "the server sent a response larger than \(limit) bytes")
        case .malformed(let line):
            return ProbeFailure(.protocol, reason: .malformed, step: step, message: "the server's bytes are not IMAP: \(String(line.prefix(80)))")
        }
    }

    static func render(_ response: IMAPResponse) -> String {
        switch response {
        case .tagged(let tag, let status): return "\(tag) \(status.rendered)"
        case .continuation(let text): return "+ \(text)"
        case .untagged(.status(let status)): return "* \(status.rendered)"
        case .untagged(.capability(let caps)): return "* CAPABILITY \(caps.joined(separator: " "))"
        case .untagged(.exists(let count)): return "* \(count) EXISTS"
        case .untagged(.other(let text)): return "* \(text)"
        }
    }
}
