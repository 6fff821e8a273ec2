/// The secondary processor-based VM-execution controls, a 32-bit VMCS control field held in 64 bits as the
/// model holds every VMCS field (SDM Vol. 3C §25.6.2, Table 25-7 "Definitions of Secondary Processor-Based
/// VM-Execution Controls"; the module's `vmx_procbased_ctls2_t` in `src/common/x86_defs/vmcs_defs.h`).
public struct SecondaryControls: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, virtualize APIC accesses.
    @inlinable public static var virtualizeAPICAccesses: SecondaryControls { SecondaryControls(1 << 0) }
    /// Bit 1, enable EPT.
    @inlinable public static var enableEPT: SecondaryControls { SecondaryControls(1 << 1) }
    /// Bit 2, descriptor-table exiting.
    @inlinable public static var descriptorTableExiting: SecondaryControls { SecondaryControls(1 << 2) }
    /// Bit 3, enable RDTSCP.
    @inlinable public static var enableRDTSCP: SecondaryControls { SecondaryControls(1 << 3) }
    /// Bit 4, virtualize x2APIC mode.
    @inlinable public static var virtualizeX2APICMode: SecondaryControls { SecondaryControls(1 << 4) }
    /// Bit 5, enable VPID.
    @inlinable public static var enableVPID: SecondaryControls { SecondaryControls(1 << 5) }
    /// Bit 6, WBINVD exiting.
    @inlinable public static var wbinvdExiting: SecondaryControls { SecondaryControls(1 << 6) }
    /// Bit 7, unrestricted guest: the guest may run unpaged or in real-address mode (CR0.PE and PG are exempt from IA32_VMX_CR0_FIXED0).
    @inlinable public static var unrestrictedGuest: SecondaryControls { SecondaryControls(1 << 7) }
    /// Bit 8, APIC-register virtualization.
    @inlinable public static var apicRegisterVirtualization: SecondaryControls { SecondaryControls(1 << 8) }
    /// Bit 9, virtual-interrupt delivery.
    @inlinable public static var virtualInterruptDelivery: SecondaryControls { SecondaryControls(1 << 9) }
    /// Bit 10, PAUSE-loop exiting.
    @inlinable public static var pauseLoopExiting: SecondaryControls { SecondaryControls(1 << 10) }
    /// Bit 11, RDRAND exiting.
    @inlinable public static var rdrandExiting: SecondaryControls { SecondaryControls(1 << 11) }
    /// Bit 12, enable INVPCID.
    @inlinable public static var enableINVPCID: SecondaryControls { SecondaryControls(1 << 12) }
    /// Bit 13, enable VM functions.
    @inlinable public static var enableVMFunctions: SecondaryControls { SecondaryControls(1 << 13) }
    /// Bit 14, VMCS shadowing.
    @inlinable public static var vmcsShadowing: SecondaryControls { SecondaryControls(1 << 14) }
    /// Bit 15, enable ENCLS exiting.
    @inlinable public static var enableENCLSExiting: SecondaryControls { SecondaryControls(1 << 15) }
    /// Bit 16, RDSEED exiting.
    @inlinable public static var rdseedExiting: SecondaryControls { SecondaryControls(1 << 16) }
    /// Bit 17, enable PML.
    @inlinable public static var enablePML: SecondaryControls { SecondaryControls(1 << 17) }
    /// Bit 18, EPT-violation #VE.
    @inlinable public static var eptViolationVE: SecondaryControls { SecondaryControls(1 << 18) }
    /// Bit 19, conceal VMX from PT.
    @inlinable public static var concealVMXFromPT: SecondaryControls { SecondaryControls(1 << 19) }
    /// Bit 20, enable XSAVES/XRSTORS.
    @inlinable public static var enableXSAVESXRSTORS: SecondaryControls { SecondaryControls(1 << 20) }
    /// Bit 21, PASID translation.
    @inlinable public static var pasidTranslation: SecondaryControls { SecondaryControls(1 << 21) }
    /// Bit 22, mode-based execute control for EPT: EPT bit 2 allows supervisor-mode fetches, bit 10 user-mode ones.
    @inlinable public static var modeBasedExecuteControlForEPT: SecondaryControls { SecondaryControls(1 << 22) }
    /// Bit 23, sub-page write permissions for EPT.
    @inlinable public static var subPageWritePermissionsForEPT: SecondaryControls { SecondaryControls(1 << 23) }
    /// Bit 24, Intel PT uses guest physical addresses.
    @inlinable public static var ptUsesGuestPhysicalAddresses: SecondaryControls { SecondaryControls(1 << 24) }
    /// Bit 25, use TSC scaling.
    @inlinable public static var useTSCScaling: SecondaryControls { SecondaryControls(1 << 25) }
    /// Bit 26, enable user wait and pause.
    @inlinable public static var enableUserWaitAndPause: SecondaryControls { SecondaryControls(1 << 26) }
    /// Bit 27, enable PCONFIG.
    @inlinable public static var enablePCONFIG: SecondaryControls { SecondaryControls(1 << 27) }
    /// Bit 28, enable ENCLV exiting.
    @inlinable public static var enableENCLVExiting: SecondaryControls { SecondaryControls(1 << 28) }
    /// Bit 30, VMM bus-lock detection.
    @inlinable public static var vmmBusLockDetection: SecondaryControls { SecondaryControls(1 << 30) }
    /// Bit 31, instruction timeout (the module's `notification_exiting`).
    @inlinable public static var instructionTimeout: SecondaryControls { SecondaryControls(1 << 31) }
}
