import MailWire
import NIOCore
import Testing

@Suite struct POP3ReplyTests {
    @Test func parsesStatusAndExtendedCodes() {
        #expect(POP3Reply.parse("+OK Dovecot (Debian) ready.")?.status == .ok)
        let auth = POP3Reply.parse("-ERR [AUTH] Authentication failed.")
        #expect(auth?.status == .err)
        #expect(auth?.code == "AUTH")
        #expect(auth?.text == "Authentication failed.")
        #expect(POP3Reply.parse("-ERR [SYS/TEMP] try later")?.code == "SYS/TEMP")
        #expect(POP3Reply.parse("+ ")?.status == .continuation)
        #expect(POP3Reply.parse("+OKAY") == nil)
        #expect(POP3Reply.parse("* OK IMAP") == nil)
    }

    @Test func readsAMultilineListWithDotUnstuffing() throws {
        for chunks in feedings("SASL PLAIN LOGIN\r\n..dotted\r\nUSER\r\n.\r\n") {
            var reader = POP3MultilineReader()
            var done = false
            var pending = ByteBuffer()
            for var chunk in chunks {
                pending.writeBuffer(&chunk)
                if try reader.read(&pending) { done = true }
            }
            #expect(done)
            #expect(reader.lines == ["SASL PLAIN LOGIN", ".dotted", "USER"])
        }
    }
}
