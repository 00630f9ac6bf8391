import MailCanaryCore

/// One line of a telemetry upload or a scenario file, read.
public enum IngestRecord: Sendable, Equatable {
    /// The first line of a scenario (FORMAT.md): what it covers.
    case scenario(ScenarioHeader)
    case signal(Signal)
}

/// The `scenario` record: name, service, time span and regions of a recorded scenario.
public struct ScenarioHeader: Sendable, Equatable {
    public var name: String
    public var service: String
    public var startMs: Int64
    public var endMs: Int64
    public var regions: [String]

    public init(name: String, service: String, startMs: Int64, endMs: Int64, regions: [String]) {
        self.name = name
        self.service = service
        self.startMs = startMs
        self.endMs = endMs
        self.regions = regions
    }
}
