/// A segment register's access-rights field in the VMCS guest-state area (SDM Vol. 3C §25.4.1, Table 25-2
/// "Format of Access Rights"; the module's `seg_arbyte_t` in `src/common/x86_defs/x86_defs.h`): segment
/// type 3:0, S 4, DPL 6:5, P 7, reserved 11:8, AVL 12, L 13, D/B 14, G 15, unusable 16, reserved 31:17.
public struct SegmentAccessRights: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// The low 32 bits of a VMCS field value.
    @inlinable public init(truncatingIfNeeded value: UInt64) { rawValue = UInt32(truncatingIfNeeded: value) }

    // Bits of the segment type (bits 3:0; SDM Vol. 3A §3.4.5.1, Table 3-1).
    /// Type bit 0, accessed.
    @inlinable public static var accessed: SegmentAccessRights { SegmentAccessRights(1 << 0) }
    /// Type bit 1: readable for a code segment, writable for a data segment.
    @inlinable public static var readWrite: SegmentAccessRights { SegmentAccessRights(1 << 1) }
    /// Type bit 3: a code segment (0: data).
    @inlinable public static var code: SegmentAccessRights { SegmentAccessRights(1 << 3) }

    /// Bit 4, S: a code or data segment (0: a system segment).
    @inlinable public static var s: SegmentAccessRights { SegmentAccessRights(1 << 4) }
    /// Bit 7, P: segment present.
    @inlinable public static var p: SegmentAccessRights { SegmentAccessRights(1 << 7) }
    /// Bit 12, AVL: available for use by system software.
    @inlinable public static var avl: SegmentAccessRights { SegmentAccessRights(1 << 12) }
    /// Bit 13, L: 64-bit mode code segment.
    @inlinable public static var l: SegmentAccessRights { SegmentAccessRights(1 << 13) }
    /// Bit 14, D/B: default operation size (0 = 16-bit segment, 1 = 32-bit segment).
    @inlinable public static var db: SegmentAccessRights { SegmentAccessRights(1 << 14) }
    /// Bit 15, G: granularity.
    @inlinable public static var g: SegmentAccessRights { SegmentAccessRights(1 << 15) }
    /// Bit 16: segment unusable (0 = usable).
    @inlinable public static var unusable: SegmentAccessRights { SegmentAccessRights(1 << 16) }
    /// Bits 11:8, reserved.
    @inlinable public static var reserved11to8: SegmentAccessRights { SegmentAccessRights(0xF00) }
    /// Bits 31:17, reserved.
    @inlinable public static var reserved31to17: SegmentAccessRights { SegmentAccessRights(0xFFFE_0000) }

    /// Bits 3:0, the segment type.
    @inlinable public var type: UInt32 { rawValue & 0xF }
    /// Bits 6:5, the descriptor privilege level (for SS, the CPL).
    @inlinable public var dpl: UInt32 { rawValue >> 5 & 3 }
}
