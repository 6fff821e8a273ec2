/// The tertiary processor-based VM-execution controls, a 64-bit VMCS control field (SDM Vol. 3C §25.6.2,
/// Table 25-8 "Definitions of Tertiary Processor-Based VM-Execution Controls"; the module's
/// `vmx_procbased_ctls3_t` in `src/common/x86_defs/vmcs_defs.h`).
public struct TertiaryControls: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, LOADIWKEY exiting.
    @inlinable public static var loadIWKeyExiting: TertiaryControls { TertiaryControls(1 << 0) }
    /// Bit 1, enable HLAT.
    @inlinable public static var enableHLAT: TertiaryControls { TertiaryControls(1 << 1) }
    /// Bit 2, EPT paging-write control.
    @inlinable public static var eptPagingWriteControl: TertiaryControls { TertiaryControls(1 << 2) }
    /// Bit 3, guest-paging verification.
    @inlinable public static var guestPagingVerification: TertiaryControls { TertiaryControls(1 << 3) }
    /// Bit 4, IPI virtualization.
    @inlinable public static var ipiVirtualization: TertiaryControls { TertiaryControls(1 << 4) }
    /// Bit 5, guest-physical address width: the TD's GPAW, set per TD (module `gpaw`).
    @inlinable public static var gpaw: TertiaryControls { TertiaryControls(1 << 5) }
}
