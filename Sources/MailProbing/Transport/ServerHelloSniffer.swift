import MailWire
import NIOCore

/// Sits in front of the TLS handler and notes the cipher suite of the ServerHello as it passes;
/// every byte goes on unchanged. Keeps at most 16 KiB + 5 (one TLS record) while it looks.
///
/// NIOSSL does not expose the negotiated suite, so the probe reads it off the wire. Event-loop
/// confined.
final class ServerHelloSniffer: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var seen = ByteBuffer()
    private var done = false
    private(set) var cipherSuite: UInt16?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !done {
            var bytes = unwrapInboundIn(data)
            seen.writeBuffer(&bytes)
            switch TLSServerHello.parse(seen) {
            case .cipherSuite(let suite):
                cipherSuite = suite
                finish()
            case .notServerHello:
                finish()
            case .needMoreData:
                if seen.readableBytes > 16_389 { finish() }
            }
        }
        context.fireChannelRead(data)
    }

    private func finish() {
        done = true
        seen = ByteBuffer()
    }
}
