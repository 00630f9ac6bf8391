#if canImport(Glibc)
import Glibc
#endif
import CAres
import Foundation
import NIOCore

/// One c-ares channel driven to completion on the calling thread (a thread of NIO's blocking
/// pool): queries are started, then `poll(2)` and `ares_process_fd` run until every callback
/// has fired. c-ares enforces the per-try timeout and the tries; nothing here reads the clock.
///
/// Used by one thread only; created and destroyed per lookup.
final class CAresChannel {
    private var channel: ares_channel?
    /// The server the queries go to, as text, for the `server` fact.
    let serverDescription: String

    private static let libraryReady: Bool = ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS

    /// - Parameters:
    ///   - server: the one server to ask; nil for the system's (`/etc/resolv.conf`).
    ///   - timeoutMs: the time for the first try; c-ares doubles it for the second.
    init?(server: DNSServer?, timeoutMs: Int, tries: Int) {
        guard Self.libraryReady else { return nil }
        var options = ares_options()
        options.timeout = Int32(max(1, timeoutMs))
        options.tries = Int32(max(1, tries))
        // Answers with SERVFAIL/REFUSED are handed to us instead of being retried elsewhere:
        // the probe reports what the server said.
        options.flags = ARES_FLAG_NOCHECKRESP
        let mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS
        guard ares_init_options(&channel, &options, mask) == ARES_SUCCESS, let channel else { return nil }
        if let server {
            guard ares_set_servers_ports_csv(channel, server.caresForm) == ARES_SUCCESS else {
                ares_destroy(channel)
                self.channel = nil
                return nil
            }
            serverDescription = server.caresForm
        } else {
            serverDescription = Self.firstServer(of: channel) ?? "system resolver"
        }
    }

    deinit {
        if let channel { ares_destroy(channel) }
    }

    /// A raw query (`ares_query`): the answer bytes and c-ares' status.
    func query(_ name: String, type: Int32) -> (status: Int32, answer: [UInt8]) {
        final class Box {
            var status: Int32 = ARES_ETIMEOUT
            var answer: [UInt8] = []
            var done = false
        }
        let box = Box()
        ares_query(channel, name, 1 /* C_IN */, type, { arg, status, _, abuf, alen in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeUnretainedValue()
            box.status = status
            if let abuf, alen > 0 { box.answer = Array(UnsafeBufferPointer(start: abuf, count: Int(alen))) }
            box.done = true
        }, Unmanaged.passUnretained(box).toOpaque())
        drive { box.done }
        return (box.status, box.answer)
    }

    /// An address lookup (`ares_getaddrinfo`): `/etc/hosts` first when no server is named, then
    /// DNS; addresses with TTLs and the CNAME chain.
    func addresses(of host: String) -> (status: Int32, addresses: [DNSAddressAnswer.Address], cnames: [(alias: String, name: String, ttl: Int)]) {
        final class Box {
            var status: Int32 = ARES_ETIMEOUT
            var addresses: [DNSAddressAnswer.Address] = []
            var cnames: [(alias: String, name: String, ttl: Int)] = []
            var done = false
        }
        let box = Box()
        var hints = ares_addrinfo_hints()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        ares_getaddrinfo(channel, host, nil, &hints, { arg, status, _, result in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeUnretainedValue()
            box.status = status
            if let result {
                var node = result.pointee.nodes
                while let current = node {
                    if let address = current.pointee.ai_addr.flatMap(CAresChannel.socketAddress) {
                        box.addresses.append(.init(address: address, ttl: Int(current.pointee.ai_ttl)))
                    }
                    node = current.pointee.ai_next
                }
                var cname = result.pointee.cnames
                while let current = cname {
                    let alias = current.pointee.alias.map { String(decodingCString: $0) } ?? ""
                    let name = current.pointee.name.map { String(decodingCString: $0) } ?? ""
                    box.cnames.append((alias, name, Int(current.pointee.ttl)))
                    cname = current.pointee.next
                }
                ares_freeaddrinfo(result)
            }
            box.done = true
        }, Unmanaged.passUnretained(box).toOpaque())
        drive { box.done }
        return (box.status, box.addresses, box.cnames)
    }

    /// Runs the channel until `finished()`: poll on c-ares' sockets for at most c-ares' next
    /// timeout, then let it process what is ready (or its timers).
    private func drive(until finished: () -> Bool) {
        let maxSockets = Int(ARES_GETSOCK_MAXNUM)
        var sockets = [ares_socket_t](repeating: ARES_SOCKET_BAD, count: maxSockets)
        while !finished() {
            let bits = ares_getsock(channel, &sockets, Int32(maxSockets))
            var descriptors: [pollfd] = []
            for index in 0..<maxSockets {
                let readable = bits & (1 << index) != 0
                let writable = bits & (1 << (index + maxSockets)) != 0
                guard readable || writable else { continue }
                let events = (readable ? Int16(POLLIN) : 0) | (writable ? Int16(POLLOUT) : 0)
                descriptors.append(pollfd(fd: sockets[index], events: events, revents: 0))
            }
            var wait = timeval()
            let waitMs: Int32
            if let next = ares_timeout(channel, nil, &wait) {
                waitMs = Int32(next.pointee.tv_sec * 1000 + Int(next.pointee.tv_usec) / 1000)
            } else {
                waitMs = 1000
            }
            let ready = descriptors.isEmpty ? 0 : poll(&descriptors, nfds_t(descriptors.count), max(0, waitMs))
            if ready <= 0 {
                if descriptors.isEmpty, waitMs > 0 { usleep(useconds_t(min(waitMs, 50)) * 1000) }
                ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD)
                continue
            }
            for descriptor in descriptors where descriptor.revents != 0 {
                let readable = descriptor.revents & Int16(POLLIN | POLLERR | POLLHUP) != 0
                let writable = descriptor.revents & Int16(POLLOUT) != 0
                ares_process_fd(channel, readable ? descriptor.fd : ARES_SOCKET_BAD, writable ? descriptor.fd : ARES_SOCKET_BAD)
            }
        }
    }

    /// A `sockaddr` of c-ares as NIO's address (port 0; the caller sets it).
    static func socketAddress(_ address: UnsafeMutablePointer<sockaddr>) -> SocketAddress? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: "") }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: "") }
        default:
            return nil
        }
    }

    /// The first configured server, `address:port`.
    static func firstServer(of channel: ares_channel) -> String? {
        var list: UnsafeMutablePointer<ares_addr_port_node>?
        guard ares_get_servers_ports(channel, &list) == ARES_SUCCESS, let first = list else { return nil }
        defer { ares_free_data(list) }
        var address = first.pointee.addr
        let length = first.pointee.family == AF_INET6 ? 16 : 4
        let port = first.pointee.udp_port == 0 ? 53 : Int(first.pointee.udp_port)
        let packed = withUnsafeBytes(of: &address) { ByteBuffer(bytes: $0.prefix(length)) }
        guard let text = (try? SocketAddress(packedIPAddress: packed, port: port))?.ipAddress else { return nil }
        return length == 16 ? "[\(text)]:\(port)" : "\(text):\(port)"
    }
}

extension String {
    /// A NUL-terminated C string, decoded as UTF-8 (invalid bytes replaced).
    init(decodingCString pointer: UnsafePointer<CChar>) {
        self = pointer.withMemoryRebound(to: UInt8.self, capacity: strlen(pointer) + 1) {
            String(decoding: UnsafeBufferPointer(start: $0, count: strlen(pointer)), as: UTF8.self)
        }
    }
}
