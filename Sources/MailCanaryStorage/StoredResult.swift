import Foundation
import MailCanaryCore

/// One probe result as the store keeps it: the facts detection and the pages need, and the steps.
///
/// `origin` says who ran it (`server` or `agent:ID`); agents number their results, and the store
/// keeps one result per (origin, sequence), so a batch delivered twice is counted once.
public struct StoredResult: Codable, Sendable, Equatable {
    public var origin: String
    public var sequence: Int64?
    public var probeID: String
    public var service: String
    public var path: String
    public var region: String
    /// Milliseconds since 1970, when the probe started.
    public var startedAtMs: Int64
    /// Milliseconds since 1970, when the scheduler planned it (lag = started − planned).
    public var plannedAtMs: Int64
    public var durationMs: Double
    public var outcome: ProbeOutcome
    public var failureClass: FailureClass?
    public var failureReason: String?
    public var failedStep: String?
    public var error: String?
    public var certificateDaysLeft: Int?
    /// The layers of the probe. Results that arrive as JSON (agent batches, rows read from the store)
    /// keep their checked step list as text until something asks for the records: the ingest path
    /// stores the text as it came instead of decoding and encoding it again.
    public var steps: [StepRecord] {
        get {
            switch stepList {
            case .records(let records): return records
            case .json(let text): return Self.steps(fromJSON: text)
            }
        }
        set { stepList = .records(newValue) }
    }

    private var stepList: StepList

    enum StepList: Sendable {
        case records([StepRecord])
        /// A JSON array already checked to be a list of steps.
        case json(String)
    }

    public init(origin: String, sequence: Int64? = nil, probeID: String, service: String, path: String, region: String,
                startedAtMs: Int64, plannedAtMs: Int64, durationMs: Double, outcome: ProbeOutcome,
                failureClass: FailureClass? = nil, failureReason: String? = nil, failedStep: String? = nil, error: String? = nil,
                certificateDaysLeft: Int? = nil, steps: [StepRecord] = []) {
        self.origin = origin
        self.sequence = sequence
        self.probeID = probeID
        self.service = service
        self.path = path
        self.region = region
        self.startedAtMs = startedAtMs
        self.plannedAtMs = plannedAtMs
        self.durationMs = durationMs
        self.outcome = outcome
        self.failureClass = failureClass
        self.failureReason = failureReason
        self.failedStep = failedStep
        self.error = error
        self.certificateDaysLeft = certificateDaysLeft
        self.stepList = .records(steps)
    }

    /// A result whose steps are JSON text already checked by ``StepRecord/checkList(from:path:)``.
    init(origin: String, sequence: Int64?, probeID: String, service: String, path: String, region: String,
         startedAtMs: Int64, plannedAtMs: Int64, durationMs: Double, outcome: ProbeOutcome, failureClass: FailureClass?,
         failureReason: String?, failedStep: String?, error: String?, certificateDaysLeft: Int?, checkedStepsJSON: String) {
        self.init(origin: origin, sequence: sequence, probeID: probeID, service: service, path: path, region: region,
                  startedAtMs: startedAtMs, plannedAtMs: plannedAtMs, durationMs: durationMs, outcome: outcome,
                  failureClass: failureClass, failureReason: failureReason, failedStep: failedStep, error: error,
                  certificateDaysLeft: certificateDaysLeft)
        self.stepList = .json(checkedStepsJSON)
    }

    /// A probe's result, tagged with where and when it ran.
    public init(_ result: ProbeResult, probeID: String, service: String, region: String, origin: String,
                sequence: Int64? = nil, startedAt: Date, plannedAt: Date) {
        self.init(origin: origin, sequence: sequence, probeID: probeID, service: service, path: result.path.rawValue,
                  region: region, startedAtMs: startedAt.millisecondsSince1970,
                  plannedAtMs: plannedAt.millisecondsSince1970,
                  durationMs: result.durationMs, outcome: result.outcome, failureClass: result.failureClass,
                  failureReason: result.failureReason?.rawValue, failedStep: result.failedStep?.rawValue, error: result.error,
                  certificateDaysLeft: result.tls?.daysLeft, steps: result.steps)
    }

    public var series: SeriesKey { SeriesKey(service: service, path: path, region: region) }

    /// The step records as stored: a compact JSON array, written by hand (JSONEncoder per row
    /// was the largest cost of ingest); `steps(fromJSON:)` reads it back with the scanner.
    public var stepsJSON: String {
        let steps: [StepRecord]
        switch stepList {
        case .json(let text): return text
        case .records(let records): steps = records
        }
        guard !steps.isEmpty else { return "[]" }
        var out: [UInt8] = []
        out.reserveCapacity(steps.count * 96)
        out.append(UInt8(ascii: "["))
        for (index, step) in steps.enumerated() {
            JSONText.append(index == 0 ? "{\"detail\":" : ",{\"detail\":", to: &out)
            JSONText.appendQuoted(step.detail, to: &out)
            JSONText.append(",\"durationMs\":", to: &out)
            JSONText.append(step.durationMs.isFinite ? "\(step.durationMs)" : "0", to: &out)
            JSONText.append(",\"name\":", to: &out)
            JSONText.appendQuoted(step.name.rawValue, to: &out)
            JSONText.append(",\"outcome\":\"\(step.outcome.rawValue)\"}", to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    public static func == (lhs: StoredResult, rhs: StoredResult) -> Bool {
        lhs.origin == rhs.origin && lhs.sequence == rhs.sequence && lhs.probeID == rhs.probeID && lhs.service == rhs.service
            && lhs.path == rhs.path && lhs.region == rhs.region && lhs.startedAtMs == rhs.startedAtMs
            && lhs.plannedAtMs == rhs.plannedAtMs && lhs.durationMs == rhs.durationMs && lhs.outcome == rhs.outcome
            && lhs.failureClass == rhs.failureClass && lhs.failureReason == rhs.failureReason && lhs.failedStep == rhs.failedStep
            && lhs.error == rhs.error && lhs.certificateDaysLeft == rhs.certificateDaysLeft && lhs.steps == rhs.steps
    }

    enum CodingKeys: String, CodingKey {
        case origin, sequence, probeID, service, path, region, startedAtMs, plannedAtMs, durationMs, outcome, failureClass
        case failureReason, failedStep, error, certificateDaysLeft, steps
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(origin: try container.decode(String.self, forKey: .origin),
                  sequence: try container.decodeIfPresent(Int64.self, forKey: .sequence),
                  probeID: try container.decode(String.self, forKey: .probeID),
                  service: try container.decode(String.self, forKey: .service),
                  path: try container.decode(String.self, forKey: .path),
                  region: try container.decode(String.self, forKey: .region),
                  startedAtMs: try container.decode(Int64.self, forKey: .startedAtMs),
                  plannedAtMs: try container.decode(Int64.self, forKey: .plannedAtMs),
                  durationMs: try container.decode(Double.self, forKey: .durationMs),
                  outcome: try container.decode(ProbeOutcome.self, forKey: .outcome),
                  failureClass: try container.decodeIfPresent(FailureClass.self, forKey: .failureClass),
                  failureReason: try container.decodeIfPresent(String.self, forKey: .failureReason),
                  failedStep: try container.decodeIfPresent(String.self, forKey: .failedStep),
                  error: try container.decodeIfPresent(String.self, forKey: .error),
                  certificateDaysLeft: try container.decodeIfPresent(Int.self, forKey: .certificateDaysLeft),
                  steps: try container.decode([StepRecord].self, forKey: .steps))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(origin, forKey: .origin)
        try container.encodeIfPresent(sequence, forKey: .sequence)
        try container.encode(probeID, forKey: .probeID)
        try container.encode(service, forKey: .service)
        try container.encode(path, forKey: .path)
        try container.encode(region, forKey: .region)
        try container.encode(startedAtMs, forKey: .startedAtMs)
        try container.encode(plannedAtMs, forKey: .plannedAtMs)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(outcome, forKey: .outcome)
        try container.encodeIfPresent(failureClass, forKey: .failureClass)
        try container.encodeIfPresent(failureReason, forKey: .failureReason)
        try container.encodeIfPresent(failedStep, forKey: .failedStep)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(certificateDaysLeft, forKey: .certificateDaysLeft)
        try container.encode(steps, forKey: .steps)
    }

    static func steps(fromJSON text: String) -> [StepRecord] {
        var scanner = JSONScanner(text)
        return (try? StepRecord.readList(from: &scanner, path: "steps")) ?? []
    }
}
