import MailCanaryCore

/// Reading results without `JSONDecoder`: agent batches, spool segments and stored step lists are
/// the ingest path, and the same field names as the `Codable` form (a test keeps the two in step).
extension StoredResult {
    /// Reads one result object; `path` names it in errors (`results[3]`).
    public static func read(from scanner: inout JSONScanner, path: @autoclosure () -> String) throws(JSONReadError) -> StoredResult {
        var origin: String?, sequence: Int64?, probeID: String?, service: String?, seriesPath: String?, region: String?
        var startedAtMs: Int64?, plannedAtMs: Int64?, durationMs: Double?, outcome: ProbeOutcome?
        var failureClass: FailureClass?, failureReason: String?, failedStep: String?, error: String?
        var certificateDaysLeft: Int?, steps: String?
        try scanner.read(path()) { scanner throws(JSONScanError) in try scanner.beginObject() }
        while let key = try scanner.read(path(), { scanner throws(JSONScanError) in try scanner.nextKey() }) {
            switch key {
            case "origin": origin = try scanner.read(path() + ".origin") { scanner throws(JSONScanError) in try scanner.string() }
            case "sequence": sequence = try scanner.readOptional(path() + ".sequence") { scanner throws(JSONScanError) in try scanner.int64() }
            case "probeID": probeID = try scanner.read(path() + ".probeID") { scanner throws(JSONScanError) in try scanner.string() }
            case "service": service = try scanner.read(path() + ".service") { scanner throws(JSONScanError) in try scanner.string() }
            case "path": seriesPath = try scanner.read(path() + ".path") { scanner throws(JSONScanError) in try scanner.string() }
            case "region": region = try scanner.read(path() + ".region") { scanner throws(JSONScanError) in try scanner.string() }
            case "startedAtMs": startedAtMs = try scanner.read(path() + ".startedAtMs") { scanner throws(JSONScanError) in try scanner.int64() }
            case "plannedAtMs": plannedAtMs = try scanner.read(path() + ".plannedAtMs") { scanner throws(JSONScanError) in try scanner.int64() }
            case "durationMs": durationMs = try scanner.read(path() + ".durationMs") { scanner throws(JSONScanError) in try scanner.double() }
            case "outcome": outcome = try scanner.read(ProbeOutcome.self, path() + ".outcome")
            case "failureClass":
                failureClass = try scanner.readOptional(path() + ".failureClass") { scanner throws(JSONScanError) in try scanner.string() }
                    .map { (raw: String) throws(JSONReadError) -> FailureClass in
                        guard let value = FailureClass(rawValue: raw) else { throw JSONReadError(path: path() + ".failureClass", kind: .invalid) }
                        return value
                    }
            case "failureReason": failureReason = try scanner.readOptional(path() + ".failureReason") { scanner throws(JSONScanError) in try scanner.string() }
            case "failedStep": failedStep = try scanner.readOptional(path() + ".failedStep") { scanner throws(JSONScanError) in try scanner.string() }
            case "error": error = try scanner.readOptional(path() + ".error") { scanner throws(JSONScanError) in try scanner.string() }
            case "certificateDaysLeft":
                certificateDaysLeft = try scanner.readOptional(path() + ".certificateDaysLeft") { scanner throws(JSONScanError) in try scanner.int() }
            case "steps":
                let start = scanner.valueStart()
                try StepRecord.checkList(from: &scanner, path: path() + ".steps")
                steps = String(decoding: scanner.bytes[start..<scanner.offset], as: UTF8.self)
            default: try scanner.read(path() + "." + key) { scanner throws(JSONScanError) in try scanner.skipValue() }
            }
        }
        func required<T>(_ value: T?, _ key: String) throws(JSONReadError) -> T {
            guard let value else { throw JSONReadError(path: path() + "." + key, kind: .missing) }
            return value
        }
        return StoredResult(origin: try required(origin, "origin"), sequence: sequence, probeID: try required(probeID, "probeID"),
                            service: try required(service, "service"), path: try required(seriesPath, "path"),
                            region: try required(region, "region"), startedAtMs: try required(startedAtMs, "startedAtMs"),
                            plannedAtMs: try required(plannedAtMs, "plannedAtMs"), durationMs: try required(durationMs, "durationMs"),
                            outcome: try required(outcome, "outcome"), failureClass: failureClass, failureReason: failureReason,
                            failedStep: failedStep, error: error, certificateDaysLeft: certificateDaysLeft,
                            checkedStepsJSON: try required(steps, "steps"))
    }

    /// One result from a whole JSON text (a spool line).
    public init(json bytes: [UInt8]) throws(JSONReadError) {
        var scanner = JSONScanner(bytes)
        self = try Self.read(from: &scanner, path: "result")
        try scanner.read("result") { scanner throws(JSONScanError) in try scanner.end() }
    }
}

extension StepRecord {
    /// A JSON array of steps, as `StoredResult.stepsJSON` writes it and agents send it.
    public static func readList(from scanner: inout JSONScanner, path: @autoclosure () -> String) throws(JSONReadError) -> [StepRecord] {
        var steps: [StepRecord] = []
        try scanner.read(path()) { scanner throws(JSONScanError) in try scanner.beginArray() }
        while try scanner.read(path(), { scanner throws(JSONScanError) in try scanner.nextElement() }) {
            let index = steps.count
            steps.append(try read(from: &scanner, path: path() + "[\(index)]"))
        }
        return steps
    }

    /// Checks a JSON array of steps as ``readList(from:path:)`` would read it, without building the
    /// records: the ingest path keeps the text.
    public static func checkList(from scanner: inout JSONScanner, path: @autoclosure () -> String) throws(JSONReadError) {
        try scanner.read(path()) { scanner throws(JSONScanError) in try scanner.beginArray() }
        var index = 0
        while try scanner.read(path(), { scanner throws(JSONScanError) in try scanner.nextElement() }) {
            try check(from: &scanner, path: path() + "[\(index)]")
            index += 1
        }
    }

    static func check(from scanner: inout JSONScanner, path: @autoclosure () -> String) throws(JSONReadError) {
        var seen = 0
        try scanner.read(path()) { scanner throws(JSONScanError) in try scanner.beginObject() }
        while let key = try scanner.read(path(), { scanner throws(JSONScanError) in try scanner.nextKey() }) {
            switch key {
            case "name": try scanner.read(path() + ".name") { scanner throws(JSONScanError) in try scanner.skipString() }; seen |= 1
            case "outcome": _ = try scanner.read(ProbeOutcome.self, path() + ".outcome"); seen |= 2
            case "durationMs": _ = try scanner.read(path() + ".durationMs") { scanner throws(JSONScanError) in try scanner.double() }; seen |= 4
            case "detail": try scanner.read(path() + ".detail") { scanner throws(JSONScanError) in try scanner.skipString() }; seen |= 8
            default: try scanner.read(path() + "." + key) { scanner throws(JSONScanError) in try scanner.skipValue() }
            }
        }
        for (bit, key) in [(1, "name"), (2, "outcome"), (4, "durationMs"), (8, "detail")] where seen & bit == 0 {
            throw JSONReadError(path: path() + "." + key, kind: .missing)
        }
    }

    static func read(from scanner: inout JSONScanner, path: @autoclosure () -> String) throws(JSONReadError) -> StepRecord {
        var name: String?, outcome: ProbeOutcome?, durationMs: Double?, detail: String?
        try scanner.read(path()) { scanner throws(JSONScanError) in try scanner.beginObject() }
        while let key = try scanner.read(path(), { scanner throws(JSONScanError) in try scanner.nextKey() }) {
            switch key {
            case "name": name = try scanner.read(path() + ".name") { scanner throws(JSONScanError) in try scanner.string() }
            case "outcome": outcome = try scanner.read(ProbeOutcome.self, path() + ".outcome")
            case "durationMs": durationMs = try scanner.read(path() + ".durationMs") { scanner throws(JSONScanError) in try scanner.double() }
            case "detail": detail = try scanner.read(path() + ".detail") { scanner throws(JSONScanError) in try scanner.string() }
            default: try scanner.read(path() + "." + key) { scanner throws(JSONScanError) in try scanner.skipValue() }
            }
        }
        guard let name else { throw JSONReadError(path: path() + ".name", kind: .missing) }
        guard let outcome else { throw JSONReadError(path: path() + ".outcome", kind: .missing) }
        guard let durationMs else { throw JSONReadError(path: path() + ".durationMs", kind: .missing) }
        guard let detail else { throw JSONReadError(path: path() + ".detail", kind: .missing) }
        return StepRecord(name: StepName(name), outcome: outcome, durationMs: durationMs, detail: detail)
    }
}
