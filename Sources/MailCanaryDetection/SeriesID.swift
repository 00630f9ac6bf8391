import MailCanaryCore

/// One stream of outcomes: (service, path, region, source) (DESIGN.md, "series"). Report series
/// have no access path: people report a client that does not work, in a region.
public struct SeriesID: Hashable, Sendable, CustomStringConvertible {
    public var service: String
    public var path: AccessPath?
    public var region: String
    public var source: SignalSource

    public init(service: String, path: AccessPath?, region: String, source: SignalSource) {
        self.service = service
        self.path = path
        self.region = region
        self.source = source
    }

    public var description: String {
        "\(service)/\(path?.rawValue ?? "reports")/\(region)/\(source.rawValue)"
    }
}
