import MailWire
import NIOCore
import Testing

@Suite struct HTTPResponseParserTests {
    func run(_ text: String, parser make: () -> HTTPResponseParser = { HTTPResponseParser() }) throws -> [[HTTPResponseParser.Event]] {
        try feedings(text).map { chunks in
            var parser = make()
            var events: [HTTPResponseParser.Event] = []
            var pending = ByteBuffer()
            for var chunk in chunks {
                pending.writeBuffer(&chunk)
                events += try parser.parse(&pending)
            }
            if let last = parser.peerClosed() { events.append(last) }
            return events
        }
    }

    @Test func readsAContentLengthBody() throws {
        for events in try run("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello") {
            #expect(events.count == 2)
            guard case .head(let head) = events[0] else { Issue.record("no head"); continue }
            #expect(head.status == 200)
            #expect(head.first("x-a") == "b")
            #expect(events[1] == .end(body: Array("hello".utf8), truncated: false))
        }
    }

    @Test func readsAChunkedBody() throws {
        for events in try run("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n") {
            #expect(events.last == .end(body: Array("hello world".utf8), truncated: false))
        }
    }

    @Test func readsUntilCloseAndTruncatesPastTheBound() throws {
        let body = String(repeating: "x", count: 100)
        for events in try run("HTTP/1.0 200 OK\r\n\r\n" + body, parser: { HTTPResponseParser(maxBodySize: 10) }) {
            #expect(events.last == .end(body: Array(repeating: UInt8(ascii: "x"), count: 10), truncated: true))
        }
    }

    @Test func knowsResponsesWithoutBody() throws {
        for events in try run("HTTP/1.1 204 No Content\r\n\r\n") {
            #expect(events.last == .end(body: [], truncated: false))
        }
    }

    @Test(arguments: [
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ])
    func rejectsMalformedResponses(text: String) {
        var parser = HTTPResponseParser()
        var buffer = ByteBuffer(string: text)
        #expect(throws: HTTPResponseParser.Error.self) { _ = try parser.parse(&buffer) }
    }

    @Test func boundsTheHead() {
        var parser = HTTPResponseParser(maxHeadSize: 64)
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Pad: aaaaaaaa\r\n", count: 10))
        #expect(throws: HTTPResponseParser.Error.headTooLarge(limit: 64)) { _ = try parser.parse(&buffer) }
    }
}
