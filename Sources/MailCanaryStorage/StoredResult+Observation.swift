import MailCanaryCore

extension StoredResult {
    /// The result as detection sees it, at the time it was known (its end).
    public var observation: ProbeObservation {
        let failed = outcome != .ok
        return ProbeObservation(timeMs: startedAtMs + Int64(durationMs.isFinite ? max(0, durationMs) : 0), service: service, region: region,
                                path: AccessPath(path), agent: origin, failed: failed, failureClass: failed ? failureClass : nil,
                                failureReason: failed ? failureReason.flatMap(FailureReason.init(rawValue:)) : nil,
                                failedStep: failed ? failedStep.map { StepName($0) } : nil, error: failed ? error : nil,
                                durationMs: durationMs, operationMs: failed ? nil : operationMs)
    }

    /// The time of the probe's `operation` step, when it succeeded.
    var operationMs: Double? {
        guard let step = steps.first(where: { $0.name == .operation }), step.outcome == .ok,
              step.durationMs.isFinite, step.durationMs >= 0 else { return nil }
        return step.durationMs
    }
}
