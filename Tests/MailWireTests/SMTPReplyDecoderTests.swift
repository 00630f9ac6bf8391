import MailWire
import NIOCore
import Testing

@Suite struct SMTPReplyDecoderTests {
    // Captured from Postfix 3.7 (the lab) after STARTTLS.
    static let postfixEHLO = "250-mail.lab.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n250 CHUNKING\r\n535 5.7.8 Error: authentication failed: (reason unavailable)\r\n"

    @Test func foldsContinuationLinesHoweverTheBytesAreSplit() throws {
        for chunks in feedings(Self.postfixEHLO) {
            var decoder = SMTPReplyDecoder()
            let replies = try collect(chunks) { try decoder.decode(&$0) }
            #expect(replies.count == 2)
            #expect(replies[0].code == 250)
            #expect(replies[0].lines == ["mail.lab.test", "PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN", "CHUNKING"])
            #expect(replies[0].ehloKeywords["AUTH"] == "PLAIN LOGIN")
            #expect(replies[1].code == 535)
        }
    }

    @Test func acceptsABareCode() throws {
        var decoder = SMTPReplyDecoder()
        var buffer = ByteBuffer(string: "250\r\n")
        #expect(try decoder.decode(&buffer) == SMTPReply(code: 250, lines: [""]))
    }

    @Test(arguments: ["250-a\r\n251 b\r\n", "hello\r\n", "2500 x\r\n", "099 x\r\n", "25\r\n"])
    func rejectsMalformedReplies(text: String) {
        var decoder = SMTPReplyDecoder()
        var buffer = ByteBuffer(string: text)
        #expect(throws: SMTPReplyDecoder.Error.self) { while try decoder.decode(&buffer) != nil {} }
    }

    @Test func boundsAnEndlessMultilineReply() {
        var decoder = SMTPReplyDecoder(maxLines: 10)
        var buffer = ByteBuffer(string: String(repeating: "220-spam\r\n", count: 50))
        #expect(throws: SMTPReplyDecoder.Error.tooManyLines(limit: 10)) { _ = try decoder.decode(&buffer) }
    }

    @Test func dotStuffsTheBody() {
        #expect(SMTPCommand.dataBody("a\n.b\n.") == "a\r\n..b\r\n..\r\n.\r\n")
    }
}
