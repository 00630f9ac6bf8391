import MailWire
import NIOCore
import Testing

@Suite struct IMAPResponseParserTests {
    // Captured from Dovecot 2.3 (the lab) and shaped like Exchange Online's greeting.
    static let dovecotSession = """
    * OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.\r
    * CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r
    a1 OK Pre-login capabilities listed, post-login capabilities have more.\r
    * 2 EXISTS\r
    * FLAGS (\\Answered \\Seen)\r
    + eyJzdGF0dXMiOiI0MDEifQ==\r
    a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r

    """

    @Test func parsesADovecotSessionHoweverTheBytesAreSplit() throws {
        for chunks in feedings(Self.dovecotSession) {
            var parser = IMAPResponseParser()
            let responses = try collect(chunks) { try parser.parse(&$0) }
            #expect(responses.count == 7)
            #expect(responses[0] == .untagged(.status(IMAPStatus(kind: .ok, code: "CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN", text: "Dovecot (Debian) ready."))))
            #expect(responses[1] == .untagged(.capability(["IMAP4rev1", "SASL-IR", "AUTH=PLAIN"])))
            #expect(responses[3] == .untagged(.exists(2)))
            #expect(responses[5] == .continuation("eyJzdGF0dXMiOiI0MDEifQ=="))
            guard case .tagged("a2", let status) = responses[6] else { Issue.record("not tagged: \(responses[6])"); return }
            #expect(status.kind == .no)
            #expect(status.codeAtom == "AUTHENTICATIONFAILED")
        }
    }

    @Test func skipsLiteralsAndKeepsParsingTheResponse() throws {
        let text = "* 1 FETCH (BODY[] {11}\r\nhello\r\nworld)\r\na1 OK done\r\n"
        for chunks in feedings(text) {
            var parser = IMAPResponseParser()
            let responses = try collect(chunks) { try parser.parse(&$0) }
            #expect(responses.count == 2)
            #expect(responses.last == .tagged(tag: "a1", IMAPStatus(kind: .ok, code: nil, text: "done")))
        }
    }

    @Test func refusesAHugeLiteralBeforeItArrives() {
        var parser = IMAPResponseParser(maxLiteralSize: 65_536)
        var buffer = ByteBuffer(string: "* 1 FETCH (BODY[] {1073741824}\r\nxxxx")
        #expect(throws: IMAPResponseParser.Error.literalTooLarge(size: 1_073_741_824, limit: 65_536)) {
            _ = try parser.parse(&buffer)
        }
    }

    @Test func refusesAnEndlessLine() {
        var parser = IMAPResponseParser(maxLineLength: 100)
        var buffer = ByteBuffer(string: "* OK " + String(repeating: "A", count: 200))
        #expect(throws: IMAPResponseParser.Error.lineTooLong(limit: 100)) { _ = try parser.parse(&buffer) }
    }

    @Test(arguments: ["HTTP/1.1 400 Bad Request", "SSH-2.0-OpenSSH_9.2", "220 mail.example.com ESMTP", "a1 MAYBE ok", "\u{1}\u{2}\u{3} x"])
    func rejectsWhatIsNotIMAP(line: String) {
        var parser = IMAPResponseParser()
        var buffer = ByteBuffer(string: line + "\r\n")
        #expect(throws: IMAPResponseParser.Error.self) { _ = try parser.parse(&buffer) }
    }

    @Test func readsByeAndPreauth() throws {
        var parser = IMAPResponseParser()
        var buffer = ByteBuffer(string: "* PREAUTH ready\r\n* BYE [UNAVAILABLE] shutting down\r\n")
        #expect(try parser.parse(&buffer) == .untagged(.status(IMAPStatus(kind: .preauth, code: nil, text: "ready"))))
        #expect(try parser.parse(&buffer) == .untagged(.status(IMAPStatus(kind: .bye, code: "UNAVAILABLE", text: "shutting down"))))
    }
}
