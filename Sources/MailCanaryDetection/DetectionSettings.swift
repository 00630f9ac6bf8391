import MailCanaryCore

/// The detector's knobs, with the defaults the scenarios were judged with. Thresholds are on
/// log-likelihood ratios (nats), so they mean the same at any volume: 9 is a likelihood ratio of
/// about 8,000 to one in favour of "failing more than usual".
public struct DetectionSettings: Sendable, Equatable {
    /// A burst that recovers by itself within this many minutes is a blip on its series, not an
    /// incident (DESIGN.md, "What an incident is"), unless another series corroborates it.
    public var blipMinutes = 3
    /// Minutes without any alarm before an incident is resolved (hysteresis for resolving).
    public var resolveMinutes = 15
    /// Two alarms corroborate each other when their onsets are this close.
    public var corroborationMinutes = 10
    /// Minutes of observations a series needs before it may alarm.
    public var warmupMinutes = 60
    /// CUSUM thresholds per kind of evidence.
    public var telemetryThreshold = 9.0
    public var probeThreshold = 7.0
    public var reportThreshold = 7.0
    public var latencyThreshold = 10.0
    /// The failure ratio a telemetry series is tested against: `max(p0 × ratio, p0 + shift)`.
    public var failureRatioFactor = 4.0
    public var failureRatioShift = 0.02
    /// A probe failing half the time is the alternative its test looks for.
    public var probeFailureAlternative = 0.5
    /// Probes fail now and then for no reason the service owns; the baseline never goes lower.
    public var probeFailureFloor = 0.01
    /// A telemetry minute whose own log-likelihood ratio against the baseline reaches this is
    /// elevated (standing alone, a minute needs 6.9): in a failure alarm it counts as still
    /// failing, and a burst begins at the first of a run of them.
    public var alarmMinuteSurprise = 2.0
    /// An elevated minute also needs the volume for the alternative to show in it as at least
    /// this many failures (at night two failures in thirty attempts clear the lower bar by themselves).
    public var elevatedMinuteVolume = 2.0
    /// The minutes just before a burst, each failing more than usual but less than the
    /// alternative, are where it began when together they are this unusual (a ramp's lead-in,
    /// ``BurstOrigin``). Higher than an elevated minute's bar, because the run is chosen (up to
    /// six starts, each minute selected for being above its baseline): five ordinary minutes that
    /// happen to be above it pool to about e^1.6 by chance.
    public var leadInSurprise = 4.5
    /// Quiet minutes in a row that a run of elevated minutes may hold and still be one run.
    public var burstGapMinutes = 1
    /// Latency must also rise by this factor over its baseline median to count (practical significance).
    public var latencyFactor = 1.3
    /// The slow-rise latency test: the weight of each minute in its running mean of the log ratio
    /// to the baseline, the practical rise that mean must show, and how many standard errors.
    public var latencyTrendWeight = 0.2
    public var latencyTrendFactor = 1.25
    public var latencyTrendZ = 4.5
    /// The probes' `operation`-step test: the slowdown it looks for (this many times the usual
    /// time), and the evidence (nats) at which it corroborates the telemetry of the same path and
    /// region; the rise and standard errors the slow-rise test then needs.
    public var probeSlownessFactor = 2.0
    public var probeSlownessThreshold = 6.0
    public var agreedLatencyTrendFactor = 1.1
    public var agreedLatencyTrendZ = 3.0
    /// Services whose provider advisories (Graph `service` field) may concern a watched service.
    public var advisoryServices: Set<String> = ["Exchange Online", "Microsoft 365 suite"]
    /// An incident that goes on this long is `serviceDegradation` or `serviceInterruption` rather
    /// than `investigating`.
    public var investigatingMinutes = 10
    /// Whether a surge of user reports alone (sustained, with nothing else failing) opens an incident.
    public var reportsOpenIncidents = true
    /// Distinct reporters a surge needs before it stands on its own.
    public var reportersToOpen = 5
    /// A reporter counts once per service within this many minutes (once per incident).
    public var reporterWindowMinutes = 120
    /// Failed probes in a row that stand on their own when they fail at one layer (the same
    /// step), and when they do not: a fault lives in a layer, while failures that land on a
    /// different layer each time (name resolution, then the token, then name resolution again)
    /// are what chance network trouble looks like.
    public var probeRunOneLayer = 3
    public var probeRunAnyLayer = 4
    /// Minutes of history each series keeps for charts (0, the default, keeps none: a replay
    /// needs no charts; the server keeps a day).
    public var historyMinutes = 0

    public init() {}
}
