/// Request and response bodies of [MS-OXCMAPIHTTP] for the `Connect` and `Disconnect` request
/// types of the mailbox endpoint.
public enum MAPIHTTP {
    /// §2.2.4.1.1 Connect Request Type Request Body ⚠️ (field order as recalled in
    /// shared/reference; a server that disagrees answers X-ResponseCode 12, Invalid Request Body,
    /// which the probe reports as a `protocol` failure):
    /// UserDn (ASCII, NUL-terminated), Flags, DefaultCodePage, LcidSort, LcidString,
    /// AuxiliaryBufferSize (all uint32 little-endian), AuxiliaryBuffer.
    public static func connectRequestBody(userDN: String, codePage: UInt32 = 1252, lcid: UInt32 = 1033) -> [UInt8] {
        var body = Array(userDN.utf8.filter { $0 != 0 })
        body.append(0)
        for value: UInt32 in [0, codePage, lcid, lcid, 0] { body.append(contentsOf: littleEndian(value)) }
        return body
    }

    /// §2.2.4.3.1 Disconnect Request Type Request Body: AuxiliaryBufferSize (0), no buffer.
    public static func disconnectRequestBody() -> [UInt8] { littleEndian(0) }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24 & 0xFF)]
    }

    /// The parts of a response body (§2.2.7 Response Meta-Tags, §3.2.5.2): the meta-tags seen
    /// (`PROCESSING`, `PENDING`…, `DONE`), the additional headers after `DONE`
    /// (`X-ResponseCode`, `X-ElapsedTime`, `X-StartTime`), then the binary body.
    public struct Framed: Equatable, Sendable {
        public var metaTags: [String]
        public var additionalHeaders: [(name: String, value: String)]
        public var body: [UInt8]

        public static func == (lhs: Framed, rhs: Framed) -> Bool {
            lhs.metaTags == rhs.metaTags && lhs.body == rhs.body
                && lhs.additionalHeaders.map(\.name) == rhs.additionalHeaders.map(\.name)
                && lhs.additionalHeaders.map(\.value) == rhs.additionalHeaders.map(\.value)
        }

        public func header(_ name: String) -> String? {
            additionalHeaders.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    public struct FramingError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    static let metaTags: Set<String> = ["PROCESSING", "PENDING", "DONE"]

    /// Splits the de-chunked body. Lines end in CRLF; the meta-tags come first, `DONE` last;
    /// then header lines up to an empty line; the rest is binary.
    public static func unframe(_ bytes: [UInt8]) throws(FramingError) -> Framed {
        var framed = Framed(metaTags: [], additionalHeaders: [], body: [])
        var index = 0
        func line() -> String? {
            var cursor = index
            while cursor + 1 < bytes.count {
                if bytes[cursor] == 0x0D && bytes[cursor + 1] == 0x0A {
                    let text = String(decoding: bytes[index..<cursor], as: UTF8.self)
                    index = cursor + 2
                    return text
                }
                cursor += 1
                if cursor - index > 1024 { return nil }
            }
            return nil
        }
        while framed.metaTags.last != "DONE" {
            guard let tag = line() else {
                throw FramingError(description: framed.metaTags.isEmpty ? "the response has no PROCESSING/DONE meta-tags" : "the response ended before DONE (after \(framed.metaTags.joined(separator: ", ")))")
            }
            guard metaTags.contains(tag) else {
                throw FramingError(description: "unexpected meta-tag line '\(tag.prefix(40))'")
            }
            framed.metaTags.append(tag)
            guard framed.metaTags.count <= 10_000 else { throw FramingError(description: "too many PENDING meta-tags") }
        }
        while true {
            guard let headerLine = line() else { throw FramingError(description: "the additional headers after DONE are not terminated by an empty line") }
            if headerLine.isEmpty { break }
            guard let colon = headerLine.firstIndex(of: ":") else { throw FramingError(description: "malformed additional header '\(headerLine.prefix(40))'") }
            let name = String(headerLine[..<colon])
            let value = String(headerLine[headerLine.index(after: colon)...]).drop { $0 == " " }
            framed.additionalHeaders.append((name, String(value)))
            guard framed.additionalHeaders.count <= 50 else { throw FramingError(description: "too many additional headers") }
        }
        framed.body = Array(bytes[index...])
        return framed
    }

    /// §2.2.4.1.2 / §2.2.4.1.3 Connect response body ⚠️: StatusCode (uint32; 0 is success);
    /// on success ErrorCode, MaxPollingInterval, RetryCount, RetryDelay, DnPrefix (ASCII,
    /// NUL-terminated), DisplayName (UTF-16LE, NUL-terminated), AuxiliaryBufferSize, buffer.
    public struct ConnectResponse: Equatable, Sendable {
        public var statusCode: UInt32
        public var errorCode: UInt32?
        public var maxPollingIntervalMs: UInt32?
        public var displayName: String?
    }

    public static func parseConnectResponse(_ body: [UInt8]) throws(FramingError) -> ConnectResponse {
        func u32(_ at: Int) throws(FramingError) -> UInt32 {
            guard at + 4 <= body.count else { throw FramingError(description: "Connect response body too short (\(body.count) bytes)") }
            return UInt32(body[at]) | UInt32(body[at + 1]) << 8 | UInt32(body[at + 2]) << 16 | UInt32(body[at + 3]) << 24
        }
        let status = try u32(0)
        guard status == 0 else { return ConnectResponse(statusCode: status) }
        let errorCode = try u32(4)
        let polling = try u32(8)
        var index = 20
        guard let dnEnd = body[min(index, body.count)...].firstIndex(of: 0) else { throw FramingError(description: "Connect response DnPrefix is not terminated") }
        index = dnEnd + 1
        var units: [UInt16] = []
        while index + 1 < body.count {
            let unit = UInt16(body[index]) | UInt16(body[index + 1]) << 8
            index += 2
            if unit == 0 { break }
            units.append(unit)
        }
        return ConnectResponse(statusCode: 0, errorCode: errorCode, maxPollingIntervalMs: polling,
                               displayName: String(decoding: units, as: UTF16.self))
    }

    /// Builds a Connect success body (for test servers): the inverse of ``parseConnectResponse(_:)``.
    public static func connectResponseBody(displayName: String, dnPrefix: String, errorCode: UInt32 = 0) -> [UInt8] {
        var body: [UInt8] = []
        for value: UInt32 in [0, errorCode, 60_000, 6, 10_000] { body.append(contentsOf: littleEndian(value)) }
        body.append(contentsOf: Array(dnPrefix.utf8))
        body.append(0)
        for unit in displayName.utf16 { body.append(UInt8(unit & 0xFF)); body.append(UInt8(unit >> 8)) }
        body.append(contentsOf: [0, 0])
        body.append(contentsOf: littleEndian(0))
        return body
    }

    /// §2.2.3.3.3 X-ResponseCode: the meaning of each value (0-13 confirmed; 14 and up ⚠️).
    public static func responseCodeMeaning(_ code: Int) -> String {
        let names = [
            0: "Success", 1: "Unknown Failure", 2: "Invalid Verb", 3: "Invalid Path", 4: "Invalid Header",
            5: "Invalid Request Type", 6: "Invalid Context Cookie", 7: "Missing Header", 8: "Anonymous Not Allowed",
            9: "Too Large", 10: "Context Not Found", 11: "No Privilege", 12: "Invalid Request Body", 13: "Missing Cookie",
            15: "Invalid Sequence", 16: "Endpoint Disabled", 17: "Invalid Response", 18: "Endpoint Shutting Down",
        ]
        return names[code] ?? "code \(code)"
    }
}
