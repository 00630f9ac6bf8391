import MailCanaryCore

/// What one series saw during one minute, accumulated record by record.
struct MinuteBucket {
    var attempts = 0
    var failed = 0
    var latencySum = 0.0
    var latencyWeight = 0.0
    /// Failure classes of failed probes.
    var classCounts: [FailureClass: Int] = [:]
    var failedSteps: [StepName: Int] = [:]
    /// The typed reasons failed probes gave, with their class.
    var failureReasons: [ClassReason: Int] = [:]
    var errors: [String: Int] = [:]
    var users: Set<String> = []
    var reporters: [String] = []
    var observed = false

    mutating func add(_ counts: ClientCounts) {
        observed = true
        let attempts = counts.ok + counts.failed
        self.attempts += attempts
        failed += counts.failed
        if let latency = counts.latencyMsP50, attempts > 0, latency.isFinite, latency >= 0 {
            latencySum += latency * Double(attempts)
            latencyWeight += Double(attempts)
        }
        if counts.failed > 0 {
            for error in counts.errors where errors.count < 16 || errors[error.message] != nil {
                errors[error.message, default: 0] += error.count
            }
            if let user = counts.user, users.count < 10_000 { users.insert(user) }
        }
    }

    mutating func add(_ probe: ProbeObservation) {
        observed = true
        attempts += 1
        if probe.failed {
            failed += 1
            if let failureClass = probe.failureClass {
                classCounts[failureClass, default: 0] += 1
                if let reason = probe.failureReason { failureReasons[ClassReason(failureClass: failureClass, reason: reason), default: 0] += 1 }
            }
            if let step = probe.failedStep { failedSteps[step, default: 0] += 1 }
            if let error = probe.error, errors.count < 16 || errors[error] != nil { errors[error, default: 0] += 1 }
        } else if probe.durationMs.isFinite, probe.durationMs >= 0 {
            latencySum += probe.durationMs
            latencyWeight += 1
        }
    }

    mutating func add(report: UserReport) {
        observed = true
        attempts += 1
        failed += 1
        if reporters.count < 10_000 { reporters.append(report.reporter) }
    }

    var latency: Double? { latencyWeight > 0 ? latencySum / latencyWeight : nil }
}
