import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An Exchange and Microsoft 365 stand-in on loopback, behind real TLS: Autodiscover (JSON v2,
/// POX, the HTTP redirect method), MAPI over HTTP, EWS, ActiveSync, Outlook on the web,
/// `healthcheck.htm`, Graph and the token endpoint, answering as ``ExchangeResponder`` says,
/// with the ``ExchangeFault`` switchable while it runs.
public final class ExchangeTestServer: Sendable {
    public struct Listener: Sendable {
        public var host: String
        public var port: Int
        public var secure: Bool
        public init(host: String = "127.0.0.1", port: Int = 0, secure: Bool = true) {
            self.host = host
            self.port = port
            self.secure = secure
        }
    }

    private let channels: [any Channel]
    private let state: NIOLockedValueBox<ExchangeFault>
    /// The Graph service communications API of this server (advisories), scriptable by tests.
    public let serviceCommunications: ServiceCommunicationsFeed
    private let requests: NIOLockedValueBox<[String]>
    /// The bound ports, in the order of the listeners.
    public let ports: [Int]
    public var port: Int { ports[0] }

    public var fault: ExchangeFault {
        get { state.withLockedValue { $0 } }
        set { state.withLockedValue { $0 = newValue } }
    }

    /// `METHOD host path` of every request, for tests that check where credentials went.
    public var requestLog: [String] { requests.withLockedValue { $0 } }

    private init(channels: [any Channel], state: NIOLockedValueBox<ExchangeFault>, requests: NIOLockedValueBox<[String]>,
                 serviceCommunications: ServiceCommunicationsFeed) {
        self.channels = channels
        self.serviceCommunications = serviceCommunications
        self.state = state
        self.requests = requests
        self.ports = channels.map { $0.localAddress?.port ?? 0 }
    }

    /// Starts one server on each listener. `slowDelayMs` is the delay of ``ExchangeFault/slow``.
    public static func start(
        identity: TestCertificates.Identity,
        listeners: [Listener] = [Listener()],
        configuration: ExchangeResponder.Configuration = .init(),
        fault: ExchangeFault = .none,
        slowDelayMs: Int = 3_000,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> ExchangeTestServer {
        let sslContext = try NIOSSLContext(configuration: identity.tlsConfiguration())
        let state = NIOLockedValueBox(fault)
        let requests = NIOLockedValueBox<[String]>([])
        // One responder for every listener; the URLs it hands out point at the first HTTPS
        // listener's bound port unless the configuration names one (set once that port is known).
        let responder = NIOLockedValueBox(ExchangeResponder(configuration: configuration))
        let feed = ServiceCommunicationsFeed(accessToken: configuration.accessToken)
        var channels: [any Channel] = []
        for listener in listeners {
            let secure = listener.secure
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        if secure { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext)) }
                        try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try child.pipeline.syncOperations.addHandler(
                            ExchangeHTTPHandler(secure: secure, responder: responder, state: state, requests: requests, slowDelayMs: slowDelayMs, feed: feed))
                    }
                }
                .bind(host: listener.host, port: listener.port)
                .get()
            channels.append(channel)
            if channels.count == 1, configuration.publicPort == 443, secure, let port = channel.localAddress?.port {
                responder.withLockedValue { $0.configuration.publicPort = port }
            }
        }
        return ExchangeTestServer(channels: channels, state: state, requests: requests, serviceCommunications: feed)
    }

    public func stop() async {
        for channel in channels { try? await channel.close() }
    }
}

/// Collects one request (head, body, end), answers it, keeps the connection for the next.
final class ExchangeHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let secure: Bool
    let responder: NIOLockedValueBox<ExchangeResponder>
    let state: NIOLockedValueBox<ExchangeFault>
    let requests: NIOLockedValueBox<[String]>
    let slowDelayMs: Int
    let feed: ServiceCommunicationsFeed
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(secure: Bool, responder: NIOLockedValueBox<ExchangeResponder>, state: NIOLockedValueBox<ExchangeFault>, requests: NIOLockedValueBox<[String]>,
         slowDelayMs: Int, feed: ServiceCommunicationsFeed) {
        self.feed = feed
        self.secure = secure
        self.responder = responder
        self.state = state
        self.requests = requests
        self.slowDelayMs = slowDelayMs
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            if body.count < 1 << 20 { body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? []) }
        case .end:
            guard let head else { return }
            self.head = nil
            let (path, query) = Self.split(head.uri)
            let request = ExchangeRequest(method: head.method.rawValue, path: path, query: query,
                                          headers: head.headers.map { ($0.name, $0.value) }, body: body, secure: secure)
            requests.withLockedValue { $0.append("\(request.method) \(request.host) \(path) auth=\(request.header("Authorization") != nil)") }
            let fault = state.withLockedValue { $0 }
            var reply: ExchangeReply
            var delay = fault == .slow ? slowDelayMs : 0
            if path.lowercased().hasPrefix("/v1.0/admin/serviceannouncement") {
                (reply, delay) = feed.respond(to: request)
            } else {
                reply = responder.withLockedValue { $0 }.respond(to: request, fault: fault)
            }
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay))) {
                handler.value.send(reply, keepAlive: head.isKeepAlive, context: loopBound.value)
            }
        }
    }

    func send(_ reply: ExchangeReply, keepAlive: Bool, context: ChannelHandlerContext) {
        switch reply {
        case .full(let status, let headers, let body):
            var fields = HTTPHeaders(headers)
            fields.replaceOrAdd(name: "Content-Length", value: String(body.count))
            fields.replaceOrAdd(name: "Server", value: "Microsoft-IIS/10.0")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: fields))), promise: nil)
            if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil) }
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive { let channel = context.channel; done.whenComplete { _ in channel.close(promise: nil) } }
        case .chunked(let status, let headers, let chunks):
            var fields = HTTPHeaders(headers)
            fields.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            fields.replaceOrAdd(name: "Server", value: "Microsoft-IIS/10.0")
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: fields))), promise: nil)
            sendChunks(chunks[...], keepAlive: keepAlive, context: context)
        }
    }

    func sendChunks(_ chunks: ArraySlice<(delayMs: Int, bytes: [UInt8])>, keepAlive: Bool, context: ChannelHandlerContext) {
        guard let first = chunks.first else {
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive { let channel = context.channel; done.whenComplete { _ in channel.close(promise: nil) } }
            return
        }
        let rest = chunks.dropFirst()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(first.delayMs))) {
            let context = loopBound.value
            context.writeAndFlush(handler.value.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: first.bytes)))), promise: nil)
            handler.value.sendChunks(rest, keepAlive: keepAlive, context: context)
        }
    }

    static func split(_ uri: String) -> (String, [String: String]) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query[String(kv[0])] = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            }
        }
        return (String(parts[0]), query)
    }
}
