import Foundation
import MailCanaryCore

/// The November 2025 outage, re-enacted around the time `mailcanary demo` starts: classic
/// Outlook (MAPI over HTTP) fails in Asia Pacific and North America while Outlook on the web and
/// mobile keep working, users report it ten minutes in, and the provider posts EX1189820 later
/// (with the concurrent search advisory EX1189768). Each minute's records are a function of the
/// minute alone (a seeded generator per minute), so history written at start and the live feed
/// that continues it are one stream. Records are the NDJSON of the scenario format.
public struct DemoScenario: Sendable {
    public var service = "contoso"
    public var regions = ["apac", "na", "eu"]
    public var users: [String: Double] = ["apac": 4_000, "na": 9_000, "eu": 6_000]
    public var faultRegions: Set<String> = ["apac", "na"]
    /// Minutes since 1970.
    public var onsetMinute: Int64
    public var endMinute: Int64
    public var seed: UInt64 = 20_251_125
    /// Whether the stream carries the provider's advisories as `advisory` records; off when the
    /// demo reads them from a Graph endpoint instead (``providerIssues(throughMinute:)``).
    public var providerRecords = true

    static let utcOffset: [String: Int] = ["apac": 8, "na": -5, "eu": 1]
    static let clients: [(client: String, paths: [String], share: Double)] = [
        ("outlook-classic", ["autodiscover", "mapi-http", "ews"], 0.45),
        ("owa", ["owa"], 0.25),
        ("outlook-mobile", ["activesync"], 0.20),
        ("imap-client", ["imap", "smtp-submission"], 0.10),
    ]
    static let pathRate: [String: Double] = ["autodiscover": 0.02, "mapi-http": 0.5, "ews": 0.08, "owa": 0.4, "activesync": 0.3,
                                             "imap": 0.3, "smtp-submission": 0.05]
    static let baseFailure: [String: Double] = ["autodiscover": 0.004, "mapi-http": 0.006, "ews": 0.008, "owa": 0.004,
                                                "activesync": 0.01, "imap": 0.012, "smtp-submission": 0.01]
    static let backgroundErrors = ["connection reset by peer", "timed out after 30s", "HTTP 503 Service Unavailable"]
    static let faultError = "MAPI Connect: X-ResponseCode 1 (Unknown Failure)"
    static let probedPaths = ["autodiscover", "mapi-http", "ews", "owa", "activesync", "imap", "smtp-submission"]
    static let steps = ["resolve", "connect", "tls", "token", "auth", "operation"]

    /// The outage began 80 minutes before `nowMs` and lasts 5 h 18 min, as on 25 November 2025.
    public init(nowMs: Int64) {
        onsetMinute = nowMs / 60_000 - 80
        endMinute = onsetMinute + 318
    }

    /// How far into the fault a minute is, 0 to 1 (a six-minute ramp), or nil outside it.
    func faultStrength(_ minute: Int64) -> Double? {
        guard minute >= onsetMinute, minute < endMinute else { return nil }
        return min(1, Double(minute - onsetMinute + 1) / 6)
    }

    /// Share of a region's users active in a minute (a working-day curve, quieter at weekends).
    static func activity(region: String, minute: Int64) -> Double {
        let offset = utcOffset[region] ?? 0
        let localMinutes = ((minute + Int64(offset) * 60) % 1_440 + 1_440) % 1_440
        let hour = Double(localMinutes) / 60
        let day = 0.08 + 0.92 * exp(-((hour - 13) / 4.2) * ((hour - 13) / 4.2))
        let weekday = ((minute + Int64(offset) * 60).floorDivided(by: 1_440) + 3) % 7   // 0 = Monday
        return day * (weekday >= 5 ? 0.35 : 1)
    }

    /// The records of one minute (stamped at its end), in the order a collector would send them.
    public func lines(minute: Int64) -> [String] {
        // Each minute's stream starts at a hashed state: neighbouring minutes share no numbers.
        var random = SplitMix(seed: SplitMix.mix(seed ^ SplitMix.mix(UInt64(bitPattern: minute))))
        let stamp = UTCTimestamp.format((minute + 1) * 60_000)
        let strength = faultStrength(minute)
        var out: [String] = []
        for region in regions {
            let active = (users[region] ?? 1_000) * Self.activity(region: region, minute: minute)
            let hit = strength != nil && faultRegions.contains(region)
            for (client, paths, share) in Self.clients {
                for path in paths {
                    let attempts = random.poisson(active * share * (Self.pathRate[path] ?? 0.1))
                    var ratio = (Self.baseFailure[path] ?? 0.01) * (0.7 + 0.6 * random.unit())
                    let faulty = hit && path == "mapi-http" && client == "outlook-classic"
                    if faulty, let strength { ratio = max(ratio, 0.55 * strength) }
                    let failed = random.binomial(attempts, ratio)
                    var errors = ""
                    if failed > 0 {
                        let message = faulty && random.unit() < 0.9 ? Self.faultError
                            : Self.backgroundErrors[Int(random.next() % UInt64(Self.backgroundErrors.count))]
                        errors = "\"\(message)\":\(failed)"
                    }
                    let latency = ((60 + 40 * random.unit()) * 10).rounded() / 10
                    out.append("{\"kind\":\"clients\",\"t\":\"\(stamp)\",\"service\":\"\(service)\",\"region\":\"\(region)\",\"client\":\"\(client)\",\"path\":\"\(path)\",\"ok\":\(attempts - failed),\"failed\":\(failed),\"errors\":{\(errors)},\"latencyMsP50\":\(latency)}")
                }
            }
            if minute % 2 == 0 {
                for path in Self.probedPaths { out.append(probeLine(stamp: stamp, region: region, path: path, hit: hit && path == "mapi-http", strength: strength ?? 0, random: &random)) }
            }
            if hit, let strength, minute - onsetMinute >= 10 {
                let count = random.poisson(6 * strength * max(Self.activity(region: region, minute: minute), 0.2))
                for _ in 0..<count { out.append(reportLine(stamp: stamp, region: region, client: "outlook-classic", symptom: "cannot-connect", random: &random)) }
            }
            if random.unit() < 0.01 {
                let client = Self.clients[Int(random.next() % 4)].client
                out.append(reportLine(stamp: stamp, region: region, client: client, symptom: "slow", random: &random))
            }
        }
        if providerRecords { out += advisoryLines(minute: minute) }
        return out
    }

    func probeLine(stamp: String, region: String, path: String, hit: Bool, strength: Double, random: inout SplitMix) -> String {
        let failed = random.unit() < (hit ? 0.9 * strength : 0.002)
        let failStep = hit ? "operation" : Self.steps[Int(random.next() % UInt64(Self.steps.count))]
        var steps: [String] = []
        var total = 0.0
        for step in Self.steps {
            let ms = (random.unit() * 38 + 2) * (step == "tls" || step == "operation" ? 3 : 1)
            let rounded = (ms * 10).rounded() / 10
            total += rounded
            if failed && step == failStep {
                steps.append("{\"name\":\"\(step)\",\"ms\":\(rounded),\"ok\":false}")
                break
            }
            steps.append("{\"name\":\"\(step)\",\"ms\":\(rounded),\"ok\":true}")
        }
        let outcome = failed ? "\"failed\",\"failureClass\":\"\(hit ? "server" : "network")\"" : "\"ok\",\"failureClass\":null"
        let error = failed ? "\"\(hit ? Self.faultError : "connection reset by peer")\"" : "null"
        return "{\"kind\":\"probe\",\"t\":\"\(stamp)\",\"service\":\"\(service)\",\"region\":\"\(region)\",\"path\":\"\(path)\",\"agent\":\"\(region)-1\",\"outcome\":\(outcome),\"durationMs\":\((total * 10).rounded() / 10),\"error\":\(error),\"steps\":[\(steps.joined(separator: ","))]}"
    }

    func reportLine(stamp: String, region: String, client: String, symptom: String, random: inout SplitMix) -> String {
        let reporter = "u-" + String(random.next() % 1_000_000)
        return "{\"kind\":\"report\",\"t\":\"\(stamp)\",\"service\":\"\(service)\",\"region\":\"\(region)\",\"client\":\"\(client)\",\"symptom\":\"\(symptom)\",\"reporter\":\"\(reporter)\"}"
    }

    /// One of the provider's posts: minutes after the onset, on which issue, with the issue's
    /// status and start then.
    struct ProviderPost {
        var offset: Int64
        var issue: (id: String, title: String, impact: String, feature: String)
        var status: String
        var classification: String
        var start: Int64
        var resolved: Bool
        var text: String
    }

    /// The provider's posts, at the same distances from the onset as in November 2025.
    static let providerPosts: [ProviderPost] = {
        let main = (id: "EX1189820", title: "Users may be unable to access their mailboxes using the classic Outlook desktop client",
                    impact: "Users in Asia Pacific and North America may be unable to connect to Exchange Online mailboxes with the classic Outlook desktop client.",
                    feature: "E-Mail and calendar access")
        let search = (id: "EX1189768", title: "Users may see errors when searching in the classic Outlook desktop client",
                      impact: "Search results may fail to load in the classic Outlook desktop client.", feature: "Search")
        return [
            ProviderPost(offset: 45, issue: main, status: "Investigating", classification: "Incident", start: 45, resolved: false,
                         text: "We're investigating reports of connectivity failures. Affected users can use Outlook on the web as a workaround."),
            ProviderPost(offset: 53, issue: search, status: "Investigating", classification: "Advisory", start: -32, resolved: false,
                         text: "We're analyzing service-side logs to identify the cause."),
            ProviderPost(offset: 88, issue: main, status: "ServiceDegradation", classification: "Incident", start: 45, resolved: false,
                         text: "We've confirmed the impact and are reviewing recent changes to the service infrastructure."),
            ProviderPost(offset: 258, issue: main, status: "RestoringService", classification: "Incident", start: 45, resolved: false,
                         text: "We've deployed a fix and are monitoring as connectivity recovers."),
            ProviderPost(offset: 333, issue: main, status: "ServiceRestored", classification: "Incident", start: 45, resolved: true,
                         text: "Service is restored. We'll publish a post-incident report."),
            ProviderPost(offset: 420, issue: main, status: "PostIncidentReviewPublished", classification: "Incident", start: 45, resolved: true,
                         text: "The post-incident review has been published."),
        ]
    }()

    /// The scenario's `advisory` records of a minute: one version per post, carrying that post.
    func advisoryLines(minute: Int64) -> [String] {
        Self.providerPosts.filter { onsetMinute + $0.offset == minute + 1 && $0.status != "PostIncidentReviewPublished" }.map { post in
            let at = UTCTimestamp.format((onsetMinute + post.offset) * 60_000)
            return "{\"kind\":\"advisory\",\"t\":\"\(at)\",\"issue\":\(issueJSON(post, posts: [post]))}"
        }
    }

    /// The provider's issues as Microsoft Graph serves them once `minute` has ended (an issue
    /// resource, exchange-protocols.md §1.9): each issue's latest status with every post so far.
    /// The test server's service communications feed serves these, so that `demo --graph-url`
    /// reads the provider through the real poller.
    public func providerIssues(throughMinute minute: Int64) -> [String] {
        let due = Self.providerPosts.filter { onsetMinute + $0.offset <= minute + 1 }
        var order: [String] = []
        for post in due where !order.contains(post.issue.id) { order.append(post.issue.id) }
        return order.map { id in
            let posts = due.filter { $0.issue.id == id }
            return issueJSON(posts[posts.count - 1], posts: posts)
        }
    }

    /// The minute (since 1970) the provider posts its first word on the outage.
    public var firstProviderPostMinute: Int64 { onsetMinute + (Self.providerPosts.first?.offset ?? 0) }

    func issueJSON(_ post: ProviderPost, posts: [ProviderPost]) -> String {
        let at = UTCTimestamp.format((onsetMinute + post.offset) * 60_000)
        let start = UTCTimestamp.format((onsetMinute + post.start) * 60_000)
        let end = post.resolved ? "\"\(UTCTimestamp.format(endMinute * 60_000))\"" : "null"
        let list = posts.map { each in
            "{\"createdDateTime\":\"\(UTCTimestamp.format((onsetMinute + each.offset) * 60_000))\",\"postType\":\"Regular\",\"description\":{\"contentType\":\"Html\",\"content\":\"\(each.text)\"}}"
        }
        return "{\"id\":\"\(post.issue.id)\",\"title\":\"\(post.issue.title)\",\"impactDescription\":\"\(post.issue.impact)\",\"classification\":\"\(post.classification)\",\"origin\":\"Microsoft\",\"status\":\"\(post.status)\",\"service\":\"Exchange Online\",\"feature\":\"\(post.issue.feature)\",\"featureGroup\":\"E-Mail and calendar access\",\"isResolved\":\(post.resolved),\"startDateTime\":\"\(start)\",\"endDateTime\":\(end),\"lastModifiedDateTime\":\"\(at)\",\"details\":[],\"posts\":[\(list.joined(separator: ","))]}"
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): small, fast, and the same numbers on every machine.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// SplitMix64's output function: a bijective hash of 64 bits.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    /// Standard normal (Box–Muller).
    mutating func gaussian() -> Double {
        let u = max(unit(), 1e-12), v = unit()
        return sqrt(-2 * log(u)) * cos(2 * Double.pi * v)
    }

    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean >= 30 { return max(0, Int((mean + sqrt(mean) * gaussian()).rounded())) }
        let limit = exp(-mean)
        var count = 0
        var product = unit()
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }

    mutating func binomial(_ n: Int, _ p: Double) -> Int {
        guard n > 0, p > 0 else { return 0 }
        if n < 40 { return (0..<n).reduce(0) { total, _ in total + (unit() < p ? 1 : 0) } }
        let mean = Double(n) * p, deviation = sqrt(max(mean * (1 - p), 1e-9))
        return min(n, max(0, Int((mean + deviation * gaussian()).rounded())))
    }
}
