/// The primary VM-exit controls, a 32-bit VMCS control field held in 64 bits as the model holds every VMCS
/// field (SDM Vol. 3C §25.7.1, table "Definitions of Primary VM-Exit Controls").
public struct ExitControls: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 2, save debug controls.
    @inlinable public static var saveDebugControls: ExitControls { ExitControls(1 << 2) }
    /// Bit 9, host address-space size.
    @inlinable public static var hostAddressSpaceSize: ExitControls { ExitControls(1 << 9) }
    /// Bit 12, load IA32_PERF_GLOBAL_CTRL.
    @inlinable public static var loadIA32PerfGlobalCtrl: ExitControls { ExitControls(1 << 12) }
    /// Bit 15, acknowledge interrupt on exit.
    @inlinable public static var acknowledgeInterruptOnExit: ExitControls { ExitControls(1 << 15) }
    /// Bit 18, save IA32_PAT.
    @inlinable public static var saveIA32PAT: ExitControls { ExitControls(1 << 18) }
    /// Bit 19, load IA32_PAT.
    @inlinable public static var loadIA32PAT: ExitControls { ExitControls(1 << 19) }
    /// Bit 20, save IA32_EFER.
    @inlinable public static var saveIA32EFER: ExitControls { ExitControls(1 << 20) }
    /// Bit 21, load IA32_EFER.
    @inlinable public static var loadIA32EFER: ExitControls { ExitControls(1 << 21) }
    /// Bit 22, save VMX-preemption timer value.
    @inlinable public static var saveVMXPreemptionTimerValue: ExitControls { ExitControls(1 << 22) }
    /// Bit 23, clear IA32_BNDCFGS.
    @inlinable public static var clearIA32BNDCFGS: ExitControls { ExitControls(1 << 23) }
    /// Bit 24, conceal VMX from PT.
    @inlinable public static var concealVMXFromPT: ExitControls { ExitControls(1 << 24) }
    /// Bit 25, clear IA32_RTIT_CTL.
    @inlinable public static var clearIA32RTITCtl: ExitControls { ExitControls(1 << 25) }
    /// Bit 26, clear IA32_LBR_CTL.
    @inlinable public static var clearIA32LBRCtl: ExitControls { ExitControls(1 << 26) }
    /// Bit 27, clear UINV.
    @inlinable public static var clearUINV: ExitControls { ExitControls(1 << 27) }
    /// Bit 28, load CET state.
    @inlinable public static var loadCETState: ExitControls { ExitControls(1 << 28) }
    /// Bit 29, load PKRS.
    @inlinable public static var loadPKRS: ExitControls { ExitControls(1 << 29) }
    /// Bit 30, save IA32_PERF_GLOBAL_CTRL.
    @inlinable public static var saveIA32PerfGlobalCtrl: ExitControls { ExitControls(1 << 30) }
    /// Bit 31, activate secondary controls.
    @inlinable public static var activateSecondaryControls: ExitControls { ExitControls(1 << 31) }
}
