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
