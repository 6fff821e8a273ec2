/// A VMX exit reason (SDM Vol. 3C §25.9.1, table "Format of Exit Reason"): the basic exit reason in bits 15:0
/// (SDM Vol. 3D Appendix C; the module's `vm_exit_basic_reason_e` in `src/common/x86_defs/vmcs_defs.h`) and
/// bit 31 for a VM-entry failure, carried in bits 31:0 of TD-exit and L2-exit statuses.
public struct ExitReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable public static var exceptionOrNMI: ExitReason { ExitReason(0) }
    @inlinable public static var externalInterrupt: ExitReason { ExitReason(1) }
    @inlinable public static var tripleFault: ExitReason { ExitReason(2) }
    @inlinable public static var initSignal: ExitReason { ExitReason(3) }
    @inlinable public static var startupIPI: ExitReason { ExitReason(4) }
    @inlinable public static var ioSMI: ExitReason { ExitReason(5) }
    @inlinable public static var otherSMI: ExitReason { ExitReason(6) }
    @inlinable public static var interruptWindow: ExitReason { ExitReason(7) }
    @inlinable public static var nmiWindow: ExitReason { ExitReason(8) }
    @inlinable public static var taskSwitch: ExitReason { ExitReason(9) }
    @inlinable public static var cpuid: ExitReason { ExitReason(10) }
    @inlinable public static var getsec: ExitReason { ExitReason(11) }
    @inlinable public static var hlt: ExitReason { ExitReason(12) }
    @inlinable public static var invd: ExitReason { ExitReason(13) }
    @inlinable public static var invlpg: ExitReason { ExitReason(14) }
    @inlinable public static var rdpmc: ExitReason { ExitReason(15) }
    @inlinable public static var rdtsc: ExitReason { ExitReason(16) }
    @inlinable public static var rsm: ExitReason { ExitReason(17) }
    @inlinable public static var vmcall: ExitReason { ExitReason(18) }
    @inlinable public static var vmclear: ExitReason { ExitReason(19) }
    @inlinable public static var vmlaunch: ExitReason { ExitReason(20) }
    @inlinable public static var vmptrld: ExitReason { ExitReason(21) }
    @inlinable public static var vmptrst: ExitReason { ExitReason(22) }
    @inlinable public static var vmread: ExitReason { ExitReason(23) }
    @inlinable public static var vmresume: ExitReason { ExitReason(24) }
    @inlinable public static var vmwrite: ExitReason { ExitReason(25) }
    @inlinable public static var vmxoff: ExitReason { ExitReason(26) }
    @inlinable public static var vmxon: ExitReason { ExitReason(27) }
    @inlinable public static var crAccess: ExitReason { ExitReason(28) }
    @inlinable public static var drAccess: ExitReason { ExitReason(29) }
    @inlinable public static var ioInstruction: ExitReason { ExitReason(30) }
    @inlinable public static var rdmsr: ExitReason { ExitReason(31) }
    @inlinable public static var wrmsr: ExitReason { ExitReason(32) }
    @inlinable public static var entryFailGuestState: ExitReason { ExitReason(33) }
    @inlinable public static var entryFailMSRLoading: ExitReason { ExitReason(34) }
    @inlinable public static var mwait: ExitReason { ExitReason(36) }
    @inlinable public static var monitorTrapFlag: ExitReason { ExitReason(37) }
    @inlinable public static var monitor: ExitReason { ExitReason(39) }
    @inlinable public static var pause: ExitReason { ExitReason(40) }
    @inlinable public static var entryFailMachineCheck: ExitReason { ExitReason(41) }
    @inlinable public static var tprBelowThreshold: ExitReason { ExitReason(43) }
    @inlinable public static var apicAccess: ExitReason { ExitReason(44) }
    @inlinable public static var virtualizedEOI: ExitReason { ExitReason(45) }
    @inlinable public static var gdtrIdtrAccess: ExitReason { ExitReason(46) }
    @inlinable public static var ldtrTrAccess: ExitReason { ExitReason(47) }
    @inlinable public static var eptViolation: ExitReason { ExitReason(48) }
    @inlinable public static var eptMisconfiguration: ExitReason { ExitReason(49) }
    @inlinable public static var invept: ExitReason { ExitReason(50) }
    @inlinable public static var rdtscp: ExitReason { ExitReason(51) }
    @inlinable public static var preemptionTimer: ExitReason { ExitReason(52) }
    @inlinable public static var invvpid: ExitReason { ExitReason(53) }
    @inlinable public static var wbinvd: ExitReason { ExitReason(54) }
    @inlinable public static var xsetbv: ExitReason { ExitReason(55) }
    @inlinable public static var apicWrite: ExitReason { ExitReason(56) }
    @inlinable public static var rdrand: ExitReason { ExitReason(57) }
    @inlinable public static var invpcid: ExitReason { ExitReason(58) }
    @inlinable public static var vmfunc: ExitReason { ExitReason(59) }
    @inlinable public static var encls: ExitReason { ExitReason(60) }
    @inlinable public static var rdseed: ExitReason { ExitReason(61) }
    @inlinable public static var pmlFull: ExitReason { ExitReason(62) }
    @inlinable public static var xsaves: ExitReason { ExitReason(63) }
    @inlinable public static var xrstors: ExitReason { ExitReason(64) }
    @inlinable public static var pconfig: ExitReason { ExitReason(65) }
    @inlinable public static var sppEvent: ExitReason { ExitReason(66) }
    @inlinable public static var umwait: ExitReason { ExitReason(67) }
    @inlinable public static var tpause: ExitReason { ExitReason(68) }
    @inlinable public static var loadiwkey: ExitReason { ExitReason(69) }
    @inlinable public static var enclv: ExitReason { ExitReason(70) }
    @inlinable public static var sgxConflict: ExitReason { ExitReason(71) }
    @inlinable public static var enqcmdPASIDFailure: ExitReason { ExitReason(72) }
    @inlinable public static var enqcmdsPASIDFailure: ExitReason { ExitReason(73) }
    @inlinable public static var busLock: ExitReason { ExitReason(74) }
    @inlinable public static var notification: ExitReason { ExitReason(75) }
    @inlinable public static var seamcall: ExitReason { ExitReason(76) }
    @inlinable public static var tdcall: ExitReason { ExitReason(77) }

    /// Bit 31 of the exit-reason field: the VM entry failed.
    @inlinable public static var entryFailureBit: UInt32 { 1 << 31 }
    /// 0x80000021: VM-entry failure due to invalid guest state, which the module passes to L1 as an L2→L1
    /// exit (module `src/td_dispatcher/tdx_td_l2_dispatcher.c`, `handle_l2_vm_entry_failures`).
    @inlinable public static var invalidGuestStateEntryFailure: ExitReason {
        ExitReason(entryFailureBit | entryFailGuestState.rawValue)
    }

    /// The basic exit reason, bits 15:0.
    @inlinable public var basic: ExitReason { ExitReason(rawValue & 0xFFFF) }

    package static let names: [UInt32: String] = [
        0: "EXCEPTION_OR_NMI",
        1: "EXTERNAL_INTERRUPT",
        2: "TRIPLE_FAULT",
        3: "INIT",
        4: "SIPI",
        5: "IO_SMI",
        6: "OTHER_SMI",
        7: "INTERRUPT_WINDOW",
        8: "NMI_WINDOW",
        9: "TASK_SWITCH",
        10: "CPUID",
        11: "GETSEC",
        12: "HLT",
        13: "INVD",
        14: "INVLPG",
        15: "RDPMC",
        16: "RDTSC",
        17: "RSM",
        18: "VMCALL",
        19: "VMCLEAR",
        20: "VMLAUNCH",
        21: "VMPTRLD",
        22: "VMPTRST",
        23: "VMREAD",
        24: "VMRESUME",
        25: "VMWRITE",
        26: "VMXOFF",
        27: "VMXON",
        28: "CR_ACCESS",
        29: "DR_ACCESS",
        30: "IO_INSTRUCTION",
        31: "RDMSR",
        32: "WRMSR",
        33: "ENTRY_FAIL_GUEST_STATE",
        34: "ENTRY_FAIL_MSR_LOADING",
        36: "MWAIT",
        37: "MONITOR_TRAP_FLAG",
        39: "MONITOR",
        40: "PAUSE",
        41: "ENTRY_FAIL_MACHINE_CHECK",
        43: "TPR_BELOW_THRESHOLD",
        44: "APIC_ACCESS",
        45: "VIRTUALIZED_EOI",
        46: "GDTR_IDTR_ACCESS",
        47: "LDTR_TR_ACCESS",
        48: "EPT_VIOLATION",
        49: "EPT_MISCONFIGURATION",
        50: "INVEPT",
        51: "RDTSCP",
        52: "PREEMPTION_TIMER",
        53: "INVVPID",
        54: "WBINVD",
        55: "XSETBV",
        56: "APIC_WRITE",
        57: "RDRAND",
        58: "INVPCID",
        59: "VMFUNC",
        60: "ENCLS",
        61: "RDSEED",
        62: "PML_FULL",
        63: "XSAVES",
        64: "XRSTORS",
        65: "PCONFIG",
        66: "SPP_EVENT",
        67: "UMWAIT",
        68: "TPAUSE",
        69: "LOADIWKEY",
        70: "ENCLV",
        72: "ENQCMD_PASID_FAILURE",
        73: "ENQCMDS_PASID_FAILURE",
        74: "BUS_LOCK",
        75: "NOTIFICATION",
        76: "SEAMCALL",
        77: "TDCALL",
    ]

    public var description: String {
        ExitReason.names[rawValue & 0xFFFF].map { "\($0) (\(rawValue))" } ?? "\(rawValue)"
    }
}
