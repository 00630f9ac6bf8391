import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryNotify
import MailCanaryStorage
import NIOConcurrencyHelpers
import Testing

/// The notification service end to end: a real SQLite store, the real HTTP client, and a real
/// receiver on loopback that fails, throttles and answers late.
@Suite("Notification delivery against a failing receiver", .serialized)
struct NotificationServiceTests {
    static let secret = "whsec-\(UUID().uuidString)"
    static let urlSecret = "T0SECRET/B0SECRET/XXXXXXXXXXXXXXXXXXXX"

    struct Harness {
        let store: SQLiteStore
        let directory: String
        let receiver: WebhookReceiver
        let logs: LogCapture
        let config: NotificationConfig

        func service(owner: String) -> NotificationService {
            var settings = NotificationService.Settings()
            settings.tick = .milliseconds(100)
            settings.leaseMs = 3_000
            let dispatcher = ChannelDispatcher(config: config, environment: ["MC_TEST_HOOK_SECRET": NotificationServiceTests.secret,
                                                                             "MC_TEST_URL": receiver.url + "?token=" + NotificationServiceTests.urlSecret])
            return NotificationService(config: config, store: store, dispatcher: dispatcher, settings: settings, owner: owner,
                                       clock: { Int64(Date().timeIntervalSince1970 * 1_000) }, logger: logs.logger)
        }

        func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }

        /// Saves the incident as detection would: open, then resolved.
        func save(resolved: Bool, status: ServiceHealthStatus = .serviceInterruption, openedMs: Int64) async throws {
            let body: [String: Any] = [
                "id": "contoso-1", "service": "contoso", "status": resolved ? "serviceRestored" : status.rawValue,
                "paths": ["mapi-http", "autodiscover"], "regions": ["apac", "na"], "cause": "server-side", "layer": "operation",
                "workaround": ["client": "owa", "text": "Use Outlook on the web."], "affectedUsersEstimate": 412,
                "sampleErrors": [["message": NotificationFixtures.hostile, "count": 3]], "advisoryLinks": [],
                "openedAt": UTCTimestamp.format(openedMs), "advisories": [], "sources": ["probe"], "reporters": 0, "timeline": [],
            ]
            let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            _ = try await store.saveIncident(IncidentRecord(id: "contoso-1", fingerprint: "contoso|server", service: "contoso",
                                                            status: resolved ? "serviceRestored" : status.rawValue, openedMs: openedMs,
                                                            resolvedMs: resolved ? now() : nil, updatedMs: now(), body: text))
        }

        func until(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if try await condition() { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("timed out waiting for: \(what)")
        }
    }

    static func harness(channel: (inout NotificationChannelConfig) -> Void = { _ in }, configure: (inout NotificationConfig) -> Void = { _ in }) async throws -> Harness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-notify-\(UUID().uuidString)").path
        let store = try SQLiteStore(directory: directory)
        try await store.migrate()
        let receiver = WebhookReceiver(secret: secret)
        try await receiver.start()
        var hook = NotificationChannelConfig(id: "hook", kind: .webhook)
        hook.url = .secret(.environment("MC_TEST_URL"))
        hook.signingSecret = .environment("MC_TEST_HOOK_SECRET")
        hook.timeout = .seconds(1)
        channel(&hook)
        var config = NotificationConfig()
        config.channels = [hook]
        var route = NotificationRouteConfig()
        route.channels = ["hook"]
        config.routes = [route]
        config.retry.initial = .seconds(1)
        config.retry.maximum = .seconds(2)
        config.dashboardURL = "https://mailcanary.example.com"
        configure(&config)
        return Harness(store: store, directory: directory, receiver: receiver, logs: LogCapture(), config: config)
    }

    @Test("500, 429 with Retry-After and a too-slow answer are retried; each transition arrives once, signed, intact, in order")
    func retries() async throws {
        let h = try await Self.harness()
        defer { h.receiver.stop(); try? FileManager.default.removeItem(atPath: h.directory) }
        h.receiver.answer([.status(500), .status(429, retryAfter: "1"), .late(.milliseconds(2_500))])
        let service = h.service(owner: "a")
        try await h.save(resolved: false, openedMs: h.now())
        let running = Task { try await service.run() }
        defer { running.cancel() }

        try await h.until("the opening accepted") { h.receiver.accepted.contains("contoso-1/opened") }
        let attempts = h.receiver.received.filter { $0.delivery == "contoso-1/opened" }
        #expect(attempts.map(\.status) == [500, 429, 0, 200])
        // The receiver has it; the sender records it once the answer is in.
        try await h.until("the opening recorded as delivered") {
            try await h.store.deliveries(incidentID: "contoso-1", limit: 10).first?.status == .delivered
        }
        let record = try #require(try await h.store.deliveries(incidentID: "contoso-1", limit: 10).first)
        #expect(record.status == .delivered && record.attempts == 4)

        try await h.save(resolved: true, openedMs: h.now() - 600_000)
        try await h.until("the resolution accepted") { h.receiver.accepted.contains("contoso-1/resolved") }
        try await Task.sleep(for: .milliseconds(500))
        #expect(h.receiver.accepted == ["contoso-1/opened", "contoso-1/resolved"])
        #expect(h.receiver.received.allSatisfy { $0.signatureValid })
        let body = try #require(try JSONSerialization.jsonObject(with: Data(h.receiver.received.last!.body)) as? [String: Any])
        #expect((body["incident"] as? [String: Any])?["sampleErrors"] as? [String] == [NotificationFixtures.hostile])
        #expect(body["link"] as? String == "https://mailcanary.example.com/incidents/contoso-1")
        // Neither the signing secret nor the credential in the URL reached a log line or the record.
        let text = h.logs.text + (try await h.store.deliveries(incidentID: nil, limit: 10)).map { $0.lastResult ?? "" }.joined()
        #expect(!text.contains(Self.secret) && !text.contains("SECRET") && !text.contains("token="))
        #expect(h.logs.text.contains("notification not delivered; will retry"))
    }

    @Test("a restart in the middle of a retry sends no duplicate opening and loses no resolution")
    func restart() async throws {
        let h = try await Self.harness()
        defer { h.receiver.stop(); try? FileManager.default.removeItem(atPath: h.directory) }
        h.receiver.answer([], then: .status(503))
        try await h.save(resolved: false, openedMs: h.now())
        let first = h.service(owner: "before")
        let running = Task { try await first.run() }
        try await h.until("a failed attempt recorded") {
            try await h.store.deliveries(incidentID: "contoso-1", limit: 10).first?.attempts ?? 0 >= 1
        }
        running.cancel()
        _ = await running.result
        #expect(h.receiver.accepted.isEmpty)

        // While the server is down, the incident resolves and the receiver recovers.
        try await h.save(resolved: true, openedMs: h.now() - 600_000)
        h.receiver.answer([], then: .status(200))
        let second = h.service(owner: "after")
        let again = Task { try await second.run() }
        defer { again.cancel() }
        try await h.until("the resolution accepted") { h.receiver.accepted.contains("contoso-1/resolved") }
        try await Task.sleep(for: .milliseconds(500))
        #expect(h.receiver.accepted == ["contoso-1/opened", "contoso-1/resolved"])
        try await h.until("both recorded as delivered") {
            try await h.store.deliveries(incidentID: "contoso-1", limit: 10).filter { $0.status == .delivered }.count == 2
        }
        let records = try await h.store.deliveries(incidentID: "contoso-1", limit: 10)
        #expect(records.count == 2 && records.allSatisfy { $0.status == .delivered })
    }

    @Test("a receiver that refuses (404) is recorded as failed and not retried; the next transition still goes")
    func refused() async throws {
        let h = try await Self.harness()
        defer { h.receiver.stop(); try? FileManager.default.removeItem(atPath: h.directory) }
        h.receiver.answer([.status(404)])
        try await h.save(resolved: false, openedMs: h.now())
        let service = h.service(owner: "a")
        let running = Task { try await service.run() }
        defer { running.cancel() }
        try await h.until("the refusal recorded") {
            try await h.store.deliveries(incidentID: "contoso-1", limit: 10).first?.status == .failed
        }
        try await h.save(resolved: true, openedMs: h.now() - 600_000)
        try await h.until("the resolution accepted") { h.receiver.accepted.contains("contoso-1/resolved") }
        #expect(h.receiver.received.map(\.status) == [404, 200])
        let failed = try #require(try await h.store.deliveries(incidentID: "contoso-1", limit: 10).first { $0.key == "contoso-1/opened" })
        #expect(failed.lastResult?.contains("HTTP 404") == true && failed.lastResult?.contains("not retried") == true)
    }

    @Test("an operator's status note is announced once, with who set it; an operator's restored status resolves it, and detection's later resolution adds nothing")
    func operatorNotes() async throws {
        let h = try await Self.harness()
        defer { h.receiver.stop(); try? FileManager.default.removeItem(atPath: h.directory) }
        try await h.save(resolved: false, openedMs: h.now())
        let service = h.service(owner: "a")
        #expect(await service.plan(nowMs: h.now()) == 1)
        // A plain note says nothing; a status note is the next message (the note marks the incident updated).
        #expect(try await h.store.addNote(IncidentNote(incidentID: "contoso-1", atMs: h.now(), author: "alice", status: nil, text: "looking")))
        #expect(await service.plan(nowMs: h.now()) == 0)
        let setAt = h.now() + 1
        #expect(try await h.store.addNote(IncidentNote(incidentID: "contoso-1", atMs: setAt, author: "alice", status: "restoringService", text: "rolling back")))
        #expect(await service.plan(nowMs: h.now()) == 1)
        #expect(await service.plan(nowMs: h.now()) == 0)
        #expect(try await h.store.addNote(IncidentNote(incidentID: "contoso-1", atMs: setAt + 1, author: "bob", status: "serviceRestored", text: "done")))
        #expect(await service.plan(nowMs: h.now()) == 1)
        try await h.save(resolved: true, openedMs: h.now() - 600_000)
        #expect(await service.plan(nowMs: h.now() + 61_000) == 0)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        try await h.until("three messages accepted") { h.receiver.accepted.count == 3 }
        #expect(h.receiver.accepted == ["contoso-1/opened", "contoso-1/status/\(setAt)", "contoso-1/resolved"])
        let bodies = h.receiver.received.compactMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }
        let summaries = bodies.compactMap { $0["summary"] as? String }
        #expect(summaries.contains("status set to restoring service by alice") && summaries.contains("resolved by bob"), "\(summaries)")
        #expect(bodies.first { $0["event"] as? String == "statusSet" } != nil)
    }

    @Test("a maintenance window mutes: recorded, not sent; an unset URL secret is retried, not dropped")
    func mutedAndMissingSecret() async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let h = try await Self.harness(configure: { config in
            var window = MaintenanceWindowConfig(name: "CU update", startMs: now - 60_000, endMs: now + 3_600_000)
            window.services = ["contoso"]
            config.maintenance = [window]
        })
        defer { h.receiver.stop(); try? FileManager.default.removeItem(atPath: h.directory) }
        try await h.save(resolved: false, openedMs: h.now())
        let service = h.service(owner: "a")
        #expect(await service.plan(nowMs: h.now()) == 1)
        #expect(await service.deliver(nowMs: h.now()) == 0)
        let muted = try await h.store.deliveries(incidentID: "contoso-1", limit: 10)
        #expect(muted.map(\.status) == [.muted])
        #expect(h.receiver.received.isEmpty)

        // A channel whose URL variable is not set: the attempt is kept for later, with the cause.
        var config = h.config
        config.maintenance = []
        config.channels[0].url = .secret(.environment("MC_TEST_UNSET"))
        let dispatcher = ChannelDispatcher(config: config, environment: [:])
        let verdict = await dispatcher.send(NotificationFixtures.message(), channelID: "hook", nowMs: now)
        #expect(verdict == .retry("the channel's url: environment variable MC_TEST_UNSET is not set", retryAfterMs: nil))
    }
}

/// Collects log lines so tests can look for secrets in them.
final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])
    var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }

    var logger: Logger {
        let box = lines
        var logger = Logger(label: "test") { _ in Handler(lines: box) }
        logger.logLevel = .debug
        return logger
    }

    struct Handler: LogHandler {
        let lines: NIOLockedValueBox<[String]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            lines.withLockedValue { $0.append("\(level) \(message) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " "))") }
        }
    }
}
