import Foundation
import MailCanaryCore

/// Exchange's IIS logs in W3C extended format. The `#Fields:` header names the columns (its
/// order differs between servers); times are UTC. Each request to a client virtual directory
/// counts for its access path: `/mapi` MAPI over HTTP, `/EWS`, `/owa`,
/// `/Microsoft-Server-ActiveSync`, `/Autodiscover`. Status below 400 is a success; 5xx, 403
/// and 429 are failures named with status, sub-status and Win32 status (`HTTP 503.0 (win32 0)`);
/// 401 (the first leg of NTLM/Negotiate), 440 (OWA's login timeout) and the other 4xx say
/// nothing about the service and are ignored. The client comes from the user agent where it
/// says (Outlook for Mac, the mobile app), else from the path.
public struct IISLogParser: MailLogParser {
    private var columns: [Substring: Int] = [:]

    public init() {}

    static let virtualDirectories: [(prefix: String, path: AccessPath, client: ClientKind)] = [
        ("/mapi/", .mapiHTTP, .outlookClassic), ("/ews/", .ews, .outlookClassic), ("/owa", .owa, .owa),
        ("/microsoft-server-activesync", .activesync, .outlookMobile), ("/autodiscover/", .autodiscover, .outlookClassic),
    ]

    public mutating func parse(_ line: Substring, referenceMs: Int64) -> LogLineResult {
        if line.hasPrefix("#") {
            if line.hasPrefix("#Fields:") {
                columns = [:]
                for (index, name) in line.dropFirst("#Fields:".count).split(separator: " ").enumerated() { columns[name] = index }
            }
            return .ignored
        }
        guard let date = columns["date"], let time = columns["time"], let stem = columns["cs-uri-stem"], let status = columns["sc-status"] else {
            return .unknown
        }
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == columns.count, let timeMs = UTCTimestamp.parse("\(fields[date])T\(fields[time])Z"),
              let code = Int(fields[status]) else { return .unknown }
        let lowerStem = fields[stem].lowercased()
        guard let directory = Self.virtualDirectories.first(where: { lowerStem.hasPrefix($0.prefix) || lowerStem == $0.prefix.dropLast() }) else {
            return .ignored
        }
        func column(_ name: Substring) -> Substring? { columns[name].map { fields[$0] }.flatMap { $0 == "-" ? nil : $0 } }
        let userAgent = column("cs(User-Agent)")?.lowercased() ?? ""
        var client = directory.client
        if userAgent.contains("macoutlook") || userAgent.contains("outlook-macos") { client = .outlookMac }
        if userAgent.contains("outlook-ios") || userAgent.contains("outlook-android") { client = .outlookMobile }
        let latency = column("time-taken").flatMap { Double($0) }
        let user = column("cs-username").map(String.init)
        switch code {
        case ..<400:
            return .event(MailLogEvent(timeMs: timeMs, path: directory.path, client: client, failed: false, user: user, latencyMs: latency))
        case 500..., 403, 429:
            let sub = column("sc-substatus") ?? "0"
            let win32 = column("sc-win32-status").map { " (win32 \($0))" } ?? ""
            return .event(MailLogEvent(timeMs: timeMs, path: directory.path, client: client, failed: true,
                                       error: "HTTP \(code).\(sub)\(win32)", user: user, latencyMs: latency))
        default:
            return .ignored
        }
    }
}
