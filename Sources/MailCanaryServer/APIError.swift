import Foundation
import Hummingbird

/// An API refusal with a status and a message naming the field or the cause.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]

    /// The `limit` query parameter of a list: 1 to 1000, 100 when absent.
    static func limit(_ text: String?) throws(APIError) -> Int {
        guard let text else { return 100 }
        guard let value = Int(text), (1...1_000).contains(value) else { throw APIError(.badRequest, "query parameter 'limit': give a number from 1 to 1000") }
        return value
    }

    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    var response: Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body = (try? JSONEncoder().encode(["error": message])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        guard let data = try? encoder.encode(value) else { return APIError(.internalServerError, "cannot encode the answer").response }
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
