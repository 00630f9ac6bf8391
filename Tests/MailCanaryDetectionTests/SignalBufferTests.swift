@testable import MailCanaryIngest
import MailCanaryCore
import Testing

@Suite("Signal buffer")
struct SignalBufferTests {
    static func signal(_ index: Int) -> Signal {
        .clients(ClientCounts(timeMs: Int64(index) * 60_000, service: "contoso", region: "region-\(index % 3)", client: .owa,
                              path: .owa, ok: index, failed: index % 2, errors: index % 2 == 1 ? [ErrorCount("error \(index)", 1)] : []))
    }

    @Test("keeps the signals in order as it grows, and moves each out once")
    func growsAndDrains() {
        let buffer = SignalBuffer(capacity: 1)
        for index in 0..<1_000 { buffer.append(Self.signal(index)) }
        #expect(buffer.count == 1_000 && buffer.capacity >= 1_000)
        var drained: [Signal] = []
        buffer.drain { drained.append($0) }
        #expect(drained == (0..<1_000).map(Self.signal))
        #expect(buffer.isEmpty)
        buffer.drain { _ in Issue.record("a drained buffer gave a signal again") }
    }

    @Test("a slot built in place is kept only when the builder says so; the buffer is reused after it is emptied")
    func buildsInPlace() {
        let buffer = SignalBuffer(capacity: 2)
        #expect(buffer.append(building: { $0.initialize(to: Self.signal(7)); return true }))
        #expect(!buffer.append(building: { _ in false }))
        #expect(buffer.signals == [Self.signal(7)])
        buffer.removeAll()
        #expect(buffer.isEmpty && buffer.capacity == 2)
        buffer.append(Self.signal(8))
        #expect(buffer.signals == [Self.signal(8)])
    }

    @Test("a chunk parsed into a reused buffer gives the same signals as into a fresh one")
    func reusedStorage() throws {
        let lines = (0..<50).map { Self.signal($0) }.map { signal -> String in
            guard case .clients(let counts) = signal else { return "" }
            return counts.ndjsonLine
        }
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let chunk = NDJSONChunkReader.Chunk(bytes: bytes, length: bytes.count, tooLongBefore: 0)
        let fresh = ParsedChunk(chunk, maximumLineBytes: 1 << 20)
        let used = SignalBuffer()
        for index in 100..<300 { used.append(Self.signal(index)) }
        let reused = ParsedChunk(chunk, maximumLineBytes: 1 << 20, storage: used)
        #expect(fresh.signals.signals == (0..<50).map(Self.signal))
        #expect(reused.signals.signals == fresh.signals.signals)
    }
}
