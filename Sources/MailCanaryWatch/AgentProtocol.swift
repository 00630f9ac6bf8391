import MailCanaryConfig
import MailCanaryCore
import MailCanaryStorage

/// What the server tells an agent to run (`GET /api/v1/agent/plan`). Secrets travel only as
/// references: the agent reads them from its own environment or files.
public struct AgentPlan: Codable, Sendable, Equatable {
    public var agent: String
    public var region: String
    public var scheduler: SchedulerConfig
    public var probes: [ProbeConfig]
    /// Each service's credentials (references only), by service id.
    public var credentials: [String: [CredentialConfig]]

    public init(agent: String, region: String, scheduler: SchedulerConfig, probes: [ProbeConfig],
                credentials: [String: [CredentialConfig]]) {
        self.agent = agent
        self.region = region
        self.scheduler = scheduler
        self.probes = probes
        self.credentials = credentials
    }
}

/// One upload (`POST /api/v1/agent/results`), sent with an `Idempotency-Key` header.
public struct ResultBatch: Codable, Sendable {
    public var agent: String
    public var region: String
    public var results: [StoredResult]

    public init(agent: String, region: String, results: [StoredResult]) {
        self.agent = agent
        self.region = region
        self.results = results
    }

    /// Reads a batch with ``JSONScanner`` (the server's ingest path; the `Codable` form is the same shape).
    public init(json bytes: [UInt8]) throws(JSONReadError) {
        var scanner = JSONScanner(bytes)
        var agent: String?, region: String?, results: [StoredResult]?
        try scanner.readRootObject("batch")
        while let key = try scanner.readKey("batch") {
            switch key {
            case "agent": agent = try scanner.readString("agent")
            case "region": region = try scanner.readString("region")
            case "results":
                var list: [StoredResult] = []
                try scanner.readArrayStart("results")
                while try scanner.readElement("results") {
                    list.append(try StoredResult.read(from: &scanner, path: "results[\(list.count)]"))
                }
                results = list
            default: try scanner.skip(key)
            }
        }
        try scanner.readEnd("batch")
        guard let agent else { throw JSONReadError(path: "agent", kind: .missing) }
        guard let region else { throw JSONReadError(path: "region", kind: .missing) }
        guard let results else { throw JSONReadError(path: "results", kind: .missing) }
        self.init(agent: agent, region: region, results: results)
    }
}

/// The server's answer once a batch is durable.
public struct BatchReceipt: Codable, Sendable, Equatable {
    public var accepted: Int
    public var duplicates: Int
    /// The highest sequence of the batch: everything up to it is stored.
    public var through: Int64

    public init(accepted: Int, duplicates: Int, through: Int64) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.through = through
    }
}

/// The answer to `POST /api/v1/telemetry`: lines kept, lines refused (each with its number, its
/// status and why, up to a hundred), and whether the idempotency key had been seen before.
public struct TelemetryReceipt: Codable, Sendable, Equatable {
    public struct LineProblem: Codable, Sendable, Equatable {
        public var line: Int
        public var status: Int
        public var error: String

        public init(line: Int, status: Int, error: String) {
            self.line = line
            self.status = status
            self.error = error
        }
    }

    public var accepted: Int
    public var rejected: Int
    public var duplicate: Bool
    public var problems: [LineProblem]
    public var unlistedProblems: Int

    public init(accepted: Int, rejected: Int, duplicate: Bool, problems: [LineProblem], unlistedProblems: Int) {
        self.accepted = accepted
        self.rejected = rejected
        self.duplicate = duplicate
        self.problems = problems
        self.unlistedProblems = unlistedProblems
    }
}
