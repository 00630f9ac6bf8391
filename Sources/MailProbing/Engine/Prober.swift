import MailCanaryCore

/// One access path's protocol steps. The caller (``ProbeRunner``) owns the deadline, the timing,
/// the result envelope and the transcript; a prober only speaks the protocol.
///
/// A prober reports the target's failures by throwing ``ProbeFailure``; the runner turns that
/// into data. It never retries.
public protocol Prober: Sendable {
    func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure)
}
