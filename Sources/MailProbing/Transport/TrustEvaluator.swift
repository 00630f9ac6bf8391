import Foundation
import MailCanaryCore
import NIOSSL
import SwiftASN1
import X509

/// Judges a server's certificate chain the way a client would, and says precisely why it fails:
/// untrusted issuer, expired, not yet valid, or issued for another name.
///
/// The TLS handshake itself accepts any chain (so that the probe can see it); this evaluator
/// decides afterwards, before a single credential is sent. Trust roots are parsed once.
public final class TrustEvaluator: Sendable {
    let roots: CertificateStore
    public let options: TLSOptions

    /// - Throws: ``TrustEvaluator/LoadError`` when `--ca-file` cannot be read or holds no certificate.
    public init(options: TLSOptions) throws(LoadError) {
        self.options = options
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
        let parsed = presented.compactMap { try? Certificate(derEncoded: $0.toDERBytes()) }
        var report = TLSReport(chainLength: presented.count)
        guard let leaf = parsed.first else {
            report.verificationError = "the server presented no certificate"
            return (report, .handshakeFailed)
        }
        report.subject = leaf.subject.description
        report.issuer = leaf.issuer.description
        report.notBefore = Self.iso(leaf.notValidBefore)
        report.notAfter = Self.iso(leaf.notValidAfter)
        report.daysLeft = Int((leaf.notValidAfter.timeIntervalSince(now) / 86_400).rounded(.down))
        if let names = try? leaf.extensions.subjectAlternativeNames {
            report.subjectAlternativeNames = names.map(Self.describe)
        }
        let intermediates = CertificateStore(parsed.dropFirst())

        let isIP = Self.isIPAddress(host)
        // Name check alone: the leaf is its own root here, so only the identity policy decides.
        var nameCheck = Verifier(rootCertificates: CertificateStore([leaf])) {
            ServerIdentityPolicy(serverHostname: isIP ? nil : host, serverIP: isIP ? host : nil)
        }
        if case .validCertificate = await nameCheck.validate(leaf: leaf, intermediates: CertificateStore()) {
            report.nameMatches = true
        }

        var verifier = Verifier(rootCertificates: roots) { RFC5280Policy(validationTime: now) }
        let trusted = await verifier.validate(leaf: leaf, intermediates: intermediates)
        var timeProblem: FailureReason?
        if now > leaf.notValidAfter { timeProblem = .certificateExpired }
        if now < leaf.notValidBefore { timeProblem = .certificateNotYetValid }

        switch trusted {
        case .validCertificate:
            report.chainTrusted = true
        case .couldNotValidate:
            if timeProblem != nil {
                // Would the chain be trusted just inside the leaf's validity window? Then time is
                // the only problem; otherwise the issuer is untrusted (the more telling fact).
                let inside = timeProblem == .certificateExpired
                    ? leaf.notValidAfter.addingTimeInterval(-1)
                    : leaf.notValidBefore.addingTimeInterval(1)
                var again = Verifier(rootCertificates: roots) { RFC5280Policy(validationTime: inside) }
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

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
