import MailCanaryCore
import MailWire
import NIOCore
import Testing

@Suite struct SASLAndRedactionTests {
    @Test func base64MatchesRFC4648Vectors() {
        // RFC 4648 §10 test vectors.
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(SASL.base64(plain) == encoded)
            #expect(SASL.decodeBase64(encoded) == Array(plain.utf8))
        }
    }

    @Test func plainAndXOAUTH2HaveTheirWireShapes() {
        #expect(SASL.decodeBase64(SASL.plain(user: "alice", password: Secret("pw"))) == Array("\u{0}alice\u{0}pw".utf8))
        #expect(SASL.decodeBase64(SASL.xoauth2(user: "a@b", token: Secret("tok"))) == Array("user=a@b\u{1}auth=Bearer tok\u{1}\u{1}".utf8))
    }

    @Test func commandsCarryingSecretsAreRedactedInTheTranscript() throws {
        let password = Secret("s3cr3t-\"pw\"")
        let commands: [OutboundCommand] = [
            try #require(IMAPCommand.login(tag: "a1", user: "alice", password: password)),
            IMAPCommand.authenticate(tag: "a2", mechanism: "PLAIN", initialResponse: SASL.plain(user: "alice", password: password)),
            try #require(POP3Command.pass(password)),
            SMTPCommand.auth(mechanism: "PLAIN", initialResponse: SASL.plain(user: "alice", password: password)),
            SMTPCommand.saslResponse(SASL.base64(password.exposedForWire)),
        ]
        for command in commands {
            #expect(!command.transcript.contains("s3cr3t"))
            #expect(!command.transcript.contains(SASL.plain(user: "alice", password: password)))
            #expect(command.transcript.contains("<redacted>"))
        }
        #expect(commands[0].wire == "a1 LOGIN \"alice\" \"s3cr3t-\\\"pw\\\"\"\r\n")
    }

    @Test func refusesLineBreaksInCredentials() {
        #expect(IMAPCommand.login(tag: "a1", user: "alice", password: Secret("a\r\nb")) == nil)
        #expect(POP3Command.user("bob\r\nDELE 1") == nil)
        #expect(SMTPCommand.mailFrom("a@b>\r\nRCPT TO:<x") == nil)
    }

    @Test func httpTranscriptHidesAuthorization() {
        let request = HTTPRequest(method: "GET", target: "/", host: "h", headers: [HTTPField("Authorization", secret: Secret("Bearer abc"))])
        #expect(request.transcriptLines.joined().contains("abc") == false)
        #expect(String(decoding: request.wire, as: UTF8.self).contains("Authorization: Bearer abc"))
    }
}
