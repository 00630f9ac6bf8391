import ArgumentParser
import Foundation
import MailCanaryIngest
import MailCanaryTesting
import NIOCore
import NIOPosix

/// `exchange-test-server`: the Exchange and Microsoft 365 stand-in of the tests, as a process,
/// for trying `mailcanary check` by hand (README, "Exchange paths against the test server").
@main
struct ExchangeTestServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-test-server",
        abstract: "Serve Autodiscover, MAPI over HTTP, EWS, ActiveSync, OWA, Graph and a token endpoint on loopback behind TLS.",
        discussion: "Faults: \(ExchangeFault.allCases.map(\.rawValue).joined(separator: ", ")). Test credentials: alice@contoso.test / lab-password, client mailcanary-probe / lab-client-secret."
    )

    @Option(help: "HTTPS listener, HOST:PORT.")
    var listen = "127.0.0.1:14444"

    @Option(name: .customLong("http-listen"), help: "Plain HTTP listener for the Autodiscover redirect method, HOST:PORT (none when empty).")
    var httpListen = ""

    @Option(help: "The fault to serve.")
    var fault = "none"

    @Option(name: .customLong("ca-out"), help: "Write the test CA (PEM) here, for mailcanary's --ca-file.")
    var caOut = "exchange-test-ca.pem"

    @Option(help: ArgumentHelp("""
        What the Graph service communications feed serves: 'examples' (the documentation's example and the first posts of \
        November 2025, fixed), or 'november-2025' (the outage's issues as the provider posted them, re-enacted around now as \
        mailcanary demo does: the outage began 80 minutes before the server started; each post appears at its minute).
        """, valueName: "FEED"))
    var advisories = "examples"

    @Option(help: "Names in the server certificate, comma-separated.")
    var names = "localhost,127.0.0.1,contoso.test,mail.contoso.test,autodiscover.contoso.test"

    func run() async throws {
        guard let chosen = ExchangeFault(rawValue: fault) else {
            throw ValidationError("--fault \(fault): use one of \(ExchangeFault.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["examples", "november-2025"].contains(advisories) else {
            throw ValidationError("--advisories \(advisories): use examples or november-2025")
        }
        var listeners = [try Self.listener(listen, option: "--listen", secure: true)]
        if !httpListen.isEmpty { listeners.append(try Self.listener(httpListen, option: "--http-listen", secure: false)) }
        let certificates = try TestCertificates()
        try certificates.caPEM.write(toFile: caOut, atomically: true, encoding: .utf8)
        let identity = try certificates.leaf(names: names.split(separator: ",").map(String.init))
        let server = try await ExchangeTestServer.start(identity: identity, listeners: listeners, fault: chosen)
        print("exchange-test-server: https on \(listeners[0].host):\(server.ports[0]), fault \(chosen.rawValue), advisories \(advisories), CA in \(caOut)")
        fflush(nil)
        guard advisories == "november-2025" else {
            while true { try await Task.sleep(for: .seconds(3600)) }   // serve until terminated
        }
        // The provider's side of the demo: the issues as they stand each minute, beside the
        // documentation's 2020 example (a problem the provider reports and MailCanary does not see).
        let scenario = DemoScenario(nowMs: Self.nowMs())
        while true {
            let minute = Self.nowMs() / 60_000 - 1
            server.serviceCommunications.publish(issues: [ServiceCommunicationsFeed.fixtureIssues[0]] + scenario.providerIssues(throughMinute: minute))
            try await Task.sleep(for: .seconds(5))
        }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1_000) }

    static func listener(_ text: String, option: String, secure: Bool) throws -> ExchangeTestServer.Listener {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(option) \(text): write HOST:PORT, e.g. 127.0.0.1:14444")
        }
        return ExchangeTestServer.Listener(host: String(text[..<colon]), port: port, secure: secure)
    }
}
