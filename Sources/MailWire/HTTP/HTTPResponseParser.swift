import Foundation
import NIOCore

/// A bounded HTTP/1.1 response parser (RFC 9112) for probes: head, then body by
/// `Content-Length`, `chunked` transfer coding, or until the connection closes.
///
/// Bounds: the head (status line and fields) is limited to `maxHeadSize`; body bytes beyond
/// `maxBodySize` are not kept and the response is reported as truncated, so that an endless body
/// costs no memory and the probe can stop reading.
public struct HTTPResponseParser: Sendable {
    public enum Error: Swift.Error, Equatable, Sendable {
        case headTooLarge(limit: Int)
        case malformedStatusLine(String)
        case malformedHeader(String)
        case malformedChunk(String)
        case invalidContentLength(String)
    }

    public enum Event: Equatable, Sendable {
        case head(HTTPResponseHead)
        /// The whole body (at most `maxBodySize` bytes) and whether more was cut off.
        case end(body: [UInt8], truncated: Bool)
    }

    private enum State: Sendable {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    public var maxHeadSize: Int
    public var maxBodySize: Int
    private var framer: LineFramer
    private var state: State = .head
    private var headLines: [String] = []
    private var headBytes = 0
    private var body: [UInt8] = []
    private var truncated = false
    /// Set for responses to HEAD requests: no body follows whatever the fields say.
    public var isResponseToHead = false

    /// - Parameters:
    ///   - maxHeadSize: default 32 KiB, as common servers limit request heads to 8–64 KiB.
    ///   - maxBodySize: default 256 KiB, enough for a sign-in page or an Autodiscover answer.
    public init(maxHeadSize: Int = 32_768, maxBodySize: Int = 262_144) {
        self.maxHeadSize = maxHeadSize
        self.maxBodySize = maxBodySize
        self.framer = LineFramer(maxLineLength: maxHeadSize)
    }

    /// Whether the body is complete only when the peer closes.
    public var readsUntilClose: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// Whether the body already exceeded `maxBodySize`; the caller may stop reading.
    public var isTruncated: Bool { truncated }

    /// The body bytes kept so far (at most `maxBodySize`).
    public var keptBody: [UInt8] { body }

    /// Feeds bytes; returns the events they complete.
    public mutating func parse(_ buffer: inout ByteBuffer) throws(Error) -> [Event] {
        var events: [Event] = []
        loop: while true {
            switch state {
            case .head:
                switch framer.nextLine(&buffer) {
                case .needMoreData:
                    if buffer.readableBytes + headBytes > maxHeadSize { throw .headTooLarge(limit: maxHeadSize) }
                    break loop
                case .lineTooLong:
                    throw .headTooLarge(limit: maxHeadSize)
                case .line(let line):
                    headBytes += line.utf8.count + 2
                    if headBytes > maxHeadSize { throw .headTooLarge(limit: maxHeadSize) }
                    if !line.isEmpty {
                        headLines.append(line)
                        continue
                    }
                    let head = try makeHead()
                    events.append(.head(head))
                    state = try bodyState(for: head)
                    if case .done = state { events.append(.end(body: [], truncated: false)) }
                }
            case .fixed(let remaining):
                if remaining == 0 {
                    state = .done
                    events.append(.end(body: body, truncated: truncated))
                    continue
                }
                let take = min(remaining, buffer.readableBytes)
                if take == 0 { break loop }
                keep(buffer.readSlice(length: take)!)
                state = .fixed(remaining: remaining - take)
            case .chunkSize:
                guard case .line(let line) = framer.nextLine(&buffer) else {
                    if buffer.readableBytes > 1_024 { throw .malformedChunk("chunk size line too long") }
                    break loop
                }
                let sizeText = line.split(separator: ";", maxSplits: 1).first.map { Self.trimmed($0) } ?? ""
                guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                    throw .malformedChunk(line)
                }
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let take = min(remaining, buffer.readableBytes)
                if take == 0 { break loop }
                keep(buffer.readSlice(length: take)!)
                state = remaining - take == 0 ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkDataEnd:
                switch framer.nextLine(&buffer) {
                case .needMoreData: break loop
                case .line(""): state = .chunkSize
                default: throw .malformedChunk("missing CRLF after chunk data")
                }
            case .trailers:
                switch framer.nextLine(&buffer) {
                case .needMoreData: break loop
                case .lineTooLong: throw .headTooLarge(limit: maxHeadSize)
                case .line(let line):
                    if line.isEmpty {
                        state = .done
                        events.append(.end(body: body, truncated: truncated))
                    }
                }
            case .untilClose:
                guard buffer.readableBytes > 0 else { break loop }
                keep(buffer.readSlice(length: buffer.readableBytes)!)
                break loop
            case .done:
                break loop
            }
        }
        return events
    }

    /// Call when the peer closed: completes a body that runs until close; nil when a response
    /// was cut short (which the caller reports as a failure).
    public mutating func peerClosed() -> Event? {
        if case .untilClose = state {
            state = .done
            return .end(body: body, truncated: truncated)
        }
        return nil
    }

    private mutating func keep(_ slice: ByteBuffer) {
        let room = maxBodySize - body.count
        if room > 0 { body.append(contentsOf: slice.readableBytesView.prefix(room)) }
        if slice.readableBytes > room { truncated = true }
    }

    private mutating func makeHead() throws(Error) -> HTTPResponseHead {
        guard let statusLine = headLines.first else { throw .malformedStatusLine("") }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
              let status = Int(parts[1]), (100...999).contains(status)
        else { throw .malformedStatusLine(statusLine) }
        var headers: [(name: String, value: String)] = []
        for line in headLines.dropFirst() {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  !line[..<colon].contains(where: { $0 == " " || $0 == "\t" })
            else { throw .malformedHeader(line) }
            headers.append((String(line[..<colon]), Self.trimmed(line[line.index(after: colon)...])))
        }
        headLines = []
        return HTTPResponseHead(
            version: String(parts[0]),
            status: status,
            reason: parts.count > 2 ? String(parts[2]) : "",
            headers: headers
        )
    }

    /// Spaces and tabs removed at both ends (RFC 9110 §5.5 OWS), without Foundation's bridging.
    static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }

    private func bodyState(for head: HTTPResponseHead) throws(Error) -> State {
        if isResponseToHead || (100..<200).contains(head.status) || head.status == 204 || head.status == 304 {
            return .done
        }
        if let coding = head.first("Transfer-Encoding"), coding.lowercased().split(separator: ",").contains(where: { Self.trimmed($0) == "chunked" }) {
            return .chunkSize
        }
        if let lengthText = head.first("Content-Length") {
            let values = Set(lengthText.split(separator: ",").map { Self.trimmed($0) })
            guard values.count == 1, let value = values.first, let length = Int(value), length >= 0 else {
                throw .invalidContentLength(lengthText)
            }
            return .fixed(remaining: length)
        }
        return .untilClose
    }
}
