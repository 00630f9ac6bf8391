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

    public static func classify(_ text: String) -> FailureClass? {
        let lower = text.lowercased()
        for (failureClass, needles) in rules where needles.contains(where: { lower.contains($0) }) {
            return failureClass
        }
        return nil
    }

    /// The step a class points at when no probe said which step failed.
    public static func layer(for failureClass: FailureClass, text: String?) -> StepName {
        switch failureClass {
        case .dns: .resolve
        case .network, .timeout: .connect
        case .tls: .tls
        case .auth: (text?.lowercased().contains("aadsts") ?? false) || (text?.lowercased().contains("token") ?? false) ? .token : .auth
        case .server, .protocol, .config: .operation
        }
    }
}
