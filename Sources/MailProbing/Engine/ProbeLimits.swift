/// Memory bounds every probe keeps, whatever the target sends.
public struct ProbeLimits: Sendable, Equatable {
    /// Longest protocol line. Default 8 KiB (RFC 5321 asks servers for 512 octets; IMAP
    /// capability lines run to a few hundred).
    public var maxLineLength: Int = 8_192
    /// Largest IMAP literal. Default 64 KiB: nothing a probe reads needs a larger one.
    public var maxLiteralSize: Int = 65_536
    /// Largest HTTP body kept. Default 256 KiB; beyond that the probe stops reading.
    public var maxBodySize: Int = 262_144
    /// Largest HTTP response head. Default 32 KiB.
    public var maxHeadSize: Int = 32_768
    /// Unread bytes the connection buffers before it gives up on the peer. Default 1 MiB:
    /// larger than any single bound above, small enough that ten thousand probes fit in memory.
    public var maxBufferedBytes: Int = 1_048_576
    /// HTTP redirects followed. Default 5, as blackbox_exporter and most browsers' checks do.
    public var maxRedirects: Int = 5

    public init() {}
}
