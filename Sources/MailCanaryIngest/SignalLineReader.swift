import MailCanaryCore

/// Reads one NDJSON line into an ``IngestRecord``: the record kinds of `../shared/scenarios/FORMAT.md`
/// (`scenario`, `clients`, `probe`, `report`, `advisory`) and single telemetry events
/// (`kind` `event`, or no kind: `time, service, region, client, path, outcome, error, user`).
///
/// The same reader serves `POST /api/v1/telemetry` and `mailcanary replay`, so a scenario goes
/// through the ingest code the server runs. Errors name the field (`errors.x has the wrong type`);
/// unknown keys are skipped, so newer senders stay readable.
public enum SignalLineReader {
    public static func read(_ bytes: [UInt8], _ range: Range<Int>) throws(JSONReadError) -> IngestRecord {
        var scanner = JSONScanner(bytes, range: range)
        var line = LineFields()
        try scanner.readRootObject("the line")
        while let key = try scanner.readKeyBytes("the line") {
            switch key {
            case .plain(let range): try line.read(LineField(scanner, range), name: range, from: &scanner)
            case .decoded(let name): try line.read(LineField(rawValue: name) ?? .other, name: nil, from: &scanner, decodedName: name)
            }
        }
        try scanner.readEnd("the line")
        return try line.record()
    }

    public static func read(_ text: String) throws(JSONReadError) -> IngestRecord {
        let bytes = Array(text.utf8)
        return try read(bytes, 0..<bytes.count)
    }
}

/// The fields of one line, as they come; ``record()`` checks what the line's kind needs.
struct LineFields {
    var kind: String?
    var timeMs: Int64?
    var service: String?
    var region: String?
    var client: String?
    var path: String?
    var ok: Int?
    var failed: Int?
    var errors: [ErrorCount] = []
    var latencyMsP50: Double?
    var outcome: String?
    var failureClass: FailureClass?
    var error: String?
    var durationMs: Double?
    var failedStep: String?
    /// The `operation` step's time, when it succeeded.
    var operationMs: Double?
    var agent: String?
    var symptom: String?
    var reporter: String?
    var user: String?
    var text: String?
    var issue: ServiceHealthIssue?
    // scenario header
    var name: String?
    var startMs: Int64?
    var endMs: Int64?
    var regions: [String] = []

    mutating func read(_ field: LineField, name: Range<Int>?, from scanner: inout JSONScanner, decodedName: String? = nil) throws(JSONReadError) {
        switch field {
        case .kind: kind = try scanner.readString("kind")
        case .t, .time: timeMs = try scanner.readTimestamp(field.rawValue)
        case .service: service = try scanner.readString("service")
        case .region: region = try scanner.readString("region")
        case .client: client = try scanner.readString("client")
        case .path: path = try scanner.readString("path")
        case .ok: ok = try scanner.readCount("ok")
        case .failed: failed = try scanner.readCount("failed")
        case .errors: errors = try Self.readErrors(&scanner)
        case .latencyMsP50: latencyMsP50 = try scanner.readOptionalDouble("latencyMsP50")
        case .latencyMs: latencyMsP50 = try scanner.readOptionalDouble("latencyMs")
        case .outcome: outcome = try scanner.readString("outcome")
        case .failureClass: failureClass = try scanner.readOptional(FailureClass.self, "failureClass")
        case .error: error = try scanner.readOptionalString("error")
        case .durationMs: durationMs = try scanner.readDouble("durationMs")
        case .failedStep: failedStep = try scanner.readOptionalString("failedStep")
        case .steps:
            let steps = try Self.readSteps(&scanner)
            failedStep = steps.failedStep ?? failedStep
            operationMs = steps.operationMs
        case .agent: agent = try scanner.readString("agent")
        case .symptom: symptom = try scanner.readString("symptom")
        case .reporter: reporter = try scanner.readString("reporter")
        case .user: user = try scanner.readOptionalString("user")
        case .text: text = try scanner.readOptionalString("text")
        case .issue: issue = try ServiceHealthIssueReader.read(from: &scanner, path: "issue")
        case .name: self.name = try scanner.readString("name")
        case .start: startMs = try scanner.readTimestamp("start")
        case .end: endMs = try scanner.readTimestamp("end")
        case .regions:
            try scanner.readArrayStart("regions")
            while try scanner.readElement("regions") { regions.append(try scanner.readString("regions[\(regions.count)]")) }
        case .ms, .other:
            let bytes = scanner.bytes
            try scanner.skip(decodedName ?? name.map { String(decoding: bytes[$0], as: UTF8.self) } ?? "?")
        }
    }

    /// `{"message": count, …}`.
    static func readErrors(_ scanner: inout JSONScanner) throws(JSONReadError) -> [ErrorCount] {
        if try scanner.readNull("errors") { return [] }
        var errors: [ErrorCount] = []
        try scanner.readObjectStart("errors")
        while let message = try scanner.readKey("errors") {
            errors.append(ErrorCount(message, try scanner.readCount("errors." + message)))
        }
        return errors
    }

    /// The name of the first step with `"ok": false`, and the time of a successful `operation`
    /// step, from `[{name, ms, ok}]`.
    static func readSteps(_ scanner: inout JSONScanner) throws(JSONReadError) -> (failedStep: String?, operationMs: Double?) {
        var failedStep: String?
        var operationMs: Double?
        var index = 0
        try scanner.readArrayStart("steps")
        while try scanner.readElement("steps") {
            var name: String?
            var ok = true
            var ms: Double?
            try scanner.readObjectStart("steps[\(index)]")
            while let key = try scanner.readKeyBytes("steps[\(index)]") {
                let field: LineField
                switch key {
                case .plain(let range): field = LineField(scanner, range)
                case .decoded(let decoded): field = LineField(rawValue: decoded) ?? .other
                }
                switch field {
                case .name: name = try scanner.readString("steps[\(index)].name")
                case .ok: ok = try scanner.readBool("steps[\(index)].ok")
                case .ms: ms = try scanner.readOptionalDouble("steps[\(index)].ms")
                default: try scanner.skip("steps[\(index)]")
                }
            }
            if !ok, failedStep == nil { failedStep = name }
            if ok, name == StepName.operation.rawValue, let ms, ms.isFinite, ms >= 0 { operationMs = ms }
            index += 1
        }
        return (failedStep, operationMs)
    }

    func required<T>(_ value: T?, _ key: String) throws(JSONReadError) -> T {
        guard let value else { throw JSONReadError(path: key, kind: .missing) }
        return value
    }

    /// Moves a required field out (it is left nil): the record takes the line's strings instead of
    /// copying them, so neither the copy nor the line's destruction touches their reference counts.
    func required<T>(taking value: inout T?, _ key: String) throws(JSONReadError) -> T {
        guard let value = value.take() else { throw JSONReadError(path: key, kind: .missing) }
        return value
    }

    private mutating func takeErrors() -> [ErrorCount] {
        var moved: [ErrorCount] = []
        swap(&moved, &errors)
        return moved
    }

    /// The record the line describes; the fields it uses are moved into it.
    mutating func record() throws(JSONReadError) -> IngestRecord {
        switch kind ?? (outcome != nil ? "event" : nil) {
        case "clients":
            return .signal(.clients(ClientCounts(
                timeMs: try required(timeMs, "t"), service: try required(taking: &service, "service"),
                region: try required(taking: &region, "region"), client: ClientKind(try required(taking: &client, "client")),
                path: AccessPath(try required(taking: &path, "path")), ok: try required(ok, "ok"), failed: try required(failed, "failed"),
                errors: takeErrors(), latencyMsP50: latencyMsP50)))
        case "event":
            let failed = try eventFailed()
            return .signal(.clients(ClientCounts(
                timeMs: try required(timeMs, "time"), service: try required(taking: &service, "service"),
                region: try required(taking: &region, "region"), client: ClientKind(try required(taking: &client, "client")),
                path: AccessPath(try required(taking: &path, "path")),
                ok: failed ? 0 : 1, failed: failed ? 1 : 0, errors: failed ? [ErrorCount(error ?? "failed", 1)] : [],
                latencyMsP50: latencyMsP50, user: user.take())))
        case "probe":
            let failed = try eventFailed()
            let time = try required(timeMs, "t")
            let service = try required(taking: &self.service, "service")
            let region = try required(taking: &self.region, "region")
            return .signal(.probe(ProbeObservation(
                timeMs: time, service: service, region: region,
                path: AccessPath(try required(taking: &path, "path")), agent: agent.take() ?? region, failed: failed,
                failureClass: failed ? failureClass : nil, failedStep: failed ? failedStep.take().map { StepName($0) } : nil,
                error: failed ? error.take() : nil, durationMs: durationMs ?? 0, operationMs: failed ? nil : operationMs)))
        case "report":
            return .signal(.report(UserReport(
                timeMs: try required(timeMs, "t"), service: try required(taking: &service, "service"),
                region: try required(taking: &region, "region"), client: ClientKind(client.take() ?? "unknown"),
                symptom: symptom.take() ?? "other", reporter: try required(taking: &reporter, "reporter"), text: text.take())))
        case "advisory":
            return .signal(.advisory(timeMs: try required(timeMs, "t"), try required(taking: &issue, "issue")))
        case "scenario":
            return .scenario(ScenarioHeader(name: try required(taking: &name, "name"), service: try required(taking: &service, "service"),
                                            startMs: try required(startMs, "start"), endMs: try required(endMs, "end"), regions: regions))
        case nil:
            // A line shaped like a single connection event that lacks its outcome says so.
            throw JSONReadError(path: client != nil && path != nil ? "outcome" : "kind", kind: .missing)
        default:
            throw JSONReadError(path: "kind", kind: .invalid)
        }
    }

    /// `outcome` `ok`/`success` or `failed`/`failure`.
    func eventFailed() throws(JSONReadError) -> Bool {
        guard let failed = Self.failed(outcome: try required(outcome, "outcome")) else {
            throw JSONReadError(path: "outcome", kind: .invalid)
        }
        return failed
    }

    /// Whether an `outcome` word means a failure; nil for a word that is neither (both readers use it).
    static func failed(outcome: String) -> Bool? {
        switch outcome {
        case "ok", "success", "succeeded": false
        case "failed", "failure", "error": true
        default: nil
        }
    }
}

/// The keys a signal line may have, told apart by their bytes without building a `String`.
enum LineField: String {
    case kind, t, time, service, region, client, path, ok, failed, errors, latencyMsP50, latencyMs, outcome, failureClass
    case error, durationMs, failedStep, steps, agent, symptom, reporter, user, text, issue, name, start, end, regions
    /// A step's time (inside `steps`; elsewhere skipped like any unknown key).
    case ms
    case other

    /// The names as their first sixteen bytes in two words (``PackedBytes``), grouped by length,
    /// so that a key is told by a few integer compares.
    struct Table: Sendable {
        /// Entries of length `n` are at `starts[n]..<starts[n + 1]`.
        private var starts: [Int] = []
        private var names: [SIMD2<UInt64>] = []
        private var fields: [LineField] = []
        static let maximumLength = 16

        static let shared = Table()

        private init() {
            let all: [LineField] = [kind, t, time, service, region, client, path, ok, failed, errors, latencyMsP50, latencyMs, outcome,
                                    failureClass, error, durationMs, failedStep, steps, agent, symptom, reporter, user, text, issue,
                                    name, start, end, regions, ms]
            for length in 0...Self.maximumLength {
                starts.append(fields.count)
                for field in all where field.rawValue.utf8.count == length {
                    names.append(Array(field.rawValue.utf8).withUnsafeBufferPointer {
                        PackedBytes.words($0.baseAddress!, count: length, readable: length)
                    })
                    fields.append(field)
                }
            }
            starts.append(fields.count)
        }

        /// The key of `count` bytes at `name`; `readable` bytes from `name` may be read (at least `count`).
        @inline(__always)
        func field(_ name: UnsafePointer<UInt8>, _ count: Int, readable: Int) -> LineField {
            guard count > 0, count <= Self.maximumLength else { return .other }
            let words = PackedBytes.words(name, count: count, readable: readable)
            for entry in starts[count]..<starts[count + 1] where names[entry] == words { return fields[entry] }
            return .other
        }
    }

    init(_ scanner: JSONScanner, _ range: Range<Int>) {
        self = scanner.bytes.withUnsafeBufferPointer { Table.shared.field($0.baseAddress! + range.lowerBound, range.count, readable: range.count) }
    }
}
