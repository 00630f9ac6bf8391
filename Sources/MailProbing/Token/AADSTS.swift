/// Microsoft identity platform error codes (`AADSTS…` in `error_description`) that mean the
/// identity provider itself is failing rather than refusing these credentials.
///
/// Sources: the Microsoft Entra authentication and authorization error code reference. Codes not
/// listed here are treated as a refusal (`auth`), the safe default: an operator looks at it.
enum AADSTS {
    /// - 90033: a transient error has occurred.
    /// - 90055: the tenant is throttled (TenantThrottlingError).
    /// - 90024: the request budget is exceeded (RequestBudgetExceededError).
    static let transient: Set<String> = ["AADSTS90033", "AADSTS90055", "AADSTS90024"]

    static func isTransient(_ code: String?) -> Bool {
        code.map(transient.contains) ?? false
    }
}
