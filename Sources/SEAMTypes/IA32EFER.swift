/// The IA32_EFER MSR, 0xC0000080 (SDM Vol. 3A §2.2.1, Table 2-1; the module's `ia32_efer_t` in
/// `src/common/x86_defs/msr_defs.h`). The other bits are reserved.
public struct IA32EFER: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// The MSR's index.
    @inlinable public static var index: UInt32 { 0xC000_0080 }

    /// Bit 0, SYSCALL Enable.
    @inlinable public static var sce: IA32EFER { IA32EFER(1 << 0) }
    /// Bit 8, IA-32e Mode Enable.
    @inlinable public static var lme: IA32EFER { IA32EFER(1 << 8) }
    /// Bit 10, IA-32e Mode Active: the processor sets it when paging turns on with LME set.
    @inlinable public static var lma: IA32EFER { IA32EFER(1 << 10) }
    /// Bit 11, Execute Disable Bit Enable.
    @inlinable public static var nxe: IA32EFER { IA32EFER(1 << 11) }
}
