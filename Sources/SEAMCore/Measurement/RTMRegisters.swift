import Crypto

/// The TD's run-time measurement registers RTMR[0…3] (TDCS measurement fields): four SHA-384 values, zero
/// from TDH.MNG.INIT until TDG.MR.RTMR.EXTEND extends them (tdx-module
/// `src/td_dispatcher/vm_exits/tdg_mr_rtmr_extend.c`).
///
///     extend(i, data):  RTMR[i] = SHA-384(RTMR[i] ‖ data)      data: exactly 48 bytes
///
/// Kept as 24 little-endian 64-bit words, six per register (the element layout TDG.VM.RD reads: field RTMR,
/// element 6·i + k). While every register is zero no word is stored, so a TD that never extends one costs
/// nothing and hashes as it did before RTMRs were modelled.
public struct RTMRegisters: Sendable, Codable, Equatable {
    /// Number of registers (NUM_RTMRS).
    public static let count = 4
    /// Bytes in one register (SHA-384).
    public static let bytes = 48

    /// Empty while every register is zero; else 24 words, register i in words 6·i ..< 6·i + 6.
    var words: [UInt64] = []

    public init() {}

    /// Word `element` (0…23) of the registers: register element / 6, bytes 8·(element % 6) … + 7.
    public func word(_ element: Int) -> UInt64 { words.isEmpty ? 0 : words[element] }

    /// Register `index` as its 48 bytes.
    public func register(_ index: Int) -> [UInt8] {
        (0..<6).flatMap { k in word(6 * index + k).littleEndianBytes }
    }

    /// RTMR[index] = SHA-384(RTMR[index] ‖ data), `data` exactly 48 bytes.
    mutating func extend(_ index: Int, with data: [UInt8]) {
        precondition((0..<Self.count).contains(index) && data.count == Self.bytes, "RTMR extend operands")
        var hasher = SHA384()
        hasher.update(data: register(index))
        hasher.update(data: data)
        let digest = Array(hasher.finalize())
        if words.isEmpty { words = Array(repeating: 0, count: 6 * Self.count) }
        for k in 0..<6 {
            words[6 * index + k] = UInt64(littleEndianBytes: digest[8 * k..<8 * k + 8])
        }
    }

    /// Record key of word `element` in the state hash.
    static func recordKey(_ element: Int) -> UInt64 { 0x52 << 56 | UInt64(element) }

    /// The registers' part of the state hash, added to the digest word: a record per word that is not 0, so
    /// a TD whose registers were never extended hashes as before.
    /// Inlined: every state hash reads it, and called it cost ~22 instructions for registers never extended
    /// (fuzz_execs, callgrind).
    var recordHash: UInt64 {
        @inline(__always) get { words.isEmpty ? 0 : extendedRecordHash() }
    }

    func extendedRecordHash() -> UInt64 {
        var d: UInt64 = 0
        for (e, w) in words.enumerated() where w != 0 { d &+= StateHash.vcpuRecordHash(Self.recordKey(e), w) }
        return d
    }

    /// Nil when well formed (no words, or 24), else what is wrong, for `validateDecoded`.
    var problem: String? {
        words.isEmpty || words.count == 6 * Self.count
            ? nil : "RTMR holds \(words.count) words; 0 (all zero) or \(6 * Self.count) expected"
    }
}
