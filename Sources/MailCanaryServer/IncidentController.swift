import Foundation
import Hummingbird
import Logging
import MailCanaryCore
import MailCanaryStorage

/// Incidents over HTTP: the list, one incident with operators' notes, and notes (with an
/// optional status change) from an operator token.
struct IncidentController: Sendable {
    let store: any MailCanaryStore
    let logger: Logger
    let clock: @Sendable () -> Int64

    func register(on router: Router<ServerRequestContext>, authenticate: @escaping @Sendable (Request) async throws -> Caller) {
        router.get("/api/v1/incidents") { request, _ in await handle { try await list(request) } }
        router.get("/api/v1/incidents/:id") { _, context in await handle { try await one(context.parameters.get("id") ?? "") } }
        router.post("/api/v1/incidents/:id/notes") { request, context in
            await handle { try await note(request, id: context.parameters.get("id") ?? "", caller: try await authenticate(request)) }
        }
    }

    func handle(_ body: () async throws -> Response) async -> Response {
        await respond(logger: logger, body)
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let openOnly: Bool
        switch query.get("open") {
        case nil, "false": openOnly = false
        case "true": openOnly = true
        case let other?: throw APIError(.badRequest, "query parameter 'open': '\(other)' is not true or false")
        }
        let limit = try APIError.limit(query.get("limit"))
        let records = try await store.incidents(openOnly: openOnly, limit: limit)
        var out = "{\"incidents\":["
        for (position, record) in records.enumerated() {
            if position > 0 { out += "," }
            // The stored body is an object: the operator's status goes in before its end.
            out += record.body.dropLast() + ",\"operatorStatus\":" + JSONText.quoted(record.operatorStatus?.status.rawValue) + "}"
        }
        out += "]}"
        return Self.json(out)
    }

    func one(_ id: String) async throws -> Response {
        guard let record = try await store.incident(id: id) else { throw APIError(.notFound, "no incident '\(id)'") }
        let notes = try await store.notes(incidentID: id)
        let encodedNotes = String(decoding: try JSONResponse.encoder.encode(notes.map(NoteView.init)), as: UTF8.self)
        // The stored body is an object: the notes and the operator's status go in before its end.
        var body = String(record.body.dropLast())
        body += ",\"operatorStatus\":" + JSONText.quoted(record.operatorStatus?.status.rawValue) + ",\"notes\":" + encodedNotes + "}"
        return Self.json(body)
    }

    struct NoteView: Encodable {
        var at: String
        var author: String
        var status: String?
        var text: String
        init(_ note: IncidentNote) {
            at = UTCTimestamp.format(note.atMs)
            author = note.author
            status = note.status
            text = note.text
        }
    }

    func note(_ request: Request, id: String, caller: Caller) async throws -> Response {
        guard let author = caller.operatorName else {
            throw APIError(.forbidden, "only an operator token may annotate incidents (mailcanary token operator NAME)")
        }
        var request = request
        let body = try await request.body(upTo: 64 << 10, tooLarge: "a note is at most 64 KiB")
        let bytes = Array(buffer: body)
        var text: String?
        var status: String?
        var scanner = JSONScanner(bytes, range: 0..<bytes.count)
        do throws(JSONReadError) {
            try scanner.readRootObject("the note")
            while let key = try scanner.readKey("the note") {
                switch key {
                case "text": text = try scanner.readString("text")
                case "status": status = try scanner.readOptionalString("status")
                default: throw JSONReadError(path: key, kind: .invalid)
                }
            }
            try scanner.readEnd("the note")
        } catch {
            if case .invalid = error.kind { throw APIError(.badRequest, "unknown field '\(error.path)'; a note has text and status") }
            throw APIError(.badRequest, "the note is not valid: \(error)")
        }
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, text.count <= 4_000 else {
            throw APIError(.badRequest, "text: write 1 to 4000 characters")
        }
        if let status, ServiceHealthStatus(rawValue: status) == nil {
            throw APIError(.badRequest, "status: '\(status)' is not a status of the provider's vocabulary (investigating, serviceDegradation, serviceInterruption, restoringService, serviceRestored, …)")
        }
        let note = IncidentNote(incidentID: id, atMs: clock(), author: author, status: status, text: text)
        guard try await store.addNote(note) else { throw APIError(.notFound, "no incident '\(id)'") }
        return JSONResponse.make(NoteView(note), status: .created)
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
