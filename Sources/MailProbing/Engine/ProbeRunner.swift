import Foundation
import MailCanaryCore
import NIOCore

/// Runs one probe and wraps what happened into a ``ProbeResult``: owns the deadline, the overall
/// timing, the transcript and the cause. Never throws: a failing target is data.
public struct ProbeRunner: Sendable {
    public let eventLoopGroup: any EventLoopGroup
    public let trust: TrustEvaluator
    public let registry: ProberRegistry

    public init(eventLoopGroup: any EventLoopGroup, trust: TrustEvaluator, registry: ProberRegistry = .standard) {
        self.eventLoopGroup = eventLoopGroup
        self.trust = trust
        self.registry = registry
    }

    /// - Parameter now: the wall-clock time of the run (certificate validity is judged at it).
    public func run(_ target: ProbeTarget, settings: ProbeSettings, now: Date) async -> ProbeResult {
        let recorder = ProbeRecorder()
        let start = NIODeadline.now()
        let timeout = TimeAmount.nanoseconds(Int64(settings.timeout.milliseconds * 1_000_000))
        // One event loop per probe: its connections live there and so does its task.
        let eventLoop = eventLoopGroup.next()
        let context = ProbeContext(eventLoopGroup: eventLoop, settings: settings, deadline: start + timeout, trust: trust, startedAt: now)
        let failure: ProbeFailure?
        let elapsed: Double
        if let prober = registry.prober(for: target.scheme) {
            // The duration is read on the probe's event loop as soon as the dialogue ends: a busy
            // cooperative pool that delays the hop back to the caller must not count as the target's time.
            (failure, elapsed) = await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop)) { () async -> (ProbeFailure?, Double) in
                var failure: ProbeFailure?
                do throws(ProbeFailure) {
                    try await prober.probe(target, context: context, recorder: recorder)
                } catch {
                    failure = error
                }
                return (failure, Self.milliseconds(since: start))
            }
        } else {
            failure = ProbeFailure(.config, reason: .invalidOption, step: .resolve, message: "no prober for \(target.scheme.rawValue)://")
            elapsed = Self.milliseconds(since: start)
        }
        let cause = failure.map {
            CauseRules.defaultCause(for: $0.failureClass, reason: $0.reason, step: $0.step, afterGreeting: recorder.greeted)
        }
        return ProbeResult(
            target: target.displayString,
            path: target.path,
            outcome: failure == nil ? .ok : .failed,
            failure: failure,
            cause: cause,
            durationMs: elapsed,
            steps: recorder.steps,
            tls: recorder.tls,
            transcript: recorder.transcript,
            facts: recorder.facts
        )
    }

    static func milliseconds(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
    }
}
