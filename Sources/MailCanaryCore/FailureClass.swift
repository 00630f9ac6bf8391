/// Why a probe step failed: a fact about one probe or event (DESIGN.md, "failure class").
///
/// The class is what happened on the wire; the ``Cause`` is the judgement drawn from it.
public enum FailureClass: String, Codable, Sendable, CaseIterable {
    /// The name did not resolve.
    case dns
    /// Connection refused, reset or unreachable.
    case network
    /// TLS: untrusted, expired or wrong-name certificate, or a failed handshake.
    case tls
    /// No answer within the probe's deadline, at any step.
    case timeout
    /// The server said it is unavailable (IMAP BYE, SMTP 4xx, HTTP 5xx, ...).
    case server
    /// Credentials rejected, or the token endpoint refused.
    case auth
    /// The server's bytes break the protocol.
    case `protocol`
    /// The probe's own settings are wrong.
    case config
}
