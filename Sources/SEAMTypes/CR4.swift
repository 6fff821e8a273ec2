/// Control register CR4 (SDM Vol. 3A §2.5, Figure 2-7; the module's `ia32_cr4_t` in
/// `src/common/x86_defs/x86_defs.h`). Bit 15 and bits 63:26 are reserved.
public struct CR4: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, Virtual-8086 Mode Extensions.
    @inlinable public static var vme: CR4 { CR4(1 << 0) }
    /// Bit 1, Protected-Mode Virtual Interrupts.
    @inlinable public static var pvi: CR4 { CR4(1 << 1) }
    /// Bit 2, Time Stamp Disable.
    @inlinable public static var tsd: CR4 { CR4(1 << 2) }
    /// Bit 3, Debugging Extensions.
    @inlinable public static var de: CR4 { CR4(1 << 3) }
    /// Bit 4, Page Size Extensions.
    @inlinable public static var pse: CR4 { CR4(1 << 4) }
    /// Bit 5, Physical Address Extension.
    @inlinable public static var pae: CR4 { CR4(1 << 5) }
    /// Bit 6, Machine-Check Enable.
    @inlinable public static var mce: CR4 { CR4(1 << 6) }
    /// Bit 7, Page Global Enable.
    @inlinable public static var pge: CR4 { CR4(1 << 7) }
    /// Bit 8, Performance-Monitoring Counter Enable.
    @inlinable public static var pce: CR4 { CR4(1 << 8) }
    /// Bit 9, OS support for FXSAVE and FXRSTOR.
    @inlinable public static var osfxsr: CR4 { CR4(1 << 9) }
    /// Bit 10, OS support for unmasked SIMD floating-point exceptions.
    @inlinable public static var osxmmexcpt: CR4 { CR4(1 << 10) }
    /// Bit 11, User-Mode Instruction Prevention.
    @inlinable public static var umip: CR4 { CR4(1 << 11) }
    /// Bit 12, 57-bit linear addresses (5-level paging).
    @inlinable public static var la57: CR4 { CR4(1 << 12) }
    /// Bit 13, VMX Enable: fixed to 1 in VMX operation (IA32_VMX_CR4_FIXED0).
    @inlinable public static var vmxe: CR4 { CR4(1 << 13) }
    /// Bit 14, SMX Enable.
    @inlinable public static var smxe: CR4 { CR4(1 << 14) }
    /// Bit 16, FSGSBASE Enable.
    @inlinable public static var fsgsbase: CR4 { CR4(1 << 16) }
    /// Bit 17, PCID Enable.
    @inlinable public static var pcide: CR4 { CR4(1 << 17) }
    /// Bit 18, XSAVE and Processor Extended States Enable.
    @inlinable public static var osxsave: CR4 { CR4(1 << 18) }
    /// Bit 19, Key-Locker Enable (the module's `keylocker`).
    @inlinable public static var kl: CR4 { CR4(1 << 19) }
    /// Bit 20, Supervisor-Mode Execution Prevention.
    @inlinable public static var smep: CR4 { CR4(1 << 20) }
    /// Bit 21, Supervisor-Mode Access Prevention.
    @inlinable public static var smap: CR4 { CR4(1 << 21) }
    /// Bit 22, Protection Keys for user-mode pages.
    @inlinable public static var pke: CR4 { CR4(1 << 22) }
    /// Bit 23, Control-flow Enforcement Technology.
    @inlinable public static var cet: CR4 { CR4(1 << 23) }
    /// Bit 24, Protection Keys for supervisor-mode pages.
    @inlinable public static var pks: CR4 { CR4(1 << 24) }
    /// Bit 25, User Interrupts Enable.
    @inlinable public static var uintr: CR4 { CR4(1 << 25) }

    /// Every bit above, VME through UINTR (bits 25:0 but reserved bit 15).
    @inlinable public static var defined: CR4 { CR4(0x03FF_7FFF) }
}
