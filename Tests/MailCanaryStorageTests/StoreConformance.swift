import Foundation
import MailCanaryCore
import MailCanaryStorage
import Testing

/// One suite of expectations that every store implementation must meet. Each check starts from
/// an empty, migrated store.
enum StoreConformance {
    static let base: Int64 = 1_764_000_000_000 // an hour boundary: 24 November 2025, 16:00 UTC

    static func result(_ probe: String = "lab/imap", region: String = "local", origin: String = "server", sequence: Int64? = nil,
                       at offsetMs: Int64, duration: Double = 42, failed: FailureClass? = nil, error: String? = nil) -> StoredResult {
        StoredResult(origin: origin, sequence: sequence, probeID: probe, service: "lab", path: probe.components(separatedBy: "/").last ?? "imap",
                     region: region, startedAtMs: base + offsetMs, plannedAtMs: base + offsetMs - 3, durationMs: duration,
                     outcome: failed == nil ? .ok : .failed, failureClass: failed, failureReason: failed == nil ? nil : "timeout",
                     failedStep: failed == nil ? nil : "connect", error: error, certificateDaysLeft: failed == nil ? 88 : nil,
                     steps: [StepRecord(name: .connect, outcome: failed == nil ? .ok : .failed, durationMs: duration, detail: "127.0.0.1:14993 \"q\" \\ \n\t\u{01} é ✓")])
    }

    static func migrations(_ store: any MailCanaryStore) async throws {
        let version = try await store.schemaVersion()
        #expect(version >= 1)
        try await store.migrate() // a second run applies nothing and fails nothing
        #expect(try await store.schemaVersion() == version)
        try await store.ping()
    }

    static func roundTrip(_ store: any MailCanaryStore) async throws {
        var original = result(at: 1_000, failed: .tls, error: "certificate expired — “ünïcode” 'quotes'")
        original.sequence = 7
        original.origin = "agent:apac-1"
        _ = try await store.append([original])
        let back = try await store.results(origin: "agent:apac-1", afterSequence: 0, limit: 10)
        #expect(back == [original])
        let plain = result(at: 2_000)
        _ = try await store.append([plain])
        let latest = try await store.latest(service: "lab")
        #expect(latest == [plain])
        #expect(try await store.latest(service: "other").isEmpty)
    }

    static func idempotentAppend(_ store: any MailCanaryStore) async throws {
        let batch = (1...5).map { result(origin: "agent:na-1", sequence: Int64($0), at: Int64($0) * 1_000) }
        #expect(try await store.append(batch) == AppendOutcome(inserted: 5, duplicates: 0))
        #expect(try await store.append(batch) == AppendOutcome(inserted: 0, duplicates: 5))
        let overlapping = (4...8).map { result(origin: "agent:na-1", sequence: Int64($0), at: Int64($0) * 1_000) }
        #expect(try await store.append(overlapping) == AppendOutcome(inserted: 3, duplicates: 2))
        // The same sequence from another agent is another result.
        #expect(try await store.append([result(origin: "agent:apac-1", sequence: 1, at: 0)]).inserted == 1)
        // The server's own results carry no sequence and are never taken for duplicates.
        let own = result(at: 500)
        #expect(try await store.append([own, own]).inserted == 2)
        #expect(try await store.count() == 11)
        let sequences = try await store.results(origin: "agent:na-1", afterSequence: 0, limit: 100).compactMap(\.sequence)
        #expect(sequences == Array(1...8))
        #expect(try await store.append([]) == AppendOutcome(inserted: 0, duplicates: 0))
    }

    /// Uploads arriving at once (SQLite commits them together): each gets its own outcome, counted
    /// against what was stored before it and beside it, and every row is stored once.
    static func concurrentAppends(_ store: any MailCanaryStore) async throws {
        _ = try await store.append((1...3).map { result(origin: "agent:a0", sequence: Int64($0), at: Int64($0) * 1_000) })
        let outcomes = try await withThrowingTaskGroup(of: (Int, AppendOutcome).self) { group in
            for agent in 0..<12 {
                group.addTask {
                    // Agent 0 repeats sequences 1...3 (stored before) and adds 4...6.
                    let batch = (1...6).map { result(origin: "agent:a\(agent)", sequence: Int64($0), at: Int64(agent * 10 + $0) * 1_000) }
                    return (agent, try await store.append(batch))
                }
            }
            var outcomes: [Int: AppendOutcome] = [:]
            for try await (agent, outcome) in group { outcomes[agent] = outcome }
            return outcomes
        }
        #expect(outcomes[0] == AppendOutcome(inserted: 3, duplicates: 3))
        for agent in 1..<12 { #expect(outcomes[agent] == AppendOutcome(inserted: 6, duplicates: 0), "agent \(agent)") }
        #expect(try await store.count() == 12 * 6)
        for agent in 0..<12 {
            let sequences = try await store.results(origin: "agent:a\(agent)", afterSequence: 0, limit: 100).compactMap(\.sequence)
            #expect(sequences == Array(1...6), "agent \(agent)")
        }
    }

    static func resultWindow(_ store: any MailCanaryStore) async throws {
        _ = try await store.append((0..<5).map { result(origin: "agent:a", sequence: Int64($0 + 1), at: Int64($0) * 60_000) })
        _ = try await store.append([result("lab/pop3", at: 30_000)])
        let first = try await store.results(startedFromMs: base + 60_000, toMs: base + 240_000, afterID: 0, limit: 2)
        #expect(first.map(\.result.startedAtMs) == [base + 60_000, base + 120_000])
        let rest = try await store.results(startedFromMs: base + 60_000, toMs: base + 240_000, afterID: first.last!.id, limit: 10)
        #expect(rest.map(\.result.startedAtMs) == [base + 180_000])
        #expect(rest.first?.result == result(origin: "agent:a", sequence: 4, at: 180_000))
        let all = try await store.results(startedFromMs: 0, toMs: .max, afterID: 0, limit: 10)
        #expect(all.map(\.result.probeID) == ["lab/imap", "lab/imap", "lab/imap", "lab/imap", "lab/imap", "lab/pop3"])
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.id < $1.id })
    }

    static func latestPerProbeAndRegion(_ store: any MailCanaryStore) async throws {
        _ = try await store.append([result(at: 10_000), result(region: "apac", at: 5_000), result("lab/pop3", at: 1_000)])
        // An older result delivered late (an agent's spool) does not replace the newest.
        _ = try await store.append([result(at: 2_000, failed: .network)])
        let latest = try await store.latest(service: nil)
        #expect(latest.count == 3)
        let imapLocal = latest.first { $0.probeID == "lab/imap" && $0.region == "local" }
        #expect(imapLocal?.startedAtMs == base + 10_000)
        #expect(imapLocal?.outcome == .ok)
        let window = try await store.results(probeID: "lab/imap", region: "local", fromMs: base, toMs: base + 60_000, limit: 10)
        #expect(window.map(\.startedAtMs) == [base + 10_000, base + 2_000])
        // The same after the maintenance job ran, and a newer result shows at once, before the next run.
        try await store.rollUp()
        #expect(try await store.latest(service: nil) == latest)
        _ = try await store.append([result(at: 20_000, failed: .tls), result(at: 15_000)])
        let after = try await store.latest(service: "lab")
        #expect(after.count == 3)
        #expect(after.first { $0.probeID == "lab/imap" && $0.region == "local" }?.failureClass == .tls)
        try await store.rollUp()
        #expect(try await store.latest(service: "lab") == after)
        // Two results of one probe at the same millisecond: the later append is the newest.
        _ = try await store.append([result(at: 30_000, failed: .auth), result(at: 30_000, failed: .dns)])
        #expect(try await store.latest(service: nil).first { $0.probeID == "lab/imap" && $0.region == "local" }?.failureClass == .dns)
        try await store.rollUp()
        #expect(try await store.latest(service: nil).first { $0.probeID == "lab/imap" && $0.region == "local" }?.failureClass == .dns)
    }

    static func probeHistory(_ store: any MailCanaryStore) async throws {
        #expect(try await store.results(probeID: "lab/imap", region: "local", fromMs: 0, toMs: .max, limit: 10).isEmpty)
        var batch: [StoredResult] = []
        // Three hours of one probe every 20 s, beside another probe and another region at the same times.
        for step in 0..<540 {
            let at = Int64(step) * 20_000
            batch.append(result(at: at))
            batch.append(result("lab/smtp", at: at))
            batch.append(result(region: "apac", at: at))
        }
        _ = try await store.append(batch)
        let all = try await store.results(probeID: "lab/imap", region: "local", fromMs: 0, toMs: .max, limit: 10_000)
        #expect(all.count == 540)
        #expect(all.map(\.startedAtMs) == (0..<540).reversed().map { base + Int64($0) * 20_000 })
        #expect(all.allSatisfy { $0.probeID == "lab/imap" && $0.region == "local" })
        // The window's ends: from included, to excluded, mid-minute on both sides.
        let window = try await store.results(probeID: "lab/imap", region: "local", fromMs: base + 70_000, toMs: base + 180_000, limit: 100)
        #expect(window.map(\.startedAtMs) == [160_000, 140_000, 120_000, 100_000, 80_000].map { base + $0 })
        // The limit keeps the newest.
        let newest = try await store.results(probeID: "lab/imap", region: "local", fromMs: base, toMs: base + 3_600_000, limit: 3)
        #expect(newest.map(\.startedAtMs) == [3_580_000, 3_560_000, 3_540_000].map { base + $0 })
        // Windows beyond what is stored, or empty.
        #expect(try await store.results(probeID: "lab/imap", region: "local", fromMs: base + 20_000_000, toMs: .max, limit: 10).isEmpty)
        #expect(try await store.results(probeID: "lab/imap", region: "local", fromMs: base + 60_000, toMs: base + 60_000, limit: 10).isEmpty)
        #expect(try await store.results(probeID: "lab/imap", region: "emea", fromMs: 0, toMs: .max, limit: 10).isEmpty)
    }

    static func rollups(_ store: any MailCanaryStore) async throws {
        var batch: [StoredResult] = []
        for second in 0..<10 { batch.append(result(at: Int64(second) * 1_000, duration: 10)) }
        batch.append(result(at: 30_000, duration: 1_000, failed: .timeout))
        batch.append(result(at: 31_000, duration: 50, failed: .auth))
        batch.append(result(at: 61_000, duration: 20)) // next minute
        _ = try await store.append(batch)
        #expect(try await store.rollUp() > 0)
        #expect(try await store.rollUp() == 0) // nothing new
        let series = SeriesKey(service: "lab", path: "imap", region: "local")
        let minutes = try await store.history(series: series, resolution: .minute, fromMs: base, toMs: base + 3_600_000)
        #expect(minutes.map(\.bucketMs) == [base, base + 60_000])
        let first = try #require(minutes.first)
        #expect(first.total == 12 && first.ok == 10 && first.failed == 2)
        #expect(first.byClass == [.timeout: 1, .auth: 1])
        #expect(first.latency.quantile(0.5).map { $0 >= 10 && $0 < 12.5 } == true)
        #expect(first.latency.quantile(0.99).map { $0 >= 1_000 && $0 < 1_250 } == true)
        // A late result for the first minute is folded in at the next rollup.
        _ = try await store.append([result(origin: "agent:eu-1", sequence: 1, at: 45_000, failed: .dns)])
        #expect(try await store.rollUp() > 0)
        let again = try await store.history(series: series, resolution: .minute, fromMs: base, toMs: base + 60_000)
        #expect(again.first?.total == 13)
        #expect(again.first?.byClass[.dns] == 1)
        let hour = try await store.history(series: series, resolution: .hour, fromMs: base - 3_600_000, toMs: base + 3_600_000)
        #expect(hour.count == 1)
        #expect(hour.first?.total == 14)
        #expect(hour.first?.failed == 3)
        // Every series of a dirty minute gets its own rollup (appends mark whole minutes).
        _ = try await store.append([result("lab/smtp", at: 5_000, duration: 7), result("lab/smtp", at: 6_000, failed: .tls),
                                    result(region: "apac", at: 7_000)])
        #expect(try await store.rollUp() > 0)
        let smtp = try await store.history(series: SeriesKey(service: "lab", path: "smtp", region: "local"), resolution: .minute,
                                           fromMs: base, toMs: base + 3_600_000)
        #expect(smtp.map(\.total) == [2] && smtp.first?.failed == 1 && smtp.first?.byClass == [.tls: 1])
        let apac = try await store.history(series: SeriesKey(service: "lab", path: "imap", region: "apac"), resolution: .hour,
                                           fromMs: base - 3_600_000, toMs: base + 3_600_000)
        #expect(apac.map(\.total) == [1])
        #expect(try await store.history(series: series, resolution: .minute, fromMs: base, toMs: base + 60_000).first?.total == 13)
    }

    static func retention(_ store: any MailCanaryStore) async throws {
        _ = try await store.append([result(at: 0), result(at: 1_000), result(at: 7_200_000)])
        try await store.rollUp()
        let pruned = try await store.prune(RetentionCutoffs(rawBeforeMs: base + 3_600_000, minuteBeforeMs: base + 60_000,
                                                            hourBeforeMs: base - 1))
        #expect(pruned.results == 2)
        #expect(pruned.minuteRollups == 1)
        #expect(pruned.hourRollups == 0)
        #expect(try await store.count() == 1)
        // The newest result of a probe is kept however old, so the latest state is never lost.
        let lonely = result("lab/smtp-submission", at: 0)
        _ = try await store.append([lonely])
        _ = try await store.prune(RetentionCutoffs(rawBeforeMs: base + 86_400_000, minuteBeforeMs: 0, hourBeforeMs: 0))
        #expect(try await store.latest(service: nil).count == 2)
        // Results that no rollup has seen yet are rolled up before their raw rows go.
        _ = try await store.append([result(at: 120_000, failed: .timeout), result(at: 125_000), result(at: 7_300_000)])
        let late = try await store.prune(RetentionCutoffs(rawBeforeMs: base + 3_600_000, minuteBeforeMs: 0, hourBeforeMs: 0))
        #expect(late.results == 2)
        let minute = try await store.history(series: SeriesKey(service: "lab", path: "imap", region: "local"), resolution: .minute,
                                             fromMs: base + 120_000, toMs: base + 180_000)
        #expect(minute.map(\.total) == [2] && minute.first?.failed == 1)
    }

    static func agents(_ store: any MailCanaryStore) async throws {
        try await store.setAgentToken(agent: "apac-1", tokenHash: "hash-one", nowMs: base)
        #expect(try await store.agent(tokenHash: "hash-one") == "apac-1")
        try await store.setAgentToken(agent: "apac-1", tokenHash: "hash-two", nowMs: base + 1)
        #expect(try await store.agent(tokenHash: "hash-one") == nil)
        #expect(try await store.agent(tokenHash: "hash-two") == "apac-1")
        try await store.touchAgent("apac-1", region: "apac", nowMs: base + 5_000)
        let agents = try await store.agents()
        #expect(agents.map(\.id) == ["apac-1"])
        #expect(agents.first?.region == "apac")
        #expect(agents.first?.lastSeenMs == base + 5_000)
        #expect(agents.first?.createdMs == base)
    }

    static func runClaims(_ store: any MailCanaryStore) async throws {
        #expect(try await store.claimRun(probeID: "lab/imap", region: "local", plannedAtMs: base, replica: "a"))
        #expect(try await store.claimRun(probeID: "lab/imap", region: "local", plannedAtMs: base, replica: "b") == false)
        #expect(try await store.claimRun(probeID: "lab/imap", region: "local", plannedAtMs: base + 60_000, replica: "b"))
        #expect(try await store.claimRun(probeID: "lab/imap", region: "apac", plannedAtMs: base, replica: "b"))
        // Claims race: exactly one of many concurrent claimants wins.
        let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
            for replica in 0..<8 {
                group.addTask { try await store.claimRun(probeID: "lab/pop3", region: "local", plannedAtMs: base, replica: "r\(replica)") }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
    }

    static func signals(_ store: any MailCanaryStore) async throws {
        func batch(_ key: String, source: String = "telemetry:helpdesk", first: Int64, last: Int64, lines: Int = 2) -> SignalBatch {
            SignalBatch(source: source, idempotencyKey: key, receivedAtMs: base + last + 5, firstTimeMs: base + first, lastTimeMs: base + last,
                        lines: lines, body: String(repeating: "{\"t\":\"x\",\"text\":\"é ✓ \\n\"}\n", count: lines))
        }
        guard case .stored(let first) = try await store.appendSignals(batch("k1", first: 0, last: 60_000)) else {
            Issue.record("the first upload was not stored"); return
        }
        #expect(try await store.appendSignals(batch("k1", first: 0, last: 60_000, lines: 9)) == .duplicate(lines: 2))
        // The key is per source: another sender may use the same key.
        guard case .stored(let second) = try await store.appendSignals(batch("k1", source: "reports", first: 120_000, last: 120_000, lines: 1)),
              case .stored(let third) = try await store.appendSignals(batch("k2", first: 180_000, last: 240_000, lines: 3)) else {
            Issue.record("later uploads were not stored"); return
        }
        #expect(first < second && second < third)
        let all = try await store.signalBatches(lastTimeFromMs: 0, afterID: 0, limit: 10)
        #expect(all.map(\.id) == [first, second, third])
        #expect(all.first?.batch == batch("k1", first: 0, last: 60_000))
        // Paging by id, and only batches that end at or after the start.
        #expect(try await store.signalBatches(lastTimeFromMs: 0, afterID: first, limit: 1).map(\.id) == [second])
        #expect(try await store.signalBatches(lastTimeFromMs: base + 130_000, afterID: 0, limit: 10).map(\.id) == [third])
        #expect(try await store.pruneSignals(lastTimeBeforeMs: base + 130_000) == 2)
        #expect(try await store.signalBatches(lastTimeFromMs: 0, afterID: 0, limit: 10).map(\.id) == [third])
    }

    static func incidents(_ store: any MailCanaryStore) async throws {
        func record(_ id: String, fingerprint: String = "contoso", opened: Int64, resolved: Int64? = nil, status: String = "serviceDegradation") -> IncidentRecord {
            IncidentRecord(id: id, fingerprint: fingerprint, service: fingerprint, status: status, openedMs: base + opened,
                           resolvedMs: resolved.map { base + $0 }, updatedMs: base + (resolved ?? opened), body: "{\"id\":\"\(id)\",\"note\":\"é\"}")
        }
        #expect(try await store.saveIncident(record("A", opened: 0)) == .saved)
        // One open incident per fingerprint: a second one is refused while the first is open.
        #expect(try await store.saveIncident(record("B", opened: 60_000)) == .conflict(openID: "A"))
        #expect(try await store.saveIncident(record("C", fingerprint: "fabrikam", opened: 60_000)) == .saved)
        // Updating the open one is fine; resolving it makes room for the next.
        #expect(try await store.saveIncident(record("A", opened: 0, status: "serviceInterruption")) == .saved)
        #expect(try await store.incident(id: "A")?.status == "serviceInterruption")
        #expect(try await store.saveIncident(record("A", opened: 0, resolved: 600_000, status: "serviceRestored")) == .saved)
        #expect(try await store.saveIncident(record("B", opened: 700_000)) == .saved)
        #expect(try await store.incidents(openOnly: false, limit: 10).map(\.id) == ["B", "C", "A"])
        #expect(try await store.incidents(openOnly: true, limit: 10).map(\.id) == ["B", "C"])
        #expect(try await store.incident(id: "A") == record("A", opened: 0, resolved: 600_000, status: "serviceRestored"))
        #expect(try await store.incident(id: "nope") == nil)
        // Concurrent openers (several replicas): exactly one wins.
        let saved = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask { try await store.saveIncident(record("R\(index)", fingerprint: "race", opened: 0)) == .saved }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(saved == 1)
        // Notes, oldest first; none on an incident that does not exist.
        #expect(try await store.addNote(IncidentNote(incidentID: "B", atMs: base + 800_000, author: "ops", status: nil, text: "looking")))
        #expect(try await store.addNote(IncidentNote(incidentID: "B", atMs: base + 900_000, author: "ops", status: "restoringService", text: "fix rolling out")))
        #expect(try await store.addNote(IncidentNote(incidentID: "nope", atMs: base, author: "ops", status: nil, text: "x")) == false)
        let notes = try await store.notes(incidentID: "B")
        #expect(notes.map(\.text) == ["looking", "fix rolling out"])
        #expect(notes.last?.status == "restoringService")
        // A note marks the incident updated (what the notification planner looks for), never backwards.
        #expect(try await store.incident(id: "B")?.updatedMs == base + 900_000)
        #expect(try await store.addNote(IncidentNote(incidentID: "B", atMs: base + 850_000, author: "ops", status: nil, text: "late clock")))
        #expect(try await store.incident(id: "B")?.updatedMs == base + 900_000)
        // The operator's latest status is kept on the incident: plain notes and older statuses leave
        // it; saving the incident (detection) leaves it; detection's status and resolution stay its own.
        #expect(try await store.incident(id: "B")?.operatorStatus == OperatorStatus(atMs: base + 900_000, author: "ops", status: .restoringService))
        #expect(try await store.addNote(IncidentNote(incidentID: "B", atMs: base + 880_000, author: "ops", status: "investigating", text: "older")))
        #expect(try await store.addNote(IncidentNote(incidentID: "B", atMs: base + 950_000, author: "ops", status: "serviceRestored", text: "Resolved")))
        #expect(try await store.saveIncident(record("B", opened: 700_000, status: "serviceInterruption")) == .saved)
        let resolvedByOperator = try #require(try await store.incident(id: "B"))
        #expect(resolvedByOperator.operatorStatus == OperatorStatus(atMs: base + 950_000, author: "ops", status: .serviceRestored))
        #expect(resolvedByOperator.status == "serviceInterruption" && resolvedByOperator.resolvedMs == nil)
        #expect(try await store.incidents(openOnly: false, limit: 10).first { $0.id == "B" }?.operatorStatus?.status == .serviceRestored)
        #expect(try await store.incident(id: "C")?.operatorStatus == nil)
    }

    static func accounts(_ store: any MailCanaryStore) async throws {
        let alice = UserAccount(name: "alice", passwordHash: "scrypt$1", role: .admin, createdMs: base)
        try await store.saveUser(alice)
        try await store.saveUser(UserAccount(name: "bob", passwordHash: "scrypt$2", role: .viewer, createdMs: base + 1))
        #expect(try await store.user(name: "alice") == alice)
        #expect(try await store.users().map(\.name) == ["alice", "bob"])
        #expect(try await store.user(name: "carol") == nil)

        let session = SessionRecord(idHash: "h1", user: "alice", csrfToken: "c1", createdMs: base, lastSeenMs: base)
        try await store.createSession(session)
        try await store.createSession(SessionRecord(idHash: "h2", user: "bob", csrfToken: "c2", createdMs: base, lastSeenMs: base))
        #expect(try await store.session(idHash: "h1") == session)
        try await store.touchSession(idHash: "h1", atMs: base + 60_000)
        try await store.touchSession(idHash: "h1", atMs: base + 30_000)   // never backwards
        #expect(try await store.session(idHash: "h1")?.lastSeenMs == base + 60_000)
        // Idle since before base + 1 min, or begun before base - 1: only h2 is idle.
        #expect(try await store.pruneSessions(lastSeenBeforeMs: base + 1_000, createdBeforeMs: base - 1) == 1)
        #expect(try await store.session(idHash: "h2") == nil)

        // A new password ends the user's sessions; the creation time stays.
        try await store.saveUser(UserAccount(name: "alice", passwordHash: "scrypt$3", role: .viewer, createdMs: base + 99))
        #expect(try await store.session(idHash: "h1") == nil)
        #expect(try await store.user(name: "alice") == UserAccount(name: "alice", passwordHash: "scrypt$3", role: .viewer, createdMs: base))
        try await store.createSession(SessionRecord(idHash: "h3", user: "alice", csrfToken: "c3", createdMs: base, lastSeenMs: base))
        try await store.deleteSession(idHash: "h3")
        #expect(try await store.session(idHash: "h3") == nil)
        try await store.createSession(SessionRecord(idHash: "h4", user: "bob", csrfToken: "c4", createdMs: base, lastSeenMs: base))
        #expect(try await store.deleteUser(name: "bob"))
        #expect(try await store.deleteUser(name: "bob") == false)
        #expect(try await store.session(idHash: "h4") == nil)

        try await store.setAgentToken(agent: "reader:grafana", tokenHash: "t1", nowMs: base)
        #expect(try await store.agent(tokenHash: "t1") == "reader:grafana")
        #expect(try await store.revokeToken(id: "reader:grafana"))
        #expect(try await store.agent(tokenHash: "t1") == nil)
        #expect(try await store.revokeToken(id: "reader:grafana") == false)
    }

    static func notifications(_ store: any MailCanaryStore) async throws {
        #expect(try await store.mark("notify.cursor") == nil)
        try await store.setMark("notify.cursor", base)
        try await store.setMark("notify.cursor", base + 5)
        #expect(try await store.mark("notify.cursor") == base + 5)

        let incident = IncidentRecord(id: "lab-1", fingerprint: "f", service: "lab", status: "investigating", openedMs: base,
                                      resolvedMs: nil, updatedMs: base + 60_000, body: "{}")
        _ = try await store.saveIncident(incident)
        #expect(try await store.incidents(updatedSinceMs: base + 60_000, limit: 10).map(\.id) == ["lab-1"])
        #expect(try await store.incidents(updatedSinceMs: base + 60_001, limit: 10).isEmpty)

        func entry(_ key: String, _ channel: String, status: OutboxEntry.Status = .pending) -> OutboxEntry {
            OutboxEntry(key: key, channel: channel, incidentID: "lab-1", kind: "opened", createdMs: base,
                        payload: "{\"text\":\"é \\\" ✓\"}", status: status, nextAttemptMs: base)
        }
        // The first commit creates the mark; a second planner with the same view loses the race.
        #expect(try await store.commitNotifications(incidentID: "lab-1", expectedVersion: nil, state: "{\"s\":1}",
                                                    entries: [entry("lab-1/opened", "hook"), entry("lab-1/opened", "mail"), entry("lab-1/opened", "quiet", status: .muted)]))
        #expect(try await store.commitNotifications(incidentID: "lab-1", expectedVersion: nil, state: "{\"s\":9}",
                                                    entries: [entry("lab-1/other", "hook")]) == false)
        let mark = try #require(try await store.notificationMark(incidentID: "lab-1"))
        #expect(mark.version == 1 && mark.state == "{\"s\":1}")
        // The same key again (a restart re-planning it) is skipped; the state still moves.
        #expect(try await store.commitNotifications(incidentID: "lab-1", expectedVersion: 1, state: "{\"s\":2}",
                                                    entries: [entry("lab-1/opened", "hook"), entry("lab-1/resolved", "hook")]))
        #expect(try await store.commitNotifications(incidentID: "lab-1", expectedVersion: 1, state: "{\"s\":3}", entries: []) == false)
        #expect(try await store.notificationMark(incidentID: "lab-1")?.version == 2)
        #expect(try await store.deliveries(incidentID: "lab-1", limit: 10).count == 4)
        #expect(try await store.deliveries(incidentID: "other", limit: 10).isEmpty)

        // Claims lease: a second sender gets nothing until the lease ends; muted entries are never
        // claimed; the resolution waits while the same channel's opening is pending.
        let claimed = try await store.claimDeliveries(nowMs: base, owner: "a", leaseMs: 30_000, limit: 10)
        #expect(claimed.map { "\($0.channel) \($0.key)" }.sorted() == ["hook lab-1/opened", "mail lab-1/opened"])
        #expect(claimed.first { $0.channel == "hook" }?.payload == entry("x", "y").payload)
        #expect(try await store.claimDeliveries(nowMs: base + 1_000, owner: "b", leaseMs: 30_000, limit: 10).isEmpty)
        let retaken = try await store.claimDeliveries(nowMs: base + 30_000, owner: "b", leaseMs: 30_000, limit: 1)
        let first = try #require(claimed.first { $0.channel == "hook" })
        #expect(retaken.map(\.id) == [first.id])

        try await store.finishDelivery(id: first.id, DeliveryUpdate(status: .pending, attempts: 1, nextAttemptMs: base + 90_000,
                                                                     lastResult: "HTTP 503; retry in 60 s"))
        let between = try await store.claimDeliveries(nowMs: base + 60_000, owner: "c", leaseMs: 1_000, limit: 10)
        #expect(between.map { "\($0.channel) \($0.key)" } == ["mail lab-1/opened"])
        let again = try await store.claimDeliveries(nowMs: base + 90_000, owner: "c", leaseMs: 1_000, limit: 10)
        #expect(again.first { $0.id == first.id }?.attempts == 1)
        #expect(!again.contains { $0.key == "lab-1/resolved" })
        try await store.finishDelivery(id: first.id, DeliveryUpdate(status: .delivered, attempts: 2, nextAttemptMs: base + 90_000,
                                                                     lastResult: "HTTP 200", deliveredMs: base + 90_500))
        let record = try await store.deliveries(incidentID: nil, limit: 10).first { $0.id == first.id }
        #expect(record?.status == .delivered && record?.deliveredMs == base + 90_500 && record?.lastResult == "HTTP 200")
        let later = try await store.claimDeliveries(nowMs: base + 999_000, owner: "d", leaseMs: 1_000, limit: 10)
        #expect(later.map { "\($0.channel) \($0.key)" }.sorted() == ["hook lab-1/resolved", "mail lab-1/opened"])

        // Pruning keeps what is still pending.
        #expect(try await store.pruneDeliveries(createdBeforeMs: base + 1) == 2)
        #expect(try await store.deliveries(incidentID: nil, limit: 10).allSatisfy { $0.status == .pending })
    }

    static func advisories(_ store: any MailCanaryStore) async throws {
        func version(_ key: String, tenant: String = "contoso", at offset: Int64) -> AdvisoryVersion {
            AdvisoryVersion(tenant: tenant, issueID: "EX1189820", versionKey: "EX1189820@\(key)", polledAtMs: base + offset,
                            status: key, body: #"{"id":"EX1189820","status":"\#(key)","title":"é ✓ \"q\""}"#)
        }
        #expect(try await store.appendAdvisoryVersion(version("Investigating", at: 0)))
        #expect(try await store.appendAdvisoryVersion(version("Investigating", at: 60_000)) == false)   // the same version polled again
        #expect(try await store.appendAdvisoryVersion(version("Investigating", tenant: "fabrikam", at: 60_000)))  // another tenant's copy
        #expect(try await store.appendAdvisoryVersion(version("ServiceDegradation", at: 120_000)))
        let all = try await store.advisoryVersions(issueID: "EX1189820")
        #expect(all.map(\.status) == ["Investigating", "Investigating", "ServiceDegradation"])
        #expect(all[0].body == version("Investigating", at: 0).body && all[0].polledAtMs == base)
        let later = try await store.advisoryVersions(polledFromMs: base + 60_000, afterID: 0, limit: 10)
        #expect(later.map(\.tenant) == ["fabrikam", "contoso"])
        #expect(try await store.advisoryVersions(polledFromMs: 0, afterID: later[0].id, limit: 10).map(\.status) == ["ServiceDegradation"])

        let change = PlannedChangeRecord(tenant: "contoso", id: "MC900001", title: "Maintenance ✓", services: ["Exchange Online"],
                                         startMs: base, endMs: base + 3_600_000)
        try await store.replacePlannedChanges(tenant: "contoso", [change])
        try await store.replacePlannedChanges(tenant: "fabrikam", [PlannedChangeRecord(tenant: "fabrikam", id: "MC1", title: "t", services: [],
                                                                                     startMs: base, endMs: base + 60_000)])
        #expect(try await store.plannedChanges(endingAfterMs: base + 60_000) == [change])
        try await store.replacePlannedChanges(tenant: "contoso", [])
        #expect(try await store.plannedChanges(endingAfterMs: base).map(\.id) == ["MC1"])
    }

    /// Detection's feed: what every table that feeds it stored, in order, past a cursor, once.
    static func feed(_ store: any MailCanaryStore) async throws {
        func batch(_ key: String, last: Int64) -> SignalBatch {
            SignalBatch(source: "telemetry:c", idempotencyKey: key, receivedAtMs: base + last, firstTimeMs: base + last,
                        lastTimeMs: base + last, lines: 1, body: "{\"k\":\"\(key)\"}\n")
        }
        func version(_ status: String, at offset: Int64) -> AdvisoryVersion {
            AdvisoryVersion(tenant: "contoso", issueID: "EX1", versionKey: "EX1@\(status)", polledAtMs: base + offset, status: status, body: "{}")
        }
        _ = try await store.appendSignals(batch("old", last: 0))
        _ = try await store.append([result(at: 0)])
        #expect(try await store.appendAdvisoryVersion(version("old", at: 0)))
        _ = try await store.appendSignals(batch("b1", last: 120_000))
        _ = try await store.append([result(at: 120_000), result(at: 180_000)])
        #expect(try await store.appendAdvisoryVersion(version("v1", at: 120_000)))
        // From the window's start (rows before it are not read), in pages of one.
        let first = try await readFeed(store, after: FeedCursor(), limit: 1, expecting: (1, 2, 1))
        #expect(first.batches == ["b1"] && first.starts == [base + 120_000, base + 180_000] && first.versions == ["v1"])
        // Nothing again; then only what came after.
        #expect(try await store.feed(after: first.cursor, fromMs: base + 60_000, limit: 10, batchLimit: 10).isEmpty)
        _ = try await store.appendSignals(batch("b2", last: 240_000))
        _ = try await store.append([result(at: 240_000)])
        #expect(try await store.appendAdvisoryVersion(version("v2", at: 240_000)))
        let next = try await readFeed(store, after: first.cursor, limit: 10, expecting: (1, 1, 1))
        #expect(next.batches == ["b2"] && next.starts == [base + 240_000] && next.versions == ["v2"])
        #expect(try await store.feed(after: next.cursor, fromMs: base + 60_000, limit: 10, batchLimit: 10).isEmpty)
        // One store, one replica: it holds the lease (PostgreSQL: until it lets go).
        #expect(try await store.holdDetectionLease())
        #expect(try await store.holdDetectionLease())
        await store.releaseDetectionLease()
    }

    /// The feed from `cursor` (window from `base` + 1 minute), page after page, until it gave
    /// `expecting` batches, results and versions, or five seconds passed: PostgreSQL reads a row
    /// only once every older transaction of the cluster has ended, and other tests' transactions
    /// (in their own databases) can hold that back a moment.
    static func readFeed(_ store: any MailCanaryStore, after cursor: FeedCursor, limit: Int,
                         expecting: (batches: Int, results: Int, versions: Int))
        async throws -> (batches: [String], starts: [Int64], versions: [String], cursor: FeedCursor) {
        var read: (batches: [String], starts: [Int64], versions: [String], cursor: FeedCursor) = ([], [], [], cursor)
        let deadline = ContinuousClock.now + .seconds(5)
        while read.batches.count < expecting.batches || read.starts.count < expecting.results || read.versions.count < expecting.versions,
              ContinuousClock.now < deadline {
            let page = try await store.feed(after: read.cursor, fromMs: base + 60_000, limit: limit, batchLimit: limit)
            read.batches += page.batches.map(\.batch.idempotencyKey)
            read.starts += page.results.map(\.startedAtMs)
            read.versions += page.advisories.map(\.status)
            read.cursor = page.cursor
            if !page.more { try await Task.sleep(for: .milliseconds(50)) }
        }
        return read
    }

    static let checks: [(String, @Sendable (any MailCanaryStore) async throws -> Void)] = [
        ("migrations", migrations), ("roundTrip", roundTrip), ("idempotentAppend", idempotentAppend), ("concurrentAppends", concurrentAppends),
        ("latestPerProbeAndRegion", latestPerProbeAndRegion), ("resultWindow", resultWindow), ("probeHistory", probeHistory), ("rollups", rollups), ("retention", retention),
        ("agents", agents), ("runClaims", runClaims), ("signals", signals), ("incidents", incidents),
        ("accounts", accounts), ("notifications", notifications),
        ("advisories", advisories), ("feed", feed),
    ]
}
