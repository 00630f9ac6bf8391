import Foundation
import MailProbing
import NIOCore
import NIOPosix
import NIOSSL

/// A TCP (optionally TLS) server on 127.0.0.1 (a random port unless one is given) whose every connection runs a
/// script: the hostile servers of the tests (silent, dripping, endless banner, garbage, huge
/// literal, closing mid-dialogue, PREAUTH, STARTTLS injection) and small fake protocol peers.
public final class ScriptedServer: Sendable {
    public let port: Int
    private let channel: any Channel
    private let connections: ChannelSet
    private let ownedGroup: MultiThreadedEventLoopGroup?

    private init(port: Int, channel: any Channel, connections: ChannelSet, ownedGroup: MultiThreadedEventLoopGroup?) {
        self.ownedGroup = ownedGroup
        self.port = port
        self.channel = channel
        self.connections = connections
    }

    /// Starts the server. `script` runs once per accepted connection.
    public static func start(
        tls: TestCertificates.Identity? = nil,
        port: Int = 0,
        group: (any EventLoopGroup)? = nil,
        script: @escaping @Sendable (ScriptedConnection) async throws -> Void
    ) async throws -> ScriptedServer {
        // By default each server has an event loop of its own, apart from the probes' loops and
        // from other servers: a script that floods (a 1 GiB literal) shares a thread with no one.
        let owned = group == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let group = group ?? owned!
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0.tlsConfiguration()) }
        let connections = ChannelSet()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    connections.insert(child)
                    let connection = ScriptedConnection(channel: child)
                    try child.pipeline.syncOperations.addHandler(connection.handler)
                    // The script runs on the connection's event loop, not on the cooperative
                    // pool: a test elsewhere that blocks pool threads cannot starve a hostile server.
                    Task(executorPreference: EventLoopTaskExecutor(child.eventLoop)) {
                        try? await script(connection)
                        try? await child.close()
                    }
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        return ScriptedServer(port: channel.localAddress?.port ?? 0, channel: channel, connections: connections, ownedGroup: owned)
    }

    /// Stops listening and closes every accepted connection, as a server that goes down would
    /// (a client's keep-alive connection must not outlive the server).
    public func stop() async {
        try? await channel.close()
        for child in connections.all { try? await child.close() }
        try? await ownedGroup?.shutdownGracefully()
    }
}

/// One accepted connection, driven by a script: send text, read lines, wait, close.
public final class ScriptedConnection: Sendable {
    let channel: any Channel
    let handler: LineCollector

    init(channel: any Channel) {
        self.channel = channel
        self.handler = LineCollector()
    }

    /// Sends text as is (include `\r\n` yourself).
    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) async throws {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        try await channel.writeAndFlush(buffer).get()
    }

    /// The next line from the client without its line end; nil once the client closed.
    public func readLine() async throws -> String? {
        try await channel.eventLoop.flatSubmit { self.handler.nextLine(on: self.channel.eventLoop) }.get()
    }

    /// Exactly `count` bytes from the client (an HTTP body); nil once the client closed first.
    public func read(count: Int) async throws -> [UInt8]? {
        try await channel.eventLoop.flatSubmit { self.handler.nextBytes(count, on: self.channel.eventLoop) }.get()
    }

    /// Waits until the client closes the connection.
    public func waitForClose() async {
        try? await channel.closeFuture.get()
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Splits inbound bytes into lines for ``ScriptedConnection``; event-loop confined.
final class LineCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private var buffer = ByteBuffer()
    private var closed = false
    private var waiter: EventLoopPromise<String?>?
    private var byteWaiter: (count: Int, promise: EventLoopPromise<[UInt8]?>)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        deliver()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        deliver()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closed = true
        deliver()
        context.close(promise: nil)
    }

    func nextLine(on eventLoop: any EventLoop) -> EventLoopFuture<String?> {
        let promise = eventLoop.makePromise(of: String?.self)
        waiter = promise
        deliver()
        return promise.futureResult
    }

    func nextBytes(_ count: Int, on eventLoop: any EventLoop) -> EventLoopFuture<[UInt8]?> {
        let promise = eventLoop.makePromise(of: [UInt8]?.self)
        byteWaiter = (count, promise)
        deliver()
        return promise.futureResult
    }

    private func deliver() {
        if let byteWaiter {
            if buffer.readableBytes >= byteWaiter.count {
                self.byteWaiter = nil
                byteWaiter.promise.succeed(buffer.readBytes(length: byteWaiter.count))
            } else if closed {
                self.byteWaiter = nil
                byteWaiter.promise.succeed(nil)
            }
            return
        }
        guard let waiter else { return }
        if let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            var line = buffer.readString(length: length) ?? ""
            buffer.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            self.waiter = nil
            waiter.succeed(line)
        } else if closed {
            self.waiter = nil
            waiter.succeed(nil)
        }
    }
}

/// The accepted connections of a server, for closing them on stop.
final class ChannelSet: @unchecked Sendable {
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: any Channel] = [:]

    func insert(_ channel: any Channel) {
        lock.withLock { channels[ObjectIdentifier(channel)] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.lock.withLock { _ = self?.channels.removeValue(forKey: ObjectIdentifier(channel)) }
        }
    }

    var all: [any Channel] { lock.withLock { Array(channels.values) } }
}
