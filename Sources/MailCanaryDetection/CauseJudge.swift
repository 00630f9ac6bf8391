import MailCanaryCore

/// From an incident's evidence to its failing layer and cause (DESIGN.md, "From failure class to
/// cause"). Probe failures carry typed classes and steps and weigh double; telemetry error texts
/// are classified by ``ErrorTextClassifier``. The winning class's reason (an untrusted issuer is an
/// intercepting proxy's, an expired certificate the service's) comes from the probes' typed reasons,
/// or else from the texts. Then the defaults of
/// ``CauseRules``, overruled by scope: a network, DNS or TLS-interception failure seen from every
/// region is the service's, not a middlebox's.
public enum CauseJudge {
    public struct Judgement: Equatable, Sendable {
        public var cause: Cause
        public var layer: String
    }

    public static func judge(_ evidence: AnomalyEvidence, regions: Set<String>, allRegions: Set<String>,
                             latencyOnly: Bool) -> Judgement {
        // Only slower, nothing failing beyond the usual: the service is struggling.
        if latencyOnly { return Judgement(cause: .serverSide, layer: "latency") }
        guard let failureClass = failureClass(of: evidence) else {
            // Nothing failed outright that says why: reports alone.
            return Judgement(cause: .serverSide, layer: StepName.operation.rawValue)
        }
        let topError = evidence.sampleErrors(1).first?.message
        let step = evidence.failedSteps.max { $0.value != $1.value ? $0.value < $1.value : $0.key.rawValue > $1.key.rawValue }?.key
            ?? ErrorTextClassifier.layer(for: failureClass, text: topError)
        let early: Set<StepName> = [.resolve, .connect, .tls, .greeting, .discover]
        let reason = reason(of: failureClass, in: evidence)
        var cause = CauseRules.defaultCause(for: failureClass, reason: reason, step: step, afterGreeting: !early.contains(step))
        if cause == .networkIntermediary, allRegions.count > 1, allRegions.isSubset(of: regions) {
            cause = .serverSide
        }
        return Judgement(cause: cause, layer: step.rawValue)
    }

    /// The class the evidence says failed: the probes' typed classes (weighing double) and the
    /// classified error texts, each as shares of their own total; nil when nothing failed that
    /// says why.
    public static func failureClass(of evidence: AnomalyEvidence) -> FailureClass? {
        var scores: [FailureClass: Double] = [:]
        let probeTotal = Double(evidence.classCounts.values.reduce(0, +))
        if probeTotal > 0 {
            for (failureClass, count) in evidence.classCounts { scores[failureClass, default: 0] += 2 * Double(count) / probeTotal }
        }
        var textTotal = 0.0
        var textScores: [FailureClass: Double] = [:]
        for (message, count) in evidence.errors {
            guard let failureClass = ErrorTextClassifier.classify(message) else { continue }
            textScores[failureClass, default: 0] += Double(count)
            textTotal += Double(count)
        }
        if textTotal > 0 {
            // Probe error texts are in `errors` too; they were counted by class above.
            for (failureClass, count) in textScores { scores[failureClass, default: 0] += count / textTotal }
        }
        return scores.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key.rawValue > $1.key.rawValue })?.key
    }

    /// The reason of the winning class: the probes' typed reason most often given for it, or else
    /// the one the most frequent error text of that class names (telemetry and logs have only texts).
    static func reason(of failureClass: FailureClass, in evidence: AnomalyEvidence) -> FailureReason? {
        let typed = evidence.failureReasons.filter { $0.key.failureClass == failureClass }
            .max { $0.value != $1.value ? $0.value < $1.value : $0.key.reason.rawValue > $1.key.reason.rawValue }
        if let typed { return typed.key.reason }
        return evidence.sampleErrors(8).first { ErrorTextClassifier.classify($0.message) == failureClass }
            .flatMap { ErrorTextClassifier.reason($0.message, of: failureClass) }
    }
}
