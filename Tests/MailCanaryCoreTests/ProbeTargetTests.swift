import MailCanaryCore
import Testing

@Suite struct ProbeTargetTests {
    @Test(arguments: [
        ("imap://mail.example.com", ProbeTarget.Scheme.imap, 143, ProbeTarget.Security.startTLS),
        ("imaps://mail.example.com", .imaps, 993, .implicitTLS),
        ("pop3://h", .pop3, 110, .startTLS),
        ("pop3s://h", .pop3s, 995, .implicitTLS),
        ("smtp://h", .smtp, 587, .startTLS),
        ("smtps://h", .smtps, 465, .implicitTLS),
        ("https://h", .https, 443, .implicitTLS),
        ("http://h:8080", .http, 8080, .plain),
        ("tls://h:636", .tls, 636, .implicitTLS),
        ("TCP://h:25", .tcp, 25, .plain),
    ])
    func parsesSchemesWithDefaultPorts(url: String, scheme: ProbeTarget.Scheme, port: Int, security: ProbeTarget.Security) throws {
        let target = try ProbeTarget(parsing: url)
        #expect(target.scheme == scheme)
        #expect(target.port == port)
        #expect(target.security == security)
    }

    @Test func keepsIPv6HostsAndResources() throws {
        let target = try ProbeTarget(parsing: "https://[::1]:8443/owa/healthcheck.htm?x=1")
        #expect(target.host == "::1")
        #expect(target.resource == "/owa/healthcheck.htm?x=1")
        #expect(target.displayString == "https://[::1]:8443/owa/healthcheck.htm?x=1")
    }

    @Test(arguments: [
        ("mail.example.com", "is not a target URL"),
        ("ftp://h", "unknown scheme 'ftp'"),
        ("tcp://h", "tcp:// needs a port"),
        ("imaps://h:70000", "out of range"),
        ("imaps://alice:pw@h", "carries a password"),
        ("imaps://", "has no host"),
    ])
    func explainsBadTargets(url: String, expected: String) {
        do {
            _ = try ProbeTarget(parsing: url)
            Issue.record("\(url) parsed")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains(":pw@"))
        }
    }
}

@Suite struct AccessPathTargetTests {
    @Test func exchangeSchemesParseWithTheirPaths() throws {
        let autodiscover = try ProbeTarget(parsing: "autodiscover://contoso.com?email=alice@contoso.com")
        #expect(autodiscover.path == .autodiscover)
        #expect(autodiscover.parameter("email") == "alice@contoso.com")
        #expect(try ProbeTarget(parsing: "mapi+https://outlook.office365.com").path == .mapiHTTP)
        #expect(try ProbeTarget(parsing: "ews+https://mail.example.com:8443").port == 8443)
        #expect(try ProbeTarget(parsing: "activesync+https://mail.example.com").path == .activesync)
        #expect(try ProbeTarget(parsing: "owa+https://mail.example.com").path == .owa)
        #expect(try ProbeTarget(parsing: "graph+https://graph.microsoft.com/?user=probe@contoso.com").parameter("user") == "probe@contoso.com")
        let token = try ProbeTarget(parsing: "token+https://login.microsoftonline.com/contoso.onmicrosoft.com")
        #expect(token.path == .token)
        #expect(token.pathOnly == "/contoso.onmicrosoft.com")
        let dns = try ProbeTarget(parsing: "dns://_autodiscover._tcp.contoso.com?type=srv")
        #expect(dns.path == .dns)
        #expect(dns.host == "_autodiscover._tcp.contoso.com")
        #expect(dns.displayString == "dns://_autodiscover._tcp.contoso.com?type=srv")
    }

    @Test(arguments: [
        ("autodiscover://contoso.com", "email"),
        ("autodiscover+https://contoso.com/?email=nobody", "email"),
        ("autodiscover://contoso.com?email=a@contoso.com&port=99999", "port"),
        ("graph+https://graph.microsoft.com/", "user"),
        ("dns://contoso.com?type=SOA", "type"),
        ("dns://localdomainonly?type=A", "fully qualified"),
        ("exchange://contoso.com", "unknown scheme"),
    ])
    func badTargetsSayWhatIsWrong(url: String, mentions: String) {
        #expect(throws: TargetError.self) { try ProbeTarget(parsing: url) }
        do {
            _ = try ProbeTarget(parsing: url)
        } catch {
            #expect(error.message.contains(mentions), "\(error.message)")
        }
    }
}
