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

    /// Why a failure of a class happened, for the classes whose reason decides the cause (DESIGN.md,
    /// "From failure class to cause"): an issuer nobody trusts (an inspecting proxy's certificate;
    /// checked first, because such a text may also name an expiry) or a broken or stripped
    /// handshake points at an intermediary, an expired, not yet valid or misnamed certificate at
    /// the service; a name that does not exist at the client's configuration, a failing resolver
    /// at the network. The probes' own wordings and the usual client, OpenSSL and resolver ones.
    private static let reasonRules: [FailureClass: [(FailureReason, [String])]] = [
        .tls: [
            (.certificateUntrusted, ["does not chain", "trusted root", "local issuer", "unknown ca", "unknown authority", "self signed",
                                     "self-signed", "untrusted", "not trusted", "issuer certificate"]),
            (.certificateExpired, ["expired"]),
            (.certificateNotYetValid, ["not valid before", "not yet valid"]),
            (.certificateNameMismatch, ["name mismatch", "hostname", "does not match", "certificate is for"]),
            (.handshakeFailed, ["handshake", "starttls", "stls"]),
        ],
        .dns: [
            (.nameNotFound, ["nxdomain", "no such host", "does not exist", "name not found"]),
            (.noData, ["nodata", "no data", "no records"]),
            (.resolverTimeout, ["timed out", "timeout"]),
            (.resolverFailure, ["servfail", "refused"]),
        ],
    ]

    /// The rules as NUL-terminated byte strings, for `strstr`.
    private static let compiled = rules.map(compile)
    private static let compiledReasons = reasonRules.mapValues { $0.map(compile) }

    private static func compile<Value>(_ rule: (Value, [String])) -> (Value, [[CChar]]) {
        (rule.0, rule.1.map { Array($0.utf8CString) })
    }

    /// Every open incident's error texts are judged again each minute, so this is a byte search
    /// (`strstr` over the text with its ASCII letters lowered; the needles are ASCII) rather than
    /// `lowercased()` and `String.contains`, which cost a fifth of a replay with an incident open.
    public static func classify(_ text: String) -> FailureClass? {
        firstMatch(text, compiled)
    }

    /// The reason a text gives for a failure of `failureClass`; nil when the class has no reasons
    /// that matter or the text names none.
    public static func reason(_ text: String, of failureClass: FailureClass) -> FailureReason? {
        compiledReasons[failureClass].flatMap { firstMatch(text, $0) }
    }

    /// The value of the first rule one of whose needles the text contains, in any ASCII letter case.
    private static func firstMatch<Value>(_ text: String, _ rules: [(Value, [[CChar]])]) -> Value? {
        var lower = [CChar](repeating: 0, count: text.utf8.count + 1)
        for (index, byte) in text.utf8.enumerated() {
            // A NUL inside the text would end the C string early: a space keeps the rest searchable.
            lower[index] = CChar(bitPattern: byte == 0 ? 0x20 : (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte))
        }
        for (value, needles) in rules where needles.contains(where: { strstr(lower, $0) != nil }) {
            return value
        }
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
