import MailCanaryCore

/// Reads an NDJSON upload (`POST /api/v1/telemetry`, a log import) line by line: every good line
/// becomes a ``Signal`` and is kept; every bad line is reported with its number and the field at
/// fault, and the good ones around it still count.
public struct SignalBatchReader: Sendable {
    /// Signals more than this far ahead of the server's clock are refused (a client with a wrong clock).
    public var maximumFutureMs: Int64 = 300_000
    /// Signals older than this are refused (detection judges the present; history is imported
    /// with `mailcanary replay`).
    public var maximumAgeMs: Int64 = 7 * 86_400_000
    /// At most this many bad lines are described one by one; the rest are only counted.
    public var maximumProblems = 100
    /// When set, lines about other services are refused (a typo would otherwise start a series
    /// nobody watches).
    public var knownServices: Set<String>?

    public init(knownServices: Set<String>? = nil) {
        self.knownServices = knownServices
    }

    /// One bad line of an upload.
    public struct Problem: Sendable, Equatable {
        /// 1-based line number in the upload.
        public var line: Int
        public var message: String
    }

    public struct Outcome: Sendable {
        public var signals: [Signal] = []
        /// Byte ranges of the good lines in the upload, in order (what is stored).
        public var goodLines: [Range<Int>] = []
        public var problems: [Problem] = []
        public var badLines = 0
        public var firstTimeMs = Int64.max
        public var lastTimeMs = Int64.min

        /// The good lines as NDJSON text, each ending in a newline.
        public func goodText(_ bytes: [UInt8]) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(goodLines.reduce(0) { $0 + $1.count + 1 })
            for range in goodLines {
                out.append(contentsOf: bytes[range])
                out.append(10)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    public func read(_ bytes: [UInt8], nowMs: Int64) -> Outcome {
        var outcome = Outcome()
        outcome.signals.reserveCapacity(bytes.count / 120)
        var parser = SignalLineParser()
        NDJSONLines.forEach(in: bytes) { buffer, range, lineNumber, _ in
            guard !range.allSatisfy({ buffer[$0] == 32 || buffer[$0] == 9 }) else { return }   // blank line
            readLine(&parser, buffer, bytes, range, lineNumber, nowMs: nowMs, into: &outcome)
        }
        return outcome
    }

    private func readLine(_ parser: inout SignalLineParser, _ buffer: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8], _ range: Range<Int>,
                          _ number: Int, nowMs: Int64, into outcome: inout Outcome) {
        func refuse(_ message: String) {
            outcome.badLines += 1
            if outcome.problems.count < maximumProblems { outcome.problems.append(Problem(line: number, message: message)) }
        }
        let record: IngestRecord
        do {
            record = try parser.read(buffer, bytes, range)
        } catch {
            refuse(error.description)
            return
        }
        guard case .signal(let signal) = record else {
            refuse("a scenario header belongs in a file for mailcanary replay, not in an upload")
            return
        }
        if let knownServices, let service = signal.service, !knownServices.contains(service) {
            refuse("service '\(service)' is not watched here (\(knownServices.sorted().joined(separator: ", ")))")
            return
        }
        let time = signal.timeMs
        if time > nowMs + maximumFutureMs {
            refuse("time is \((time - nowMs + 30_000) / 60_000) minutes ahead of the server's clock; check the sender's clock")
            return
        }
        if time < nowMs - maximumAgeMs {
            refuse("time is \((nowMs - time) / 86_400_000) days in the past; uploads take the last \(maximumAgeMs / 86_400_000) days")
            return
        }
        outcome.signals.append(signal)
        outcome.goodLines.append(range)
        outcome.firstTimeMs = min(outcome.firstTimeMs, time)
        outcome.lastTimeMs = max(outcome.lastTimeMs, time)
    }
}
