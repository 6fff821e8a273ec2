/// Little-endian byte serialization of the ABI's integers: register values, buffer fields, measurement words.
extension FixedWidthInteger where Self: UnsignedInteger {
    /// The value's bytes, least significant first.
    @inlinable public var littleEndianBytes: [UInt8] {
        (0..<Self.bitWidth / 8).map { UInt8(truncatingIfNeeded: self >> (8 * $0)) }
    }

    /// The value whose little-endian bytes are `bytes` (at most `bitWidth / 8` of them; fewer read as the low
    /// bytes of the value, the rest zero).
    @inlinable public init<C: Collection<UInt8>>(littleEndianBytes bytes: C) {
        precondition(bytes.count <= Self.bitWidth / 8, "more bytes than the integer holds")
        self = bytes.enumerated().reduce(0) { $0 | Self($1.element) << (8 * $1.offset) }
    }
}
