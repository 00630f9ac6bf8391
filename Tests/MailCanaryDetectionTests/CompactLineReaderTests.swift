@testable import MailCanaryIngest
import MailCanaryCore
import Testing

/// The compact fast path may only differ from the full reader in speed: every line it takes must
/// be one ``SignalLineReader`` takes too, with the same record; lines with a missing or invalid
/// field are left to the full reader, which names the field.
@Suite("Compact line reader agrees with the full reader")
struct CompactLineReaderTests {
    static let samples = [
        #"{"kind":"clients","t":"2025-11-25T09:13:00Z","service":"contoso","region":"apac","client":"outlook-classic","path":"mapi-http","ok":90,"failed":10,"errors":{"MAPI Connect: X-ResponseCode 1 (Unknown Failure)":9,"timed out after 30s":1},"latencyMsP50":81.5}"#,
        #"{"kind":"clients","t":"2025-11-25T09:13:00Z","service":"contoso","region":"eu","client":"owa","path":"owa","ok":0,"failed":0,"errors":{},"latencyMsP50":null}"#,
        #"{"kind":"probe","t":"2025-11-25T09:14:00Z","service":"contoso","region":"na","path":"mapi-http","agent":"na-1","outcome":"failed","failureClass":"server","durationMs":120.5,"error":"boom","steps":[{"name":"resolve","ms":3.1,"ok":true},{"name":"operation","ms":60,"ok":false}]}"#,
        #"{"kind":"probe","t":"2025-10-06T00:01:00Z","service":"contoso","region":"apac","path":"autodiscover","agent":"apac-1","outcome":"ok","failureClass":null,"durationMs":255.2,"error":null,"steps":[{"name":"resolve","ms":35.0,"ok":true},{"name":"tls","ms":58.8,"ok":true}]}"#,
        #"{"kind":"probe","t":"2025-10-06T00:01:00Z","service":"contoso","region":"apac","path":"ews","agent":"apac-1","outcome":"failed","failedStep":"auth","failureClass":"auth","durationMs":-0,"error":"401","steps":[]}"#,
        #"{"kind":"probe","t":"2025-10-06T00:03:00Z","service":"contoso","region":"na","path":"mapi-http","agent":"na-1","outcome":"ok","failureClass":null,"durationMs":310.4,"error":null,"steps":[{"name":"resolve","ms":12.5,"ok":true},{"name":"operation","ms":157.25,"ok":true},{"name":"operatio","ms":1,"ok":true}]}"#,
        #"{"kind":"probe","t":"2025-10-06T00:03:00Z","service":"contoso","region":"na","path":"ews","outcome":"ok","durationMs":90,"steps":[{"ok":true,"name":"operation","ms":44}]}"#,
        #"{"kind":"report","t":"2025-11-25T09:30:00Z","service":"contoso","region":"na","client":"outlook-classic","symptom":"cannot-connect","reporter":"u-000001","text":"no mail since 9"}"#,
        #"{"time":"2025-11-25T09:12:31.5Z","service":"contoso","region":"eu","client":"owa","path":"owa","outcome":"failed","error":"HTTP 503","user":"h-42"}"#,
        #"{"kind":"event","time":"2025-11-25T09:12:31+01:00","service":"contoso","region":"eu","client":"owa","path":"owa","outcome":"ok","user":null,"latencyMs":12}"#,
    ]

    /// Compact in shape but not good records: left to the full reader, which names what is wrong.
    static let refused = [
        #"{"kind":"clients","t":"2025-11-25T09:13:00Z","service":"c","region":"r","client":"owa","path":"owa","ok":1}"#,
        #"{"kind":"weather","t":"2025-11-25T09:13:00Z"}"#,
        #"{"kind":"probe","t":"2025-11-25T09:14:00Z","service":"c","region":"r","path":"p","outcome":"maybe","durationMs":1}"#,
        #"{"kind":"report","t":"2025-11-25T09:30:00Z","service":"c","region":"na","symptom":"slow"}"#,
        #"{}"#,
    ]

    /// Both readers on one line: the record, or the error's text.
    static func both(_ line: String) -> (fast: String?, full: String) {
        let bytes = Array(line.utf8)
        let full: String
        do { full = "\(try SignalLineReader.read(bytes, 0..<bytes.count))" } catch { full = "error: \(error)" }
        var reader = CompactLineReader()
        guard let signal = bytes.withUnsafeBufferPointer({ reader.read($0, 0..<bytes.count) }) else { return (nil, full) }
        return ("\(IngestRecord.signal(signal))", full)
    }

    @Test("takes the compact lines writers produce and gives the same records")
    func samplesAgree() {
        for line in Self.samples {
            let (fast, full) = Self.both(line)
            #expect(fast != nil, "the fast path refused \(line)")
            #expect(fast == nil || fast == full, "\(line)")
        }
        for line in Self.refused {
            let (fast, full) = Self.both(line)
            #expect(fast == nil, "the fast path took \(line)")
            #expect(full.hasPrefix("error: "), "\(line): \(full)")
        }
        let written = [ClientCounts(timeMs: 1_764_062_000_000, service: "contoso", region: "apac", client: .outlookClassic, path: .mapiHTTP,
                                    ok: 3, failed: 2, errors: [ErrorCount("connection reset by peer", 2)], latencyMsP50: 97.25).ndjsonLine,
                       UserReport(timeMs: 1_764_062_000_000, service: "contoso", region: "na", client: .owa, symptom: "slow",
                                  reporter: "r-1", text: "slow since 9").ndjsonLine]
        for line in written {
            let (fast, full) = Self.both(line)
            #expect(fast != nil && fast == full, "\(line)")
        }
    }

    @Test("on every one-byte change, insertion and deletion of the samples, what the fast path takes agrees")
    func mutationsAgree() async {
        let (taken, compared, differences) = await OffPool.run { Self.mutate() }
        for difference in differences.prefix(10) { Issue.record(Comment(rawValue: difference)) }
        // The fast path must really take many of the variants, or the test would prove little.
        #expect(compared > 20_000 && taken > 10_000, "took \(taken) of \(compared)")
    }

    static func mutate() -> (taken: Int, compared: Int, differences: [String]) {
        let replacements: [UInt8] = Array(#"" \{}[],:0159-+.eEnulltrfasx/"#.utf8) + [0x01, 0x7F, 0xC3, 0x09]
        var taken = 0
        var compared = 0
        var differences: [String] = []
        for line in samples + refused {
            let bytes = Array(line.utf8)
            for position in bytes.indices {
                var variants: [[UInt8]] = []
                var deleted = bytes
                deleted.remove(at: position)
                variants.append(deleted)
                for byte in replacements where byte != bytes[position] {
                    var changed = bytes
                    changed[position] = byte
                    variants.append(changed)
                }
                var inserted = bytes
                inserted.insert(UInt8(ascii: "9"), at: position)
                variants.append(inserted)
                for variant in variants {
                    let text = String(decoding: variant, as: UTF8.self)
                    guard Array(text.utf8) == variant else { continue }   // not UTF-8: a String cannot carry it
                    let (fast, full) = both(text)
                    compared += 1
                    guard let fast else { continue }
                    taken += 1
                    if fast != full { differences.append("fast path differs on \(text): \(fast) vs \(full)") }
                }
            }
        }
        return (taken, compared, differences)
    }

    /// Past the interner's capacity, strings are the line's own: one reader over thousands of
    /// distinct texts (a stream of unique error ids) still gives each line its own strings.
    @Test("past the interner's capacity every line keeps its own strings")
    func manyDistinctStrings() {
        var reader = CompactLineReader()
        for index in 0..<(StringInterner.capacity + 500) {
            let line = #"{"kind":"clients","t":"2025-11-25T09:13:00Z","service":"contoso","region":"r\#(index)","client":"owa","path":"owa","ok":1,"failed":1,"errors":{"error number \#(index) of many, long enough to need the heap":1}}"#
            let bytes = Array(line.utf8)
            let fast = bytes.withUnsafeBufferPointer { reader.read($0, 0..<bytes.count) }
            let full = try? SignalLineReader.read(bytes, 0..<bytes.count)
            guard let fast, case .signal(let expected)? = full, fast == expected else {
                Issue.record("line \(index) differs: \(String(describing: fast))")
                return
            }
        }
    }

    /// Plain numbers of at most 15 bytes are the fast path's; the rest are the full reader's.
    @Test("numbers: the fast path converts exactly as the full reader, and leaves it what it does not convert", arguments: [
        ("0", true), ("-0", true), ("7", true), ("12", true), ("120.5", true), ("0.1", true), ("3.14159", true), ("-2.5", true),
        ("99999999999999", true), ("123456789012345", true), ("0.000001", true), ("1234567890.12345", false), ("1e3", false),
        ("1E-2", false), ("2.5e+1", false), ("01", false), ("1.", false), (".5", false), ("-", false), ("1234567890123456", false),
        ("12345678901234.56", false),
    ])
    func numbersAgree(_ number: String, _ taken: Bool) {
        let line = #"{"kind":"probe","t":"2025-11-25T09:14:00Z","service":"c","region":"r","path":"p","agent":"a","outcome":"ok","durationMs":"#
            + number + #","steps":[{"name":"x","ms":"# + number + #","ok":true}]}"#
        let (fast, full) = Self.both(line)
        #expect((fast != nil) == taken, "\(number)")
        #expect(fast == nil || fast == full, "\(number): \(fast ?? "-") vs \(full)")
    }
}
