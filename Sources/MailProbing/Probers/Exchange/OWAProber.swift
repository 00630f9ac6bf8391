import Foundation
import MailCanaryCore
import MailWire

/// Outlook on the web: the sign-in page reachable and sane (`/owa/`, following the redirect to
/// the forms page on the same host), then `healthcheck.htm` of every on-premises virtual
/// directory (shared/reference §3.2): 200 `200 OK<br/>SERVER` is healthy, 404 means the
/// directory is not published (Exchange Online) and is skipped, anything else fails.
///
/// URL: `owa+https://HOST[:PORT][/owa/]`; `healthcheck=none` skips the virtual directories.
public struct OWAProber: Prober {
    public init() {}

    public static let virtualDirectories = ["/owa", "/ecp", "/ews", "/mapi", "/Microsoft-Server-ActiveSync", "/Autodiscover", "/oab", "/rpc"]

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        var path = target.pathOnly == "/" ? "/owa/" : target.pathOnly
        let session = HTTPSession(host: target.host, port: target.port, context: context, recorder: recorder)
        var redirects = 0
        while true {
            let response = try await session.send("GET", path, headers: [HTTPField("Accept", "text/html")], step: .operation)
            let status = response.head.status
            if [301, 302, 303, 307, 308].contains(status), let location = response.head.first("Location") {
                let next = try recorder.judge(.operation) { () throws(ProbeFailure) in
                    guard redirects < context.settings.limits.maxRedirects else {
                        throw ProbeFailure(.protocol, reason: .redirectLimit, step: .operation, message: "more than \(context.settings.limits.maxRedirects) redirects from the sign-in page")
                    }
                    guard let next = HTTPProber.resolve(location, against: ProbeTarget(scheme: .https, host: target.host, port: target.port, resource: path)),
                          next.host.lowercased() == target.host.lowercased(), next.port == target.port else {
                        // Federated sign-in (AD FS, Entra ID) leaves the host: the page itself is judged there by a browser, not here.
                        throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .operation,
                                           message: "the sign-in page redirects to another host (\(location.prefix(120))): probe that host")
                    }
                    return (next.resource, "HTTP \(status) → \(next.pathOnly)")
                }
                redirects += 1
                path = next
                continue
            }
            try recorder.judge(.operation) { () throws(ProbeFailure) in ((), try Self.judgeSignIn(response, recorder: recorder)) }
            break
        }

        guard target.parameter("healthcheck")?.lowercased() != "none" else {
            recorder.skip(.healthcheck, "healthcheck=none")
            return
        }
        var failing: [String] = []
        var firstFailure: ProbeFailure?
        for directory in Self.virtualDirectories {
            let response: HTTPExchange.Response
            do {
                response = try await session.send("GET", directory + "/healthcheck.htm", step: .healthcheck)
            } catch {
                failing.append(directory)
                firstFailure = firstFailure ?? error
                if error.failureClass == .timeout { break }
                continue
            }
            do {
                try recorder.judge(.healthcheck) { () throws(ProbeFailure) in ((), try Self.judgeHealthcheck(response, directory: directory, recorder: recorder)) }
            } catch {
                failing.append(directory)
                firstFailure = firstFailure ?? error
            }
        }
        recorder.facts["healthcheckFailing"] = failing.isEmpty ? "none" : failing.joined(separator: ",")
        if var failure = firstFailure {
            failure.message = "healthcheck.htm failing on \(failing.joined(separator: ", ")): \(failure.message)"
            failure.step = .healthcheck
            throw failure
        }
    }

    static func judgeSignIn(_ response: HTTPExchange.Response, recorder: ProbeRecorder) throws(ProbeFailure) -> String {
        FrontEndChallenge.record(response.head, recorder: recorder)
        if let failure = HTTPStatusRules.failure(response.head, step: .operation, sentCredentials: false) { throw failure }
        let page = String(decoding: response.body.prefix(65_536), as: UTF8.self).lowercased()
        // Sane: an HTML page with a sign-in form (a password field), not an error page that says 200.
        guard page.contains("<form"), page.contains("password") else {
            throw ProbeFailure(.server, reason: .serverError, step: .operation,
                               message: "the sign-in page has no sign-in form (\(response.body.count) bytes): an error page served with 200?")
        }
        let title = page.range(of: "<title>").flatMap { open in page[open.upperBound...].range(of: "</title>").map { String(page[open.upperBound..<$0.lowerBound]) } }
        return "sign-in page with a form (\(response.body.count) bytes\(title.map { ", title \"\($0.prefix(40))\"" } ?? ""))"
    }

    static func judgeHealthcheck(_ response: HTTPExchange.Response, directory: String, recorder: ProbeRecorder) throws(ProbeFailure) -> String {
        let status = response.head.status
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
        if status == 404 { return "\(directory): not published (404)" }
        guard status == 200, text.hasPrefix("200 OK") else {
            let reply = "HTTP \(status) \(response.head.reason)"
            throw ProbeFailure(status >= 500 ? .server : .protocol, reason: status == 503 ? .unavailable : .unexpectedReply, step: .healthcheck,
                               message: "\(directory)/healthcheck.htm: \(reply)", serverReply: reply)
        }
        let server = text.components(separatedBy: "<br/>").dropFirst().first ?? "?"
        return "\(directory): 200 OK from \(server.trimmingCharacters(in: .whitespacesAndNewlines))"
    }
}
