import AsyncHTTPClient
import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryStorage
import MailCanaryWatch
import NIOConcurrencyHelpers
import ServiceLifecycle

/// The provider's service-health messages inside `serve`: each configured tenant polled every
/// `advisories.interval` (later when Graph or the budget asks for a wait), every new version of
/// an issue stored for good and handed to detection (which links it to incidents and puts its
/// posts on their timelines), planned maintenance from the message center stored as windows.
/// A tenant that fails (a wrong secret, a throttled or hung API) is reported in its status and
/// tried again at the next poll; it never stops the server or the other tenants.
public final class AdvisoryService: Service, Sendable {
    public struct TenantStatus: Sendable, Equatable {
        public var tenant: String
        public var lastPollMs: Int64?
        public var nextPollMs: Int64 = 0
        public var problems: [String] = []
        public var requests = 0
        public var versionsStored = 0
        public var issuesSeen = 0
    }

    let config: AdvisoriesConfig
    let store: any MailCanaryStore
    let environment: [String: String]
    let clock: @Sendable () -> Int64
    let logger: Logger
    private let statuses: NIOLockedValueBox<[String: TenantStatus]>

    public init(config: AdvisoriesConfig, store: any MailCanaryStore, environment: [String: String] = ProcessInfo.processInfo.environment,
                clock: @escaping @Sendable () -> Int64, logger: Logger) {
        self.config = config
        self.store = store
        self.environment = environment
        self.clock = clock
        self.logger = logger
        statuses = NIOLockedValueBox(Dictionary(uniqueKeysWithValues: config.tenants.map { ($0.id, TenantStatus(tenant: $0.id)) }))
    }

    public var status: [TenantStatus] { statuses.withLockedValue { $0.values.sorted { $0.tenant < $1.tenant } } }

    public func run() async throws {
        var clients: [String: HTTPClient] = [:]
        var pollers: [String: GraphPoller] = [:]
        var ledgers: [String: AdvisoryLedger] = [:]
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = clock()
            for tenant in config.tenants where (statuses.withLockedValue { $0[tenant.id]?.nextPollMs ?? 0 }) <= now {
                if pollers[tenant.id] == nil {
                    switch makePoller(tenant, clients: &clients) {
                    case .success(let poller): pollers[tenant.id] = poller
                    case .failure(let problem):
                        record(tenant.id) { $0.problems = [problem.description]; $0.nextPollMs = now + Int64(self.config.interval.components.seconds) * 1_000 }
                        logger.error("cannot poll a tenant's service health", metadata: ["tenant": "\(tenant.id)", "problem": "\(problem)"])
                        continue
                    }
                }
                guard let poller = pollers[tenant.id] else { continue }
                var ledger = ledgers[tenant.id] ?? AdvisoryLedger()
                await poll(tenant, poller: poller, ledger: &ledger)
                ledgers[tenant.id] = ledger
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
        }
        for client in clients.values { try? await client.shutdown() }
    }

    func makePoller(_ tenant: GraphTenantConfig, clients: inout [String: HTTPClient]) -> Result<GraphPoller, GraphFailure> {
        let credential: GraphTokenClient.Credential
        switch tenant.credential {
        case .secret(let reference):
            switch SecretReader.read(reference, environment: environment) {
            case .success(let secret): credential = .secret(secret)
            case .failure(let error): return .failure(GraphFailure("client_secret: \(error.message)"))
            }
        case .certificate(let file, let keyReference):
            guard let certificate = try? String(contentsOfFile: file, encoding: .utf8) else { return .failure(GraphFailure("certificate: cannot read \(file)")) }
            guard let pem = Self.readPEM(keyReference, environment: environment) else { return .failure(GraphFailure("private_key: cannot read \(keyReference)")) }
            do {
                credential = .certificate(try ClientAssertion(certificatePEM: certificate, privateKeyPEM: pem))
            } catch {
                return .failure(GraphFailure("certificate: \(error.description)"))
            }
        }
        let key = tenant.caFile ?? ""
        if clients[key] == nil {
            do { clients[key] = try OutboundHTTP.makeClient(caFile: tenant.caFile) } catch { return .failure(GraphFailure("ca_file: cannot read \(key)")) }
        }
        return .success(GraphPoller(tenant: tenant, credential: credential, http: clients[key]!, clock: clock))
    }

    /// A private key is many lines: read the whole file (or variable), not its first line.
    static func readPEM(_ reference: SecretReference, environment: [String: String]) -> String? {
        switch reference {
        case .environment(let name): return environment[name]
        case .file(let path): return try? String(contentsOfFile: path, encoding: .utf8)
        }
    }

    func poll(_ tenant: GraphTenantConfig, poller: GraphPoller, ledger: inout AdvisoryLedger) async {
        let now = clock()
        let result = await poller.poll()
        var stored = 0
        for polled in ledger.newVersions(result.issues) {
            let version = AdvisoryVersion(tenant: tenant.id, issueID: polled.issue.id, versionKey: AdvisoryLedger.versionKey(polled),
                                          polledAtMs: now, status: polled.rawStatus, body: polled.json)
            do {
                // Detection reads new versions from the store (with the tenant's watched services).
                if try await store.appendAdvisoryVersion(version) {
                    stored += 1
                    logger.notice("provider advisory", metadata: ["tenant": "\(tenant.id)", "issue": "\(polled.issue.id)",
                                                                  "status": "\(polled.rawStatus)", "title": "\(polled.issue.title)"])
                }
            } catch {
                ledger.forget(version.versionKey)   // tried again at the next poll
                logger.warning("cannot store an advisory version; retried next poll", metadata: ["issue": "\(polled.issue.id)", "error": "\(StoreErrorText.describe(error))"])
            }
        }
        await fetchReviews(result.issues, tenant: tenant, poller: poller, ledger: &ledger, nowMs: now)
        if !result.problems.contains(where: { $0.hasPrefix("messages:") }) {
            let changes = result.plannedChanges.compactMap { change -> PlannedChangeRecord? in
                guard let start = change.startMs, let end = change.endMs, end > start else { return nil }
                return PlannedChangeRecord(tenant: tenant.id, id: change.id, title: change.title, services: change.services, startMs: start, endMs: end)
            }
            try? await store.replacePlannedChanges(tenant: tenant.id, changes)
        }
        let interval = Int64(config.interval.components.seconds) * 1_000
        let next = now + max(interval, result.retryAfterMs ?? 0)
        record(tenant.id) {
            $0.lastPollMs = now
            $0.nextPollMs = next
            $0.problems = result.problems
            $0.requests += result.requests
            $0.versionsStored += stored
            $0.issuesSeen = result.issues.count
        }
        if !result.problems.isEmpty {
            logger.warning("service health poll incomplete", metadata: ["tenant": "\(tenant.id)", "problems": "\(result.problems.joined(separator: "; "))"])
        }
    }

    /// Post-incident reviews, fetched once each when the provider has published one (§1.1: the
    /// document exists only at status PostIncidentReviewPublished) and kept beside the versions.
    func fetchReviews(_ issues: [PolledIssue], tenant: GraphTenantConfig, poller: GraphPoller, ledger: inout AdvisoryLedger, nowMs: Int64) async {
        for polled in issues where polled.issue.status == .postIncidentReviewPublished && !ledger.hasReview(polled.issue.id) {
            let key = Self.reviewKey(polled.issue.id)
            // Once per issue and start: after that the ledger knows (a restart asks the store once).
            guard (try? await store.advisoryVersions(issueID: polled.issue.id).contains { $0.versionKey == key }) == false else {
                ledger.noteReview(polled.issue.id)
                continue
            }
            switch await poller.incidentReport(issueID: polled.issue.id) {
            case .success(let document):
                let body = #"{"id":"\#(polled.issue.id)","incidentReport":"\#(Data(document).base64EncodedString())"}"#
                if (try? await store.appendAdvisoryVersion(AdvisoryVersion(tenant: tenant.id, issueID: polled.issue.id, versionKey: key,
                                                                              polledAtMs: nowMs, status: Self.reviewStatus, body: body))) != nil {
                    ledger.noteReview(polled.issue.id)
                }
                logger.notice("provider post-incident review fetched", metadata: ["issue": "\(polled.issue.id)", "bytes": "\(document.count)"])
            case .failure(let failure):
                logger.warning("cannot fetch a post-incident review; tried again next poll",
                               metadata: ["issue": "\(polled.issue.id)", "problem": "\(failure.description)"])
            }
        }
    }

    /// How a stored post-incident review is told from the issue's versions.
    public static let reviewStatus = "PostIncidentReviewDocument"
    public static func reviewKey(_ issueID: String) -> String { "\(issueID)@incidentReport" }

    func record(_ tenant: String, _ change: (inout TenantStatus) -> Void) {
        statuses.withLockedValue { statuses in
            var status = statuses[tenant] ?? TenantStatus(tenant: tenant)
            change(&status)
            statuses[tenant] = status
        }
    }
}
