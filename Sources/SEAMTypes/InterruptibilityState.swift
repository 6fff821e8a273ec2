/// The guest interruptibility state, a 32-bit VMCS guest-state field (SDM Vol. 3C §25.4.2, Table 25-3
/// "Format of Interruptibility State"; the module's `vmx_guest_inter_state_t` in
/// `src/common/x86_defs/vmcs_defs.h`). Bits 31:5 are reserved.
public struct InterruptibilityState: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// Bit 0, blocking by STI.
    @inlinable public static var blockingBySTI: InterruptibilityState { InterruptibilityState(1 << 0) }
    /// Bit 1, blocking by MOV SS.
    @inlinable public static var blockingByMovSS: InterruptibilityState { InterruptibilityState(1 << 1) }
    /// Bit 2, blocking by SMI.
    @inlinable public static var blockingBySMI: InterruptibilityState { InterruptibilityState(1 << 2) }
    /// Bit 3, blocking by NMI.
    @inlinable public static var blockingByNMI: InterruptibilityState { InterruptibilityState(1 << 3) }
    /// Bit 4, enclave interruption.
    @inlinable public static var enclaveInterruption: InterruptibilityState { InterruptibilityState(1 << 4) }

    /// Blocking by STI or by MOV SS.
    @inlinable public static var blockingBySTIOrMovSS: InterruptibilityState { InterruptibilityState(3) }
    /// Bits 31:5, reserved.
    @inlinable public static var reserved: InterruptibilityState { InterruptibilityState(0xFFFF_FFE0) }
}
