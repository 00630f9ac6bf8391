/// What the Exchange test server gets wrong, switchable while it runs (or `--fault` on
/// `exchange-test-server`). Each mode is one failure a probe must classify.
public enum ExchangeFault: String, Sendable, CaseIterable {
    /// Healthy: every answer as the specifications show.
    case none
    /// The front end (load balancer, IIS) answers 503 with Retry-After on every path.
    case frontEndDown = "front-end-down"
    /// The mailbox back end fails while the front end is healthy: MAPI `X-ResponseCode: 1`,
    /// EWS `ErrorServerBusy`, ActiveSync FolderSync Status 6 (server error), Graph 503, and
    /// `/mapi/healthcheck.htm` down. Outlook on the web stays healthy: the November 2025 pattern.
    case backendFailing = "backend-failing"
    /// Authentication broken: 401 without a challenge, and the token endpoint refusing the
    /// client (`AADSTS7000215`).
    case authBroken = "auth-broken"
    /// The token endpoint wants MFA (`AADSTS50076`, `interaction_required`).
    case tokenInteractionRequired = "token-interaction-required"
    /// The token endpoint has a transient failure (`AADSTS90033`, HTTP 503).
    case tokenTransient = "token-transient"
    /// Autodiscover sends clients to a host outside the domain.
    case autodiscoverWrongHost = "autodiscover-wrong-host"
    /// Autodiscover redirects to itself.
    case autodiscoverLoop = "autodiscover-loop"
    /// ActiveSync answers 451 with `X-MS-Location` (the mailbox moved; the new location works).
    case activeSyncMoved = "activesync-moved"
    /// Every answer is delayed by 3 s (slower than a probe's deadline in the tests).
    case slow
}
