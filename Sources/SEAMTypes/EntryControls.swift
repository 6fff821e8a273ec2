/// The VM-entry controls, a 32-bit VMCS control field held in 64 bits as the model holds every VMCS field
/// (SDM Vol. 3C §25.8.1, table "Definitions of VM-Entry Controls").
public struct EntryControls: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 2, load debug controls (DR7 and IA32_DEBUGCTL).
    @inlinable public static var loadDebugControls: EntryControls { EntryControls(1 << 2) }
    /// Bit 9, IA-32e mode guest: the guest is in IA-32e mode after VM entry (loaded into IA32_EFER.LMA).
    @inlinable public static var ia32eModeGuest: EntryControls { EntryControls(1 << 9) }
    /// Bit 10, entry to SMM.
    @inlinable public static var entryToSMM: EntryControls { EntryControls(1 << 10) }
    /// Bit 11, deactivate dual-monitor treatment.
    @inlinable public static var deactivateDualMonitorTreatment: EntryControls { EntryControls(1 << 11) }
    /// Bit 13, load IA32_PERF_GLOBAL_CTRL.
    @inlinable public static var loadIA32PerfGlobalCtrl: EntryControls { EntryControls(1 << 13) }
    /// Bit 14, load IA32_PAT.
    @inlinable public static var loadIA32PAT: EntryControls { EntryControls(1 << 14) }
    /// Bit 15, load IA32_EFER.
    @inlinable public static var loadIA32EFER: EntryControls { EntryControls(1 << 15) }
    /// Bit 16, load IA32_BNDCFGS.
    @inlinable public static var loadIA32BNDCFGS: EntryControls { EntryControls(1 << 16) }
    /// Bit 17, conceal VMX from PT.
    @inlinable public static var concealVMXFromPT: EntryControls { EntryControls(1 << 17) }
    /// Bit 18, load IA32_RTIT_CTL.
    @inlinable public static var loadIA32RTITCtl: EntryControls { EntryControls(1 << 18) }
    /// Bit 19, load UINV.
    @inlinable public static var loadUINV: EntryControls { EntryControls(1 << 19) }
    /// Bit 20, load CET state.
    @inlinable public static var loadCETState: EntryControls { EntryControls(1 << 20) }
    /// Bit 21, load guest IA32_LBR_CTL.
    @inlinable public static var loadGuestIA32LBRCtl: EntryControls { EntryControls(1 << 21) }
    /// Bit 22, load PKRS.
    @inlinable public static var loadPKRS: EntryControls { EntryControls(1 << 22) }
}
