import Foundation
import MailCanaryCore

/// The tests on one series, minute by minute. Pure: the minute is passed in.
///
/// - Failures (probes and telemetry): a one-sided binomial CUSUM of "failing at p1" against
///   "failing at the baseline p0", where p1 = max(p0 × 4, p0 + 2 points) for telemetry and 0.5 for
///   probes. Each minute adds its log-likelihood ratio, so volume is accounted for: three failures
///   out of ten at night add little, thirty out of a thousand at peak add a lot. The statistic is
///   capped at twice its threshold so that it falls back quickly once failures stop.
/// - Latency: a CUSUM of robust z-scores (median and MAD of healthy minutes) minus a drift of 2,
///   counted only when latency is also up by 30 % (a practical, not only statistical, change);
///   beside it, for rises too gradual for any one minute to stand out, an exponentially weighted
///   mean of the log ratio to the baseline median, tested against its own standard error; at a
///   lower bar when the probes of the same path and region agree (their `operation` step, the
///   service's own answer, has become slower by its rank among the usual times).
/// - Reports: a Poisson CUSUM of distinct new reporters per minute against the usual trickle.
///
/// An alarm is raised when a statistic crosses its threshold, and ends when it falls below half
/// of it, or after three or more quiet minutes whose likelihood ratios together favour the baseline
/// by e^(threshold / 2) (hysteresis: a few low minutes inside a subtle fault are not a recovery).
struct SeriesDetector {
    let id: SeriesID
    private(set) var alarm: SeriesAlarm?
    /// The last minute with an observation, and the last one that was by itself significant.
    private(set) var lastObservedMinute = Int.min
    private(set) var lastSignificantMinute = Int.min
    /// Observations in a row that were significant by themselves (failed probes, for probes).
    private(set) var consecutiveSignificant = 0
    /// Probes: the latest observations in a row that failed at one layer, and the steps that every
    /// one of them failed at (several agents may fail in one minute). An observation significant
    /// without a failed step (a latency alarm's minute) continues the run.
    private(set) var oneLayerRun = 0
    private var runSteps: Set<StepName> = []
    /// Where a burst began: the first minute significant by itself since the series was last calm
    /// (no alarm and a minute that was not significant), or, for telemetry, where the minutes
    /// before it show it began (``BurstOrigin``: its own elevated minutes, and a ramp's rising
    /// lead-in). A CUSUM starts climbing on noise minutes before that, so the alarm's onset can be
    /// much earlier than the burst (and, on a ramp, later: its minutes add to the CUSUM only once
    /// they fail more than the alternative).
    private(set) var burstStart: Int?
    /// Telemetry: the latest minutes, for where a burst began.
    private var origin = BurstOrigin()
    /// Telemetry: the failures and attempts of the current burst's significant minutes, whose
    /// ratio is the burst's level. A minute that is only elevated keeps an alarm failing now when
    /// it fails at that level rather than the usual one: a subtle fault's minutes do, a chance
    /// minute of 3.7 % just after a blip of 20 % does not.
    private var burstFailed = 0
    private var burstAttempts = 0
    /// Telemetry: the log-likelihood ratios of the burst's minutes past the blip length at the
    /// burst's level against the baseline (``levelEvidence(_:)``), summed while the failure alarm
    /// stands: whether what followed a blip's worth of minutes, together, still shows the failure.
    private var pastBlipEvidence = 0.0
    /// The same minutes' attempts times the alternative ratio: the failures the alternative would
    /// show in them. Like an elevated minute, they need the volume (`elevatedMinuteVolume`): at
    /// night two chance failures in twenty attempts are e^2.2 by themselves.
    private var pastBlipVolume = 0.0
    /// The current minute's failure ratio and the baseline it was tested against.
    private(set) var lastRatio = 0.0
    private(set) var lastBaseline = 0.0

    /// The last failure seen, for the dashboard's cells.
    private(set) var lastFailure: (minute: Int, failureClass: FailureClass?, step: StepName?, error: String?)?

    private var failureBaseline = FailureRatioBaseline()
    private var latencyBaseline = LatencyBaseline()
    private var reportRate = 0.0
    private var observedMinutes = 0
    private var failureScore = 0.0
    private var failureStart: Int?
    private var latencyScore = 0.0
    private var latencyStart: Int?
    private var latencyCusumAlarm = false
    /// The slow-rise test: the weighted mean of log(latency / baseline median), when it last rose
    /// above zero, and whether it is in alarm.
    private var latencyTrend = 0.0
    private var trendStart: Int?
    private var latencyTrendAlarm = false
    /// Probes: the usual times of their `operation` steps, and a CUSUM of each minute's evidence
    /// (``LatencyBaseline/scaleEvidence(_:factor:)``) that they have become `probeSlownessFactor`
    /// times slower. It raises no alarm of its own: a single probe every minute or two is too
    /// noisy for that; it corroborates the telemetry of the same path and region.
    private var operationBaseline = LatencyBaseline()
    private(set) var operationScore = 0.0
    /// The operation score as evidence at `minute`: none once the probes have been silent for
    /// five minutes (an agent that stopped says nothing about the service now).
    func slowness(at minute: Int) -> Double {
        minute - lastObservedMinute <= 5 ? operationScore : 0
    }
    /// The probes' usual `operation` time (the median of their window) once it has learned.
    var expectedOperationLatency: Double? { operationBaseline.isReady ? operationBaseline.median : nil }
    private var failureAlarm = false
    /// Either latency test in alarm (derived: each test keeps its own hysteresis).
    var latencyAlarm: Bool { latencyCusumAlarm || latencyTrendAlarm }
    private var quietMinutes = 0
    private var quietEvidence = 0.0
    private var recentReporters: [String: Int] = [:]

    init(id: SeriesID) {
        self.id = id
    }

    var isAlarmed: Bool { alarm != nil }

    /// The latency baseline's median once it has learned.
    var expectedLatency: Double? { latencyBaseline.isReady ? latencyBaseline.median : nil }

    /// Remembers the minute's last failure (called only when the engine keeps history).
    mutating func noteFailures(_ bucket: MinuteBucket, minute: Int) {
        guard bucket.failed > 0, id.source != .reports else { return }
        lastFailure = (minute, bucket.classCounts.max { $0.value < $1.value }?.key,
                       bucket.failedSteps.max { $0.value < $1.value }?.key,
                       bucket.errors.max { $0.count < $1.count }?.message)
    }

    /// Whether the latest observation was significant by itself and recent.
    func isFailingNow(at minute: Int) -> Bool {
        lastSignificantMinute == lastObservedMinute && minute - lastObservedMinute <= 2
    }

    /// Whether the alarm has outlasted a blip while still failing. Alone, reports also need a few
    /// distinct people, and probes the classic three failures in a row at one layer, or four at
    /// any layers (one probe every minute or two: two failures around a success are not
    /// sustained). A telemetry failure alarm has also outlasted a blip when the minutes after the
    /// blip length, together, favour the burst's level over the baseline by e^`alarmMinuteSurprise`
    /// with the volume to show it, whether or not the latest of them does.
    func isSustained(at minute: Int, settings: DetectionSettings) -> Bool {
        // A failure burst is measured from its start (``burstStart``), not from the alarm's onset:
        // a CUSUM that drifted up on ordinary minutes before a one-minute spike would otherwise
        // make the spike look long, and one that began to climb only once a ramp's minutes failed
        // more than its alternative would make the ramp look short. A latency alarm needs minutes
        // of evidence to be raised at all, so its onset stands.
        guard let alarm else { return false }
        let start = alarm.kind == .latency ? alarm.onsetMinute : burstStart ?? minute
        guard minute - start + 1 > settings.blipMinutes else { return false }
        if pastBlipEvidence >= settings.alarmMinuteSurprise, pastBlipVolume >= settings.elevatedMinuteVolume { return true }
        guard isFailingNow(at: minute) else { return false }
        switch id.source {
        case .reports: return alarm.evidence.reporters.count >= settings.reportersToOpen
        case .probe: return oneLayerRun >= settings.probeRunOneLayer || consecutiveSignificant >= settings.probeRunAnyLayer
        case .telemetry: return true
        }
    }

    mutating func confirm(at minute: Int) {
        if alarm != nil, alarm?.confirmedMinute == nil { alarm?.confirmedMinute = minute }
    }

    /// Takes in one closed minute (an empty bucket when the series saw nothing: report series are
    /// evaluated every minute, since no reports is itself evidence). The bucket is read in place.
    /// `probeSlowness` is the ``operationScore`` of the probes on the same path and region (a
    /// telemetry series' corroboration; 0 when there are none); `partnerSlow`, for probes, whether
    /// the telemetry of their path and region is in a latency alarm.
    mutating func evaluate(_ bucket: MinuteBucket, minute: Int, hourOfWeek: Int, settings: DetectionSettings,
                           probeSlowness: Double = 0, partnerSlow: Bool = false) {
        if id.source == .reports {
            judge(deduplicatedReporters(bucket, minute: minute), minute: minute, hourOfWeek: hourOfWeek, settings: settings,
                  probeSlowness: 0, partnerSlow: false)
        } else if bucket.observed {
            judge(bucket, minute: minute, hourOfWeek: hourOfWeek, settings: settings, probeSlowness: probeSlowness,
                  partnerSlow: partnerSlow)
        }
    }

    private mutating func judge(_ bucket: MinuteBucket, minute: Int, hourOfWeek: Int, settings: DetectionSettings,
                                probeSlowness: Double, partnerSlow: Bool) {
        lastObservedMinute = minute
        observedMinutes += 1
        let warm = observedMinutes >= (id.source == .probe ? settings.warmupMinutes / 2 : settings.warmupMinutes)
        var significant = false
        var baseline = 0.0
        var evidence = 0.0
        var elevated = false
        switch id.source {
        case .probe, .telemetry:
            (significant, baseline, evidence, elevated) = testFailures(bucket, minute: minute, hourOfWeek: hourOfWeek,
                                                                       settings: settings, warm: warm)
        case .reports:
            (significant, baseline) = testReports(bucket, minute: minute, settings: settings, warm: warm)
        }
        let latencyFactor = testLatency(bucket, minute: minute, settings: settings, warm: warm, probeSlowness: probeSlowness)
        if id.source == .probe { testOperation(bucket, settings: settings, partnerSlow: partnerSlow) }
        if latencyFactor > 1, latencyAlarm { significant = true }
        if significant {
            lastSignificantMinute = minute
            consecutiveSignificant += 1
            if id.source == .probe { continueLayerRun(Set(bucket.failedSteps.keys)) }
            if burstStart == nil {
                burstStart = id.source == .telemetry && lastRatio > lastBaseline
                    ? origin.start(at: minute, level: lastRatio, alternative: alternative(settings), settings: settings)
                    : minute
            }
            if id.source == .telemetry, lastRatio > lastBaseline {
                burstFailed += bucket.failed
                burstAttempts += bucket.attempts
            }
        } else {
            consecutiveSignificant = 0
            oneLayerRun = 0
            runSteps = []
        }

        let raised = failureAlarm || latencyAlarm
        if raised, alarm == nil {
            let kind: SeriesAlarm.Kind = id.source == .reports ? .reports : (failureAlarm ? .failure : .latency)
            let onset = [failureAlarm ? failureStart : nil, latencyCusumAlarm ? latencyStart : nil,
                         latencyTrendAlarm ? trendStart : nil].compactMap { $0 }.min() ?? minute
            alarm = SeriesAlarm(onsetMinute: onset, kind: kind)
        } else if !raised {
            alarm = nil
        }
        if alarm == nil, !significant {
            burstStart = nil
            burstFailed = 0
            burstAttempts = 0
        }
        if id.source == .telemetry, bucket.attempts > 0 {
            origin.note(BurstOrigin.Minute(minute: minute, attempts: bucket.attempts, failed: bucket.failed,
                                           baseline: lastBaseline, atAlternative: evidence > 0, elevated: elevated))
        }
        if let start = burstStart {
            if id.source == .telemetry, failureAlarm, minute - start >= settings.blipMinutes {
                pastBlipEvidence += levelEvidence(bucket, settings)
                pastBlipVolume += Double(bucket.attempts) * alternative(settings)
            }
        } else {
            pastBlipEvidence = 0
            pastBlipVolume = 0
        }
        if alarm != nil {
            if failureAlarm, alarm?.kind == .latency { alarm?.kind = .failure }
            alarm?.evidence.add(bucket, baseline: baseline, source: id.source)
            if latencyFactor > 1, var current = alarm {
                current.evidence.peakLatencyFactor = max(current.evidence.peakLatencyFactor, latencyFactor)
                alarm = current
            }
        }
    }

    // MARK: - Failures

    private mutating func testFailures(_ bucket: MinuteBucket, minute: Int, hourOfWeek: Int, settings: DetectionSettings,
                                       warm: Bool) -> (significant: Bool, baseline: Double, evidence: Double, elevated: Bool) {
        let n = bucket.attempts
        let x = bucket.failed
        guard n > 0 else { return (false, 0, 0, false) }
        let isProbe = id.source == .probe
        let floor = isProbe ? settings.probeFailureFloor : 0.000_5
        let p0 = failureBaseline.ratio(hourOfWeek: hourOfWeek, floor: floor)
        lastRatio = Double(x) / Double(n)
        lastBaseline = p0
        let p1 = alternative(settings)
        let threshold = isProbe ? settings.probeThreshold : settings.telemetryThreshold
        let llr = Self.logLikelihoodRatio(failed: x, attempts: n, at: p1, against: p0)
        let surprise = Self.surprise(failed: x, attempts: n, baseline: p0)
        let significant = surprise >= (isProbe ? 3 : 6.9)

        if warm {
            failureScore = min(2 * threshold, max(0, failureScore + llr))
            if failureScore > 0, failureStart == nil { failureStart = minute }
            if failureScore == 0 { failureStart = nil }
            if failureAlarm {
                // Quiet minutes: the ratio stayed nearer the baseline than the alternative; their
                // log-likelihood ratios are summed, so that three of them end the alarm only when
                // together they show the baseline, not a subtle fault's low minutes.
                if lastRatio <= (p0 + p1) / 2, !significant {
                    quietMinutes += 1
                    quietEvidence += llr
                } else {
                    quietMinutes = 0
                    quietEvidence = 0
                }
                if failureScore < threshold / 2 || (quietMinutes >= 3 && quietEvidence <= -threshold / 2) {
                    failureAlarm = false
                    failureScore = 0
                    failureStart = nil
                }
            } else if failureScore >= threshold {
                failureAlarm = true
                quietMinutes = 0
                quietEvidence = 0
            }
        }
        if !failureAlarm {
            failureBaseline.learn(attempts: n, failed: x, hourOfWeek: hourOfWeek, floor: floor)
        }
        // Elevated: a telemetry minute unusual by itself at a lower bar (its own likelihood ratio
        // over e^2), with the volume for the alternative to show as at least two failures (at
        // night one failure in six attempts, or two in thirty, clears the lower bar by itself).
        // A subtle fault (a few times the usual ratio, at volume) adds evidence every minute
        // without any one minute reaching the bar for standing alone: its elevated minutes are
        // where its burst begins, and while the alarm stands those at the burst's level keep it
        // failing now.
        let elevated = !isProbe && lastRatio > p0 && surprise >= settings.alarmMinuteSurprise
            && Double(n) * p1 >= settings.elevatedMinuteVolume
        let supports = failureAlarm && elevated
            && BurstOrigin.favours(failed: x, attempts: n, level: burstLevel(settings), over: p0)
        return ((significant || supports) && lastRatio > p0, p0, llr, elevated)
    }

    /// The failure ratio the failure test looks for, against the baseline of the latest minute
    /// tested: half the probes failing, or for telemetry `max(p0 × ratio, p0 + shift)`.
    private func alternative(_ settings: DetectionSettings) -> Double {
        let p0 = lastBaseline
        return id.source == .probe ? max(settings.probeFailureAlternative, 2 * p0)
                                   : min(0.9, max(p0 * settings.failureRatioFactor, p0 + settings.failureRatioShift))
    }

    /// The burst's level: the failure ratio of its significant minutes (the failure test's
    /// alternative before it has one).
    private func burstLevel(_ settings: DetectionSettings) -> Double {
        burstAttempts > 0 ? Double(burstFailed) / Double(burstAttempts) : alternative(settings)
    }

    /// The log-likelihood ratio of a telemetry minute at the burst's level against its baseline:
    /// what follows a blip continues it when it fails at the blip's level, not merely more than usual.
    private func levelEvidence(_ bucket: MinuteBucket, _ settings: DetectionSettings) -> Double {
        BurstOrigin.evidence(failed: bucket.failed, attempts: bucket.attempts, level: burstLevel(settings), over: lastBaseline)
    }

    /// Extends the run of probe failures at one layer with a minute that failed at `steps`, or
    /// starts a new run at this minute when it shares no step with the run.
    private mutating func continueLayerRun(_ steps: Set<StepName>) {
        guard !steps.isEmpty else {
            oneLayerRun += 1
            return
        }
        let shared = runSteps.isEmpty ? steps : runSteps.intersection(steps)
        if shared.isEmpty {
            runSteps = steps
            oneLayerRun = 1
        } else {
            runSteps = shared
            oneLayerRun += 1
        }
    }

    /// n × KL(x/n ‖ p0) when the minute fails more than the baseline: the log of how much better
    /// the minute's own ratio explains it than the baseline does (a generalised likelihood ratio).
    static func surprise(failed x: Int, attempts n: Int, baseline p0: Double) -> Double {
        guard n > 0, x > 0 else { return 0 }
        let q = Double(x) / Double(n)
        guard q > p0 else { return 0 }
        return logLikelihoodRatio(failed: x, attempts: n, at: q, against: p0)
    }

    /// log P(x of n | q) / P(x of n | p0) for a binomial; a term whose count is zero is left out
    /// (its ratio may be 0 or 1 then).
    static func logLikelihoodRatio(failed x: Int, attempts n: Int, at q: Double, against p0: Double) -> Double {
        var value = 0.0
        if x > 0 { value += Double(x) * log(q / p0) }
        if x < n { value += Double(n - x) * log((1 - q) / (1 - p0)) }
        return value
    }

    // MARK: - Reports

    private mutating func deduplicatedReporters(_ bucket: MinuteBucket, minute: Int) -> MinuteBucket {
        var result = bucket
        var fresh: [String] = []
        for reporter in bucket.reporters {
            if let seen = recentReporters[reporter], minute - seen < 60 { continue }
            recentReporters[reporter] = minute
            fresh.append(reporter)
        }
        // Set once: `reporters` is computed, and appending through it would copy the list each time.
        result.reporters = fresh
        result.attempts = fresh.count
        result.failed = fresh.count
        if minute % 60 == 0, recentReporters.count > 1_000 {
            recentReporters = recentReporters.filter { minute - $0.value < 60 }
        }
        return result
    }

    private mutating func testReports(_ bucket: MinuteBucket, minute: Int, settings: DetectionSettings, warm: Bool) -> (Bool, Double) {
        let x = Double(bucket.reporters.count)
        let lambda0 = max(reportRate, 0.01)
        // A surge is about one new reporter a minute or ten times the usual rate, whichever is more:
        // a cluster of two or three reports happens by chance every few days.
        let lambda1 = max(10 * lambda0, lambda0 + 1)
        let llr = x * log(lambda1 / lambda0) - (lambda1 - lambda0)
        lastRatio = x
        lastBaseline = lambda0
        if warm {
            failureScore = min(2 * settings.reportThreshold, max(0, failureScore + llr))
            if failureScore > 0, failureStart == nil { failureStart = minute }
            if failureScore == 0 { failureStart = nil }
            if failureAlarm {
                if failureScore < settings.reportThreshold / 2 { failureAlarm = false }
            } else if failureScore >= settings.reportThreshold {
                failureAlarm = true
            }
        }
        if !failureAlarm {
            reportRate += (min(x, 3) - reportRate) / 1_440
        }
        return (x >= 1 && llr > 0, lambda0)
    }

    // MARK: - Latency

    /// Returns the latency's factor over the baseline median when the minute was slow (else 1).
    private mutating func testLatency(_ bucket: MinuteBucket, minute: Int, settings: DetectionSettings, warm: Bool,
                                      probeSlowness: Double) -> Double {
        guard id.source != .reports, let value = bucket.latency,
              bucket.latencyWeight >= (id.source == .probe ? 1 : 10) else { return 1 }
        guard latencyBaseline.isReady, warm else {
            latencyBaseline.learn(value)
            return 1
        }
        let z = latencyBaseline.score(value)
        let factor = latencyBaseline.median > 0 ? value / latencyBaseline.median : 1
        let slow = factor >= settings.latencyFactor
        latencyScore = min(2 * settings.latencyThreshold, max(0, latencyScore + (slow ? z - 2 : min(z - 2, 0))))
        if latencyScore > 0, latencyStart == nil { latencyStart = minute }
        if latencyScore == 0 { latencyStart = nil }
        if latencyCusumAlarm {
            if latencyScore < settings.latencyThreshold / 2 {
                latencyCusumAlarm = false
                latencyScore = 0
                latencyStart = nil
            }
        } else if latencyScore >= settings.latencyThreshold {
            latencyCusumAlarm = true
        }
        let trending = testLatencyTrend(value, minute: minute, settings: settings, probeSlowness: probeSlowness)
        if !latencyAlarm, !slow { latencyBaseline.learn(value) }
        if slow && z >= 4 { return factor }
        return trending && log(factor) >= Self.trendBar(probeSlowness: probeSlowness, settings).rise ? factor : 1
    }

    /// The probes' `operation` step: each minute's time adds its rank evidence for "that many
    /// times slower" to a CUSUM capped at twice its bar. Every time is learned except while the
    /// telemetry of the same path and region is slow: leaving out the times that raise the
    /// statistic itself would keep only the fast ones, and the usual time would sink.
    private mutating func testOperation(_ bucket: MinuteBucket, settings: DetectionSettings, partnerSlow: Bool) {
        guard let value = bucket.operationLatency else { return }
        let bar = settings.probeSlownessThreshold
        if operationBaseline.isReady {
            let evidence = operationBaseline.scaleEvidence(value, factor: settings.probeSlownessFactor)
            operationScore = min(2 * bar, max(0, operationScore + evidence))
        }
        if !partnerSlow { operationBaseline.learn(value) }
    }

    /// The slow-rise test: a weighted mean of log(value / median) with weight `latencyTrendWeight`
    /// per minute (a memory of about nine minutes at 0.2). Its standard error is the minute's
    /// robust log-scale times sqrt(w / (2 − w)), so a rise that no single minute shows (a quarter
    /// slower, with minutes varying by a fifth) still adds up. It alarms when the mean is both a
    /// practical rise (`latencyTrendFactor`) and `latencyTrendZ` standard errors above zero, and
    /// ends once the mean is back below half the practical rise. While the probes of the same path
    /// and region agree (`probeSlowness` at their bar), a smaller rise at fewer standard errors is
    /// enough, and half of it ends the alarm: two independent measurements of the same slowdown.
    /// Returns whether it is in alarm.
    private mutating func testLatencyTrend(_ value: Double, minute: Int, settings: DetectionSettings, probeSlowness: Double) -> Bool {
        // Telemetry only: its minute is the median of many attempts, near-symmetric around the
        // usual; a single probe's time is skewed (slow tails), and its log ratio's spread is
        // not the one the MAD of its minutes gives.
        let median = latencyBaseline.median
        guard id.source == .telemetry, median > 0, value > 0 else { return latencyTrendAlarm }
        let weight = settings.latencyTrendWeight
        let ratio = log(value / median)
        // A single minute moves the mean by at most a doubling's worth: one wild value is not a trend.
        latencyTrend += weight * (min(ratio, log(2.0)) - latencyTrend)
        if latencyTrend > 0, trendStart == nil { trendStart = minute }
        if latencyTrend <= 0 { trendStart = nil }
        // The mean's own spread, and the baseline median's uncertainty it is measured against.
        let logScale = latencyBaseline.scale / median
        let meanError = logScale * (weight / (2 - weight)).squareRoot()
        let standardError = (meanError * meanError + pow(latencyBaseline.medianRelativeError, 2)).squareRoot()
        let bar = Self.trendBar(probeSlowness: probeSlowness, settings)
        if latencyTrendAlarm {
            // Half the bar in force: once the probes are back to their usual times, a small
            // lasting residue in the telemetry (its baseline is not learned during the alarm) does
            // not hold an alarm their agreement raised.
            if latencyTrend < bar.rise / 2 { latencyTrendAlarm = false }
        } else if latencyTrend >= bar.rise, latencyTrend >= bar.standardErrors * standardError {
            latencyTrendAlarm = true
        }
        return latencyTrendAlarm
    }

    /// The slow-rise test's bar in force: the rise (a log ratio) and standard errors it needs, lower
    /// while the probes of the same path and region agree.
    static func trendBar(probeSlowness: Double, _ settings: DetectionSettings) -> (rise: Double, standardErrors: Double) {
        probeSlowness >= settings.probeSlownessThreshold
            ? (log(settings.agreedLatencyTrendFactor), settings.agreedLatencyTrendZ)
            : (log(settings.latencyTrendFactor), settings.latencyTrendZ)
    }
}
