import MailCanaryCore

/// Plain words for the identifiers detection uses: regions, access paths, statuses, causes,
/// client experiences. Pages and reports say these; the API keeps the identifiers.
public enum Vocabulary {
    public static func region(_ id: String) -> String {
        switch id.lowercased() {
        case "apac": "Asia Pacific"
        case "na", "nam": "North America"
        case "eu", "eur": "Europe"
        case "emea": "Europe, Middle East and Africa"
        case "latam", "sa": "Latin America"
        case "uk": "United Kingdom"
        case "au", "aus": "Australia"
        case "in", "ind": "India"
        case "jp", "jpn": "Japan"
        default: id
        }
    }

    public static func regions(_ ids: [String]) -> String {
        list(ids.map(region))
    }

    /// "a", "a and b", "a, b and c".
    public static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        default: items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }

    public static func path(_ path: AccessPath) -> String {
        switch path {
        case .autodiscover: "Autodiscover"
        case .mapiHTTP: "MAPI over HTTP"
        case .ews: "EWS"
        case .activesync: "ActiveSync"
        case .owa: "Outlook on the web"
        case .graph: "Microsoft Graph"
        case .imap: "IMAP"
        case .pop3: "POP3"
        case .smtpSubmission: "SMTP submission"
        case .smtpInbound: "SMTP inbound"
        case .dns: "DNS"
        case .token: "Token endpoint"
        default: path.rawValue
        }
    }

    /// The order rows are shown in: what every client shares first, then client by client.
    public static let pathOrder: [AccessPath] = [.dns, .token, .autodiscover, .mapiHTTP, .ews, .owa, .graph, .activesync,
                                                 .imap, .pop3, .smtpSubmission, .smtpInbound]

    public static func sortedPaths(_ paths: some Sequence<AccessPath>) -> [AccessPath] {
        Set(paths).sorted { a, b in
            let ia = pathOrder.firstIndex(of: a) ?? pathOrder.count
            let ib = pathOrder.firstIndex(of: b) ?? pathOrder.count
            return ia != ib ? ia < ib : a.rawValue < b.rawValue
        }
    }

    public static func status(_ raw: String) -> String {
        switch ServiceHealthStatus(parsing: raw) {
        case .investigating: "Investigating"
        case .serviceDegradation: "Degraded service"
        case .serviceInterruption: "Service interruption"
        case .restoringService: "Restoring service"
        case .verifyingService: "Verifying the fix"
        case .extendedRecovery: "Extended recovery"
        case .serviceRestored, .resolved, .resolvedExternal: "Restored"
        case .postIncidentReviewPublished: "Restored; review published"
        case .falsePositive: "False alarm"
        case .serviceOperational: "Operational"
        case .mitigated, .mitigatedExternal: "Mitigated"
        default: raw
        }
    }

    public static func cause(_ raw: String) -> String {
        switch raw {
        case "server-side": "server-side (the service itself)"
        case "client-config": "client configuration"
        case "network-intermediary": "a network intermediary (proxy, firewall, TLS inspection)"
        case "authentication": "authentication (sign-in or tokens)"
        default: raw
        }
    }
}

/// What a person uses, and the access paths it needs: the rows of the public status page.
public struct ClientExperience: Sendable, Equatable {
    public var name: String
    public var paths: Set<AccessPath>
    /// The detection client that stands for it in workarounds.
    public var client: ClientKind

    public static let all: [ClientExperience] = [
        ClientExperience(name: "Outlook for Windows", paths: [.autodiscover, .mapiHTTP, .ews], client: .outlookClassic),
        ClientExperience(name: "Outlook on the web", paths: [.owa, .graph], client: .owa),
        ClientExperience(name: "Mobile", paths: [.activesync], client: .outlookMobile),
        ClientExperience(name: "IMAP/SMTP clients", paths: [.imap, .pop3, .smtpSubmission], client: .imapClient),
    ]
    /// Paths every experience needs: when they fail, every experience fails.
    public static let shared: Set<AccessPath> = [.dns, .token]

    public func isAffected(by paths: some Sequence<AccessPath>) -> Bool {
        paths.contains { self.paths.contains($0) || Self.shared.contains($0) }
    }

    public static func affected(by paths: [String]) -> [ClientExperience] {
        let set = paths.map(AccessPath.init(rawValue:))
        return all.filter { $0.isAffected(by: set) }
    }

    /// The public name of a workaround's client.
    public static func publicName(of client: String) -> String {
        switch ClientKind(client) {
        case .owa: "Outlook on the web (in a browser)"
        case .outlookMobile: "the Outlook mobile app"
        case .outlookNew: "the new Outlook for Windows"
        case .outlookClassic: "Outlook for Windows"
        case .outlookMac: "Outlook for Mac"
        case .imapClient: "an IMAP/SMTP mail app"
        default: "another mail app"
        }
    }
}
