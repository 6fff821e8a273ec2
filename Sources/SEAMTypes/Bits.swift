/// Bit-range access on a 64-bit register or field, shared by every ABI value type.
///
/// `hi` and `lo` are inclusive bit numbers, as the ABI tables write them ("bits 53:52"). `@inlinable`
/// because every leaf handler calls them with constant bounds that should fold away; as opaque
/// cross-module calls they were 6% of the ATTR.WR benchmark.
extension UInt64 {
    /// The mask with bits `hi...lo` set.
    @inlinable @inline(__always)
    public static func mask(_ hi: Int, _ lo: Int) -> UInt64 {
        precondition(hi >= lo && hi < 64 && lo >= 0)
        let width = hi - lo + 1
        return (width == 64 ? ~0 : ((1 << UInt64(width)) - 1)) << UInt64(lo)
    }

    /// The value of bits `hi...lo`, shifted down to bit 0.
    @inlinable @inline(__always)
    public func bits(_ hi: Int, _ lo: Int) -> UInt64 {
        (self & .mask(hi, lo)) >> UInt64(lo)
    }

    /// Whether bit `n` is set.
    @inlinable @inline(__always)
    public func bit(_ n: Int) -> Bool {
        (self >> UInt64(n)) & 1 == 1
    }

    /// This value with bits `hi...lo` replaced by `value` (which must fit).
    @inline(__always)
    public func setting(_ hi: Int, _ lo: Int, to value: UInt64) -> UInt64 {
        let m = UInt64.mask(hi, lo)
        precondition(value << UInt64(lo) & ~m == 0, "value does not fit bits \(hi):\(lo)")
        return (self & ~m) | (value << UInt64(lo))
    }
}

/// Formats a value as `0x` followed by 16 upper-case hexadecimal digits.
public func hex64(_ value: UInt64) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}

/// Formats a value as `0x` followed by lower-case hexadecimal digits, without padding.
public func hexShort(_ value: UInt64) -> String {
    "0x" + String(value, radix: 16)
}
