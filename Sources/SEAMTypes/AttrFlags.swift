/// ATTR.WR's R8: four 16-bit ATTR_FLAGS fields (tdx-module src/common/data_structures/tdx_tdvps.h
/// attr_flags_t). Bits 14:0 of each field are the attribute mask; bit 15 is INVEPT (flush that VM's L2 SEPT
/// translations on success).
public struct AttrFlags: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Builds R8 from per-VM masks and INVEPT requests.
    public init(vm: Int, mask: UInt16, invept: Bool = false) {
        rawValue = UInt64(mask & 0x7FFF | (invept ? 0x8000 : 0)) << (16 * UInt64(vm))
    }

    /// The raw 16-bit field of VM `vm`.
    @inlinable public func field(vm: Int) -> UInt16 { UInt16(truncatingIfNeeded: rawValue >> (16 * UInt64(vm))) }
    /// Bits 14:0 of VM `vm`'s field.
    @inlinable public func mask(vm: Int) -> UInt16 { field(vm: vm) & 0x7FFF }
    /// Bit 15 of VM `vm`'s field.
    @inlinable public func invept(vm: Int) -> Bool { field(vm: vm) & 0x8000 != 0 }

    public static func | (a: AttrFlags, b: AttrFlags) -> AttrFlags { AttrFlags(a.rawValue | b.rawValue) }

    public var description: String {
        (0..<4).map { "vm\($0)=mask \(hexShort(UInt64(mask(vm: $0))))\(invept(vm: $0) ? "+INVEPT" : "")" }
            .joined(separator: " ")
    }
}
