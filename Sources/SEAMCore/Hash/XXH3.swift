import CXXHash

/// XXH3-64 over bytes, from Debian's libxxhash-dev. The only place SEAMCore calls into C.
///
/// The shim includes `xxhash.h` with `XXH_INLINE_ALL`, the library's documented header-only mode, which
/// names the inlined functions `XXH_INLINE_*`.
public enum XXH3 {
    /// XXH3_64bits of a byte buffer.
    @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        XXH_INLINE_XXH3_64bits(bytes.baseAddress, bytes.count)
    }

    /// XXH3_64bits_withSeed of a byte buffer.
    @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        XXH_INLINE_XXH3_64bits_withSeed(bytes.baseAddress, bytes.count, seed)
    }

    /// XXH3_64bits of an array of bytes.
    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// XXH3_64bits of the little-endian serialization of two words (16 bytes): the shape of every
    /// GPA-space record in the state hash.
    @inline(__always)
    public static func hash(words a: UInt64, _ b: UInt64) -> UInt64 {
        var w = (a.littleEndian, b.littleEndian)
        return withUnsafeBytes(of: &w) { hash($0) }
    }

    /// XXH3_64bits of the little-endian serialization of a list of words.
    /// On a little-endian machine the array's own bytes are that serialization. `map(\.littleEndian)` read each
    /// word through a key path into a new array: fuzz_execs went from 62,286 to 61,088 instructions per
    /// execution without it (callgrind).
    public static func hash(words: [UInt64]) -> UInt64 {
        #if _endian(little)
            return words.withUnsafeBytes { hash($0) }
        #else
            return words.map { $0.littleEndian }.withUnsafeBytes { hash($0) }
        #endif
    }
}
