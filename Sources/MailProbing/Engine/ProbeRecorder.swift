import MailCanaryCore
import NIOCore

/// Collects what one probe run saw: steps with timings, the transcript, TLS facts and other facts.
///
/// Owned by one probe task; never shared between tasks.
public final class ProbeRecorder {
    public private(set) var steps: [StepRecord] = []
    public var transcript: Transcript
    public var tls: TLSReport?
    public var facts: [String: String] = [:]
    /// Set once the server has greeted us; a later timeout is then the server's fault.
    public var greeted = false

    public init(transcript: Transcript = Transcript()) {
        self.transcript = transcript
    }

    /// Runs one step, timing it and recording its outcome. The body returns the step's detail
    /// text and value; a ``ProbeFailure`` it throws is recorded and rethrown.
    public func step<T>(
        _ name: StepName,
        _ body: () async throws(ProbeFailure) -> (T, String)
    ) async throws(ProbeFailure) -> T {
        let start = NIODeadline.now()
        do {
            let (value, detail) = try await body()
            record(name, .ok, since: start, detail: detail)
            return value
        } catch {
            var failure = error
            failure.step = name
            record(name, .failed, since: start, detail: failure.message)
            throw failure
        }
    }

    /// Judges what the last step named `name` received (an HTTP response, say): the step keeps
    /// its timing; its outcome and detail become the verdict. A thrown failure marks it failed.
    public func judge<T>(_ name: StepName, _ body: () throws(ProbeFailure) -> (T, String)) throws(ProbeFailure) -> T {
        let index = steps.lastIndex { $0.name == name }
        do {
            let (value, detail) = try body()
            if let index { steps[index].detail = detail } else { steps.append(StepRecord(name: name, outcome: .ok, durationMs: 0, detail: detail)) }
            return value
        } catch {
            var failure = error
            failure.step = name
            if let index {
                steps[index].outcome = .failed
                steps[index].detail = failure.message
            } else {
                steps.append(StepRecord(name: name, outcome: .failed, durationMs: 0, detail: failure.message))
            }
            throw failure
        }
    }

    /// Records a step that was not run, with the reason.
    public func skip(_ name: StepName, _ detail: String) {
        steps.append(StepRecord(name: name, outcome: .skipped, durationMs: 0, detail: detail))
    }

    /// Takes over what a scratch recorder saw (the Autodiscover method that worked).
    public func adopt(_ other: ProbeRecorder) {
        steps += other.steps
        transcript = other.transcript
        if other.tls != nil { tls = other.tls }
        facts.merge(other.facts) { _, new in new }
        greeted = greeted || other.greeted
    }

    func record(_ name: StepName, _ outcome: ProbeOutcome, since start: NIODeadline, detail: String) {
        let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
        steps.append(StepRecord(name: name, outcome: outcome, durationMs: elapsed, detail: detail))
    }
}
