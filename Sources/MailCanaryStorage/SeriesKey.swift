/// One stream of outcomes: (service, path, region, source), as DESIGN.md's vocabulary defines it.
public struct SeriesKey: Hashable, Codable, Sendable, CustomStringConvertible {
    public var service: String
    public var path: String
    public var region: String
    /// `probe`, `telemetry` or `reports`.
    public var source: String

    public init(service: String, path: String, region: String, source: String = "probe") {
        self.service = service
        self.path = path
        self.region = region
        self.source = source
    }

    public var description: String { "\(service)/\(path)/\(region)/\(source)" }
}
