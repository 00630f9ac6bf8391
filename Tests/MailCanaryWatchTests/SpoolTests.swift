import Foundation
import MailCanaryCore
import MailCanaryStorage
import MailCanaryWatch
import Testing

@Suite("Agent spool")
struct SpoolTests {
    func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mc-spool-\(UUID().uuidString)").path
    }

    func result(_ n: Int) -> StoredResult {
        StoredResult(origin: "agent:apac-1", probeID: "lab/imap", service: "lab", path: "imap", region: "apac",
                     startedAtMs: Int64(n) * 1_000, plannedAtMs: Int64(n) * 1_000, durationMs: 12, outcome: .ok)
    }

    @Test("results survive a restart; sequences continue and are never reused")
    func durable() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var spool = try Spool(directory: dir, nowMicroseconds: 1_000)
        for n in 1...5 { try spool.append(result(n)) }
        #expect(spool.pending(limit: 10).compactMap(\.sequence) == [1_001, 1_002, 1_003, 1_004, 1_005])
        try spool.acknowledge(through: 1_003)
        spool = try Spool(directory: dir, nowMicroseconds: 99_999_999) // a restart, later
        #expect(spool.pending(limit: 10).compactMap(\.sequence) == [1_004, 1_005])
        try spool.acknowledge(through: 1_005)
        spool = try Spool(directory: dir, nowMicroseconds: 5)
        #expect(try spool.append(result(6)) == 1_006)
        #expect(spool.pendingCount == 1)
    }

    @Test("a torn last line (a crash mid-write) is ignored, the rest is kept")
    func tornLine() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try Spool(directory: dir, nowMicroseconds: 0)
        for n in 1...3 { try spool.append(result(n)) }
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasPrefix("segment-") })
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/" + segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"sequence\":4,\"res".utf8))
        try handle.close()
        let reopened = try Spool(directory: dir, nowMicroseconds: 0)
        #expect(reopened.pending(limit: 10).count == 3)
        #expect(try reopened.append(result(4)) == 4)
    }

    @Test("past its bound the spool drops the oldest results and counts them")
    func bounded() throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try Spool(directory: dir, maxBytes: 8_000, segmentBytes: 2_000, nowMicroseconds: 0)
        for n in 1...200 { try spool.append(result(n)) }
        #expect(spool.bytes <= 8_000)
        let pending = spool.pending(limit: 1_000).compactMap(\.sequence)
        #expect(spool.droppedCount > 0)
        #expect(Int64(pending.count) + spool.droppedCount == 200)
        #expect(pending.last == 200)
        #expect(pending == Array(pending.first!...200)) // the newest survive, contiguous
    }
}
