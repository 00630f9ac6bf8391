import MailCanaryCore

/// What an anomaly (or an incident, summed over its anomalies) has seen: the failure classes and
/// steps of failed probes, error texts, and how large it got.
public struct AnomalyEvidence: Sendable, Equatable {
    public var classCounts: [FailureClass: Int] = [:]
    public var failedSteps: [StepName: Int] = [:]
    /// The typed reasons of failed probes (live probes know them; scenario records do not).
    public var failureReasons: [ClassReason: Int] = [:]
    public var errors: [String: Int] = [:]
    public var failed = 0
    /// The largest excess in one minute (summed over series for an incident, per minute).
    public var peakExcessPerMinute = 0.0
    /// The largest failure ratio one minute reached, and the baseline ratio then.
    public var peakRatio = 0.0
    public var baselineRatio = 0.0
    /// The largest latency rise over the baseline median (1.0 = none).
    public var peakLatencyFactor = 1.0
    public var users: Set<String> = []
    public var reporters: Set<String> = []

    public init() {}

    mutating func add(_ bucket: MinuteBucket, baseline: Double, source: SignalSource) {
        classCounts.merge(bucket.classCounts, uniquingKeysWith: +)
        for (step, count) in bucket.failedSteps { failedSteps[step, default: 0] += count }
        failureReasons.merge(bucket.failureReasons, uniquingKeysWith: +)
        for error in bucket.errors where errors.count < 32 || errors[error.message] != nil {
            errors[error.message, default: 0] += error.count
        }
        failed += bucket.failed
        let excess = max(0, Double(bucket.failed) - Double(bucket.attempts) * baseline)
        peakExcessPerMinute = max(peakExcessPerMinute, excess)
        if bucket.attempts > 0, source != .reports {
            let ratio = Double(bucket.failed) / Double(bucket.attempts)
            if ratio > peakRatio {
                peakRatio = ratio
                baselineRatio = baseline
            }
        }
        if users.count < 100_000 { users.formUnion(bucket.users) }
        if reporters.count < 100_000 { reporters.formUnion(bucket.reporters) }
    }

    mutating func merge(_ other: AnomalyEvidence) {
        classCounts.merge(other.classCounts, uniquingKeysWith: +)
        failedSteps.merge(other.failedSteps, uniquingKeysWith: +)
        failureReasons.merge(other.failureReasons, uniquingKeysWith: +)
        for (message, count) in other.errors where errors.count < 64 || errors[message] != nil {
            errors[message, default: 0] += count
        }
        failed += other.failed
        peakExcessPerMinute = max(peakExcessPerMinute, other.peakExcessPerMinute)
        if other.peakRatio > peakRatio {
            peakRatio = other.peakRatio
            baselineRatio = other.baselineRatio
        }
        peakLatencyFactor = max(peakLatencyFactor, other.peakLatencyFactor)
        users.formUnion(other.users)
        reporters.formUnion(other.reporters)
    }

    /// The most frequent error texts, most frequent first.
    public func sampleErrors(_ count: Int) -> [ErrorCount] {
        errors.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(count).map { ErrorCount($0.key, $0.value) }
    }
}

/// A probe failure's reason with the class it was given in, so that a reason is read only for its own class.
public struct ClassReason: Hashable, Sendable {
    public var failureClass: FailureClass
    public var reason: FailureReason

    public init(failureClass: FailureClass, reason: FailureReason) {
        self.failureClass = failureClass
        self.reason = reason
    }
}
