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
    public var steps: [StepRecord]

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
        self.steps = steps
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
    /// was the largest cost of ingest); `steps(fromJSON:)` reads it back with JSONDecoder.
    public var stepsJSON: String {
        guard !steps.isEmpty else { return "[]" }
        var out = "["
        for (index, step) in steps.enumerated() {
            if index > 0 { out += "," }
            out += "{\"detail\":"
            Self.appendJSONString(step.detail, to: &out)
            out += ",\"durationMs\":"
            out += step.durationMs.isFinite ? "\(step.durationMs)" : "0"
            out += ",\"name\":"
            Self.appendJSONString(step.name.rawValue, to: &out)
            out += ",\"outcome\":\"\(step.outcome.rawValue)\"}"
        }
        return out + "]"
    }

    static func appendJSONString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                out += "\\u00" + String(control.value, radix: 16).leftPadded(to: 2)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    static func steps(fromJSON text: String) -> [StepRecord] {
        (try? JSONDecoder().decode([StepRecord].self, from: Data(text.utf8))) ?? []
    }
}

extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
