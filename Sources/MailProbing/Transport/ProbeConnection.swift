#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MailCanaryCore
import MailWire
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection of one probe: `resolve` and `connect` steps on open, an optional `tls`
/// step (implicit or after STARTTLS), then bounded reads and writes under the probe's deadline.
///
/// Used by a single probe task. Every wait ends at `context.deadline`; inbound bytes are held
/// by ``InboundCollector`` up to ``ProbeLimits/maxBufferedBytes``.
public final class ProbeConnection {
    let channel: any Channel
    let collector: InboundCollector
    let context: ProbeContext
    let recorder: ProbeRecorder
    public let host: String
    /// Bytes received and not yet consumed by a parser.
    var pending: ByteBuffer

    private init(channel: any Channel, collector: InboundCollector, context: ProbeContext, recorder: ProbeRecorder, host: String) {
        self.channel = channel
        self.collector = collector
        self.context = context
        self.recorder = recorder
        self.host = host
        self.pending = channel.allocator.buffer(capacity: 0)
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Whether the connection can still carry a request.
    public var isOpen: Bool { channel.isActive }

    /// Resolves `host`, connects to one of its addresses, and records both steps.
    public static func open(
        host: String,
        port: Int,
        context: ProbeContext,
        recorder: ProbeRecorder
    ) async throws(ProbeFailure) -> ProbeConnection {
        let answer = try await recorder.step(.resolve) { () async throws(ProbeFailure) in
            let answer = try await Resolver.resolve(host: host, port: port, context: context)
            let all = answer.addresses.compactMap(\.ipAddress)
            var detail = "\(host) → \(all.joined(separator: ", "))"
            if !answer.cnames.isEmpty { detail += " (via \(answer.cnames.joined(separator: ", ")))" }
            if let ttl = answer.ttl, let server = answer.server { detail += ", TTL \(ttl) s from \(server)" }
            detail += "; using \(answer.chosen.ipAddress ?? "?")"
            return (answer, detail)
        }
        recorder.facts["address"] = answer.chosen.ipAddress
        if let server = answer.server { recorder.facts["dnsServer"] = server }
        if let ttl = answer.ttl { recorder.facts["dnsTTL"] = String(ttl) }
        return try await recorder.step(.connect) { () async throws(ProbeFailure) in
            let connection = try await connect(to: answer.chosen, host: host, context: context, recorder: recorder)
            return (connection, "connected to \(answer.chosen.ipAddress ?? "?"):\(port)")
        }
    }

    static func connect(to address: SocketAddress, host: String, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) -> ProbeConnection {
        let remaining = context.deadline - .now()
        guard remaining > .zero else { throw context.timeout(.connect, "connecting") }
        let collector = InboundCollector(maxBufferedBytes: context.settings.limits.maxBufferedBytes)
        let bootstrap = ClientBootstrap(group: context.eventLoopGroup)
            .connectTimeout(remaining)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(collector)
                }
            }
        do {
            let channel = try await bootstrap.connect(to: address).get()
            // One timer for the whole exchange: when it fires, every wait of this connection ends.
            let timer = channel.eventLoop.scheduleTask(deadline: context.deadline) { collector.deadlineReached() }
            channel.closeFuture.whenComplete { _ in timer.cancel() }
            return ProbeConnection(channel: channel, collector: collector, context: context, recorder: recorder, host: host)
        } catch {
            throw classifyConnectError(error, address: address)
        }
    }

    static func classifyConnectError(_ error: any Error, address: SocketAddress) -> ProbeFailure {
        let where_ = "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return ProbeFailure(.timeout, reason: .connectTimeout, step: .connect, message: "no TCP answer from \(where_) within the deadline")
        }
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case ECONNREFUSED:
                return ProbeFailure(.network, reason: .connectionRefused, step: .connect, message: "connection refused by \(where_)")
            case ECONNRESET:
                return ProbeFailure(.network, reason: .connectionReset, step: .connect, message: "connection reset by \(where_)")
            case ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL:
                return ProbeFailure(.network, reason: .unreachable, step: .connect, message: "\(where_) is unreachable")
            case ETIMEDOUT:
                return ProbeFailure(.timeout, reason: .connectTimeout, step: .connect, message: "TCP connect to \(where_) timed out")
            default:
                return ProbeFailure(.network, reason: .unreachable, step: .connect, message: "cannot connect to \(where_): \(ioError.description)")
            }
        }
        return ProbeFailure(.network, reason: .unreachable, step: .connect, message: "cannot connect to \(where_): \(error)")
    }

    // MARK: TLS

    /// Performs the TLS handshake now (implicit TLS, or after a STARTTLS reply) and judges the
    /// certificate. Refuses to start when the server already sent bytes that belong after the
    /// handshake: those would be a response injected in plaintext (RFC 3207 §4, RFC 2595 §3.1).
    public func startTLS(step: StepName = .tls) async throws(ProbeFailure) {
        let context = self.context
        let host = self.host
        try await recorder.step(step) { () async throws(ProbeFailure) in
            if pending.readableBytes > 0 {
                throw ProbeFailure(.protocol, reason: .injectionDetected, step: step,
                                   message: "the server sent \(pending.readableBytes) bytes before the TLS handshake; refusing (possible STARTTLS injection)")
            }
            let chainBox = ChainBox()
            let sniffer = ServerHelloSniffer()
            let eventLoop = channel.eventLoop
            let collector = self.collector
            let channel = self.channel
            let sslContext = ProbeTLS.sharedContext
            let sni: String? = TrustEvaluator.ipBytes(host) != nil || host.isEmpty ? nil : host
            let event: InboundCollector.Event
            do {
                let setup = try await eventLoop.submit { () -> InboundCollector.Event? in
                    // Checked on the event loop, in the same turn as the TLS handler goes in, so no
                    // plaintext byte can slip between the check and the handshake.
                    if collector.unreadBytes > 0 {
                        return .failed(InjectionDetected(bytes: collector.unreadBytes))
                    }
                    do {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: sni) { chain, promise in
                            chainBox.chain = chain
                            promise.succeed(.certificateVerified)
                        }
                        try channel.pipeline.syncOperations.addHandler(handler, position: .first)
                        try channel.pipeline.syncOperations.addHandler(sniffer, position: .first)
                    } catch {
                        return .failed(error)
                    }
                    return nil
                }.get()
                if let setup {
                    event = setup
                } else {
                    event = await collector.handshakeCompleted()
                }
            } catch {
                throw ProbeFailure(.tls, reason: .handshakeFailed, step: step, message: "TLS setup failed: \(error)")
            }
            switch event {
            case .data:
                break
            case .timedOut:
                throw context.timeout(step, "waiting for the TLS handshake")
            case .closed, .overflow:
                throw ProbeFailure(.tls, reason: .handshakeFailed, step: step, message: "the server closed the connection during the TLS handshake")
            case .failed(let error):
                if let injected = error as? InjectionDetected {
                    throw ProbeFailure(.protocol, reason: .injectionDetected, step: step,
                                       message: "the server sent \(injected.bytes) bytes before the TLS handshake; refusing (possible STARTTLS injection)")
                }
                throw ProbeFailure(.tls, reason: .handshakeFailed, step: step, message: "TLS handshake failed: \(Self.describeTLSError(error))")
            }
            let version = try? await channel.pipeline.handler(type: NIOSSLClientHandler.self).map { $0.tlsVersion }.get()
            let (report, problem) = await context.trust.evaluate(presented: chainBox.chain, host: host, now: context.startedAt)
            var full = report
            full.version = version.flatMap { $0 }.map(Self.describe)
            full.cipher = try? await eventLoop.submit { sniffer.cipherSuite.map(TLSServerHello.name) }.get()
            recorder.tls = full
            let summary = [full.version, full.cipher, full.subject.map { "subject \($0)" }, full.daysLeft.map { "\($0) days left" }]
                .compactMap { $0 }.joined(separator: ", ")
            if let problem {
                if context.settings.tls.insecure {
                    recorder.facts["tlsWarning"] = full.verificationError
                    return ((), summary + "; accepted despite: " + (full.verificationError ?? "\(problem)"))
                }
                throw ProbeFailure(.tls, reason: problem, step: step, message: full.verificationError ?? "certificate rejected")
            }
            return ((), summary + (full.chainTrusted ? ", chain trusted" : ""))
        }
    }

    struct InjectionDetected: Error { var bytes: Int }

    final class ChainBox: @unchecked Sendable {
        // Written once on the event loop during the handshake, read after it completed.
        var chain: [NIOSSLCertificate] = []
    }

    static func describe(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: return "TLSv1.0"
        case .tlsv11: return "TLSv1.1"
        case .tlsv12: return "TLSv1.2"
        case .tlsv13: return "TLSv1.3"
        }
    }

    static func describeTLSError(_ error: any Error) -> String {
        if let ssl = error as? NIOSSLError {
            switch ssl {
            case .handshakeFailed(let inner): return "handshake failed (\(inner))"
            case .uncleanShutdown: return "the server closed the connection without a TLS close_notify"
            default: return "\(ssl)"
            }
        }
        return "\(error)"
    }

    // MARK: I/O

    /// Sends a command; the transcript gets its redacted form.
    public func send(_ command: OutboundCommand) {
        recorder.transcript.client(command.transcript)
        write(Array(command.wire.utf8))
    }

    /// Sends raw bytes without a transcript line (the caller writes one).
    ///
    /// Not awaited: a failed write closes the channel, and the next read reports it with the step
    /// it belongs to. Waiting for each write would cost a thread handoff per command.
    public func write(_ bytes: [UInt8]) {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Reads until `parse` produces a value, feeding it every byte that arrives; bounded by the
    /// deadline and the buffer bound. The parser's own errors become `protocol` failures.
    public func read<T>(
        step: StepName,
        waitingFor what: String,
        _ parse: (inout ByteBuffer) throws(ProbeFailure) -> T?
    ) async throws(ProbeFailure) -> T {
        while true {
            if pending.readableBytes > 0, let value = try parse(&pending) {
                if pending.readableBytes == 0 { pending.clear() }
                return value
            }
            switch await collector.next() {
            case .data(var bytes):
                pending.writeBuffer(&bytes)
                if pending.readableBytes > context.settings.limits.maxBufferedBytes {
                    throw ProbeFailure(.protocol, reason: .responseTooLarge, step: step,
                                       message: "the server sent more than \(context.settings.limits.maxBufferedBytes) bytes while \(what)")
                }
            case .timedOut:
                throw context.timeout(step, what)
            case .overflow:
                throw ProbeFailure(.protocol, reason: .responseTooLarge, step: step,
                                   message: "the server sent more than \(context.settings.limits.maxBufferedBytes) bytes without waiting for us, while \(what)")
            case .closed:
                throw ProbeFailure(.network, reason: .closedByPeer, step: step, message: "the server closed the connection while \(what)")
            case .failed(let error):
                if error is NIOSSLError {
                    throw ProbeFailure(.tls, reason: .handshakeFailed, step: step, message: "TLS failed while \(what): \(Self.describeTLSError(error))")
                }
                if let ioError = error as? IOError, ioError.errnoCode == ECONNRESET {
                    throw ProbeFailure(.network, reason: .connectionReset, step: step, message: "the server reset the connection while \(what)")
                }
                throw ProbeFailure(.network, reason: .closedByPeer, step: step, message: "connection failed while \(what): \(error)")
            }
        }
    }

    /// Reads what is left until the peer closes (HTTP bodies without length), or until `consume`
    /// returns false (enough kept); the deadline ends it with a `timeout` failure.
    public func readUntilClose(step: StepName, _ consume: (inout ByteBuffer) -> Bool) async throws(ProbeFailure) {
        while true {
            if pending.readableBytes > 0 {
                if consume(&pending) == false { return }
                pending.clear()
            }
            switch await collector.next() {
            case .data(var bytes): pending.writeBuffer(&bytes)
            case .closed: return
            case .failed(let error):
                // Servers often end close-delimited bodies without close_notify; the body is complete.
                if let ssl = error as? NIOSSLError, case .uncleanShutdown = ssl { return }
                throw ProbeFailure(.network, reason: .closedByPeer, step: step, message: "connection failed while reading the body: \(error)")
            case .timedOut: throw context.timeout(step, "reading the body")
            case .overflow: return
            }
        }
    }

    public func close() {
        channel.close(promise: nil)
    }
}

/// The TLS client context shared by all probes: it accepts any chain during the handshake (the
/// ``TrustEvaluator`` judges it afterwards, before credentials are sent) and offers TLS 1.0–1.3
/// so that old servers can be seen and reported. Sessions are never resumed: each probe makes a
/// full handshake. Key-exchange groups: X25519, P-256, P-384.
enum ProbeTLS {
    static let sharedContext: NIOSSLContext = {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv1
        configuration.certificateVerification = .noHostnameVerification
        configuration.trustRoots = .certificates([])
        // The groups every mail server supports, as Go's and most clients' defaults. NIOSSL would
        // put the post-quantum hybrid X25519MLKEM768 first, whose key share costs more CPU than the
        // rest of a probe's handshake and which no mail server requires.
        configuration.curves = [.x25519, .secp256r1, .secp384r1]
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            preconditionFailure("a client TLS context with default settings must build: \(error)")
        }
    }()
}
