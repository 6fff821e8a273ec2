/// The primary processor-based VM-execution controls, a 32-bit VMCS control field held in 64 bits as the
/// model holds every VMCS field (SDM Vol. 3C §25.6.2, Table 25-6 "Definitions of Primary Processor-Based
/// VM-Execution Controls"; the module's `vmx_procbased_ctls_t` in `src/common/x86_defs/vmcs_defs.h`).
public struct ProcessorBasedControls: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 2, interrupt-window exiting.
    @inlinable public static var interruptWindowExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 2) }
    /// Bit 3, use TSC offsetting.
    @inlinable public static var useTSCOffsetting: ProcessorBasedControls { ProcessorBasedControls(1 << 3) }
    /// Bit 7, HLT exiting.
    @inlinable public static var hltExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 7) }
    /// Bit 9, INVLPG exiting.
    @inlinable public static var invlpgExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 9) }
    /// Bit 10, MWAIT exiting.
    @inlinable public static var mwaitExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 10) }
    /// Bit 11, RDPMC exiting.
    @inlinable public static var rdpmcExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 11) }
    /// Bit 12, RDTSC exiting.
    @inlinable public static var rdtscExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 12) }
    /// Bit 15, CR3-load exiting: MOV to CR3 exits unless the value is one of the CR3-target values.
    @inlinable public static var cr3LoadExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 15) }
    /// Bit 16, CR3-store exiting.
    @inlinable public static var cr3StoreExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 16) }
    /// Bit 17, activate tertiary controls.
    @inlinable public static var activateTertiaryControls: ProcessorBasedControls { ProcessorBasedControls(1 << 17) }
    /// Bit 19, CR8-load exiting.
    @inlinable public static var cr8LoadExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 19) }
    /// Bit 20, CR8-store exiting.
    @inlinable public static var cr8StoreExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 20) }
    /// Bit 21, use TPR shadow.
    @inlinable public static var useTPRShadow: ProcessorBasedControls { ProcessorBasedControls(1 << 21) }
    /// Bit 22, NMI-window exiting.
    @inlinable public static var nmiWindowExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 22) }
    /// Bit 23, MOV-DR exiting.
    @inlinable public static var movDRExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 23) }
    /// Bit 24, unconditional I/O exiting.
    @inlinable public static var unconditionalIOExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 24) }
    /// Bit 25, use I/O bitmaps.
    @inlinable public static var useIOBitmaps: ProcessorBasedControls { ProcessorBasedControls(1 << 25) }
    /// Bit 27, monitor trap flag.
    @inlinable public static var monitorTrapFlag: ProcessorBasedControls { ProcessorBasedControls(1 << 27) }
    /// Bit 28, use MSR bitmaps.
    @inlinable public static var useMSRBitmaps: ProcessorBasedControls { ProcessorBasedControls(1 << 28) }
    /// Bit 29, MONITOR exiting.
    @inlinable public static var monitorExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 29) }
    /// Bit 30, PAUSE exiting.
    @inlinable public static var pauseExiting: ProcessorBasedControls { ProcessorBasedControls(1 << 30) }
    /// Bit 31, activate secondary controls.
    @inlinable public static var activateSecondaryControls: ProcessorBasedControls { ProcessorBasedControls(1 << 31) }
}
