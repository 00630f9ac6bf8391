import Foundation
import MailCanaryCore
import MailCanaryDetection
import MailCanaryIngest
import Testing

@Suite("NDJSON file reader and replay of a small file")
struct NDJSONFileReaderTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "mailcanary-ndjson-\(UUID().uuidString).ndjson"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func lines(_ path: String, chunk: Int, maximum: Int) throws -> [String] {
        var seen: [String] = []
        try NDJSONFileReader(path: path, chunkBytes: chunk, maximumLineBytes: maximum).forEachLine { buffer, range, number, tooLong in
            seen.append(tooLong ? "\(number):too long" : "\(number):" + String(decoding: buffer[range], as: UTF8.self))
        }
        return seen
    }

    @Test("lines across chunk boundaries, CRLF, empty lines, a last line without newline, an over-long line")
    func splitsLines() throws {
        let long = String(repeating: "x", count: 40)
        let path = try write("alpha\r\nbeta\n\ngamma-delta-epsilon\n\(long)\nzeta\nomega")
        defer { try? FileManager.default.removeItem(atPath: path) }
        for chunk in [1, 3, 7, 64] {
            #expect(try lines(path, chunk: chunk, maximum: 30)
                    == ["1:alpha", "2:beta", "4:gamma-delta-epsilon", "5:too long", "6:zeta", "7:omega"], "chunk \(chunk)")
        }
    }

    @Test("a missing file is a clear error")
    func missingFile() {
        #expect(throws: NDJSONFileReader.OpenError.self) { try lines("/nonexistent/scenario.ndjson", chunk: 64, maximum: 64) }
    }

    @Test("replay counts and names bad lines and keeps going")
    func replayKeepsGoing() throws {
        let path = try write("""
        {"kind":"scenario","name":"tiny","service":"contoso","start":"2025-10-06T00:00:00Z","end":"2025-10-06T00:10:00Z","regions":["eu"]}
        {"kind":"clients","t":"2025-10-06T00:01:00Z","service":"contoso","region":"eu","client":"owa","path":"owa","ok":10,"failed":0,"errors":{},"latencyMsP50":80}
        {"kind":"clients","t":"2025-10-06T00:02:00Z","service":"contoso","region":"eu","client":"owa","path":"owa","ok":10}
        not json at all
        {"kind":"report","t":"2025-10-06T00:03:00Z","service":"contoso","region":"eu","client":"owa","symptom":"slow","reporter":"u-1"}
        """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let replayer = try ScenarioReplayer.replay(path: path)
        #expect(replayer.summary.header?.name == "tiny")
        #expect(replayer.summary.records == 2)
        #expect(replayer.summary.badLines == 2)
        #expect(replayer.summary.problems == ["line 3: failed is missing", "line 4: not JSON (an object was expected at byte 0)"])
        #expect(replayer.engine.incidents.isEmpty)
    }

    @Test("replay in small chunks parsed on other threads: the same records, line numbers and long-line handling")
    func replayInChunks() throws {
        var lines: [String] = [#"{"kind":"scenario","name":"tiny","service":"contoso","start":"2025-10-06T00:00:00Z","end":"2025-10-06T03:00:00Z","regions":["eu"]}"#]
        for minute in 1...150 {
            let t = UTCTimestamp.format(UTCTimestamp.parse("2025-10-06T00:00:00Z")! + Int64(minute) * 60_000)
            lines.append(#"{"kind":"clients","t":"\#(t)","service":"contoso","region":"eu","client":"owa","path":"owa","ok":10,"failed":0}"#)
            if minute == 40 { lines.append("not json") }
            if minute == 90 { lines.append("{\"kind\":\"clients\",\"pad\":\"" + String(repeating: "x", count: 600) + "\"}") }
        }
        let path = try write(lines.joined(separator: "\r\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        // On this thread, with one parser thread, and with more parser threads than chunks in the window.
        for parsers in [0, 1, 2, 7] {
            let replayer = try ScenarioReplayer.replay(path: path, parsers: parsers, chunkBytes: 256, maximumLineBytes: 400)
            #expect(replayer.summary.header?.name == "tiny", "parsers \(parsers)")
            #expect(replayer.summary.records == 150, "parsers \(parsers)")
            #expect(replayer.summary.problems == ["line 42: not JSON (an object was expected at byte 0)", "line 93: longer than the 400 bytes limit"],
                    "parsers \(parsers)")
            let read = try ScenarioReplayer.read(path: path, parsers: parsers, chunkBytes: 256, maximumLineBytes: 400)
            #expect(read.records == 150 && read.badLines == 2, "parsers \(parsers)")
        }
    }
}
