/// Real client connection attempts over one interval, for one client kind on one access path in
/// one region (the `clients` record of the scenario format; a single telemetry event is a count
/// of one). Mail-server log readers produce these too.
public struct ClientCounts: Sendable, Equatable {
    /// End of the interval the counts cover, milliseconds since 1970.
    public var timeMs: Int64
    public var service: String
    public var region: String
    public var client: ClientKind
    public var path: AccessPath
    public var ok: Int
    public var failed: Int
    /// Error text → how many failed attempts reported it.
    public var errors: [ErrorCount]
    /// Median latency of the attempts, when known.
    public var latencyMsP50: Double?
    /// Opaque id of the user, for single events (counted for the affected-user estimate).
    public var user: String?

    public init(timeMs: Int64, service: String, region: String, client: ClientKind, path: AccessPath,
                ok: Int, failed: Int, errors: [ErrorCount] = [], latencyMsP50: Double? = nil, user: String? = nil) {
        self.timeMs = timeMs
        self.service = service
        self.region = region
        self.client = client
        self.path = path
        self.ok = ok
        self.failed = failed
        self.errors = errors
        self.latencyMsP50 = latencyMsP50
        self.user = user
    }
}

/// One error text and how often it was seen.
public struct ErrorCount: Sendable, Equatable, Hashable {
    public var message: String
    public var count: Int

    public init(_ message: String, _ count: Int) {
        self.message = message
        self.count = count
    }
}
