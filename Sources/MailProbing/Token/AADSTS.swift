import MailCanaryCore

/// Microsoft identity platform error codes (`AADSTS…` at the start of `error_description`),
/// classified for the `token` step.
///
/// Source: the Microsoft Entra authentication and authorization error code reference. A code
/// not listed is a refusal (`auth`): the safe default, an operator looks at it.
enum AADSTS {
    /// The identity provider itself is failing: retry later (`server`).
    /// 90033 transient error; 90055 tenant throttled; 90024 request budget exceeded;
    /// 50196 loop detected (client retrying too fast); 90015 internal error.
    static let transient: Set<String> = ["AADSTS90033", "AADSTS90055", "AADSTS90024", "AADSTS50196", "AADSTS90015"]

    /// A user interaction is required (MFA, consent, conditional access): a monitor cannot give
    /// it, an administrator must change the policy or the account.
    /// 50076/50079 MFA required or registration; 50074 strong authentication; 50158 external
    /// security challenge; 65001 consent missing; 53003 blocked by conditional access.
    static let interaction: Set<String> = ["AADSTS50076", "AADSTS50079", "AADSTS50074", "AADSTS50158", "AADSTS65001", "AADSTS53003"]

    /// The probe's settings name something that does not exist: tenant (90002, 900023),
    /// application (700016), resource or scope (500011, 70011).
    static let configuration: Set<String> = ["AADSTS90002", "AADSTS900023", "AADSTS700016", "AADSTS500011", "AADSTS70011"]

    static func isTransient(_ code: String?) -> Bool {
        code.map(transient.contains) ?? false
    }

    struct Verdict {
        var failureClass: FailureClass
        var reason: FailureReason
        var hint: String?
    }

    /// Status 5xx/429 or a transient code: `server`. Interaction: `auth`/interactionRequired.
    /// Unknown tenant/app/scope: `config`. Otherwise (bad secret, expired secret, revoked
    /// refresh token…): `auth`/tokenRejected.
    static func classify(code: String?, error: String?, status: Int) -> Verdict {
        if status >= 500 || status == 429 || isTransient(code) || error == "temporarily_unavailable" {
            return Verdict(failureClass: .server, reason: .serverError, hint: "the identity provider is failing; retry later")
        }
        if code.map(interaction.contains) == true || error == "interaction_required" || error == "consent_required" {
            return Verdict(failureClass: .auth, reason: .interactionRequired,
                           hint: "the account needs a user interaction (MFA or consent): exclude the monitoring identity from that policy or use an app registration")
        }
        if code.map(configuration.contains) == true {
            return Verdict(failureClass: .config, reason: .notFound, hint: "the tenant, application or scope named in the settings does not exist")
        }
        return Verdict(failureClass: .auth, reason: .tokenRejected, hint: nil)
    }
}
