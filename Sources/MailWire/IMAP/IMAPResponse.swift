/// One complete IMAP server response (RFC 3501 §7, RFC 9051 §7).
///
/// ```
/// S: * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.   → .untagged(.status(...))
/// S: * CAPABILITY IMAP4rev1 LITERAL+ STARTTLS                         → .untagged(.capability([...]))
/// S: * 3 EXISTS                                                       → .untagged(.exists(3))
/// S: a1 NO [AUTHENTICATIONFAILED] Authentication failed.              → .tagged("a1", status)
/// S: + eyJzdGF0dXMiOiI0MDEifQ==                                       → .continuation("eyJ...")
/// ```
public enum IMAPResponse: Equatable, Sendable {
    case tagged(tag: String, IMAPStatus)
    case untagged(IMAPUntagged)
    case continuation(String)
}

/// A status response: `OK`, `NO`, `BAD`, `BYE` or `PREAUTH` with an optional response code.
public struct IMAPStatus: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case ok = "OK", no = "NO", bad = "BAD", bye = "BYE", preauth = "PREAUTH"
    }

    public var kind: Kind
    /// The response code inside `[...]`, for example `AUTHENTICATIONFAILED` or `CAPABILITY IMAP4rev1 ...`.
    public var code: String?
    public var text: String

    public init(kind: Kind, code: String?, text: String) {
        self.kind = kind
        self.code = code
        self.text = text
    }

    /// The first word of the response code (`UNAVAILABLE`, `AUTHENTICATIONFAILED`, ...), upper-cased.
    public var codeAtom: String? {
        code.map { String($0.split(separator: " ", maxSplits: 1).first ?? "").uppercased() }
    }

    /// The line as a server would have sent it, without the tag.
    public var rendered: String {
        kind.rawValue + (code.map { " [\($0)]" } ?? "") + (text.isEmpty ? "" : " " + text)
    }
}

/// Untagged data the probe understands; anything else is kept as text.
public enum IMAPUntagged: Equatable, Sendable {
    case status(IMAPStatus)
    case capability([String])
    case exists(Int)
    case other(String)
}
