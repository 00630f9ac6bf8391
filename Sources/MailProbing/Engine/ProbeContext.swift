import Foundation
import MailCanaryCore
import NIOCore

/// What a prober may use: the event loops, the settings and the one deadline of this run.
public struct ProbeContext: Sendable {
    /// Where the probe's connections live. ``ProbeRunner`` passes one event loop (an event loop
    /// is a group of one), the same loop the probe's task runs on.
    public var eventLoopGroup: any EventLoopGroup
    public var settings: ProbeSettings
    /// The end of the whole exchange; every read, write and handshake stops at it.
    public var deadline: NIODeadline
    /// Trust evaluation, shared between probes (the system store is parsed once).
    public var trust: TrustEvaluator
    /// Wall-clock time at the start of the run, passed in: certificate validity is judged at it.
    public var startedAt: Date

    public init(
        eventLoopGroup: any EventLoopGroup,
        settings: ProbeSettings,
        deadline: NIODeadline,
        trust: TrustEvaluator,
        startedAt: Date
    ) {
        self.eventLoopGroup = eventLoopGroup
        self.settings = settings
        self.deadline = deadline
        self.trust = trust
        self.startedAt = startedAt
    }

    /// A failure for running out of time at `step`.
    func timeout(_ step: StepName, _ what: String) -> ProbeFailure {
        ProbeFailure(.timeout, reason: step == .connect ? .connectTimeout : .responseTimeout, step: step,
                     message: "no answer within the deadline while \(what)")
    }
}
