import Crypto

/// The quote SoftSEAM's built-in host returns for GetQuote (TDVMCALL 0x10002): a SoftSEAM quote, marked as such
/// in its header and signed with a model key — never presented as an Intel quote (those are DCAP quotes signed
/// by a platform's Quoting Enclave).
///
///     offset  size  field
///          0    16  magic "SOFTSEAM-QUOTE-1"
///         16     2  version 1 (little-endian)
///         18     2  signature algorithm 1 = Ed25519
///         20     4  reserved (0)
///         24    32  the attestation key's public part (`publicKey`)
///         56  1024  the TDREPORT_STRUCT the TD asked to be quoted (its MAC checked first, `TDReport`)
///       1080    64  Ed25519 signature of bytes 0…1079
///
/// The key is one fixed model key (its seed is SHA-256 of "SoftSEAM quote key v1"), so a verifier needs only
/// `publicKey` (`softseam attest key` prints it); Ed25519 signatures are deterministic, so the same report gives
/// the same quote in every run.
public enum TDQuote {
    public static let magic = Array("SOFTSEAM-QUOTE-1".utf8)
    public static let size = 1144
    static let reportOffset = 56
    static let signatureOffset = 1080

    static let key: Curve25519.Signing.PrivateKey = {
        guard
            let k = try? Curve25519.Signing.PrivateKey(
                rawRepresentation: SHA256.hash(data: Array("SoftSEAM quote key v1".utf8)))
        else { preconditionFailure("a 32-byte seed is an Ed25519 key") }
        return k
    }()

    /// The attestation key's public part (32 bytes, Ed25519).
    public static var publicKey: [UInt8] { Array(key.publicKey.rawRepresentation) }

    /// The quote of `report` (1,024 bytes).
    static func make(report: [UInt8]) -> [UInt8] {
        precondition(report.count == TDReport.size)
        var q = magic + [1, 0, 1, 0, 0, 0, 0, 0] + publicKey + report
        guard let signature = try? key.signature(for: q) else { preconditionFailure("Ed25519 signing cannot fail") }
        q += Array(signature)
        return q
    }

    /// The report a SoftSEAM quote carries, when its header and signature are good (under `publicKey`: the
    /// key the quote names must be this one).
    public static func report(inQuote q: [UInt8]) -> [UInt8]? {
        guard q.count == size, Array(q[0..<16]) == magic, q[16] == 1, q[17] == 0, q[18] == 1, q[19] == 0,
            Array(q[24..<56]) == publicKey,
            key.publicKey.isValidSignature(q[signatureOffset..<size], for: q[0..<signatureOffset])
        else { return nil }
        return Array(q[reportOffset..<reportOffset + TDReport.size])
    }
}
