import Foundation
import MailCanaryCore
import Testing

@Suite("RFC 3339 timestamps")
struct UTCTimestampTests {
    @Test("parses what ISO8601DateFormatter parses, offsets and fractions included")
    func agreesWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        for text in ["2025-11-25T09:12:00Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "2000-03-01T12:00:00+05:30",
                     "1969-12-31T23:59:59Z", "2099-12-31T00:00:00-08:00"] {
            let expected = try #require(formatter.date(from: text)).millisecondsSince1970
            #expect(UTCTimestamp.parse(text) == expected, "\(text)")
        }
        #expect(UTCTimestamp.parse("2025-11-25T09:12:00.250Z") == UTCTimestamp.parse("2025-11-25T09:12:00Z")! + 250)
    }

    @Test("formats and parses back")
    func roundTrip() {
        for ms: Int64 in [0, 1_764_061_920_000, 1_764_061_920_123, -1_000, 951_782_400_000] {
            #expect(UTCTimestamp.parse(UTCTimestamp.format(ms)) == ms)
        }
        #expect(UTCTimestamp.format(1_764_061_920_000) == "2025-11-25T09:12:00Z")
    }

    @Test("rejects what is not a date-time", arguments: [
        "", "2025-11-25", "2025-11-25T09:12:00", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2025-11-25T24:00:00Z",
        "2025-11-25T09:12:00ZZ", "2025-11-25 09:12:00Z", "2025-11-25T09:12:00.Z", "2025-11-25T09:12:00+0530", "x025-11-25T09:12:00Z",
    ])
    func rejects(_ text: String) {
        #expect(UTCTimestamp.parse(text) == nil)
    }
}
