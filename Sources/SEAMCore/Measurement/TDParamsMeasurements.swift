/// MRCONFIGID, MROWNER and MROWNERCONFIG: 48-byte values the host gives in TD_PARAMS at TDH.MNG.INIT and the TD's
/// reports carry in TDINFO (tdx-module `include/tdx_api_defs.h`, td_params_t; `tdh_mng_init.c` copies them into
/// TDCS). Zero unless a config gives them (`"mrconfigid"`, `"mrowner"`, `"mrownerconfig"`); fixed for the TD's
/// life. Hashed as records absent while zero.
public struct TDParamsMeasurements: Sendable, Codable, Hashable {
    /// Each value's 48 bytes, or empty for zero.
    public var mrConfigID: [UInt8] = []
    public var mrOwner: [UInt8] = []
    public var mrOwnerConfig: [UInt8] = []

    public init(mrConfigID: [UInt8] = [], mrOwner: [UInt8] = [], mrOwnerConfig: [UInt8] = []) {
        self.mrConfigID = mrConfigID
        self.mrOwner = mrOwner
        self.mrOwnerConfig = mrOwnerConfig
    }

    /// The three values in TDINFO order, each 48 bytes.
    var all: [[UInt8]] {
        [mrConfigID, mrOwner, mrOwnerConfig].map { $0.isEmpty ? [UInt8](repeating: 0, count: 48) : $0 }
    }

    /// Word `element` (0…5) of value `index` (0 MRCONFIGID, 1 MROWNER, 2 MROWNERCONFIG), little-endian.
    func word(_ index: Int, _ element: Int) -> UInt64 {
        UInt64(littleEndianBytes: all[index][8 * element..<8 * element + 8])
    }

    /// A record per word that is not 0 (key 0x43 << 56 | value << 8 | word).
    /// Inlined: every state hash reads it, and called it cost ~32 instructions for a TD whose config gives none
    /// (fuzz_execs, callgrind).
    var recordHash: UInt64 {
        @inline(__always) get { mrConfigID.isEmpty && mrOwner.isEmpty && mrOwnerConfig.isEmpty ? 0 : givenRecordHash() }
    }

    func givenRecordHash() -> UInt64 {
        var d: UInt64 = 0
        for i in 0..<3 {
            for e in 0..<6 where word(i, e) != 0 {
                d &+= StateHash.vcpuRecordHash(0x43 << 56 | UInt64(i) << 8 | UInt64(e), word(i, e))
            }
        }
        return d
    }

    /// Nil when each value is empty or 48 bytes, else what is wrong (`validateDecoded`, the config decoder).
    var problem: String? {
        for (name, v) in [("mrConfigID", mrConfigID), ("mrOwner", mrOwner), ("mrOwnerConfig", mrOwnerConfig)]
        where !v.isEmpty && v.count != 48 {
            return "\(name) holds \(v.count) bytes; 48 (or none, for zero) expected"
        }
        return nil
    }
}
