#if canImport(Glibc)
import Glibc
#endif
import MailCanaryCore

/// A failure class guessed from an error text clients or logs reported, for evidence without a
/// probe's typed failure. Ordered rules, first match wins; nil when nothing matches.
public enum ErrorTextClassifier {
    private static let rules: [(FailureClass, [String])] = [
        (.auth, ["aadsts", "invalid_grant", "401", "unauthorized", "authentication failed", "auth failed", "sasl",
                 "login failed", "logon failure", "password", "token", "credentials"]),
        (.tls, ["certificate", "tls", "ssl", "handshake", "x509"]),
        (.dns, ["nxdomain", "servfail", "name resolution", "could not resolve", "no such host", "dns"]),
        (.timeout, ["timed out", "timeout", "deadline"]),
        (.network, ["connection reset", "connection refused", "unreachable", "broken pipe", "econnreset", "network"]),
        (.config, ["autodiscover redirect", "profile", "misconfigur", "not configured"]),
        (.server, ["503", "500", "502", "504", "x-responsecode", "service unavailable", "internal server error", "server error",
                   "mailbox unavailable", "temporary failure", "try again later"]),
    ]

    /// The rules as NUL-terminated byte strings, for `strstr`.
    private static let compiled: [(FailureClass, [[CChar]])] = rules.map { rule in
        (rule.0, rule.1.map { Array($0.utf8CString) })
    }

    /// Every open incident's error texts are judged again each minute, so this is a byte search
    /// (`strstr` over the text with its ASCII letters lowered; the needles are ASCII) rather than
    /// `lowercased()` and `String.contains`, which cost a fifth of a replay with an incident open.
    public static func classify(_ text: String) -> FailureClass? {
        var lower = [CChar](repeating: 0, count: text.utf8.count + 1)
        for (index, byte) in text.utf8.enumerated() {
            // A NUL inside the text would end the C string early: a space keeps the rest searchable.
            lower[index] = CChar(bitPattern: byte == 0 ? 0x20 : (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte))
        }
        for (failureClass, needles) in compiled where needles.contains(where: { strstr(lower, $0) != nil }) {
            return failureClass
        }
        return nil
    }

    /// Why a TLS failure happened, from its text: an issuer nobody trusts (what an inspecting
    /// proxy's certificate looks like; checked first, because such a text may also name an expiry)
    /// or a handshake that broke or was stripped point at an intermediary; an expired, not yet
    /// valid or misnamed certificate is the service's own. Covers the probes' own texts and the
    /// usual client and OpenSSL wordings; nil when the text says none of these.
    public static func tlsReason(_ text: String) -> FailureReason? {
        let lower = text.lowercased()
        func says(_ words: [String]) -> Bool { words.contains { lower.contains($0) } }
        if says(["does not chain", "trusted root", "local issuer", "unknown ca", "unknown authority", "self signed", "self-signed",
                 "untrusted", "not trusted", "issuer certificate"]) { return .certificateUntrusted }
        if says(["expired"]) { return .certificateExpired }
        if says(["not valid before", "not yet valid"]) { return .certificateNotYetValid }
        if says(["name mismatch", "hostname", "does not match", "certificate is for"]) { return .certificateNameMismatch }
        if says(["handshake", "starttls", "stls"]) { return .handshakeFailed }
        return nil
    }

    /// The step a class points at when no probe said which step failed.
    public static func layer(for failureClass: FailureClass, text: String?) -> StepName {
        switch failureClass {
        case .dns: .resolve
        case .network, .timeout: .connect
        case .tls: .tls
        case .auth: text.map { $0.lowercased() }.map { $0.contains("aadsts") || $0.contains("token") } == true ? .token : .auth
        case .server, .protocol, .config: .operation
        }
    }
}
