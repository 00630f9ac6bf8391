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
        try scanner.readObjectStart(path())
        while let key = try scanner.readKey(path()) {
            // Built only when a value is wrong: the reader is the ingest path.
            func field() -> String { path() + "." + key }
            switch key {
            case "origin": origin = try scanner.readString(field())
            case "sequence": sequence = try scanner.readOptionalInt64(field())
            case "probeID": probeID = try scanner.readString(field())
            case "service": service = try scanner.readString(field())
            case "path": seriesPath = try scanner.readString(field())
            case "region": region = try scanner.readString(field())
            case "startedAtMs": startedAtMs = try scanner.readInt64(field())
            case "plannedAtMs": plannedAtMs = try scanner.readInt64(field())
            case "durationMs": durationMs = try scanner.readDouble(field())
            case "outcome": outcome = try scanner.read(ProbeOutcome.self, field())
            case "failureClass": failureClass = try scanner.readOptional(FailureClass.self, field())
            case "failureReason": failureReason = try scanner.readOptionalString(field())
            case "failedStep": failedStep = try scanner.readOptionalString(field())
            case "error": error = try scanner.readOptionalString(field())
            case "certificateDaysLeft": certificateDaysLeft = try scanner.readOptionalInt(field())
            case "steps":
                let start = scanner.valueStart()
                try StepRecord.checkList(from: &scanner, path: field())
                steps = String(decoding: scanner.bytes[start..<scanner.offset], as: UTF8.self)
            default: try scanner.skip(field())
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

    /// One result from a whole JSON text.
    public init(json bytes: [UInt8]) throws(JSONReadError) {
        var scanner = JSONScanner(bytes)
        self = try Self.read(from: &scanner, path: "result")
        try scanner.readEnd("result")
    }
}

extension StepRecord {
    /// A JSON array of steps, as `StoredResult.stepsJSON` writes it and agents send it.
    public static func readList(from scanner: inout JSONScanner, path: @autoclosure () -> String) throws(JSONReadError) -> [StepRecord] {
        var steps: [StepRecord] = []
        try scanner.readArrayStart(path())
        while try scanner.readElement(path()) {
            steps.append(try read(from: &scanner, path: path() + "[\(steps.count)]", build: true)!)
        }
        return steps
    }

    /// Checks a JSON array of steps as ``readList(from:path:)`` would read it, without building the
    /// records: the ingest path keeps the text.
    public static func checkList(from scanner: inout JSONScanner, path: @autoclosure () -> String) throws(JSONReadError) {
        try scanner.readArrayStart(path())
        var index = 0
        while try scanner.readElement(path()) {
            _ = try read(from: &scanner, path: path() + "[\(index)]", build: false)
            index += 1
        }
    }

    /// One step object, checked; built only when `build` is set (text fields are then decoded).
    static func read(from scanner: inout JSONScanner, path: @autoclosure () -> String, build: Bool) throws(JSONReadError) -> StepRecord? {
        var name: String?, outcome: ProbeOutcome?, durationMs: Double?, detail: String?
        var seen = (name: false, detail: false)
        try scanner.readObjectStart(path())
        while let key = try scanner.readKey(path()) {
            func field() -> String { path() + "." + key }
            switch key {
            case "name":
                if build { name = try scanner.readString(field()) } else { try scanner.checkString(field()) }
                seen.name = true
            case "outcome": outcome = try scanner.read(ProbeOutcome.self, field())
            case "durationMs": durationMs = try scanner.readDouble(field())
            case "detail":
                if build { detail = try scanner.readString(field()) } else { try scanner.checkString(field()) }
                seen.detail = true
            default: try scanner.skip(field())
            }
        }
        guard seen.name else { throw JSONReadError(path: path() + ".name", kind: .missing) }
        guard let outcome else { throw JSONReadError(path: path() + ".outcome", kind: .missing) }
        guard let durationMs else { throw JSONReadError(path: path() + ".durationMs", kind: .missing) }
        guard seen.detail else { throw JSONReadError(path: path() + ".detail", kind: .missing) }
        guard build, let name, let detail else { return nil }
        return StepRecord(name: StepName(name), outcome: outcome, durationMs: durationMs, detail: detail)
    }
}
