import Crypto
import SEAMCore
import SwiftASN1
import X509

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The vTPM's self-signed EK certificate with the TD quote in it: the combined attestation of the design guide,
/// where L1 takes a TDREPORT whose REPORTDATA is the hash of the EK public key, has it quoted, and places the
/// quote in the EK certificate, so one certificate carries both the vTPM's key and the TD evidence that binds it.
///
/// X.509 v3, subject and issuer "CN=SoftSEAM vTPM EK, O=SoftSEAM model", the EK (Ed25519) as subject key,
/// signed by the EK itself. No wall clock: valid from 2026-01-01 00:00:00 UTC to 9999-12-31 23:59:59 UTC (RFC
/// 5280 §4.1.2.5: no well-defined expiration). The serial number is the first 8 bytes of SHA-256 of the EK
/// public key (top bit clear: a positive INTEGER). The quote is the value of one non-critical extension under
/// `quoteExtensionOID`, as an OCTET STRING's contents (the extension value itself).
public enum EKCertificate {
    /// 1.3.6.1.4.1.32473.7368.1: SoftSEAM's arc under IANA's enterprise number 32473, the one RFC 5612 sets
    /// aside for examples and documentation, fitting for a quote that is never a production one; 7368 and 1
    /// stand for "SoftSEAM" and "the TD quote binding this vTPM EK". (A UUID arc, 2.25.…, would be the usual
    /// unregistered choice, but swift-asn1 holds each arc in a machine word and a UUID needs 128 bits.)
    public static let quoteExtensionOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 32473, 7368, 1]

    static let notBefore = Date(timeIntervalSince1970: 1_767_225_600)
    static let notAfter = Date(timeIntervalSince1970: 253_402_300_799)

    /// The certificate's DER bytes.
    public static func make(ek: Curve25519.Signing.PrivateKey, quote: [UInt8]) throws -> [UInt8] {
        let name = try DistinguishedName {
            CommonName("SoftSEAM vTPM EK")
            OrganizationName("SoftSEAM model")
        }
        var serial = Array(SHA256.hash(data: ek.publicKey.rawRepresentation).prefix(8))
        serial[0] &= 0x7F
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(bytes: serial),
            publicKey: Certificate.PublicKey(ek.publicKey), notValidBefore: notBefore, notValidAfter: notAfter,
            issuer: name, subject: name, signatureAlgorithm: .ed25519,
            extensions: Certificate.Extensions([
                Certificate.Extension(oid: quoteExtensionOID, critical: false, value: quote[...])
            ]),
            issuerPrivateKey: Certificate.PrivateKey(ek))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    /// What a verifier takes from the certificate.
    public struct Contents: Sendable {
        /// The subject key (Ed25519, 32 bytes).
        public var ekPublicKey: [UInt8]
        /// The quote extension's value, nil when the certificate has none.
        public var quote: [UInt8]?
        /// Whether the certificate's signature verifies under its own subject key (self-signed by the EK).
        public var selfSigned: Bool
        /// The serial number's bytes (big-endian, as DER has them).
        public var serialNumber: [UInt8]
    }

    /// Parses DER (or PEM) bytes. Throws what swift-certificates reports for a malformed certificate, and
    /// `Failure.notEd25519` for a subject key that is not an Ed25519 key.
    public static func parse(_ bytes: [UInt8]) throws -> Contents {
        let certificate: Certificate
        if bytes.starts(with: Array("-----BEGIN".utf8)) {
            certificate = try Certificate(pemEncoded: String(decoding: bytes, as: UTF8.self))
        } else {
            certificate = try Certificate(derEncoded: bytes)
        }
        guard let key = Curve25519.Signing.PublicKey(certificate.publicKey) else { throw Failure.notEd25519 }
        return Contents(
            ekPublicKey: Array(key.rawRepresentation),
            quote: certificate.extensions[oid: quoteExtensionOID].map { Array($0.value) },
            selfSigned: certificate.publicKey.isValidSignature(certificate.signature, for: certificate),
            serialNumber: Array(certificate.serialNumber.bytes))
    }

    /// PEM text of DER bytes.
    public static func pem(_ der: [UInt8]) throws -> String {
        try Certificate(derEncoded: der).serializeAsPEM().pemString
    }

    public enum Failure: Error, CustomStringConvertible {
        case notEd25519
        public var description: String { "the certificate's subject key is not an Ed25519 key" }
    }
}
