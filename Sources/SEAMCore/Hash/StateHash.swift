import SEAMTypes

/// The canonical state hash.
///
///     record hash   = XXH3-64 of two little-endian words (16 bytes):
///       leaf        (1 << 56 | gpa>>12,  PageRecord.raw — attributes, TDAL, L2-blocked, level, state)
///       table       (2 << 56 | level<<48 | gpa>>(12+9·level),  bits)
///       contents    (3 << 56 | gpa>>12,  Σ over the page's 64-byte chunks of XXH3-64(chunk, seed: chunk index))
///       VMCS field  (5 << 56 | vcpu << 24 | vm << 16 | field row,  value)   only fields not at reset
///       MSR bitmap  (6 << 56 | vcpu << 24 | vm << 16 | word,  value)         only words not all ones
///       TD VMCS     (8 << 56 | vcpu << 24 | field encoding,  value)         host-written L1 fields not at reset
///       accept counter (9 << 56 | gpa>>12 of the 2M leaf,  counter)   only while not 0
///       block       (4 << 56 | gpa>>12 of the blocked leaf, or its table key | 1 << 62 for a blocked
///                   non-leaf entry,  1 if a TDH.MEM.TRACK followed the block else 0)
///       virtual TSC (0x54 << 56,  the TD's virtual TSC)                       only while not 0
///       RTMR word   (0x52 << 56 | 6·register + word,  the word)             only words not 0
///       MRTD step   (0x4D << 56 | kind << 48 | index,  XXH3 of GPA and count (kind 0, PAGE.ADDs) or of the
///                   256 bytes seeded with the GPA (kind 1, MR.EXTEND))     one per `MRTDLog` entry
///       TD_PARAMS measurement (0x43 << 56 | value << 8 | word,  the word: MRCONFIGID 0, MROWNER 1,
///                   MROWNERCONFIG 2)                                      only words not 0
///     digest        = wrapping sum of every record hash (kept up to date on each change); the virtual-TSC
///                     RTMR and MRTD records are added to the GPA-space digest in the digest word
///                     (`Machine.timeRecordHash`, `RTMRegisters.recordHash`, `MRTDLog.digest`,
///                     `TDParamsMeasurements.recordHash`)
///     vCPUs hash    = XXH3-64 of the little-endian TDVPS words of every vCPU (`VCPU.fillHashWords`),
///                     each ending with its own record digest (VMCS fields, MSR bitmap words)
///     state hash    = XXH3-64 of the little-endian words of `Machine.hashWords()`: `formatVersion`, the
///                     TD-scope words, the record counts and the digest, then the vCPUs hash
///
/// A single XXH3 pass over a full serialization cannot be updated in O(pages changed); a sum of
/// per-record hashes can, and stays canonical because the records are keyed and the sum ignores order. The
/// vCPUs hash is one word of the state hash so that a step which changes no TDVPS (most TDCALLs from L1)
/// can reuse it (`Machine.cachedStateHash()`).
public enum StateHash {
    /// Version of this serialization; bump it whenever a word is added, removed or reinterpreted.
    public static let formatVersion: UInt64 = 6

    @inline(__always)
    static func leafHash(_ key: UInt64, _ r: PageRecord) -> UInt64 {
        XXH3.hash(words: 1 << 56 | key, r.raw)
    }

    @inline(__always)
    static func tableHash(_ key: UInt64, _ bits: UInt8) -> UInt64 {
        XXH3.hash(words: 2 << 56 | key, UInt64(bits))
    }

    @inline(__always)
    static func contentsHash(_ pageIndex: UInt64, _ contentHash: UInt64) -> UInt64 {
        XXH3.hash(words: 3 << 56 | pageIndex, contentHash)
    }

    @inline(__always)
    static func blockHash(_ key: UInt64, _ tracked: Bool) -> UInt64 {
        XXH3.hash(words: 4 << 56 | key, tracked ? 1 : 0)
    }

    @inline(__always)
    static func acceptCounterHash(_ key: UInt64, _ counter: UInt16) -> UInt64 {
        XXH3.hash(words: 9 << 56 | key, UInt64(counter))
    }

    @inline(__always)
    static func sharedHash(_ pageIndex: UInt64) -> UInt64 {
        XXH3.hash(words: 7 << 56 | pageIndex, 1)
    }

    /// Key of a per-vCPU record: kind 5 = L2 VMCS field, 6 = L1's MSR-bitmap word, 7 = VE_INFO, 8 = L1 TD VMCS field.
    @inline(__always)
    static func vcpuKey(kind: UInt64, vcpu: Int, vm: Int, item: Int) -> UInt64 {
        kind << 56 | UInt64(vcpu) << 24 | UInt64(vm) << 16 | UInt64(item)
    }

    @inline(__always)
    static func vcpuRecordHash(_ key: UInt64, _ value: UInt64) -> UInt64 {
        XXH3.hash(words: key, value)
    }
}
