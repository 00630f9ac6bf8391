import MailCanaryCore

/// What one series saw during one minute, accumulated record by record.
///
/// The counts are plain values; what only failures and reports bring (classes, steps, reasons,
/// error texts, users, reporters) is kept in ``Details``, absent while the minute has none. Most
/// minutes of most series fail nothing, and a bucket is copied and emptied every minute: six
/// empty collections cost six reference-count operations each time, an absent `Details` none.
struct MinuteBucket {
    var attempts = 0
    var failed = 0
    var latencySum = 0.0
    var latencyWeight = 0.0
    /// Probes only: the summed times of successful `operation` steps, and how many.
    var operationSum = 0.0
    var operationCount = 0
    var observed = false
    private(set) var details: Details?

    struct Details {
        /// Failure classes of failed probes.
        var classCounts: [FailureClass: Int] = [:]
        var failedSteps: [StepName: Int] = [:]
        /// The typed reasons failed probes gave, with their class.
        var failureReasons: [ClassReason: Int] = [:]
        /// Error texts in the order first seen, at most ``maximumErrors`` of them. A list searched
        /// in place: a minute has one to three texts, and the same strings come back (interned by
        /// the reader, so they compare by their storage), which is cheaper than hashing each one.
        var errors: [ErrorCount] = []
        var users: Set<String> = []
        var reporters: [String] = []

        /// Adds `count` failures with `message`; a new text past the first sixteen is not kept.
        mutating func count(_ message: String, _ count: Int) {
            if let index = errors.firstIndex(where: { $0.message == message }) {
                errors[index].count += count
            } else if errors.count < MinuteBucket.maximumErrors {
                errors.append(ErrorCount(message, count))
            }
        }
    }

    var classCounts: [FailureClass: Int] { details?.classCounts ?? [:] }
    var failedSteps: [StepName: Int] { details?.failedSteps ?? [:] }
    var failureReasons: [ClassReason: Int] { details?.failureReasons ?? [:] }
    var errors: [ErrorCount] { details?.errors ?? [] }
    static let maximumErrors = 16
    var users: Set<String> { details?.users ?? [] }
    var reporters: [String] {
        get { details?.reporters ?? [] }
        set {
            if case .none = details, newValue.isEmpty { return }
            withDetails { $0.reporters = newValue }
        }
    }

    mutating func add(_ counts: ClientCounts) {
        observed = true
        let attempts = counts.ok + counts.failed
        self.attempts += attempts
        failed += counts.failed
        if let latency = counts.latencyMsP50, attempts > 0, latency.isFinite, latency >= 0 {
            latencySum += latency * Double(attempts)
            latencyWeight += Double(attempts)
        }
        if counts.failed > 0, !counts.errors.isEmpty || counts.user != nil {
            withDetails { details in
                for error in counts.errors { details.count(error.message, error.count) }
                if let user = counts.user, details.users.count < 10_000 { details.users.insert(user) }
            }
        }
    }

    mutating func add(_ probe: ProbeObservation) {
        observed = true
        attempts += 1
        if probe.failed {
            failed += 1
            withDetails { details in
                if let failureClass = probe.failureClass {
                    details.classCounts[failureClass, default: 0] += 1
                    if let reason = probe.failureReason {
                        details.failureReasons[ClassReason(failureClass: failureClass, reason: reason), default: 0] += 1
                    }
                }
                if let step = probe.failedStep { details.failedSteps[step, default: 0] += 1 }
                if let error = probe.error { details.count(error, 1) }
            }
        } else if probe.durationMs.isFinite, probe.durationMs >= 0 {
            latencySum += probe.durationMs
            latencyWeight += 1
        }
        if !probe.failed, let operation = probe.operationMs, operation.isFinite, operation >= 0 {
            operationSum += operation
            operationCount += 1
        }
    }

    mutating func add(report: UserReport) {
        observed = true
        attempts += 1
        failed += 1
        withDetails { details in
            if details.reporters.count < 10_000 { details.reporters.append(report.reporter) }
        }
    }

    /// Changes the details in place, creating them first if the minute had none.
    private mutating func withDetails(_ body: (inout Details) -> Void) {
        if case .none = details { details = Details() }
        body(&details!)
    }

    /// Empties the bucket for the next minute in place.
    mutating func reset() {
        attempts = 0
        failed = 0
        latencySum = 0
        latencyWeight = 0
        operationSum = 0
        operationCount = 0
        observed = false
        details = nil
    }

    var latency: Double? { latencyWeight > 0 ? latencySum / latencyWeight : nil }
    /// The mean time of the minute's successful `operation` steps (probes).
    var operationLatency: Double? { operationCount > 0 ? operationSum / Double(operationCount) : nil }
}
