import Foundation
import MailCanaryCore
import MailWire

/// The identity provider's OAuth2 token endpoint as an access path of its own: `resolve`,
/// `connect`, `tls`, then `token`: a real client-credentials (or refresh-token) request, never
/// served from the cache, with `AADSTS` codes classified (``AADSTS``).
///
/// URL: `token+https://HOST[:PORT]/TENANT` (or `--tenant`); the request goes to
/// `/TENANT/oauth2/v2.0/token`. A full path ending in `/token` is used as given.
public struct TokenProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        guard let provider = context.settings.credentials.token as? OAuth2TokenProvider else {
            _ = try await recorder.step(.token) { () async throws(ProbeFailure) -> ((), String) in
                throw ProbeFailure(.config, reason: .missingCredential, step: .token,
                                   message: "a token probe needs --client-id with --client-secret-env (or --refresh-token-env)")
            }
            return
        }
        let issued = try await provider.requestToken(context: context, recorder: recorder)
        recorder.facts["tokenLifetimeMin"] = String(issued.lifetimeMinutes)
    }

    /// The token endpoint a `token+https://HOST/TENANT` target stands for, or nil without a tenant.
    public static func endpointURL(for target: ProbeTarget, tenant: String?) -> String? {
        guard let path = tokenPath(for: target, tenant: tenant) else { return nil }
        let host = target.host.contains(":") ? "[\(target.host)]" : target.host
        return "https://\(host):\(target.port)\(path)"
    }

    /// Microsoft Entra ID's token endpoint for a tenant.
    public static func microsoftEndpointURL(tenant: String) -> String {
        "https://login.microsoftonline.com/\(tenant)/oauth2/v2.0/token"
    }

    /// The scope asked for when none is configured: Graph for Graph and token probes, Exchange
    /// Online for the other paths.
    public static func defaultScope(for scheme: ProbeTarget.Scheme) -> String {
        scheme == .graphHTTPS || scheme == .tokenHTTPS ? "https://graph.microsoft.com/.default" : "https://outlook.office365.com/.default"
    }

    /// The token path for a target: `/TENANT/oauth2/v2.0/token`, or the path as given.
    public static func tokenPath(for target: ProbeTarget, tenant: String?) -> String? {
        let path = target.pathOnly
        if path.hasSuffix("/token") { return path }
        let tenantPart = path.split(separator: "/").first.map(String.init) ?? tenant
        guard let tenantPart, !tenantPart.isEmpty else { return nil }
        return "/\(tenantPart)/oauth2/v2.0/token"
    }
}
