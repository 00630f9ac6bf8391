import Foundation
import MailCanaryCore
@testable import MailCanaryIngest
import Testing

@Suite("Mail-server log readers: Dovecot, Postfix, IIS; minutes; following across rotation")
struct MailLogReaderTests {
    static let reference = UTCTimestamp.parse("2026-11-22T21:00:00Z")!

    func parse(_ parser: inout some MailLogParser, _ line: String) -> LogLineResult {
        parser.parse(Substring(line), referenceMs: Self.reference)
    }

    @Test("Dovecot: logins, authentication failures, server-side failures and TLS errors; the rest ignored or unknown")
    func dovecot() {
        var parser = DovecotLogParser()
        let t = UTCTimestamp.parse("2026-11-22T20:22:12Z")!
        // The lab's own log_path format, then syslog's, then Dovecot 2.4's wording.
        #expect(parse(&parser, "Nov 22 20:22:12 imap-login: Info: Login: user=<alice@lab.test>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=21475, TLS, session=<x>")
                == .event(MailLogEvent(timeMs: t, path: .imap, client: .imapClient, failed: false, user: "alice@lab.test")))
        #expect(parse(&parser, "Nov 22 20:22:12 mail dovecot: pop3-login: Disconnected: Connection closed (auth failed, 1 attempts in 4 secs): user=<bob>, method=PLAIN, rip=10.0.0.9, lip=10.0.0.1, TLS, session=<y>")
                == .event(MailLogEvent(timeMs: t, path: .pop3, client: .imapClient, failed: true, error: "authentication failed", user: "bob")))
        #expect(parse(&parser, "2026-11-22T20:22:12.000000+00:00 mail dovecot[812]: imap-login: Login aborted: Connection closed (auth failed, 3 attempts in 12 secs) (auth_failed): user=<carol>, rip=10.0.0.9")
                == .event(MailLogEvent(timeMs: t, path: .imap, client: .imapClient, failed: true, error: "authentication failed", user: "carol")))
        #expect(parse(&parser, "Nov 22 20:22:12 imap-login: Info: Disconnected: Connection closed (auth service reported temporary failure): user=<alice@lab.test>, method=XOAUTH2, rip=127.0.0.1, lip=127.0.0.1, TLS, session=<z>")
                == .event(MailLogEvent(timeMs: t, path: .imap, client: .imapClient, failed: true, error: "server error: the authentication service failed", user: "alice@lab.test")))
        #expect(parse(&parser, "Nov 22 20:22:12 imap-login: Info: Disconnected: Connection closed (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.1, TLS handshaking: SSL_accept() failed: error:0A000418:SSL routines::tlsv1 alert unknown ca: SSL alert number 48, session=<q>")
                == .event(MailLogEvent(timeMs: t, path: .imap, client: .imapClient, failed: true, error: "TLS handshake failed: SSL_accept() failed: error:0A000418:SSL routines::tlsv1 alert unknown ca: SSL alert number 48")))
        for ignored in ["Nov 22 20:22:12 imap-login: Info: Disconnected: Aborted login by logging out (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.1, TLS, session=<a>",
                        "Nov 22 20:22:12 imap-login: Info: Disconnected: Connection closed (no auth attempts in 0 secs): user=<>, rip=127.0.0.1, lip=127.0.0.1, TLS handshaking: Connection closed, session=<b>",
                        "Nov 22 20:22:12 master: Info: Dovecot v2.3.19.1 (9b53102964) starting up for imap, pop3, lmtp (core dumps disabled)",
                        "Nov 22 20:22:12 lmtp(4242): Info: Connect from local"] {
            #expect(parse(&parser, ignored) == .ignored, "\(ignored)")
        }
        for unknown in ["", "garbage", "Nov 22 20:22:12 sshd[1]: Accepted publickey", "Xyz 22 20:22:12 imap-login: Info: Login: user=<a>"] {
            #expect(parse(&parser, unknown) == .unknown, "\(unknown)")
        }
    }

    @Test("Postfix: authenticated submissions, SASL failures, TLS errors, rejections; inbound is its own path")
    func postfix() {
        var parser = PostfixLogParser()
        let t = UTCTimestamp.parse("2026-11-22T20:22:12Z")!
        #expect(parse(&parser, "Nov 22 20:22:12 mail postfix/smtps/smtpd[25641]: disconnect from localhost[127.0.0.1] ehlo=1 auth=1 mail=1 rset=1 quit=1 commands=5")
                == .event(MailLogEvent(timeMs: t, path: .smtpSubmission, client: .imapClient, failed: false)))
        #expect(parse(&parser, "Nov 22 20:22:12 mail postfix/smtpd[25641]: 4F1A2B3C4D: client=mx.example.org[192.0.2.1]")
                == .event(MailLogEvent(timeMs: t, path: .smtpInbound, client: .smtpClient, failed: false)))
        #expect(parse(&parser, "Nov 22 20:22:12 mail postfix/submission/smtpd[25641]: warning: localhost[127.0.0.1]: SASL PLAIN authentication failed: (reason unavailable), sasl_username=alice@lab.test")
                == .event(MailLogEvent(timeMs: t, path: .smtpSubmission, client: .imapClient, failed: true, error: "authentication failed", user: "alice@lab.test")))
        #expect(parse(&parser, "Nov 22 20:22:12 mail postfix/smtpd[77]: SSL_accept error from unknown[203.0.113.7]: -1")
                == .event(MailLogEvent(timeMs: t, path: .smtpInbound, client: .smtpClient, failed: true, error: "TLS handshake failed: -1")))
        #expect(parse(&parser, "Nov 22 20:22:12 mail postfix/smtpd[77]: NOQUEUE: reject: RCPT from unknown[203.0.113.7]: 554 5.7.1 <x@example.org>: Relay access denied; from=<a@b> to=<x@example.org> proto=ESMTP helo=<h>")
                == .event(MailLogEvent(timeMs: t, path: .smtpInbound, client: .smtpClient, failed: true, error: "rejected: 554 5.7.1 <x@example.org>: Relay access denied")))
        #expect(parse(&parser, "Nov 22 20:22:12 mail postfix/submission/smtpd[9]: warning: SASL authentication failure: cannot connect to saslauthd server: No such file or directory")
                == .event(MailLogEvent(timeMs: t, path: .smtpSubmission, client: .imapClient, failed: true, error: "server error: the SASL authentication service failed")))
        for ignored in ["Nov 22 20:22:12 mail postfix/submission/smtpd[25641]: connect from localhost[127.0.0.1]",
                        "Nov 22 20:22:12 mail postfix/submission/smtpd[25641]: disconnect from localhost[127.0.0.1] ehlo=2 starttls=1 auth=0/1 commands=3/4",
                        "Nov 22 20:22:12 mail postfix/smtps/smtpd[25641]: 4F1A2B3C4D: client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=alice@lab.test",
                        "Nov 22 20:22:12 mail postfix/smtps/smtpd[25641]: SSL_accept error from localhost[127.0.0.1]: lost connection",
                        "Nov 22 20:22:12 mail postfix/qmgr[11]: 4F1A2B3C4D: removed"] {
            #expect(parse(&parser, ignored) == .ignored, "\(ignored)")
        }
        #expect(parse(&parser, "Nov 22 20:22:12 mail dovecot: imap-login: Login: user=<a>") == .unknown)
    }

    @Test("IIS: columns from #Fields, paths by virtual directory, 5xx failures with sub-status, 401 ignored, client from the user agent")
    func iis() {
        var parser = IISLogParser()
        #expect(parse(&parser, "2025-11-25 09:12:01 10.0.0.5 POST /mapi/emsmdb/ - 443 - 203.0.113.9 - - 503 0 0 15") == .unknown)
        #expect(parse(&parser, "#Software: Microsoft Internet Information Services 10.0") == .ignored)
        #expect(parse(&parser, "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken") == .ignored)
        let t = UTCTimestamp.parse("2025-11-25T09:12:01Z")!
        #expect(parse(&parser, "2025-11-25 09:12:01 10.0.0.5 POST /mapi/emsmdb/ mailboxId=x 443 CONTOSO\\alice 203.0.113.9 Microsoft+Office/16.0+(Microsoft+Outlook+16.0) - 503 0 0 15")
                == .event(MailLogEvent(timeMs: t, path: .mapiHTTP, client: .outlookClassic, failed: true, error: "HTTP 503.0 (win32 0)", user: "CONTOSO\\alice", latencyMs: 15)))
        #expect(parse(&parser, "2025-11-25 09:12:01 10.0.0.5 GET /owa/ - 443 alice 203.0.113.9 Mozilla/5.0 - 200 0 0 31")
                == .event(MailLogEvent(timeMs: t, path: .owa, client: .owa, failed: false, user: "alice", latencyMs: 31)))
        #expect(parse(&parser, "2025-11-25 09:12:01 10.0.0.5 POST /Microsoft-Server-ActiveSync/default.eas Cmd=Sync 443 alice 203.0.113.9 Outlook-iOS-Android/1.0 - 200 0 0 8")
                == .event(MailLogEvent(timeMs: t, path: .activesync, client: .outlookMobile, failed: false, user: "alice", latencyMs: 8)))
        #expect(parse(&parser, "2025-11-25 09:12:01 10.0.0.5 POST /EWS/Exchange.asmx - 443 alice 203.0.113.9 MacOutlook/16.80 - 200 0 0 8")
                == .event(MailLogEvent(timeMs: t, path: .ews, client: .outlookMac, failed: false, user: "alice", latencyMs: 8)))
        #expect(parse(&parser, "2025-11-25 09:12:01 10.0.0.5 POST /mapi/emsmdb/ - 443 - 203.0.113.9 - - 401 1 2148074254 0") == .ignored)
        #expect(parse(&parser, "2025-11-25 09:12:01 10.0.0.5 GET /ecp/ - 443 - 203.0.113.9 - - 500 0 0 1") == .ignored)
        #expect(parse(&parser, "2025-11-25 09:12:01 10.0.0.5 GET /owa/") == .unknown)
    }

    @Test("syslog times without a year take the year that puts them just before the reading")
    func syslogYear() {
        let january = UTCTimestamp.parse("2027-01-01T00:05:00Z")!
        #expect(LogTimestamp.parse("Dec 31 23:59:58 x", referenceMs: january)?.timeMs == UTCTimestamp.parse("2026-12-31T23:59:58Z"))
        #expect(LogTimestamp.parse("Jan  1 00:04:00 x", referenceMs: january)?.timeMs == UTCTimestamp.parse("2027-01-01T00:04:00Z"))
        #expect(LogTimestamp.parse("Feb 30 00:04:00 x", referenceMs: january) != nil)   // the log's word; normalised by the calendar
        #expect(LogTimestamp.parse("Jan 1 00:04:00 x", referenceMs: january) == nil)
    }

    @Test("events become one clients record per minute, path and client, released a minute late or at the end")
    func minutes() {
        var aggregator = LogAggregator(service: "lab", region: "eu")
        let base = UTCTimestamp.parse("2026-11-22T20:00:00Z")!
        func event(_ offsetS: Int64, failed: Bool = false, path: AccessPath = .imap) -> MailLogEvent {
            MailLogEvent(timeMs: base + offsetS * 1_000, path: path, client: .imapClient, failed: failed, error: failed ? "authentication failed" : nil)
        }
        #expect(aggregator.add(event(5)).isEmpty)
        #expect(aggregator.add(event(30, failed: true)).isEmpty)
        #expect(aggregator.add(event(40, path: .pop3)).isEmpty)
        #expect(aggregator.add(event(70)).isEmpty)
        let released = aggregator.add(event(125))
        #expect(released.map(\.ndjsonLine) == [
            #"{"kind":"clients","t":"2026-11-22T20:01:00Z","service":"lab","region":"eu","client":"imap-client","path":"imap","ok":1,"failed":1,"errors":{"authentication failed":1}}"#,
            #"{"kind":"clients","t":"2026-11-22T20:01:00Z","service":"lab","region":"eu","client":"imap-client","path":"pop3","ok":1,"failed":0,"errors":{}}"#,
        ])
        #expect(aggregator.flush().map(\.ok) == [1, 1])
        // What the aggregator writes, the telemetry reader reads back as the same counts.
        if case .signal(.clients(let counts)) = try? SignalLineReader.read(released[0].ndjsonLine) {
            #expect(counts == released[0])
        } else {
            Issue.record("the line did not read back")
        }
    }

    @Test("the follower reads what is appended, finishes a rotated file, starts the new one, and rereads a truncated one")
    func follower() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-follow-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/mail.log"
        func append(_ text: String, to file: String = path) throws {
            if !FileManager.default.fileExists(atPath: file) { FileManager.default.createFile(atPath: file, contents: nil) }
            let handle = try #require(FileHandle(forWritingAtPath: file))
            try handle.seekToEnd()
            handle.write(Data(text.utf8))
            try handle.close()
        }
        try append("old line before start\n")
        let follower = LogFollower(path: path, fromEnd: true)
        #expect(follower.poll().isEmpty)
        try append("one\ntw")
        #expect(follower.poll() == ["one"])
        try append("o\n")
        #expect(follower.poll() == ["two"])
        // Rotation: the old file gets a last line after the rename, then a new file appears.
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try append("three (late, in the rotated file)\n", to: path + ".1")
        try append("four\n")
        #expect(follower.poll() == ["three (late, in the rotated file)", "four"])
        #expect(follower.rotations == 1)
        // Truncation in place (copytruncate).
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 0)
        try handle.close()
        try append("5\n")
        #expect(follower.poll() == ["5"])
        #expect(follower.rotations == 2)
    }
}
