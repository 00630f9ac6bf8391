#if canImport(Glibc)
import Glibc
#endif
import CAres
import MailCanaryCore
import NIOCore
import NIOPosix

/// DNS lookups through c-ares on NIO's blocking pool, each ending by the probe's deadline.
///
/// Two uses: the DNS prober's queries (any type, one server, the answer records with TTLs and
/// the rcode told apart), and the `resolve` step of every prober (addresses of a host,
/// `/etc/hosts` then DNS, or one named server).
public enum DNSClient {
    /// Asks `server` (or the system's resolver) for `name`/`type`, answering by `deadline`.
    public static func query(_ name: String, type: DNSRecordType, server: DNSServer?, deadline: NIODeadline) async -> DNSResponse {
        guard let timeoutMs = tryTimeoutMs(until: deadline) else {
            return DNSResponse(status: .timeout, server: server?.description ?? "system resolver")
        }
        return await onBlockingPool {
            let started = NIODeadline.now()
            guard let channel = CAresChannel(server: server, timeoutMs: timeoutMs, tries: 2) else {
                return DNSResponse(status: .other("c-ares could not start a channel"), server: server?.description ?? "system resolver")
            }
            let (status, answer) = channel.query(name, type: type.code)
            let elapsed = Double((NIODeadline.now() - started).nanoseconds) / 1e6
            var response = DNSResponse(status: dnsStatus(status), server: channel.serverDescription, elapsedMs: elapsed)
            if status == ARES_SUCCESS {
                guard let records = DNSAnswerParser.answerRecords(answer) else {
                    response.status = .malformed
                    return response
                }
                response.records = records
            }
            return response
        }
    }

    /// The addresses of `host` for the `resolve` step.
    public static func addresses(of host: String, server: DNSServer?, deadline: NIODeadline) async -> DNSAddressAnswer {
        guard let timeoutMs = tryTimeoutMs(until: deadline) else {
            return DNSAddressAnswer(status: .timeout, server: server?.description ?? "system resolver", addresses: [], cnames: [])
        }
        return await onBlockingPool {
            guard let channel = CAresChannel(server: server, timeoutMs: timeoutMs, tries: 2) else {
                return DNSAddressAnswer(status: .other("c-ares could not start a channel"), server: server?.description ?? "system resolver", addresses: [], cnames: [])
            }
            let (status, addresses, cnames) = channel.addresses(of: host)
            var seen = Set<String>()
            let unique = addresses.filter { seen.insert($0.ip).inserted }
            return DNSAddressAnswer(status: dnsStatus(status), server: channel.serverDescription, addresses: unique, cnames: cnames)
        }
    }

    /// Two tries, the second twice as long as the first (c-ares' back-off): together they end
    /// by the deadline. At least 50 ms, at most 5 s for the first try; nil when no time is left.
    static func tryTimeoutMs(until deadline: NIODeadline) -> Int? {
        let remaining = deadline - .now()
        guard remaining > .zero else { return nil }
        return min(5_000, max(50, Int(remaining.nanoseconds / 3_000_000)))
    }

    static func dnsStatus(_ code: Int32) -> DNSStatus {
        switch code {
        case ARES_SUCCESS: return .answered
        case ARES_ENOTFOUND: return .nameNotFound
        case ARES_ENODATA: return .noData
        case ARES_ESERVFAIL: return .serverFailure
        case ARES_EREFUSED: return .refused
        case ARES_ETIMEOUT: return .timeout
        case ARES_ECONNREFUSED: return .unreachable
        case ARES_EBADRESP, ARES_EFORMERR: return .malformed
        default: return .other(String(decodingCString: ares_strerror(code)))
        }
    }

    static func onBlockingPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            NIOThreadPool.singleton.submit { _ in continuation.resume(returning: work()) }
        }
    }
}

/// Walks the answer section with glibc's `ns_initparse`/`ns_parserr` (RFC 1035 §4.1), keeping
/// each record's TTL; names are expanded with `dn_expand` (compression, §4.1.4).
enum DNSAnswerParser {
    static func answerRecords(_ answer: [UInt8]) -> [DNSRecord]? {
        answer.withUnsafeBufferPointer { buffer -> [DNSRecord]? in
            guard let base = buffer.baseAddress else { return nil }
            var message = ns_msg()
            guard ns_initparse(base, Int32(buffer.count), &message) == 0 else { return nil }
            let count = Int(message._counts.1)
            var records: [DNSRecord] = []
            for index in 0..<count {
                var rr = ns_rr()
                guard ns_parserr(&message, ns_s_an, Int32(index), &rr) == 0 else { return nil }
                let name = withUnsafeBytes(of: rr.name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
                guard let record = decode(rr, name: name, message: base, end: base + buffer.count) else { continue }
                records.append(record)
            }
            return records
        }
    }

    static func decode(_ rr: ns_rr, name: String, message: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> DNSRecord? {
        guard let rdata = rr.rdata else { return nil }
        let length = Int(rr.rdlength)
        let bytes = UnsafeBufferPointer(start: rdata, count: length)
        func expand(at offset: Int) -> String? {
            guard offset < length else { return nil }
            var out = [CChar](repeating: 0, count: 1025)
            guard dn_expand(message, end, rdata + offset, &out, Int32(out.count)) >= 0 else { return nil }
            return out.withUnsafeBufferPointer { String(decodingCString: $0.baseAddress!) }
        }
        func u16(_ offset: Int) -> Int { Int(bytes[offset]) << 8 | Int(bytes[offset + 1]) }
        let typeName = DNSRecordType(code: Int(rr.type))?.rawValue ?? "TYPE\(rr.type)"
        var record = DNSRecord(name: name, type: typeName, ttl: rr.ttl, value: "")
        switch DNSRecordType(code: Int(rr.type)) {
        case .a, .aaaa:
            guard length == (rr.type == 1 ? 4 : 16),
                  let text = (try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0))?.ipAddress else { return nil }
            record.value = text
        case .cname, .ns:
            guard let target = expand(at: 0) else { return nil }
            record.value = target
            record.target = target
        case .mx:
            guard length >= 3, let target = expand(at: 2) else { return nil }
            record.priority = u16(0)
            record.target = target
            record.value = "\(u16(0)) \(target)"
        case .srv:
            guard length >= 7, let target = expand(at: 6) else { return nil }
            record.priority = u16(0)
            record.weight = u16(2)
            record.port = u16(4)
            record.target = target
            record.value = "\(u16(0)) \(u16(2)) \(u16(4)) \(target)"
        case .txt:
            var parts: [String] = []
            var offset = 0
            while offset < length {
                let size = Int(bytes[offset])
                let stop = min(length, offset + 1 + size)
                parts.append("\"" + String(decoding: bytes[(offset + 1)..<stop], as: UTF8.self) + "\"")
                offset = stop
            }
            record.value = parts.joined(separator: " ")
        case nil:
            record.value = "\\# \(length)"
        }
        return record
    }
}
