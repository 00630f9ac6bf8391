import Crypto
import Foundation
import CryptoExtras

/// The signed JWT an app presents instead of a client secret (certificate credentials,
/// exchange-protocols.md §1.2; RFC 7523): RS256 over `header.payload`, the header naming the
/// certificate by its SHA-1 (`x5t`) and SHA-256 (`x5t#S256`) thumbprints, the payload
/// audience the token endpoint, issuer and subject the client id, valid for ten minutes.
public struct ClientAssertion: Sendable {
    let key: _RSA.Signing.PrivateKey
    let thumbprintSHA1: String
    let thumbprintSHA256: String

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - certificatePEM: the certificate registered on the app.
    ///   - privateKeyPEM: its RSA private key (PKCS#1 or PKCS#8 PEM).
    public init(certificatePEM: String, privateKeyPEM: String) throws(Invalid) {
        guard let der = Self.der(certificatePEM, label: "CERTIFICATE") else {
            throw Invalid(description: "the certificate file holds no PEM CERTIFICATE block")
        }
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw Invalid(description: "the private key is not an RSA key in PEM")
        }
        thumbprintSHA1 = Self.base64URL(Data(Insecure.SHA1.hash(data: der)))
        thumbprintSHA256 = Self.base64URL(Data(SHA256.hash(data: der)))
    }

    /// A fresh assertion for one token request.
    public func make(audience: String, clientID: String, nowMs: Int64) throws(Invalid) -> String {
        let now = nowMs / 1_000
        let header = #"{"alg":"RS256","typ":"JWT","x5t":"\#(thumbprintSHA1)","x5t#S256":"\#(thumbprintSHA256)"}"#
        let payload: [String: Any] = ["aud": audience, "iss": clientID, "sub": clientID, "jti": UUID().uuidString,
                                      "nbf": now, "iat": now, "exp": now + 600]
        guard let payloadData = try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw Invalid(description: "cannot encode the assertion")
        }
        let input = Self.base64URL(Data(header.utf8)) + "." + Self.base64URL(payloadData)
        do {
            let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
            return input + "." + Self.base64URL(signature.rawRepresentation)
        } catch {
            throw Invalid(description: "cannot sign the assertion with the private key")
        }
    }

    static func der(_ pem: String, label: String) -> Data? {
        guard let begin = pem.range(of: "-----BEGIN \(label)-----"), let end = pem.range(of: "-----END \(label)-----", range: begin.upperBound..<pem.endIndex) else {
            return nil
        }
        let body = pem[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        return Data(base64Encoded: String(body))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
