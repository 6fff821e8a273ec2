/// The pin-based VM-execution controls, a 32-bit VMCS control field held in 64 bits as the model holds every
/// VMCS field (SDM Vol. 3C §25.6.1, Table 25-5 "Definitions of Pin-Based VM-Execution Controls"; the
/// module's `vmx_pinbased_ctls_t` in `src/common/x86_defs/vmcs_defs.h`).
public struct PinBasedControls: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, external-interrupt exiting.
    @inlinable public static var externalInterruptExiting: PinBasedControls { PinBasedControls(1 << 0) }
    /// Bit 3, NMI exiting.
    @inlinable public static var nmiExiting: PinBasedControls { PinBasedControls(1 << 3) }
    /// Bit 5, virtual NMIs.
    @inlinable public static var virtualNMIs: PinBasedControls { PinBasedControls(1 << 5) }
    /// Bit 6, activate VMX-preemption timer.
    @inlinable public static var activateVMXPreemptionTimer: PinBasedControls { PinBasedControls(1 << 6) }
    /// Bit 7, process posted interrupts.
    @inlinable public static var processPostedInterrupts: PinBasedControls { PinBasedControls(1 << 7) }
}
