/// How a probe judges the server's certificate.
public struct TLSOptions: Sendable, Hashable {
    /// PEM file of trusted roots that replaces the system's store (`--ca-file`).
    public var caFile: String?
    /// Record certificate problems but go on (`--insecure`). The `tls` step still reports them.
    public var insecure: Bool

    public init(caFile: String? = nil, insecure: Bool = false) {
        self.caFile = caFile
        self.insecure = insecure
    }
}
