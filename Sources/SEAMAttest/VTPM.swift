import Crypto
import SEAMTypes

/// A small ephemeral vTPM of the kind a TD-partitioning L1 keeps for its L2 (Intel's "TD Partitioning based vTPM
/// Design Guide": the L1 is the vRTM, its vTPM service the vRTR and vRTS; NV storage lives in L1 memory and is
/// gone at teardown). What SoftSEAM's example L1 needs of a TPM, no more: a SHA-384 PCR bank with TPM 2.0 extend
/// semantics, the event log of what was extended, an endorsement key and a signed PCR quote.
///
/// PCR extend (TPM 2.0 Library, Part 1 §17.2): PCR[i] = SHA-384(PCR[i] ‖ digest), PCRs start as 48 zero bytes.
///
/// The EK is Ed25519, not one of the TCG EK profile's RSA or ECC NIST keys: on Linux swift-crypto signs it with
/// BoringSSL, deterministically, so SoftSEAM's evidence is the same bytes in every run there (Apple's CryptoKit,
/// which swift-crypto uses on macOS, randomizes Ed25519 signatures: the same run then gives other signature bytes,
/// as it does for `TDQuote`). It is ephemeral as the design guide's EK is (made when L1 starts, never stored), but
/// with no RNG in the model its seed comes from `ekSeedLabel` and the launch measurement, so launches with
/// different launch parameters get different EKs — and anyone who reads the evidence can rebuild the key (see
/// `EvidenceVerifier`: SoftSEAM's keys are public). A real TPM's EK only decrypts; this one also signs the PCR
/// quote (a real vTPM would sign it with an attestation key the EK certifies): one key keeps the chain short.
public struct VTPM: Sendable {
    /// PCRs in the bank.
    public static let pcrCount = 24
    /// SHA-384 digest size.
    public static let digestSize = 48

    /// One TCG_PCR_EVENT2-style record: which PCR (or RTMR), the event type, the SHA-384 digest extended and the
    /// event data it is the digest of.
    public struct Event: Sendable, Equatable, Codable {
        public var index: Int
        public var type: UInt32
        public var digest: [UInt8]
        public var data: [UInt8]

        public init(index: Int, type: UInt32, digest: [UInt8], data: [UInt8]) {
            self.index = index
            self.type = type
            self.digest = digest
            self.data = data
        }

        /// The event of `data`, its digest SHA-384(data).
        public init(index: Int, type: UInt32, measuring data: [UInt8]) {
            self.init(index: index, type: type, digest: VTPM.sha384(data), data: data)
        }

        /// TCG_PCR_EVENT2 (TCG PC Client Platform Firmware Profile §10.2.2): PCRIndex, EventType, one digest
        /// (count 1, TPM_ALG_SHA384 0x000C, 48 bytes), EventSize, Event — little-endian.
        public var tcgBytes: [UInt8] {
            UInt32(index).littleEndianBytes + type.littleEndianBytes + UInt32(1).littleEndianBytes + [0x0C, 0x00]
                + digest + UInt32(data.count).littleEndianBytes + data
        }
    }

    /// Event types of the TCG PC Client Platform Firmware Profile used here.
    public enum EventType {
        /// EV_SEPARATOR: four zero bytes, between the pre-boot and the boot phase.
        public static let separator: UInt32 = 0x4
        /// EV_EFI_PLATFORM_FIRMWARE_BLOB2: a firmware image (the L2's).
        public static let firmwareBlob2: UInt32 = 0x8000_000A
        /// EV_EFI_HANDOFF_TABLES2: the launch parameter (the TD HOB) handed to the firmware.
        public static let handoffTables2: UInt32 = 0x8000_000B
    }

    /// The SEPARATOR event's data: four zero bytes.
    public static let separatorData: [UInt8] = [0, 0, 0, 0]

    /// The label the EK seed is derived from, with the launch measurement.
    public static let ekSeedLabel = Array("SoftSEAM vTPM EK v1".utf8)

    /// The PCR bank (SHA-384), PCR 0 first.
    public private(set) var pcrs: [[UInt8]]
    /// Every extend, in order.
    public private(set) var events: [Event] = []
    /// The endorsement key.
    public let ek: Curve25519.Signing.PrivateKey

    /// A vTPM started (TPM2_Startup done) with its EK seeded by `launchMeasurement` (the launch parameter's
    /// digest the L1 extended into RTMR[0]).
    public init(launchMeasurement: [UInt8]) {
        pcrs = Array(repeating: [UInt8](repeating: 0, count: VTPM.digestSize), count: VTPM.pcrCount)
        let seed = SHA256.hash(data: VTPM.ekSeedLabel + launchMeasurement)
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            preconditionFailure("a 32-byte seed is an Ed25519 key")
        }
        ek = key
    }

    /// The EK's public key (32 bytes, Ed25519).
    public var ekPublicKey: [UInt8] { Array(ek.publicKey.rawRepresentation) }

    /// Extends `event.digest` into PCR[`event.index`] and logs the event.
    public mutating func extend(_ event: Event) {
        precondition((0..<VTPM.pcrCount).contains(event.index) && event.digest.count == VTPM.digestSize)
        pcrs[event.index] = VTPM.extended(pcrs[event.index], by: event.digest)
        events.append(event)
    }

    /// A signed quote of the PCRs in `selection`.
    public func quote(_ selection: [Int]) -> PCRQuote {
        let values = selection.map { pcrs[$0] }
        let message = PCRQuote.message(selection: selection, values: values)
        guard let signature = try? ek.signature(for: message) else {
            preconditionFailure("Ed25519 signing cannot fail")
        }
        return PCRQuote(selection: selection, values: values, signature: Array(signature))
    }

    // MARK: Helpers shared with the verifier

    public static func sha384(_ bytes: [UInt8]) -> [UInt8] { Array(SHA384.hash(data: bytes)) }

    /// SHA-384(old ‖ digest): a TPM PCR extend, and TDG.MR.RTMR.EXTEND's.
    public static func extended(_ old: [UInt8], by digest: [UInt8]) -> [UInt8] { sha384(old + digest) }

    /// The register a list of events leaves, from 48 zero bytes.
    public static func replay(_ events: [Event]) -> [UInt8] {
        events.reduce([UInt8](repeating: 0, count: digestSize)) { extended($0, by: $1.digest) }
    }
}

/// PCR values signed by the vTPM's EK. The signed message is "SOFTSEAM-PCRQUOTE-1", the number of PCRs
/// (4 bytes, little-endian), then for each PCR its index (4 bytes) and its 48-byte value.
public struct PCRQuote: Sendable, Equatable {
    public var selection: [Int]
    public var values: [[UInt8]]
    public var signature: [UInt8]

    public init(selection: [Int], values: [[UInt8]], signature: [UInt8]) {
        self.selection = selection
        self.values = values
        self.signature = signature
    }

    public static let magic = Array("SOFTSEAM-PCRQUOTE-1".utf8)

    static func message(selection: [Int], values: [[UInt8]]) -> [UInt8] {
        var m = magic + UInt32(selection.count).littleEndianBytes
        for (i, v) in zip(selection, values) { m += UInt32(i).littleEndianBytes + v }
        return m
    }

    /// Whether `ekPublicKey` (Ed25519, 32 bytes) signed these values.
    public func isSigned(by ekPublicKey: [UInt8]) -> Bool {
        guard selection.count == values.count,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: ekPublicKey)
        else { return false }
        return key.isValidSignature(signature, for: PCRQuote.message(selection: selection, values: values))
    }

    /// The value quoted for PCR `index`, if it is in the selection.
    public func value(ofPCR index: Int) -> [UInt8]? { selection.firstIndex(of: index).map { values[$0] } }
}
