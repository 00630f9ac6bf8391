import MailCanaryCore
@testable import MailCanaryDetection
import Testing

@Suite("Series detector: what makes a burst sustained")
struct SeriesDetectorTests {
    static func bucket(attempts: Int, failed: Int) -> MinuteBucket {
        var bucket = MinuteBucket()
        bucket.add(ClientCounts(timeMs: 0, service: "contoso", region: "na", client: .imapClient, path: .smtpSubmission,
                                ok: attempts - failed, failed: failed, errors: failed > 0 ? [ErrorCount("timed out after 30s", failed)] : []))
        return bucket
    }

    /// Feeds `failures` (one minute each, 40 attempts) after two hours of ordinary minutes, and
    /// returns the minutes at which the series' alarm counted as sustained.
    static func sustainedMinutes(after failures: [Int]) -> [Int] {
        let settings = DetectionSettings()
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .smtpSubmission, region: "na", source: .telemetry))
        var minute = 0
        for index in 0..<120 {
            detector.evaluate(bucket(attempts: 40, failed: index % 3 == 0 ? 1 : 0), minute: minute, hourOfWeek: 10, settings: settings)
            minute += 1
        }
        var sustained: [Int] = []
        for failed in failures + Array(repeating: 0, count: 10) {
            detector.evaluate(bucket(attempts: 40, failed: failed), minute: minute, hourOfWeek: 10, settings: settings)
            if detector.isSustained(at: minute, settings: settings) { sustained.append(minute) }
            minute += 1
        }
        return sustained
    }

    @Test("a two-minute spike after minutes that only nudged the CUSUM up is a blip, not a long burst")
    func spikeAfterDrift() {
        // Seven ordinary minutes with a failure each (one in forty, none significant alone) start
        // the CUSUM well before the spike; the blip length counts from the spike. (Seven minutes
        // at two or three in forty, six times the usual, are a subtle fault of their own now.)
        #expect(Self.sustainedMinutes(after: [1, 1, 1, 0, 1, 1, 1, 12, 5]).isEmpty)
    }

    @Test("the same spike going on is sustained once it outlasts the blip length")
    func longBurst() {
        let sustained = Self.sustainedMinutes(after: [1, 1, 1, 0, 1, 1, 1, 12, 10, 11, 12, 12, 11])
        // The spike starts at minute 127; with a blip length of three it is sustained from its fourth minute.
        #expect(sustained.first == 130)
    }

    /// A telemetry series whose latency baseline learns `learned` minutes of 72.7 ms ± 10 % (then
    /// quiet minutes too small to weigh, until it is warm), followed by 40 minutes exactly
    /// `factor` times slower; whether its slow-rise test raised an alarm.
    static func trendAlarm(learned: Int, factor: Double) -> Bool {
        let settings = DetectionSettings()
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .autodiscover, region: "na", source: .telemetry))
        let noise = [0.0, 0.1, -0.1, 0.06, -0.06, 0.14, -0.14, 0.1, -0.1, 0.02, -0.02]
        let history = max(learned, settings.warmupMinutes)
        for minute in 0..<(history + 40) {
            let attempts = minute < learned || minute >= history ? 100 : 5
            let latency = minute < history ? 72.7 * (1 + noise[minute % noise.count]) : 72.7 * factor
            var bucket = MinuteBucket()
            bucket.add(ClientCounts(timeMs: 0, service: "contoso", region: "na", client: .outlookClassic, path: .autodiscover,
                                    ok: attempts, failed: 0, latencyMsP50: latency))
            detector.evaluate(bucket, minute: minute, hourOfWeek: 3, settings: settings)
            if minute >= history, detector.latencyAlarm { return true }
        }
        return false
    }

    @Test("the slow-rise test counts the uncertainty of a young baseline's median")
    func youngLatencyBaseline() {
        // Thirty minutes at night put the median within ±6 % of the truth two times in three: a
        // median 9 % low by chance, and ordinary minutes, looked like a steady rise of a quarter
        // and opened a false incident (an Autodiscover series on a scenario's first morning). The
        // same rise, 29 %, against a median read from 120 minutes is one.
        #expect(!Self.trendAlarm(learned: 30, factor: 1.29))
        #expect(Self.trendAlarm(learned: 120, factor: 1.29))
        // Against the young baseline a larger rise still is.
        #expect(Self.trendAlarm(learned: 30, factor: 1.4))
    }

    /// A probe series (one probe every two minutes, two agents where a round lists two steps)
    /// after four hours of passing probes, fed rounds that fail at `steps` (each round's failed
    /// steps), then passing ones; the indexes of the rounds at which its alarm counted as sustained.
    static func sustainedProbeMinutes(failingAt steps: [[StepName]]) -> [Int] {
        let settings = DetectionSettings()
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .activesync, region: "apac", source: .probe))
        func probe(_ step: StepName?, agent: String) -> ProbeObservation {
            ProbeObservation(timeMs: 0, service: "contoso", region: "apac", path: .activesync, agent: agent, failed: step != nil,
                             failureClass: step == nil ? nil : .network, failedStep: step,
                             error: step == nil ? nil : "connection reset by peer", durationMs: 200, operationMs: step == nil ? 60 : nil)
        }
        for round in 0..<120 {
            var bucket = MinuteBucket()
            bucket.add(probe(nil, agent: "apac-1"))
            detector.evaluate(bucket, minute: round * 2, hourOfWeek: 10, settings: settings)
        }
        var sustained: [Int] = []
        for (index, failing) in (steps + [[], []]).enumerated() {
            var bucket = MinuteBucket()
            if failing.isEmpty { bucket.add(probe(nil, agent: "apac-1")) }
            for (agent, step) in failing.enumerated() { bucket.add(probe(step, agent: "apac-\(agent + 1)")) }
            let minute = 240 + index * 2
            detector.evaluate(bucket, minute: minute, hourOfWeek: 10, settings: settings)
            if detector.isSustained(at: minute, settings: settings) { sustained.append(index) }
        }
        return sustained
    }

    @Test("three failed probes in a row stand on their own at one layer; at a different layer each time they need a fourth")
    func probeLayers() {
        // A fault lives in a layer: the handshake failing three times is sustained at the third.
        #expect(Self.sustainedProbeMinutes(failingAt: [[.tls], [.tls], [.tls]]) == [2])
        // Chance network trouble lands anywhere (a scenario's healthy probe reset at name
        // resolution, then at the token, then at name resolution again, opened a false incident).
        #expect(Self.sustainedProbeMinutes(failingAt: [[.resolve], [.token], [.resolve]]).isEmpty)
        // A fourth failure in a row is sustained whatever its layers.
        #expect(Self.sustainedProbeMinutes(failingAt: [[.connect], [.tls], [.connect], [.operation]]) == [3])
        // Two agents failing at different layers in one minute: the run keeps the layer they share with what follows.
        #expect(Self.sustainedProbeMinutes(failingAt: [[.tls, .connect], [.connect], [.connect]]) == [2])
        // A run at one layer starts again at the first failure at another: an earlier failure at
        // sign-in does not make two at the operation three.
        #expect(Self.sustainedProbeMinutes(failingAt: [[.auth], [.operation], [.operation]]).isEmpty)
    }

    /// A telemetry series with 1,200 attempts a minute whose latency median varies around 83 ms by
    /// a deterministic ±20 % pattern, then (from minute 180) multiplied by `factor(minute - 180)`;
    /// returns the first minute of its latency alarm after 180, if any within `minutes`.
    static func latencyAlarmMinute(minutes: Int, settings: DetectionSettings = DetectionSettings(), probeSlowness: Double = 0,
                                   factor: (Int) -> Double) -> Int? {
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .mapiHTTP, region: "na", source: .telemetry))
        let noise = [0.0, 0.12, -0.18, 0.05, -0.07, 0.2, -0.12, 0.16, -0.2, 0.09, -0.03, 0.14, -0.15]
        for minute in 0..<(180 + minutes) {
            let rise = minute >= 180 ? factor(minute - 180) : 1
            var bucket = MinuteBucket()
            bucket.add(ClientCounts(timeMs: 0, service: "contoso", region: "na", client: .outlookClassic, path: .mapiHTTP,
                                    ok: 1_200, failed: 0, latencyMsP50: 83 * (1 + noise[(minute * 7) % noise.count]) * rise))
            detector.evaluate(bucket, minute: minute, hourOfWeek: 10, settings: settings,
                              probeSlowness: minute >= 180 ? probeSlowness : 0)
            if minute >= 180, detector.alarm?.kind == .latency { return minute }
        }
        return nil
    }

    @Test("a slow latency rise that no single minute shows is found by the running mean, well before the CUSUM")
    func slowLatencyRise() throws {
        // 1.0 to 2.5 times over forty minutes, as scenarios/specs/slow-latency-mapi-na.json.
        let ramp = { (minute: Int) in 1 + 1.5 * min(Double(minute), 40) / 40 }
        let found = try #require(Self.latencyAlarmMinute(minutes: 60, factor: ramp))
        var cusumOnly = DetectionSettings()
        cusumOnly.latencyTrendZ = .infinity
        let byCusum = try #require(Self.latencyAlarmMinute(minutes: 60, settings: cusumOnly, factor: ramp))
        #expect(found - 180 <= 15)
        #expect(byCusum - found >= 3)
    }

    @Test("a steady series, or one a tenth slower for good, raises no latency alarm")
    func steadyLatency() {
        #expect(Self.latencyAlarmMinute(minutes: 600) { _ in 1 } == nil)
        #expect(Self.latencyAlarmMinute(minutes: 600) { _ in 1.1 } == nil)
    }

    @Test("with the probes' agreement a slow rise is found sooner; their agreement alone raises nothing")
    func agreedLatencyRise() throws {
        let ramp = { (minute: Int) in 1 + 1.5 * min(Double(minute), 40) / 40 }
        let alone = try #require(Self.latencyAlarmMinute(minutes: 60, factor: ramp))
        let agreed = try #require(Self.latencyAlarmMinute(minutes: 60, probeSlowness: 12, factor: ramp))
        // Sooner by a minute on this ramp (two before the slow-rise test counted its baseline's own uncertainty).
        #expect(agreed < alone)
        #expect(Self.latencyAlarmMinute(minutes: 600, probeSlowness: 12) { _ in 1 } == nil)
        // Probes short of their bar change nothing.
        #expect(Self.latencyAlarmMinute(minutes: 60, probeSlowness: 5.9, factor: ramp) == alone)
    }

    @Test("an alarm raised with the probes' agreement ends once they are back, though the telemetry stays a little slower")
    func agreedAlarmEnds() {
        // Minutes varying by ±5 %. 18 % slower with the probes agreeing for an hour (too little
        // for the slow-rise test alone), then 9 % slower for good: with the probes back, the
        // alarm ends; were they still slow, the 9 % would hold it.
        func alarmed(probesBack: Bool) -> Bool {
            let settings = DetectionSettings()
            var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .mapiHTTP, region: "na", source: .telemetry))
            let noise = [0.0, 0.12, -0.18, 0.05, -0.07, 0.2, -0.12, 0.16, -0.2, 0.09, -0.03, 0.14, -0.15].map { $0 / 4 }
            for minute in 0..<360 {
                let factor = minute < 180 ? 1 : (minute < 240 ? 1.18 : 1.09)
                var bucket = MinuteBucket()
                bucket.add(ClientCounts(timeMs: 0, service: "contoso", region: "na", client: .outlookClassic, path: .mapiHTTP,
                                        ok: 1_200, failed: 0, latencyMsP50: 83 * (1 + noise[(minute * 7) % noise.count]) * factor))
                let probes = minute >= 180 && (minute < 240 || !probesBack) ? 12.0 : 0
                detector.evaluate(bucket, minute: minute, hourOfWeek: 10, settings: settings, probeSlowness: probes)
                if minute == 239 { #expect(detector.latencyAlarm) }
            }
            return detector.latencyAlarm
        }
        #expect(!alarmed(probesBack: true))
        #expect(alarmed(probesBack: false))
    }

    @Test("the probes' evidence counts only while they report")
    func silentProbes() {
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .mapiHTTP, region: "na", source: .probe))
        for minute in 0..<80 {
            var bucket = MinuteBucket()
            bucket.add(ProbeObservation(timeMs: 0, service: "contoso", region: "na", path: .mapiHTTP, agent: "na-1", failed: false,
                                        durationMs: 200, operationMs: minute < 60 ? Double(20 + minute % 40) : 500))
            detector.evaluate(bucket, minute: minute, hourOfWeek: 10, settings: DetectionSettings())
        }
        #expect(detector.operationScore >= DetectionSettings().probeSlownessThreshold)
        #expect(detector.slowness(at: 84) == detector.operationScore)
        #expect(detector.slowness(at: 85) == 0)
    }

    /// A probe series fed `minutes` probes whose operation step takes 6 to 120 ms (a fixed
    /// pseudo-random sequence), times `factor(minute)`; the operation score after each.
    static func operationScores(minutes: Int, settings: DetectionSettings = DetectionSettings(),
                                factor: (Int) -> Double = { _ in 1 }) -> (scores: [Double], median: Double?) {
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .mapiHTTP, region: "na", source: .probe))
        var state: UInt64 = 7
        var scores: [Double] = []
        for minute in 0..<minutes {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let uniform = Double(state >> 11) / Double(1 << 53)
            var bucket = MinuteBucket()
            bucket.add(ProbeObservation(timeMs: 0, service: "contoso", region: "na", path: .mapiHTTP, agent: "na-1", failed: false,
                                        durationMs: 200, operationMs: (6 + 114 * uniform) * factor(minute)))
            detector.evaluate(bucket, minute: minute, hourOfWeek: 10, settings: settings)
            scores.append(detector.operationScore)
        }
        return (scores, detector.expectedOperationLatency)
    }

    @Test("the probes' operation score stays low on usual times and reaches its bar within a few probes twice as slow")
    func operationScore() throws {
        // Usual times for a long while, at a bar lower than the default (where a biased window
        // shows sooner): rarely at the bar, and the usual time stays the middle of 6 to 120 ms.
        // Learning only the times that leave the score below the bar kept it there a third of
        // the time, with the usual time sunk to 50 ms.
        var lowBar = DetectionSettings()
        lowBar.probeSlownessThreshold = 4
        let (usual, median) = Self.operationScores(minutes: 20_000, settings: lowBar)
        #expect(Double(usual.filter { $0 >= 4 }.count) / Double(usual.count) < 0.02)
        #expect(abs((median ?? 0) - 63) < 6)
        // Two and a half times slower from the 500th probe, at the default bar.
        let bar = DetectionSettings().probeSlownessThreshold
        let slow = Self.operationScores(minutes: 520) { $0 >= 500 ? 2.5 : 1 }.scores
        let reached = try #require(slow.indices.first { $0 >= 500 && slow[$0] >= bar })
        #expect(reached - 500 <= 8)
    }

    @Test("three quiet minutes inside a subtle fault do not end its alarm; three at the usual ratio do")
    func quietMinutes() throws {
        // 100 attempts a minute failing once (1 %), then 4 % with a quiet stretch of 1, 2 and 1
        // (together about e^-3.6 against the fault: not enough to call it over), then 1 % again.
        let settings = DetectionSettings()
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .ews, region: "apac", source: .telemetry))
        let failures = [5, 4, 6, 5, 4, 5, 1, 2, 1, 5, 4, 6, 1, 1, 1, 1]
        var alarmed: [Bool] = []
        for minute in 0..<(180 + failures.count) {
            let failed = minute < 180 ? 1 : failures[minute - 180]
            detector.evaluate(Self.bucket(attempts: 100, failed: failed), minute: minute, hourOfWeek: 10, settings: settings)
            if minute >= 180 { alarmed.append(detector.alarm != nil) }
        }
        let raised = try #require(alarmed.firstIndex(of: true))
        #expect(raised <= 3)
        #expect(alarmed[raised...11].allSatisfy { $0 })
        #expect(alarmed.last == false)
    }

    /// A telemetry series of `attempts` a minute failing as `failed(minute)` for 180 minutes of
    /// history and then `failures` more minutes; the first minute after the history at which its
    /// alarm is sustained, if any.
    static func firstSustained(attempts: Int, settings: DetectionSettings = DetectionSettings(), history: (Int) -> Int,
                               failures: [Int]) -> Int? {
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .ews, region: "apac", source: .telemetry))
        for minute in 0..<(180 + failures.count) {
            let failed = minute < 180 ? history(minute) : failures[minute - 180]
            detector.evaluate(bucket(attempts: attempts, failed: failed), minute: minute, hourOfWeek: 10, settings: settings)
            if minute >= 180, detector.isSustained(at: minute, settings: settings) { return minute - 180 }
        }
        return nil
    }

    @Test("a subtle fault (four times the usual ratio at volume, no minute significant alone) is sustained within minutes")
    func subtleFault() throws {
        // 115 attempts a minute failing about once a minute, then 4 to 6 a minute (4 %).
        let usual = { (minute: Int) in minute % 5 == 0 ? 2 : 1 }
        let fault = (0..<30).map { [5, 4, 6, 5, 4][$0 % 5] }
        let found = try #require(Self.firstSustained(attempts: 115, history: usual, failures: fault))
        #expect(found <= 8)
        // Without the lower bar in an alarm, no minute of it counts as failing now.
        var standAloneOnly = DetectionSettings()
        standAloneOnly.alarmMinuteSurprise = .infinity
        #expect(Self.firstSustained(attempts: 115, settings: standAloneOnly, history: usual, failures: fault) == nil)
    }

    @Test("a subtle fault's burst begins at its first elevated minute, not at the first that stands alone")
    func burstFromElevatedRun() throws {
        // 100 attempts a minute failing once, then four in a hundred (each minute e^2.6 against the
        // usual, none alone at e^6.9), a quiet minute, more fours, and only then a seven.
        let usual = { (_: Int) in 1 }
        let fault = [4, 4, 2, 4, 7, 4, 4, 5, 4, 4, 4, 4]
        let found = try #require(Self.firstSustained(attempts: 100, history: usual, failures: fault))
        #expect(found <= 4)
        // Counted from the seven, the minute that stands alone, it would be sustained later: the
        // burst begins at the first four, not at the seven.
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .ews, region: "apac", source: .telemetry))
        for minute in 0..<(180 + 5) {
            detector.evaluate(Self.bucket(attempts: 100, failed: minute < 180 ? usual(minute) : fault[minute - 180]),
                              minute: minute, hourOfWeek: 10, settings: DetectionSettings())
        }
        #expect(detector.burstStart == 180)
    }

    @Test("a failure ramp's burst begins where its minutes began to fail more than usual, together")
    func failureRamp() throws {
        // MAPI at 850 attempts a minute failing five or six times, then a ramp (a replay's minutes):
        // four minutes near twice the usual, none unusual alone, then 23 failures, which raises the
        // alarm. The ramp has been going on for five minutes by then: not a blip.
        let usual = { (minute: Int) in minute % 2 == 0 ? 5 : 6 }
        let ramp = [7, 11, 9, 9, 10, 23, 18, 22, 22, 40, 33, 35]
        let found = try #require(Self.firstSustained(attempts: 850, history: usual, failures: ramp))
        #expect(found == 5)
        // Without the rising run the burst begins at the 23 and must outlast the blip length.
        var noLeadIn = DetectionSettings()
        noLeadIn.leadInSurprise = .infinity
        #expect(Self.firstSustained(attempts: 850, settings: noLeadIn, history: usual, failures: ramp) == 8)
    }

    @Test("a sharp spike after a few ordinary minutes above the usual still waits for the blip length")
    func spikeAfterChanceRun() throws {
        // 630 attempts a minute failing three or four times; five minutes of fives to eights (by
        // chance: the baseline itself varies by a third from minute to minute), then an outage that
        // begins at once (a replay's minutes). Together the five pool to about e^3.3: not where it began.
        let usual = { (minute: Int) in minute % 3 == 0 ? 3 : 4 }
        let minutes = [7, 8, 7, 5, 5, 97, 206, 193, 200, 198, 201]
        #expect(Self.firstSustained(attempts: 630, history: usual, failures: minutes) == 8)
        // At an elevated minute's bar they would have made the outage look five minutes old.
        var lowBar = DetectionSettings()
        lowBar.leadInSurprise = lowBar.alarmMinuteSurprise
        #expect(Self.firstSustained(attempts: 630, settings: lowBar, history: usual, failures: minutes) == 5)
    }

    @Test("a three-minute blip beside a chance minute stays a blip: the minute fails at the usual level, not the blip's")
    func blipBesideChanceMinute() {
        // IMAP at 120 attempts a minute failing once or twice, then a minute of five (elevated by
        // chance: e^3.2), a blip of 14 to 20 % for three minutes, and nothing more (a replay's minutes).
        let usual = { (minute: Int) in minute % 4 == 0 ? 2 : 1 }
        #expect(Self.firstSustained(attempts: 120, history: usual, failures: [5, 17, 21, 24, 1, 0, 1, 0, 2, 1]) == nil)
        // The same minute of five after the blip.
        #expect(Self.firstSustained(attempts: 120, history: usual, failures: [1, 17, 21, 24, 5, 1, 0, 1, 0, 2]) == nil)
        // A blip that goes on at its level is sustained from its fourth minute.
        #expect(Self.firstSustained(attempts: 120, history: usual, failures: [1, 17, 21, 24, 19, 1, 0, 1, 0, 2]) == 4)
    }

    @Test("what follows a blip continues it only at the blip's level")
    func chanceFailuresAfterBlip() {
        // SMTP at 24 attempts a minute failing once in four minutes, a blip of 17 to 50 %, then two
        // failures and one (e^2.5 against the usual at the test's alternative, but far from the
        // blip's level): a blip. The same at the blip's level is not.
        let usual = { (minute: Int) in minute % 4 == 0 ? 1 : 0 }
        #expect(Self.firstSustained(attempts: 24, history: usual, failures: [4, 12, 10, 2, 1, 0, 0, 0, 0]) == nil)
        #expect(Self.firstSustained(attempts: 24, history: usual, failures: [4, 12, 10, 8, 9, 0, 0, 0, 0]) != nil)
    }

    /// Expects nothing sustained with the default volume for an elevated minute, and something
    /// sustained once that volume is lowered to `lowered`: the volume is what decides.
    static func expectVolumeDecides(attempts: Int, history: (Int) -> Int, failures: [Int], lowered: Double,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(firstSustained(attempts: attempts, history: history, failures: failures) == nil, sourceLocation: sourceLocation)
        var settings = DetectionSettings()
        settings.elevatedMinuteVolume = lowered
        #expect(firstSustained(attempts: attempts, settings: settings, history: history, failures: failures) != nil,
                sourceLocation: sourceLocation)
    }

    @Test("at night, a run of twos in twenty attempts is no elevated run")
    func nightRun() {
        // Twenty-odd attempts a minute failing now and then, then a stretch of ones, twos and a
        // three: each two is a tenth of the minute, but four times the usual would be one failure
        // in such a minute, too few to call the run a burst.
        Self.expectVolumeDecides(attempts: 22, history: { $0 % 4 == 0 ? 1 : 0 },
                                 failures: [1, 2, 2, 2, 1, 3, 2, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0], lowered: 0)
    }

    @Test("in an alarm at low volume, a minute of three failures in thirty is not failing now")
    func lingeringLowVolume() {
        // Thirty attempts a minute failing once in three minutes (1.1 %), then twos and threes that
        // raise the alarm and keep it standing. Three in thirty is e^4 against the usual, but four
        // times the usual would be 1.3 failures in such a minute: with a volume of one failure
        // the later three would confirm the alarm, with two (the default) nothing does.
        Self.expectVolumeDecides(attempts: 30, history: { $0 % 3 == 0 ? 1 : 0 },
                                 failures: [2, 3, 2, 0, 3, 1, 0, 0, 0, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0], lowered: 1)
    }

    @Test("at night, single failures in a handful of attempts do not keep an alarm failing")
    func nightSingles() {
        // Six attempts a minute, a failure now and then, then a few close together and more singles.
        let usual = { (minute: Int) in minute % 40 == 0 ? 1 : 0 }
        let after = [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
        #expect(Self.firstSustained(attempts: 6, history: usual, failures: after) == nil)
    }
}
