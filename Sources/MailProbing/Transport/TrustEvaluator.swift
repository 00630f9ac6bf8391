import Foundation
import MailCanaryCore
import NIOSSL
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// Judges a server's certificate chain the way a client would, and says precisely why it fails:
/// untrusted issuer, expired, not yet valid, or issued for another name.
///
/// The TLS handshake itself accepts any chain (so that the probe can see it); this evaluator
/// decides afterwards, before a single credential is sent. Trust roots are parsed once.
public final class TrustEvaluator: Sendable {
    let roots: CertificateStore
    public let options: TLSOptions
    /// Chains whose signature path to a trusted root was verified, with the window in which every
    /// certificate of that path is valid. A monitor sees the same chain on every probe of a
    /// target; re-verifying its signatures each time changes nothing. Validity at the probe's
    /// time and the name are still checked on every probe; only the path search is remembered.
    private let verifiedChains: BoundedCache<DERKey, ClosedRange<Date>>?
    /// What the leaf certificate says, parsed once per distinct leaf (same bound as above).
    private let leaves: BoundedCache<DERKey, Leaf>?

    struct Leaf: Sendable {
        var certificate: Certificate
        var names: [GeneralName]
        var report: TLSReport
    }
    /// Entries kept before the cache is emptied. Default 4,096 distinct chains.
    static let verifiedChainLimit = 4_096

    /// - Parameter cacheVerifiedChains: remember verified signature paths (default true).
    /// - Throws: ``TrustEvaluator/LoadError`` when `--ca-file` cannot be read or holds no certificate.
    public init(options: TLSOptions, cacheVerifiedChains: Bool = true) throws(LoadError) {
        self.options = options
        self.verifiedChains = cacheVerifiedChains ? BoundedCache(limit: Self.verifiedChainLimit) : nil
        self.leaves = cacheVerifiedChains ? BoundedCache(limit: Self.verifiedChainLimit) : nil
        if let path = options.caFile {
            guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw LoadError(message: "cannot read the CA file \(path): check the path and its permissions")
            }
            let certificates = Self.parsePEMBundle(pem)
            guard !certificates.isEmpty else {
                throw LoadError(message: "the CA file \(path) holds no PEM certificate")
            }
            self.roots = CertificateStore(certificates)
        } else {
            self.roots = CertificateStore.systemTrustRoots
        }
    }

    public struct LoadError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    static func parsePEMBundle(_ pem: String) -> [Certificate] {
        var certificates: [Certificate] = []
        var current: [String] = []
        var inside = false
        for line in pem.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("-----BEGIN CERTIFICATE-----") { inside = true; current = [String(line)]; continue }
            if inside { current.append(String(line)) }
            if line.hasPrefix("-----END CERTIFICATE-----"), inside {
                inside = false
                if let certificate = try? Certificate(pemEncoded: current.joined(separator: "\n")) {
                    certificates.append(certificate)
                }
            }
        }
        return certificates
    }

    /// Evaluates a presented chain (leaf first) for `host` at time `now`.
    public func evaluate(
        presented: [NIOSSLCertificate],
        host: String,
        now: Date
    ) async -> (report: TLSReport, problem: FailureReason?) {
        let ders = presented.compactMap { try? $0.toDERBytes() }
        guard let leafDER = ders.first, let parsed = parseLeaf(leafDER) else {
            var report = TLSReport(chainLength: presented.count)
            report.verificationError = "the server presented no certificate that can be read"
            return (report, .handshakeFailed)
        }
        let leaf = parsed.certificate
        var report = parsed.report
        report.chainLength = presented.count
        report.daysLeft = Int((leaf.notValidAfter.timeIntervalSince(now) / 86_400).rounded(.down))
        report.nameMatches = Self.nameMatches(parsed.names, host: host)

        var timeProblem: FailureReason?
        if now > leaf.notValidAfter { timeProblem = .certificateExpired }
        if now < leaf.notValidBefore { timeProblem = .certificateNotYetValid }

        let key = DERKey(ders.flatMap { $0 })
        if let window = verifiedChains?[key], window.contains(now) {
            report.chainTrusted = true
        } else {
            let intermediates = CertificateStore(ders.dropFirst().compactMap { try? Certificate(derEncoded: $0) })
            var verifier = Verifier(rootCertificates: roots) { RFC5280Policy(fixedExpiryValidationTime: now) }
            if case .validCertificate(let path) = await verifier.validate(leaf: leaf, intermediates: intermediates) {
                report.chainTrusted = true
                remember(key, path: Array(path))
            } else if let timeProblem {
                // Would the chain be trusted just inside the leaf's validity window? Then time is
                // the only problem; otherwise the issuer is untrusted (the more telling fact).
                let inside = timeProblem == .certificateExpired
                    ? leaf.notValidAfter.addingTimeInterval(-1)
                    : leaf.notValidBefore.addingTimeInterval(1)
                var again = Verifier(rootCertificates: roots) { RFC5280Policy(fixedExpiryValidationTime: inside) }
                if case .validCertificate = await again.validate(leaf: leaf, intermediates: intermediates) {
                    report.chainTrusted = true
                }
            }
        }

        let problem: FailureReason?
        if !report.chainTrusted {
            problem = .certificateUntrusted
            report.verificationError = "certificate issued by \"\(leaf.issuer.description)\" does not chain to a trusted root"
        } else if let timeProblem {
            problem = timeProblem
            report.verificationError = timeProblem == .certificateExpired
                ? "certificate expired on \(Self.iso(leaf.notValidAfter))"
                : "certificate not valid before \(Self.iso(leaf.notValidBefore))"
        } else if !report.nameMatches {
            problem = .certificateNameMismatch
            let names = report.subjectAlternativeNames.joined(separator: ", ")
            report.verificationError = "certificate is for \(names.isEmpty ? leaf.subject.description : names), not \(host)"
        } else {
            problem = nil
        }
        if problem == .certificateUntrusted, let timeProblem, timeProblem == .certificateExpired {
            report.verificationError! += "; it also expired on \(Self.iso(leaf.notValidAfter))"
        }
        return (report, problem)
    }

    private func parseLeaf(_ der: [UInt8]) -> Leaf? {
        let key = DERKey(der)
        if let cached = leaves?[key] { return cached }
        guard let certificate = try? Certificate(derEncoded: der) else { return nil }
        let names = (try? certificate.extensions.subjectAlternativeNames).map { Array($0) } ?? []
        var report = TLSReport()
        report.subject = certificate.subject.description
        report.issuer = certificate.issuer.description
        report.notBefore = Self.iso(certificate.notValidBefore)
        report.notAfter = Self.iso(certificate.notValidAfter)
        report.subjectAlternativeNames = names.map(Self.describe)
        let leaf = Leaf(certificate: certificate, names: names, report: report)
        leaves?.insert(leaf, for: key)
        return leaf
    }

    private func remember(_ key: DERKey, path: [Certificate]) {
        guard let verifiedChains, !path.isEmpty else { return }
        let from = path.map(\.notValidBefore).max()!
        let until = path.map(\.notValidAfter).min()!
        guard from <= until else { return }
        verifiedChains.insert(from...until, for: key)
    }

    /// RFC 6125 §6.4: a DNS host against the dNSName entries (a wildcard only as the whole
    /// left-most label, matching exactly one label); an IP host against the iPAddress entries.
    /// The subject's common name is not consulted, as current browsers do not.
    static func nameMatches(_ names: [GeneralName], host: String) -> Bool {
        if let address = ipBytes(host) {
            return names.contains { name in
                if case .ipAddress(let bytes) = name { return Array(bytes.bytes) == address }
                return false
            }
        }
        var wanted = host.lowercased()
        if wanted.hasSuffix(".") { wanted.removeLast() }
        let wantedLabels = wanted.split(separator: ".", omittingEmptySubsequences: false)
        return names.contains { name in
            guard case .dnsName(let raw) = name else { return false }
            var pattern = raw.lowercased()
            if pattern.hasSuffix(".") { pattern.removeLast() }
            if pattern == wanted { return true }
            guard pattern.hasPrefix("*.") else { return false }
            let patternLabels = pattern.split(separator: ".", omittingEmptySubsequences: false)
            return patternLabels.count == wantedLabels.count && patternLabels.count >= 3
                && !wantedLabels[0].isEmpty && Array(patternLabels.dropFirst()) == Array(wantedLabels.dropFirst())
        }
    }

    static func ipBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    static func describe(_ name: GeneralName) -> String {
        switch name {
        case .dnsName(let dns): return "DNS:\(dns)"
        case .ipAddress(let bytes):
            let octets = Array(bytes.bytes)
            if octets.count == 4 { return "IP:" + octets.map(String.init).joined(separator: ".") }
            return "IP:" + stride(from: 0, to: octets.count, by: 2).map {
                String(format: "%x", Int(octets[$0]) << 8 | Int(octets[min($0 + 1, octets.count - 1)]))
            }.joined(separator: ":")
        case .rfc822Name(let mail): return "email:\(mail)"
        case .uniformResourceIdentifier(let uri): return "URI:\(uri)"
        default: return "\(name)"
        }
    }


    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// Certificate bytes as a dictionary key, hashed in one pass (an `[UInt8]` key hashes byte by byte).
struct DERKey: Hashable, Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
