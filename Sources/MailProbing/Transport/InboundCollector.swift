import NIOCore
import NIOTLS

/// The one handler at the end of a probe's pipeline: it keeps inbound bytes until the probe
/// asks for them, bounded by `maxBufferedBytes`, and reports close, errors and the TLS handshake.
///
/// All state is touched on the channel's event loop only (hence `@unchecked Sendable`); the
/// probe reaches it through `eventLoop.flatSubmit`.
final class InboundCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    enum Event: Sendable {
        case data(ByteBuffer)
        case closed
        case overflow
        case failed(any Error)
        case timedOut
    }

    private var buffer: ByteBuffer
    private let maxBufferedBytes: Int
    private var closed = false
    private var overflowed = false
    private var error: (any Error)?
    private var waiter: (promise: EventLoopPromise<Event>, timeout: Scheduled<Void>)?
    private var handshake: (promise: EventLoopPromise<Event>, timeout: Scheduled<Void>)?
    private var handshakeDone = false

    init(maxBufferedBytes: Int) {
        self.buffer = ByteBufferAllocator().buffer(capacity: 0)
        self.maxBufferedBytes = maxBufferedBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        guard !overflowed else { return }
        if buffer.readableBytes + incoming.readableBytes > maxBufferedBytes {
            overflowed = true
            context.close(promise: nil)
        } else {
            buffer.writeBuffer(&incoming)
        }
        wake()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        wake()
        finishHandshake(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        wake()
        finishHandshake(.failed(error))
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            handshakeDone = true
            finishHandshake(.data(ByteBuffer()))
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Bytes already received and not yet taken (the STARTTLS injection check reads this).
    var unreadBytes: Int { buffer.readableBytes }

    /// The next bytes, or why there are none, no later than `deadline`.
    func next(on eventLoop: any EventLoop, deadline: NIODeadline) -> EventLoopFuture<Event> {
        if let event = immediateEvent() { return eventLoop.makeSucceededFuture(event) }
        let promise = eventLoop.makePromise(of: Event.self)
        let timeout = eventLoop.scheduleTask(deadline: deadline) { [weak self] in
            guard let self, let waiter = self.waiter else { return }
            self.waiter = nil
            waiter.promise.succeed(.timedOut)
        }
        waiter = (promise, timeout)
        return promise.futureResult
    }

    /// Completes when the TLS handshake is done, failed, or the deadline passed.
    func handshakeCompleted(on eventLoop: any EventLoop, deadline: NIODeadline) -> EventLoopFuture<Event> {
        if handshakeDone { return eventLoop.makeSucceededFuture(.data(ByteBuffer())) }
        if let error { return eventLoop.makeSucceededFuture(.failed(error)) }
        if closed { return eventLoop.makeSucceededFuture(.closed) }
        let promise = eventLoop.makePromise(of: Event.self)
        let timeout = eventLoop.scheduleTask(deadline: deadline) { [weak self] in
            guard let self, let handshake = self.handshake else { return }
            self.handshake = nil
            handshake.promise.succeed(.timedOut)
        }
        handshake = (promise, timeout)
        return promise.futureResult
    }

    private func immediateEvent() -> Event? {
        if overflowed { return .overflow }
        if buffer.readableBytes > 0 {
            let data = buffer
            buffer = ByteBufferAllocator().buffer(capacity: 0)
            return .data(data)
        }
        if let error { return .failed(error) }
        if closed { return .closed }
        return nil
    }

    private func wake() {
        guard let waiter, let event = immediateEvent() else { return }
        self.waiter = nil
        waiter.timeout.cancel()
        waiter.promise.succeed(event)
    }

    private func finishHandshake(_ event: Event) {
        guard let handshake else { return }
        self.handshake = nil
        handshake.timeout.cancel()
        handshake.promise.succeed(event)
    }
}
