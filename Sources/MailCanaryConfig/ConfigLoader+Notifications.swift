import Foundation
import Yams
import MailCanaryCore

extension ConfigLoader {
    /// The access paths a route or maintenance window may name.
    static let knownPaths: [AccessPath] = [.autodiscover, .mapiHTTP, .ews, .activesync, .owa, .graph, .imap, .pop3, .smtpSubmission,
                                           .smtpInbound, .dns, .token, .tcp, .tls, .http]

    func readNotifications(_ cursor: ConfigCursor, services: [String]) -> NotificationConfig {
        var config = NotificationConfig()
        guard let keys = cursor.mapping(allowed: ["channels", "routes", "maintenance", "remind_every", "retry", "dashboard_url", "keep"]) else {
            return config
        }
        if let url = keys["dashboard_url"], let text = url.string() {
            if Self.isHTTPURL(text) { config.dashboardURL = String(text.reversed().drop { $0 == "/" }.reversed()) } else {
                url.problem("'\(text)' is not an http(s) URL", fix: "write the address people open the dashboard at, such as https://mailcanary.example.com")
            }
        }
        if let remind = keys["remind_every"] {
            if case .scalar(let scalar) = remind.node, ["off", "none", "never"].contains(scalar.string.lowercased()) {
                config.remindEvery = nil
            } else if let every = remind.duration(in: .seconds(600)...(.seconds(7 * 86_400))) {
                config.remindEvery = every
            }
        }
        if let keep = keys["keep"]?.duration(in: .seconds(86_400)...(.seconds(3_650 * 86_400))) { config.keep = keep }
        if let retry = keys["retry"] { config.retry = readRetry(retry) }
        var ids: Set<String> = []
        for (index, channel) in (keys["channels"]?.sequence() ?? []).enumerated() {
            guard let read = readChannel(channel) else { continue }
            if !ids.insert(read.id).inserted {
                channel.problem("a second channel is named '\(read.id)'", fix: "give each channel its own id (channels[\(index)])")
                continue
            }
            config.channels.append(read)
        }
        if let routes = keys["routes"] {
            for route in routes.sequence() ?? [] {
                if let read = readRoute(route, channels: ids, services: services) { config.routes.append(read) }
            }
        } else if !config.channels.isEmpty {
            // Without routes, every channel hears every incident.
            var route = NotificationRouteConfig()
            route.channels = config.channels.map(\.id)
            config.routes = [route]
        }
        for window in keys["maintenance"]?.sequence() ?? [] {
            if let read = readMaintenance(window, services: services) { config.maintenance.append(read) }
        }
        return config
    }

    private func readRetry(_ cursor: ConfigCursor) -> RetryConfig {
        var retry = RetryConfig()
        guard let keys = cursor.mapping(allowed: ["initial", "max", "give_up_after", "max_retry_after"]) else { return retry }
        if let initial = keys["initial"]?.duration(in: .seconds(1)...(.seconds(3_600))) { retry.initial = initial }
        if let maximum = keys["max"]?.duration(in: .seconds(1)...(.seconds(86_400))) { retry.maximum = maximum }
        if let giveUp = keys["give_up_after"]?.duration(in: .seconds(60)...(.seconds(30 * 86_400))) { retry.giveUpAfter = giveUp }
        if let cap = keys["max_retry_after"]?.duration(in: .seconds(1)...(.seconds(86_400))) { retry.maximumRetryAfter = cap }
        if retry.maximum < retry.initial {
            (keys["max"] ?? cursor).problem("the longest wait is shorter than the first", fix: "make max at least \(ConfigCursor.format(retry.initial))")
        }
        return retry
    }

    private func readChannel(_ cursor: ConfigCursor) -> NotificationChannelConfig? {
        guard let keys = cursor.mapping(allowed: ["id", "kind", "url", "signing_secret", "timeout", "ca_file", "smtp", "from", "to"],
                                        required: ["id", "kind"]) else { return nil }
        guard let id = keys["id"]?.name(what: "channel id"), let kindText = keys["kind"]?.string() else { return nil }
        guard let kind = NotificationChannelConfig.Kind(rawValue: kindText) else {
            keys["kind"]?.problem("'\(kindText)' is not a channel kind", fix: "write webhook, slack, teams or email")
            return nil
        }
        var channel = NotificationChannelConfig(id: id, kind: kind)
        if let timeout = keys["timeout"]?.duration(in: .seconds(1)...(.seconds(120))) { channel.timeout = timeout }
        if let ca = keys["ca_file"], let path = ca.string() {
            channel.caFile = resolvePath(path)
            if checkFiles, !FileManager.default.isReadableFile(atPath: resolvePath(path)) {
                ca.problem("cannot read \(resolvePath(path))", fix: "give the path of a PEM file with the CA certificates")
            }
        }
        let webOnly = ["url", "signing_secret"]
        let mailOnly = ["smtp", "from", "to"]
        for key in (kind == .email ? webOnly : mailOnly) {
            keys[key]?.problem("is not used by a \(kind.rawValue) channel", fix: "remove it, or use kind: \(kind == .email ? "webhook" : "email")")
        }
        if kind != .webhook { keys["signing_secret"]?.problem("only webhook channels sign their messages", fix: "remove signing_secret") }
        switch kind {
        case .webhook, .slack, .teams:
            guard let url = keys["url"] else {
                cursor.problem("a \(kind.rawValue) channel needs a url", fix: kind == .webhook ? "add url: https://…"
                                : "add url: {env: \(kind.rawValue.uppercased())_WEBHOOK_URL} (the URL is a credential)")
                return nil
            }
            if case .scalar(let scalar) = url.node {
                guard Self.isHTTPURL(scalar.string) else {
                    url.problem("is not an http(s) URL", fix: "write the receiver's address, such as https://hooks.example.com/mailcanary")
                    return nil
                }
                if kind != .webhook {
                    url.problem("a \(kind.rawValue) webhook URL is a credential and is never written inline (the value is not shown here)",
                                fix: "write url: {env: VARIABLE} or {file: PATH} and keep the URL there")
                    return nil
                }
                channel.url = .inline(scalar.string)
            } else if let secret = url.secret() {
                channel.url = .secret(resolve(secret))
            }
            if let secret = keys["signing_secret"]?.secret() { channel.signingSecret = resolve(secret) }
        case .email:
            var email = EmailChannelConfig()
            if let smtp = keys["smtp"] { readSMTP(smtp, into: &email) } else {
                cursor.problem("an email channel needs an smtp: relay", fix: "add smtp: {host: mail.example.com, port: 587, security: starttls}")
            }
            if let from = keys["from"] {
                if let text = from.string(), Self.isMailAddress(text) { email.from = text } else {
                    from.problem("is not a plain mail address", fix: "write it as name@example.com, without a display name")
                }
            } else {
                cursor.problem("an email channel needs a from: address", fix: "add from: mailcanary@example.com")
            }
            if let to = keys["to"] {
                for recipient in to.sequence() ?? [] {
                    if let text = recipient.string(), Self.isMailAddress(text) { email.to.append(text) } else {
                        recipient.problem("is not a plain mail address", fix: "write it as name@example.com")
                    }
                }
                if email.to.isEmpty, to.sequence() != nil { to.problem("names no recipient", fix: "add at least one address") }
            } else {
                cursor.problem("an email channel needs to: recipients", fix: "add to: [oncall@example.com]")
            }
            channel.email = email
        }
        return channel
    }

    private func readSMTP(_ cursor: ConfigCursor, into email: inout EmailChannelConfig) {
        guard let keys = cursor.mapping(allowed: ["host", "port", "security", "user", "password", "ehlo_name"], required: ["host"]) else { return }
        if let host = keys["host"]?.string() { email.host = host }
        if let security = keys["security"], let text = security.string() {
            if let value = EmailChannelConfig.Security(rawValue: text) {
                email.security = value
                email.port = value == .tls ? 465 : 587
            } else {
                security.problem("'\(text)' is not a security mode", fix: "write starttls (port 587), tls (port 465) or none (a relay on loopback)")
            }
        }
        if let port = keys["port"]?.int(in: 1...65_535) { email.port = port }
        if let user = keys["user"]?.string() { email.user = user }
        if let password = keys["password"]?.secret() { email.password = resolve(password) }
        if email.password != nil, email.user == nil {
            (keys["password"] ?? cursor).problem("a password without a user", fix: "add user: the relay account's name")
        }
        if email.password != nil, email.security == .none {
            (keys["security"] ?? cursor).problem("the password would cross the network unencrypted", fix: "use security: starttls or tls")
        }
        if let name = keys["ehlo_name"]?.string() { email.ehloName = name }
    }

    private func readRoute(_ cursor: ConfigCursor, channels: Set<String>, services: [String]) -> NotificationRouteConfig? {
        guard let keys = cursor.mapping(allowed: ["channels", "services", "paths", "min_severity", "events"], required: ["channels"]) else {
            return nil
        }
        var route = NotificationRouteConfig()
        for channel in keys["channels"]?.sequence() ?? [] {
            guard let id = channel.string() else { continue }
            if channels.contains(id) { route.channels.append(id) } else {
                channel.problem("no channel is named '\(id)'", fix: channels.isEmpty ? "add it under notifications.channels"
                                : "write one of \(channels.sorted().joined(separator: ", "))")
            }
        }
        for service in keys["services"]?.sequence() ?? [] {
            guard let id = service.string() else { continue }
            if services.contains(id) { route.services.append(id) } else {
                service.problem("no service is named '\(id)'", fix: "write one of \(services.joined(separator: ", "))")
            }
        }
        route.paths = readPaths(keys["paths"])
        if let severity = keys["min_severity"], let text = severity.string() {
            if let value = NotificationRouteConfig.Severity(rawValue: text) { route.minimumSeverity = value } else {
                severity.problem("'\(text)' is not a severity", fix: "write any, degradation or interruption")
            }
        }
        if let events = keys["events"] {
            route.events = []
            for event in events.sequence() ?? [] {
                guard let text = event.string() else { continue }
                if let value = NotificationRouteConfig.Event(rawValue: text) { route.events.insert(value) } else {
                    event.problem("'\(text)' is not an event", fix: "write opened, escalated, recovering, resolved or reminder")
                }
            }
        }
        return route
    }

    private func readMaintenance(_ cursor: ConfigCursor, services: [String]) -> MaintenanceWindowConfig? {
        guard let keys = cursor.mapping(allowed: ["name", "from", "until", "services", "paths"], required: ["from", "until"]) else {
            return nil
        }
        func time(_ key: String) -> Int64? {
            guard let node = keys[key], let text = node.string() else { return nil }
            guard let ms = UTCTimestamp.parse(text) else {
                node.problem("'\(text)' is not a UTC time", fix: "write it as 2026-11-28T22:00:00Z")
                return nil
            }
            return ms
        }
        guard let start = time("from"), let end = time("until") else { return nil }
        guard end > start else {
            keys["until"]?.problem("the window ends before it starts", fix: "make until later than from")
            return nil
        }
        var window = MaintenanceWindowConfig(name: keys["name"]?.string() ?? "maintenance", startMs: start, endMs: end)
        for service in keys["services"]?.sequence() ?? [] {
            guard let id = service.string() else { continue }
            if services.contains(id) { window.services.append(id) } else {
                service.problem("no service is named '\(id)'", fix: "write one of \(services.joined(separator: ", "))")
            }
        }
        window.paths = readPaths(keys["paths"])
        return window
    }

    private func readPaths(_ cursor: ConfigCursor?) -> [AccessPath] {
        var paths: [AccessPath] = []
        for path in cursor?.sequence() ?? [] {
            guard let text = path.string() else { continue }
            let value = AccessPath(text)
            if Self.knownPaths.contains(value) { paths.append(value) } else {
                path.problem("'\(text)' is not an access path", fix: "write one of \(Self.knownPaths.map(\.rawValue).joined(separator: ", "))")
            }
        }
        return paths
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = url.host, !host.isEmpty else { return false }
        return !text.contains(where: { $0.isWhitespace })
    }

    static func isMailAddress(_ text: String) -> Bool {
        guard !text.contains(where: { $0.isWhitespace || $0.isNewline || "<>,\";:()[]\\".contains($0) }) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
    }
}
