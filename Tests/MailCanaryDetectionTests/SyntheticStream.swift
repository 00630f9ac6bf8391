import Foundation
import MailCanaryCore
import MailCanaryDetection

/// A small, deterministic generator of detection input for tests: client counts with a diurnal
/// shape per region, a probe per path and region every two minutes, a trickle of user reports,
/// and the faults, blips and advisories a test injects. Independent of the shared scenario
/// generator, so the tests run from this repository alone.
struct SyntheticStream: Sendable {
    struct Fault {
        var onset: Int           // minutes from the start
        var minutes: Int
        var regions: Set<String>
        var paths: Set<AccessPath>
        var failureRate = 0.5
        var probeFailureRate = 0.9
        var telemetry = true     // false: only the probes see it
        var latencyFactor = 1.0
        /// Minutes over which the telemetry's latency grows linearly to `latencyFactor` (0: at
        /// once). Probes see the whole factor from the onset, as in the shared scenario generator:
        /// a probe's own request lands on a slow server, while the median of all users rises as
        /// more of them do.
        var latencyRampMinutes = 0
        var failureClass = FailureClass.server
        var step = StepName.operation
        var error = "HTTP 503 Service Unavailable"
        var reportsPerMinute = 0.0
    }

    struct Blip {
        var at: Int
        var minutes: Int
        var region: String
        var path: AccessPath
        var failureRate: Double
    }

    static let start = UTCTimestamp.parse("2025-10-06T00:00:00Z")!   // a Monday
    static let clients: [(ClientKind, [AccessPath], Double)] = [
        (.outlookClassic, [.autodiscover, .mapiHTTP, .ews], 0.45), (.owa, [.owa], 0.25),
        (.outlookMobile, [.activesync], 0.2), (.imapClient, [.imap, .smtpSubmission], 0.1),
    ]
    static let pathRate: [AccessPath: Double] = [.autodiscover: 0.02, .mapiHTTP: 0.5, .ews: 0.08, .owa: 0.4, .activesync: 0.3,
                                                 .imap: 0.3, .smtpSubmission: 0.05]
    static let users = ["apac": 4_000.0, "na": 9_000.0, "eu": 6_000.0]
    static let utcOffset = ["apac": 8, "na": -5, "eu": 1]

    var minutes: Int
    var faults: [Fault] = []
    var blips: [Blip] = []
    var advisories: [(minute: Int, issue: ServiceHealthIssue)] = []
    var seed: UInt64 = 42
    /// Whether probes report their `operation` step's time (drawn from a generator of its own, so
    /// the other draws stay the same either way).
    var probeOperationTimes = true

    static func time(_ minute: Int) -> Int64 { start + Int64(minute) * 60_000 }

    /// Runs the stream through `engine`, minute by minute, and closes the last minute.
    func run(into engine: inout DetectionEngine) {
        var rng = SplitMix64(seed: seed)
        var stepRng = SplitMix64(seed: seed ^ 0x5EED)
        var advisories = self.advisories
        for minute in 0..<minutes {
            let t = Self.time(minute + 1)
            for (region, users) in Self.users.sorted(by: { $0.key < $1.key }) {
                let local = (Double(minute % 1_440) / 60 + Double(Self.utcOffset[region]!)).truncatingRemainder(dividingBy: 24)
                let activity = 0.08 + 0.92 * exp(-pow((local + (local < 0 ? 24 : 0) - 13) / 4.2, 2))
                for (client, paths, share) in Self.clients {
                    for path in paths {
                        let n = rng.poisson(users * share * activity * Self.pathRate[path]!)
                        var p = 0.005 * (0.7 + 0.6 * rng.next())
                        var latency = 60 + 40 * rng.next()
                        var error = "connection reset by peer"
                        for fault in faults where fault.telemetry && active(fault, minute) && fault.regions.contains(region) && fault.paths.contains(path) {
                            p = max(p, fault.failureRate)
                            latency *= slowdown(fault, minute)
                            error = fault.error
                        }
                        for blip in blips where blip.region == region && blip.path == path && (blip.at..<(blip.at + blip.minutes)).contains(minute) {
                            p = max(p, blip.failureRate)
                        }
                        let failed = rng.binomial(n, p)
                        _ = engine.ingest(.clients(ClientCounts(
                            timeMs: t, service: "contoso", region: region, client: client, path: path, ok: n - failed, failed: failed,
                            errors: failed > 0 ? [ErrorCount(error, failed)] : [], latencyMsP50: latency)))
                    }
                }
                if minute % 2 == 0 {
                    for path in Self.pathRate.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
                        let hit = faults.first { active($0, minute) && $0.regions.contains(region) && $0.paths.contains(path) }
                        let failed = rng.next() < (hit?.probeFailureRate ?? 0.002)
                        _ = engine.ingest(.probe(ProbeObservation(
                            timeMs: t, service: "contoso", region: region, path: path, agent: "\(region)-1", failed: failed,
                            failureClass: failed ? (hit?.failureClass ?? .network) : nil, failedStep: failed ? (hit?.step ?? .connect) : nil,
                            error: failed ? (hit?.error ?? "connection reset by peer") : nil,
                            durationMs: 150 + 100 * rng.next() * (hit?.latencyFactor ?? 1),
                            operationMs: failed || !probeOperationTimes ? nil : (6 + 114 * stepRng.next()) * (hit?.latencyFactor ?? 1))))
                    }
                }
                for fault in faults where active(fault, minute) && fault.regions.contains(region) && minute - fault.onset >= 8 {
                    for _ in 0..<rng.poisson(fault.reportsPerMinute) {
                        _ = engine.ingest(.report(UserReport(timeMs: t, service: "contoso", region: region, client: .outlookClassic,
                                                             symptom: "cannot-connect", reporter: "u-\(Int(rng.next() * 1e9))")))
                    }
                }
                if rng.next() < 0.01 {
                    _ = engine.ingest(.report(UserReport(timeMs: t, service: "contoso", region: region, client: .owa, symptom: "slow",
                                                         reporter: "u-\(Int(rng.next() * 1e9))")))
                }
            }
            while let first = advisories.first, first.minute <= minute {
                _ = engine.ingest(.advisory(timeMs: Self.time(first.minute), first.issue))
                advisories.removeFirst()
            }
        }
        _ = engine.advance(to: Self.time(minutes))
    }

    /// The fault's latency factor `minute`, along its ramp.
    func slowdown(_ fault: Fault, _ minute: Int) -> Double {
        guard fault.latencyRampMinutes > 0 else { return fault.latencyFactor }
        return 1 + (fault.latencyFactor - 1) * min(1, Double(minute - fault.onset + 1) / Double(fault.latencyRampMinutes))
    }

    func active(_ fault: Fault, _ minute: Int) -> Bool {
        (fault.onset..<(fault.onset + fault.minutes)).contains(minute)
    }
}

/// SplitMix64: a tiny deterministic generator, with Poisson and binomial draws.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }

    mutating func gaussian() -> Double {
        (-2 * log(max(next(), 1e-300))).squareRoot() * cos(2 * .pi * next())
    }

    mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * gaussian()).rounded())) }
        let limit = exp(-lambda)
        var k = 0
        var p = next()
        while p > limit { k += 1; p *= next() }
        return k
    }

    mutating func binomial(_ n: Int, _ p: Double) -> Int {
        if n < 40 { return (0..<n).reduce(0) { count, _ in count + (next() < p ? 1 : 0) } }
        let mean = Double(n) * p
        let sd = (Double(n) * p * (1 - p)).squareRoot()
        return min(n, max(0, Int((mean + sd * gaussian()).rounded())))
    }
}
