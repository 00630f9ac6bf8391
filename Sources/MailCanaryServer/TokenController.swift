import Foundation
import Hummingbird
import Logging
import MailCanaryCore
import MailCanaryStorage

/// API tokens over HTTP, for operators (write scope): list them, issue a reader, telemetry or
/// operator token (the token is in the answer once; the store keeps only its SHA-256), revoke
/// one. Agents' tokens stay with `mailcanary agent token`, which checks the configuration.
struct TokenController: Sendable {
    let store: any MailCanaryStore
    let logger: Logger
    let clock: @Sendable () -> Int64

    static let roles: [String: String] = ["reader": Caller.readerPrefix, "telemetry": Caller.telemetryPrefix, "operator": Caller.operatorPrefix]

    func register(on router: Router<ServerRequestContext>, authenticate: @escaping @Sendable (Request) async throws -> Caller) {
        router.get("/api/v1/tokens") { request, _ in
            await respond(logger: logger) { try await list(caller: try await authenticate(request)) }
        }
        router.post("/api/v1/tokens") { request, _ in
            await respond(logger: logger) { try await issue(request, caller: try await authenticate(request)) }
        }
        router.delete("/api/v1/tokens/:id") { request, context in
            await respond(logger: logger) { try await revoke(context.parameters.get("id") ?? "", caller: try await authenticate(request)) }
        }
    }

    struct TokenView: Encodable {
        var id: String
        var role: String
        var scope: String
        var createdAt: String
        var lastUsedAt: String?
    }

    static func view(_ record: AgentRecord) -> TokenView {
        let role = roles.first { record.id.hasPrefix($0.value) }?.key ?? "agent"
        let scope: AccessPolicy.TokenScope = switch role {
        case "reader": .read
        case "telemetry": .ingest
        case "operator": .write
        default: .agent
        }
        return TokenView(id: record.id, role: role, scope: scope.rawValue, createdAt: UTCTimestamp.format(record.createdMs),
                         lastUsedAt: record.lastSeenMs.map(UTCTimestamp.format))
    }

    func requireOperator(_ caller: Caller) throws {
        guard caller.scope == .write else {
            throw APIError(.forbidden, "token '\(caller.id)' may not manage tokens (an operator token may: mailcanary token operator NAME)")
        }
    }

    func list(caller: Caller) async throws -> Response {
        try requireOperator(caller)
        let tokens = try await store.agents().sorted { $0.id < $1.id }.map(Self.view)
        return JSONResponse.make(["tokens": tokens])
    }

    func issue(_ request: Request, caller: Caller) async throws -> Response {
        try requireOperator(caller)
        var request = request
        let bytes = Array(buffer: try await request.body(upTo: 4_096, tooLarge: "a token request is at most 4 KiB"))
        var role: String?
        var name: String?
        var scanner = JSONScanner(bytes, range: 0..<bytes.count)
        do throws(JSONReadError) {
            try scanner.readRootObject("the token request")
            while let key = try scanner.readKey("the token request") {
                switch key {
                case "role": role = try scanner.readString("role")
                case "name": name = try scanner.readString("name")
                default: throw JSONReadError(path: key, kind: .invalid)
                }
            }
            try scanner.readEnd("the token request")
        } catch {
            if case .invalid = error.kind { throw APIError(.badRequest, "unknown field '\(error.path)'; a token request has role and name") }
            throw APIError(.badRequest, "the token request is not valid: \(error)")
        }
        guard let role, let prefix = Self.roles[role] else {
            throw APIError(.badRequest, "role: give reader, telemetry or operator")
        }
        guard let name, AgentToken.isValidHolderName(name) else {
            throw APIError(.badRequest, "name: use 1 to 64 letters, digits, '.', '_' or '-'")
        }
        let token = AgentToken.generate()
        try await store.setAgentToken(agent: prefix + name, tokenHash: AgentToken.hash(token), nowMs: clock())
        logger.notice("token issued through the API", metadata: ["token": "\(prefix + name)", "by": "\(caller.id)"])
        struct Issued: Encodable { var id: String; var role: String; var token: String }
        return JSONResponse.make(Issued(id: prefix + name, role: role, token: token.exposedForWire), status: .created)
    }

    func revoke(_ id: String, caller: Caller) async throws -> Response {
        try requireOperator(caller)
        guard Self.roles.values.contains(where: { id.hasPrefix($0) }) else {
            throw APIError(.badRequest, "only reader:, telemetry: and operator: tokens are revoked here; agents' with mailcanary token revoke")
        }
        guard try await store.revokeToken(id: id) else { throw APIError(.notFound, "no token '\(id)'") }
        logger.notice("token revoked through the API", metadata: ["token": "\(id)", "by": "\(caller.id)"])
        return Response(status: .noContent)
    }
}
