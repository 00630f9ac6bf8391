import MailCanaryConfig
import MailCanaryStorage

/// Who may do what, decided from values: every route names the permission it needs (a route
/// without an entry is refused, so a new route cannot be open by omission), and a principal — a
/// signed-in user, a bearer token with its scope, or nobody — either has it or not.
public enum AccessPolicy {
    public enum Permission: String, Sendable, CaseIterable {
        /// Anyone: health, the public status page and feed, the report form, sign-in.
        case open
        /// Read the dashboard and the read API: any user, read and write tokens, anonymous if configured.
        case read
        /// Change incidents: administrators and write (operator) tokens.
        case write
        /// Send telemetry: ingest (telemetry) and agent tokens.
        case ingest
        /// The agent API: agent tokens.
        case agent
        /// Anyone signed in (sign out).
        case signedIn
    }

    public enum TokenScope: String, Sendable, CaseIterable {
        case read, write, ingest, agent
    }

    public enum Principal: Sendable, Equatable {
        case anonymous
        case user(name: String, role: UserAccount.Role)
        case token(id: String, scope: TokenScope)

        public var isAnonymous: Bool { self == .anonymous }
    }

    public static func allows(_ principal: Principal, _ permission: Permission, anonymous: AccessConfig.Anonymous) -> Bool {
        switch (permission, principal) {
        case (.open, _): true
        case (.read, .anonymous): anonymous == .read
        case (.read, .user): true
        case (.read, .token(_, let scope)): scope == .read || scope == .write
        case (.write, .user(_, let role)): role == .admin
        case (.write, .token(_, let scope)): scope == .write
        case (.ingest, .token(_, let scope)): scope == .ingest || scope == .agent
        case (.agent, .token(_, let scope)): scope == .agent
        case (.signedIn, .user): true
        default: false
        }
    }

    /// Every route of the server, as Hummingbird names it ("METHOD /path/:parameter"), with the
    /// permission it needs. The route test fails when the router has a route this table lacks.
    public static let routes: [String: Permission] = [
        "GET /healthz": .open,
        "GET /api/v1/openapi.json": .open,
        "GET /metrics": .open,
        "GET /assets/app.css": .open,
        "GET /status": .open,
        "GET /status/feed.atom": .open,
        "GET /status/{service}": .open,
        "GET /report": .open,
        "POST /api/v1/reports": .open,
        "GET /login": .open,
        "POST /login": .open,
        "POST /logout": .signedIn,
        "GET /": .read,
        "GET /incidents/{id}": .read,
        "GET /incidents/{id}/report.md": .read,
        "GET /incidents/{id}/report.html": .read,
        "POST /incidents/{id}/actions": .write,
        "GET /series": .read,
        "GET /api/v1/services": .read,
        "GET /api/v1/results/latest": .read,
        "GET /api/v1/results": .read,
        "GET /api/v1/series/history": .read,
        "GET /api/v1/agents": .read,
        "GET /api/v1/incidents": .read,
        "GET /api/v1/incidents/{id}": .read,
        "POST /api/v1/incidents/{id}/notes": .write,
        "GET /api/v1/incidents/{id}/report": .read,
        "GET /api/v1/notifications": .read,
        "GET /api/v1/advisories": .read,
        "GET /api/v1/advisories/{id}": .read,
        "GET /api/v1/advisories/{id}/incidentReport": .read,
        "GET /api/v1/tokens": .write,
        "POST /api/v1/tokens": .write,
        "DELETE /api/v1/tokens/{id}": .write,
        "POST /api/v1/telemetry": .ingest,
        "GET /api/v1/agent/plan": .agent,
        "POST /api/v1/agent/results": .agent,
    ]
}
