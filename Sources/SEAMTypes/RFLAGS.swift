/// The RFLAGS register (SDM Vol. 1 §3.4.3, Figure 3-8; system flags in SDM Vol. 3A §2.3; the module's
/// `ia32_rflags_t` in `src/common/x86_defs/x86_defs.h`). IOPL is bits 13:12.
public struct RFLAGS: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, Carry Flag.
    @inlinable public static var cf: RFLAGS { RFLAGS(1 << 0) }
    /// Bit 1: reserved, always 1.
    @inlinable public static var fixed1: RFLAGS { RFLAGS(1 << 1) }
    /// Bit 2, Parity Flag.
    @inlinable public static var pf: RFLAGS { RFLAGS(1 << 2) }
    /// Bit 4, Auxiliary Carry Flag.
    @inlinable public static var af: RFLAGS { RFLAGS(1 << 4) }
    /// Bit 6, Zero Flag.
    @inlinable public static var zf: RFLAGS { RFLAGS(1 << 6) }
    /// Bit 7, Sign Flag.
    @inlinable public static var sf: RFLAGS { RFLAGS(1 << 7) }
    /// Bit 8, Trap Flag.
    @inlinable public static var tf: RFLAGS { RFLAGS(1 << 8) }
    /// Bit 9, Interrupt Enable Flag.
    @inlinable public static var `if`: RFLAGS { RFLAGS(1 << 9) }
    /// Bit 10, Direction Flag.
    @inlinable public static var df: RFLAGS { RFLAGS(1 << 10) }
    /// Bit 11, Overflow Flag.
    @inlinable public static var of: RFLAGS { RFLAGS(1 << 11) }
    /// Bit 14, Nested Task.
    @inlinable public static var nt: RFLAGS { RFLAGS(1 << 14) }
    /// Bit 16, Resume Flag.
    @inlinable public static var rf: RFLAGS { RFLAGS(1 << 16) }
    /// Bit 17, Virtual-8086 Mode.
    @inlinable public static var vm: RFLAGS { RFLAGS(1 << 17) }
    /// Bit 18, Alignment Check / Access Control.
    @inlinable public static var ac: RFLAGS { RFLAGS(1 << 18) }
    /// Bit 19, Virtual Interrupt Flag.
    @inlinable public static var vif: RFLAGS { RFLAGS(1 << 19) }
    /// Bit 20, Virtual Interrupt Pending.
    @inlinable public static var vip: RFLAGS { RFLAGS(1 << 20) }
    /// Bit 21, ID Flag.
    @inlinable public static var id: RFLAGS { RFLAGS(1 << 21) }

    /// Bits 63:22, 15, 5 and 3: reserved, must be 0 (SDM Vol. 3C §27.3.1.4).
    @inlinable public static var reserved: RFLAGS { RFLAGS(0xFFFF_FFFF_FFC0_8028) }
}
