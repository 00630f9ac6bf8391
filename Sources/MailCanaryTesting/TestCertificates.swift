import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// Throw-away certificates for test servers: a CA and leaves that are valid, expired, for another
/// name, or self-signed. Made in memory with swift-certificates, so no openssl run is needed.
public struct TestCertificates: Sendable {
    public struct Identity: Sendable {
        public var certificatePEM: String
        public var privateKeyPEM: String

        public func tlsConfiguration() throws -> TLSConfiguration {
            let certificate = try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
            let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
            return TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        }
    }

    public let caPEM: String
    /// The CA written to a temporary file, for `--ca-file`.
    public let caFile: String
    private let caKey: P256.Signing.PrivateKey
    private let caName: DistinguishedName

    public init() throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("MailCanary Test CA") }
        let now = Date()
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400 * 365),
            notValidAfter: now.addingTimeInterval(86_400 * 365),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                KeyUsage(keyCertSign: true)
            },
            issuerPrivateKey: .init(key)
        )
        caKey = key
        caName = name
        caPEM = try ca.serializeAsPEM().pemString
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mailcanary-test-ca-\(UUID().uuidString).pem").path
        try caPEM.write(toFile: path, atomically: true, encoding: .utf8)
        caFile = path
    }

    /// A leaf for `names` (DNS names or IP addresses), valid from `notBefore` to `notAfter`,
    /// issued by the test CA, or self-signed when `selfSigned`.
    public func leaf(
        names: [String] = ["localhost", "127.0.0.1"],
        notBefore: Date = Date().addingTimeInterval(-3_600),
        notAfter: Date = Date().addingTimeInterval(86_400 * 30),
        selfSigned: Bool = false
    ) throws -> Identity {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(names.first ?? "localhost") }
        let sans: [GeneralName] = names.map { name in
            if let octets = Self.ipv4(name) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets))) }
            return .dnsName(name)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: selfSigned ? subject : caName,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames(sans)
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: selfSigned ? .init(key) : .init(caKey)
        )
        return Identity(certificatePEM: try certificate.serializeAsPEM().pemString, privateKeyPEM: key.pemRepresentation)
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".")
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { UInt8($0) }
        return octets.count == 4 ? octets : nil
    }
}
