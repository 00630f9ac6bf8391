#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MailCanaryCore
import NIOCore
import NIOPosix

/// The `resolve` step: the system resolver (`getaddrinfo`), on NIO's thread pool, bounded by the
/// probe's deadline.
///
/// Tells NXDOMAIN (`EAI_NONAME`: the name does not exist) apart from a resolver that failed or
/// timed out (`EAI_AGAIN`, `EAI_FAIL`). Issue 3's DNS prober asks servers directly for more detail.
public enum Resolver {
    public struct Answer: Sendable {
        public var addresses: [SocketAddress]
        /// The address the probe will use: the first IPv4 address, else the first address.
        /// One address, one attempt: no happy eyeballs (blackbox_exporter's rule too).
        public var chosen: SocketAddress
    }

    public static func resolve(host: String, port: Int, context: ProbeContext) async throws(ProbeFailure) -> Answer {
        // An address literal needs no resolver (and no trip to the thread pool).
        if TrustEvaluator.ipBytes(host) != nil, let address = try? SocketAddress(ipAddress: host, port: port) {
            return Answer(addresses: [address], chosen: address)
        }
        let eventLoop = context.eventLoopGroup.any()
        let promise = eventLoop.makePromise(of: Result<[SocketAddress], ProbeFailure>.self)
        let timeout = eventLoop.scheduleTask(deadline: context.deadline) {
            promise.succeed(.failure(ProbeFailure(.timeout, reason: .resolverTimeout, step: .resolve,
                                                  message: "the resolver gave no answer for \(host) within the deadline")))
        }
        NIOThreadPool.singleton.submit { _ in
            let result = lookup(host: host, port: port)
            eventLoop.execute {
                timeout.cancel()
                promise.succeed(result)
            }
        }
        let outcome: Result<[SocketAddress], ProbeFailure>
        do {
            outcome = try await promise.futureResult.get()
        } catch {
            throw ProbeFailure(.timeout, reason: .resolverTimeout, step: .resolve, message: "resolution was cancelled")
        }
        let addresses = try outcome.get()
        let chosen = addresses.first { $0.protocol == .inet } ?? addresses[0]
        return Answer(addresses: addresses, chosen: chosen)
    }

    static func lookup(host: String, port: Int) -> Result<[SocketAddress], ProbeFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(failure(for: status, host: host))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                switch entry.pointee.ai_family {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                        addresses.append(SocketAddress($0.pointee, host: host))
                    }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                        addresses.append(SocketAddress($0.pointee, host: host))
                    }
                default:
                    break
                }
            }
            cursor = entry.pointee.ai_next
        }
        var seen = Set<String>()
        addresses = addresses.filter { seen.insert($0.description).inserted }
        guard !addresses.isEmpty else {
            return .failure(ProbeFailure(.dns, reason: .nameNotFound, step: .resolve, message: "\(host) has no IPv4 or IPv6 address"))
        }
        return .success(addresses)
    }

    static func failure(for status: Int32, host: String) -> ProbeFailure {
        switch status {
        case EAI_NONAME:
            return ProbeFailure(.dns, reason: .nameNotFound, step: .resolve, message: "\(host) does not exist (NXDOMAIN)")
        #if canImport(Glibc)
        case -5:  // EAI_NODATA (glibc): the name exists but has no address of this family
            return ProbeFailure(.dns, reason: .nameNotFound, step: .resolve, message: "\(host) has no address records")
        #endif
        case EAI_AGAIN:
            return ProbeFailure(.dns, reason: .resolverFailure, step: .resolve,
                                message: "the resolver could not answer for \(host) (SERVFAIL or timeout)")
        default:
            let text = String(cString: gai_strerror(status))
            return ProbeFailure(.dns, reason: .resolverFailure, step: .resolve, message: "resolving \(host) failed: \(text)")
        }
    }
}
