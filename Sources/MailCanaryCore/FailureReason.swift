/// A finer reason inside a ``FailureClass``; it decides the default ``Cause``.
///
/// DESIGN.md's table "From failure class to cause" needs more than the class: an untrusted
/// issuer points at an intercepting proxy, an expired certificate at the service itself.
public enum FailureReason: String, Codable, Sendable {
    // dns
    case nameNotFound
    /// The name exists but has no record of the asked type (NODATA), e.g. no MX records.
    case noData
    case resolverFailure
    case resolverTimeout
    // network
    case connectionRefused
    case connectionReset
    case unreachable
    case closedByPeer
    // timeout
    case connectTimeout
    case responseTimeout
    // tls
    case certificateUntrusted
    case certificateExpired
    case certificateNotYetValid
    case certificateNameMismatch
    case handshakeFailed
    // server
    case unavailable
    case temporaryFailure
    case serverError
    // auth
    case credentialsRejected
    case tokenRejected
    case challengeMissing
    /// The identity provider wants a user interaction (MFA, consent): a monitor cannot give it.
    case interactionRequired
    // protocol
    case malformed
    case lineTooLong
    case responseTooLarge
    case unexpectedReply
    case startTLSRequired
    case injectionDetected
    case redirectLimit
    /// A redirect (Autodiscover) to a host outside the configured domain, refused with credentials.
    case redirectOutsideDomain
    /// A back end reported failure inside a successful HTTP exchange (X-ResponseCode, EWS ResponseCode).
    case backendError
    // config
    case missingCredential
    case invalidOption
    case notFound
}
