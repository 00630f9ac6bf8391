import MailCanaryCore
import MailProbing
import NIOCore
import NIOPosix
import Testing

/// SERVFAIL, which the lab's dnsmasq does not produce (it answers REFUSED or stays silent): a
/// UDP responder of our own answers every query with rcode 2.
@Suite struct DNSServerFailureTests {
    /// Echoes the header and question with QR and RA set and rcode SERVFAIL (RFC 1035 §4.1.1).
    final class ServerFailureResponder: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            var buffer = envelope.data
            guard let query = buffer.readBytes(length: buffer.readableBytes), query.count > 12 else { return }
            var end = 12
            while end < query.count, query[end] != 0 { end += Int(query[end]) + 1 }
            guard end + 5 <= query.count else { return }
            var reply = Array(query[..<(end + 5)])
            reply[2] = 0x80 | (query[2] & 0x01)  // QR, opcode QUERY, RD as asked
            reply[3] = 0x80 | 0x02               // RA, rcode SERVFAIL
            for index in 6..<12 { reply[index] = 0 }  // no answer, authority or additional records
            let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: reply))
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        }
    }

    @Test func serverFailureIsAResolverFailureNotANameError() async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ServerFailureResponder()) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        defer { channel.close(promise: nil) }
        let port = try #require(channel.localAddress?.port)

        let response = await DNSClient.query("mail.example.test", type: .mx, server: DNSServer(address: "127.0.0.1", port: port), deadline: .now() + .seconds(10))
        #expect(response.status == .serverFailure)
        #expect(response.server == "127.0.0.1:\(port)")

        let result = try await probe("dns://example.test?type=MX&server=127.0.0.1:\(port)", timeout: .seconds(10))
        #expect(result.failureClass == .dns)
        #expect(result.failureReason == .resolverFailure)
        #expect(result.facts["rcode"] == "SERVFAIL")
        #expect(result.cause == .networkIntermediary)

        let resolve = try await probe("imaps://mail.example.test", timeout: .seconds(10)) { $0.dnsServer = DNSServer(address: "127.0.0.1", port: port) }
        #expect(resolve.failedStep == .resolve)
        #expect(resolve.failureReason == .resolverFailure)
        #expect(resolve.serverReply == "SERVFAIL")
    }
}
