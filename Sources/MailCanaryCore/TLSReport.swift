/// What the TLS layer showed: the negotiated session and the server's certificate.
public struct TLSReport: Codable, Sendable, Equatable {
    public var version: String?
    public var cipher: String?
    public var subject: String?
    public var issuer: String?
    public var subjectAlternativeNames: [String]
    public var notBefore: String?
    public var notAfter: String?
    /// Whole days from the probe's start until `notAfter`; negative once expired.
    public var daysLeft: Int?
    /// The chain leads to a trusted root (the system's, or `--ca-file`).
    public var chainTrusted: Bool
    /// The certificate names the host the probe asked for.
    public var nameMatches: Bool
    /// Why verification failed, in words, when it did.
    public var verificationError: String?
    public var chainLength: Int

    public init(
        version: String? = nil,
        cipher: String? = nil,
        subject: String? = nil,
        issuer: String? = nil,
        subjectAlternativeNames: [String] = [],
        notBefore: String? = nil,
        notAfter: String? = nil,
        daysLeft: Int? = nil,
        chainTrusted: Bool = false,
        nameMatches: Bool = false,
        verificationError: String? = nil,
        chainLength: Int = 0
    ) {
        self.version = version
        self.cipher = cipher
        self.subject = subject
        self.issuer = issuer
        self.subjectAlternativeNames = subjectAlternativeNames
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.daysLeft = daysLeft
        self.chainTrusted = chainTrusted
        self.nameMatches = nameMatches
        self.verificationError = verificationError
        self.chainLength = chainLength
    }
}
