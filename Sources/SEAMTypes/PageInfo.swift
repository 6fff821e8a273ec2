/// A GPA mapping operand ("page info"): level in bits 2:0, GPA in bits 51:12, bits 11:3 and 63:52
/// reserved (tdx-module include/tdx_api_defs.h page_info_api_input_t; src/common/helpers/helpers.c
/// verify_page_info_input). Used by TDG.MEM.PAGE.ACCEPT, ATTR.WR and the host memory leaves.
public struct PageInfo: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(gpa: UInt64, level: PageLevel) { rawValue = gpa | UInt64(level.rawValue) }

    /// Bits 2:0.
    @inlinable public var level: PageLevel { PageLevel(UInt8(rawValue.bits(2, 0))) }
    /// Bits 51:12, in place.
    @inlinable public var gpa: UInt64 { rawValue & .mask(51, 12) }
    /// Bits 11:3 and 63:52.
    @inlinable public static var reservedMask: UInt64 { 0xFFF0_0000_0000_0FF8 }

    /// The module's `verify_page_info_input` followed by `check_gpa_validity`: reserved bits clear, level
    /// within `maxLevel`, GPA aligned to the level, then a valid private GPA for `width`.
    @inlinable @inline(__always) public func isValid(maxLevel: PageLevel, width: GPAWidth) -> Bool {
        guard rawValue & PageInfo.reservedMask == 0, level <= maxLevel else { return false }
        guard gpa & (level.bytes - 1) == 0 else { return false }
        return width.isValidPrivate(gpa)
    }

    public var description: String { "\(hexShort(gpa))/\(level)" }
}
