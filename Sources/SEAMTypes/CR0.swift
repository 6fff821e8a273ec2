/// Control register CR0 (SDM Vol. 3A §2.5, Figure 2-7; the module's `ia32_cr0_t` in
/// `src/common/x86_defs/x86_defs.h`). Bits 63:32 are reserved.
public struct CR0: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, Protection Enable.
    @inlinable public static var pe: CR0 { CR0(1 << 0) }
    /// Bit 1, Monitor Coprocessor.
    @inlinable public static var mp: CR0 { CR0(1 << 1) }
    /// Bit 2, Emulation.
    @inlinable public static var em: CR0 { CR0(1 << 2) }
    /// Bit 3, Task Switched (CLTS clears it).
    @inlinable public static var ts: CR0 { CR0(1 << 3) }
    /// Bit 4, Extension Type.
    @inlinable public static var et: CR0 { CR0(1 << 4) }
    /// Bit 5, Numeric Error: fixed to 1 in VMX operation (IA32_VMX_CR0_FIXED0).
    @inlinable public static var ne: CR0 { CR0(1 << 5) }
    /// Bit 16, Write Protect.
    @inlinable public static var wp: CR0 { CR0(1 << 16) }
    /// Bit 18, Alignment Mask.
    @inlinable public static var am: CR0 { CR0(1 << 18) }
    /// Bit 29, Not Write-through.
    @inlinable public static var nw: CR0 { CR0(1 << 29) }
    /// Bit 30, Cache Disable.
    @inlinable public static var cd: CR0 { CR0(1 << 30) }
    /// Bit 31, Paging.
    @inlinable public static var pg: CR0 { CR0(1 << 31) }

    /// Bits 28:19, 17 and 15:6: the reserved bits below bit 32, which a MOV to CR0 leaves as they were
    /// (the module's `CR0_IGNORED_MASK`, `src/common/x86_defs/x86_defs.h`).
    @inlinable public static var ignored: CR0 { CR0(0x1FFA_FFC0) }
    /// Bits 63:32, reserved: a MOV to CR0 that sets any of them raises #GP.
    @inlinable public static var reservedHigh: CR0 { CR0(0xFFFF_FFFF_0000_0000) }
}
