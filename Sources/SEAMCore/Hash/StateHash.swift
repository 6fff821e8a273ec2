import SEAMTypes

/// The canonical state hash.
///
///     record hash   = XXH3-64 of three little-endian words (24 bytes):
///       leaf        (1 << 56 | gpa>>12,  state | level<<8 | tdal<<16 | l2Blocked<<24,  attrs1 | attrs2<<16 | attrs3<<32)
///       table       (2 << 56 | level<<48 | gpa>>(12+9·level),  bits,  0)
///       contents    (3 << 56 | gpa>>12,  XXH3-64 of the 4096 bytes,  0)
///       block       (4 << 56 | gpa>>12 of the blocked leaf,  1 if a TDH.MEM.TRACK followed the block else 0,  0)
///     digest        = wrapping sum of every record hash (kept up to date on each change)
///     state hash    = XXH3-64 of the little-endian words of `Machine.hashWords()`, which start with
///                     `formatVersion` and end with the record counts and the digest
///
/// A single XXH3 pass over a full serialization cannot be updated in O(pages changed); a sum of
/// per-record hashes can, and stays canonical because the records are keyed and the sum ignores order.
public enum StateHash {
    /// Version of this serialization; bump it whenever a word is added, removed or reinterpreted.
    public static let formatVersion: UInt64 = 1

    @inline(__always)
    static func leafHash(_ key: UInt64, _ r: PageRecord) -> UInt64 {
        let w1 = UInt64(r.state.rawValue) | UInt64(r.level.rawValue) << 8 | UInt64(r.tdal) << 16
            | UInt64(r.l2Blocked) << 24
        let w2 = UInt64(r.attrs1) | UInt64(r.attrs2) << 16 | UInt64(r.attrs3) << 32
        return XXH3.hash(words: 1 << 56 | key, w1, w2)
    }

    @inline(__always)
    static func tableHash(_ key: UInt64, _ bits: UInt8) -> UInt64 {
        XXH3.hash(words: 2 << 56 | key, UInt64(bits), 0)
    }

    @inline(__always)
    static func contentsHash(_ pageIndex: UInt64, _ contentHash: UInt64) -> UInt64 {
        XXH3.hash(words: 3 << 56 | pageIndex, contentHash, 0)
    }

    @inline(__always)
    static func blockHash(_ key: UInt64, _ tracked: Bool) -> UInt64 {
        XXH3.hash(words: 4 << 56 | key, tracked ? 1 : 0, 0)
    }
}
