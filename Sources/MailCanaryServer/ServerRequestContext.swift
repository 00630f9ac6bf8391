import Hummingbird
import NIOCore

/// The request context of every route: Hummingbird's core context plus the peer's address (the
/// report API limits each sender).
struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// Who is asking, as ``AccessMiddleware`` found (anonymous until it has looked).
    var principal: AccessPolicy.Principal = .anonymous
    /// The signed-in session's form token (forms carry it; a POST must match it).
    var csrfToken: String?
    /// The SHA-256 of the session cookie's secret, for sign-out.
    var sessionHash: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
