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
        // Seven minutes a little above the usual (none significant alone) start the CUSUM well
        // before the spike; the blip length counts from the spike.
        #expect(Self.sustainedMinutes(after: [2, 2, 3, 2, 2, 3, 2, 12, 5]).isEmpty)
    }

    @Test("the same spike going on is sustained once it outlasts the blip length")
    func longBurst() {
        let sustained = Self.sustainedMinutes(after: [2, 2, 3, 2, 2, 3, 2, 12, 10, 11, 12, 12, 11])
        // The spike starts at minute 127; with a blip length of three it is sustained from its fourth minute.
        #expect(sustained.first == 130)
    }
}
