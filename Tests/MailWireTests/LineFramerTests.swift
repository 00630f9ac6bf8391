import MailWire
import NIOCore
import Testing

@Suite struct LineFramerTests {
    @Test func framesCRLFAndBareLF() {
        let framer = LineFramer(maxLineLength: 16)
        var buffer = ByteBuffer(string: "one\r\ntwo\nthr")
        #expect(framer.nextLine(&buffer) == .line("one"))
        #expect(framer.nextLine(&buffer) == .line("two"))
        #expect(framer.nextLine(&buffer) == .needMoreData)
        buffer.writeString("ee\r\n")
        #expect(framer.nextLine(&buffer) == .line("three"))
    }

    @Test func saysTooLongWithoutWaitingForTheLineEnd() {
        let framer = LineFramer(maxLineLength: 8)
        var buffer = ByteBuffer(string: "123456789")
        #expect(framer.nextLine(&buffer) == .lineTooLong)
        var exact = ByteBuffer(string: "12345678\r\n")
        #expect(framer.nextLine(&exact) == .line("12345678"))
    }

    @Test func keepsInvalidUTF8AsData() {
        let framer = LineFramer()
        var buffer = ByteBuffer(bytes: [0xFF, 0xFE, 0x41, 0x0D, 0x0A])
        #expect(framer.nextLine(&buffer) == .line("\u{FFFD}\u{FFFD}A"))
    }
}

@Suite struct TLSServerHelloTests {
    @Test func readsTheCipherSuiteFromAServerHello() {
        // Record header, ServerHello header, legacy version, 32-byte random, 32-byte session id, suite 0x1302.
        var bytes: [UInt8] = [22, 3, 3, 0, 122, 2, 0, 0, 118, 3, 3] + [UInt8](repeating: 7, count: 32) + [32] + [UInt8](repeating: 9, count: 32) + [0x13, 0x02, 0]
        for cut in [5, 20, bytes.count - 2] {
            #expect(TLSServerHello.parse(ByteBuffer(bytes: bytes.prefix(cut))) == .needMoreData)
        }
        #expect(TLSServerHello.parse(ByteBuffer(bytes: bytes)) == .cipherSuite(0x1302))
        #expect(TLSServerHello.name(of: 0x1302) == "TLS_AES_256_GCM_SHA384")
        bytes[0] = 21
        #expect(TLSServerHello.parse(ByteBuffer(bytes: bytes)) == .notServerHello)
        #expect(TLSServerHello.parse(ByteBuffer(string: "* OK plaintext\r\n")) == .notServerHello)
    }
}
