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

    /// A telemetry series with 1,200 attempts a minute whose latency median varies around 83 ms by
    /// a deterministic ±20 % pattern, then (from minute 180) multiplied by `factor(minute - 180)`;
    /// returns the first minute of its latency alarm after 180, if any within `minutes`.
    static func latencyAlarmMinute(minutes: Int, settings: DetectionSettings = DetectionSettings(),
                                   factor: (Int) -> Double) -> Int? {
        var detector = SeriesDetector(id: SeriesID(service: "contoso", path: .mapiHTTP, region: "na", source: .telemetry))
        let noise = [0.0, 0.12, -0.18, 0.05, -0.07, 0.2, -0.12, 0.16, -0.2, 0.09, -0.03, 0.14, -0.15]
        for minute in 0..<(180 + minutes) {
            let rise = minute >= 180 ? factor(minute - 180) : 1
            var bucket = MinuteBucket()
            bucket.add(ClientCounts(timeMs: 0, service: "contoso", region: "na", client: .outlookClassic, path: .mapiHTTP,
                                    ok: 1_200, failed: 0, latencyMsP50: 83 * (1 + noise[(minute * 7) % noise.count]) * rise))
            detector.evaluate(bucket, minute: minute, hourOfWeek: 10, settings: settings)
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

    @Test("at night, single failures in a handful of attempts do not keep an alarm failing")
    func nightSingles() {
        // Six attempts a minute, a failure now and then, then a few close together and more singles.
        let usual = { (minute: Int) in minute % 40 == 0 ? 1 : 0 }
        let after = [1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
        #expect(Self.firstSustained(attempts: 6, history: usual, failures: after) == nil)
    }
}
