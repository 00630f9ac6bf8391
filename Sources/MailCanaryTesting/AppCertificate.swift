import CryptoExtras
import Foundation
import SwiftASN1
import X509

/// An app registration's certificate credential for the test token endpoint: an RSA key (the
/// identity platform wants RS256 client assertions) and a self-signed certificate for it.
public struct AppCertificate: Sendable {
    public var certificatePEM: String
    public var privateKeyPEM: String
    public var publicKeyPEM: String

    public init() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let name = try DistinguishedName { CommonName("mailcanary-probe app") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3_600), notValidAfter: now.addingTimeInterval(86_400 * 30),
            issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption,
            extensions: Certificate.Extensions(), issuerPrivateKey: .init(key))
        certificatePEM = try certificate.serializeAsPEM().pemString
        privateKeyPEM = key.pemRepresentation
        publicKeyPEM = key.publicKey.pemRepresentation
    }
}

/// Checks a client assertion (RFC 7523, as the identity platform does for certificate
/// credentials): three base64url parts, RS256 with a thumbprint in the header, issuer and
/// subject the client id, audience the token endpoint, not expired, signed by the key.
enum ClientAssertionCheck {
    static func verify(_ assertion: String, clientID: String, publicKeyPEM: String, nowSeconds: Int64) -> String? {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerData = decode(parts[0]), let payloadData = decode(parts[1]), let signature = decode(parts[2]),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
              let payload = (try? JSONSerialization.jsonObject(with: payloadData)) as? [String: Any] else {
            return "AADSTS50027: JWT token is invalid or malformed."
        }
        guard header["alg"] as? String == "RS256", header["x5t"] is String else { return "AADSTS5002738: Invalid JWT token. The 'x5t' header is missing or the algorithm is not RS256." }
        guard payload["iss"] as? String == clientID, payload["sub"] as? String == clientID else { return "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter." }
        guard (payload["aud"] as? String)?.hasSuffix("/oauth2/v2.0/token") == true else { return "AADSTS700212: No matching federated identity record found for presented assertion audience." }
        guard let expiry = (payload["exp"] as? NSNumber)?.int64Value, expiry > nowSeconds else { return "AADSTS700024: Client assertion is not within its valid time range." }
        guard let key = try? _RSA.Signing.PublicKey(pemRepresentation: publicKeyPEM),
              key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: Data((parts[0] + "." + parts[1]).utf8), padding: .insecurePKCS1v1_5) else {
            return "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
        }
        return nil
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
