import NIOConcurrencyHelpers
import NIOCore
import NIOTLS

/// The one handler at the end of a probe's pipeline: it keeps inbound bytes until the probe
/// asks for them, bounded by `maxBufferedBytes`, and reports close, errors, the TLS handshake
/// and the probe's deadline.
///
/// Its state is behind a lock so that the probe task takes bytes that already arrived without a
/// hop to the event loop, and a waiting probe is resumed straight from `channelRead`: one thread
/// handoff per server answer, which is most of a probe's CPU after the TLS handshake.
final class InboundCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    enum Event: Sendable {
        case data(ByteBuffer)
        case closed
        case overflow
        case failed(any Error)
        case timedOut
    }

    private struct State {
        var buffer = ByteBuffer()
        var closed = false
        var overflowed = false
        var timedOut = false
        var error: (any Error)?
        var waiter: CheckedContinuation<Event, Never>?
        var handshakeWaiter: CheckedContinuation<Event, Never>?
        var handshakeDone = false

        /// What a reader gets now, if anything: bytes first, then why there are none.
        mutating func immediateEvent() -> Event? {
            if overflowed { return .overflow }
            if buffer.readableBytes > 0 {
                let data = buffer
                buffer = ByteBuffer()
                return .data(data)
            }
            if let error { return .failed(error) }
            if closed { return .closed }
            if timedOut { return .timedOut }
            return nil
        }

        mutating func handshakeEvent() -> Event? {
            if handshakeDone { return .data(ByteBuffer()) }
            if let error { return .failed(error) }
            if closed { return .closed }
            if timedOut { return .timedOut }
            return nil
        }

        /// The waiters that can be resumed now, with their events; clears them.
        mutating func wakeable() -> [(CheckedContinuation<Event, Never>, Event)] {
            var out: [(CheckedContinuation<Event, Never>, Event)] = []
            if let waiter, let event = immediateEvent() {
                out.append((waiter, event))
                self.waiter = nil
            }
            if let handshakeWaiter, let event = handshakeEvent() {
                out.append((handshakeWaiter, event))
                self.handshakeWaiter = nil
            }
            return out
        }
    }

    private let state = NIOLockedValueBox(State())
    private let maxBufferedBytes: Int

    init(maxBufferedBytes: Int) {
        self.maxBufferedBytes = maxBufferedBytes
    }

    private func update(_ change: (inout State) -> Void) {
        let wake = state.withLockedValue { state in
            change(&state)
            return state.wakeable()
        }
        for (continuation, event) in wake { continuation.resume(returning: event) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        var overflow = false
        update { state in
            guard !state.overflowed else { return }
            if state.buffer.readableBytes + incoming.readableBytes > maxBufferedBytes {
                state.overflowed = true
                overflow = true
            } else {
                state.buffer.writeBuffer(&incoming)
            }
        }
        if overflow { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        update { $0.closed = true }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        update { state in
            if state.error == nil { state.error = error }
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            update { $0.handshakeDone = true }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Called by the connection's single deadline timer.
    func deadlineReached() {
        update { $0.timedOut = true }
    }

    /// Bytes already received and not yet taken (the STARTTLS injection check reads this).
    var unreadBytes: Int { state.withLockedValue { $0.buffer.readableBytes } }

    /// The next bytes, or why there are none; returns at the latest when the deadline fires.
    func next() async -> Event {
        await wait(for: \.waiter) { $0.immediateEvent() }
    }

    /// Returns when the TLS handshake is done, failed, or the deadline fired.
    func handshakeCompleted() async -> Event {
        await wait(for: \.handshakeWaiter) { $0.handshakeEvent() }
    }

    /// Returns `ready`'s event at once if there is one, else parks in `slot` until `update` wakes it.
    private func wait(
        for slot: WritableKeyPath<State, CheckedContinuation<Event, Never>?>,
        ready: @escaping (inout State) -> Event?
    ) async -> Event {
        await withCheckedContinuation { continuation in
            let immediate: Event? = state.withLockedValue { state in
                if let event = ready(&state) { return event }
                state[keyPath: slot] = continuation
                return nil
            }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }
}
