import SEAMTypes

/// The virtual IA32_VMX_* capability MSRs L1 reads: what the module lets L1 set in an L2 VMCS, computed
/// once per TD from the L2 VMCS init values and L1 write masks (module `src/common/helpers/virt_msr_helpers.h`
/// and `.c`, `init_virt_ia32_vmx_msrs`, called at TDH.MNG.INIT).
///
///     Specs/l2-vmcs-fields.tsv ──reset (init), l1_write_mask──▶ allowed-0 = init & ~mask
///     TD ATTRIBUTES, XFAM ──────TD-specific init/mask bits──▶    allowed-1 = init | mask
///                                                                  ──▶ TRUE_*_CTLS, CTLS2/3, CR0/CR4_FIXED0/1
///
/// A control MSR holds allowed-0 (the bits that must be 1) in bits 31:0 and allowed-1 (the bits that may be
/// 1) in bits 63:32; CR0/CR4_FIXED0 is allowed-0 and FIXED1 allowed-1 of the guest CR, as the SDM (Vol. 3D
/// A.3–A.8) defines them. A bit is fixed to its init value unless L1 may write it.
///
/// The table's resets are those of the default TD (ATTRIBUTES 0, XFAM 3, no MONITOR/MWAIT, WAITPKG or
/// PCONFIG in CPUID); the TD-specific bits the module recomputes are recomputed here from `attributes`:
/// RDPMC exiting is fixed 1 and unwritable unless ATTRIBUTES.PERFMON; the exit controls' load and save
/// IA32_PERF_GLOBAL_CTRL and the entry control's load IA32_PERF_GLOBAL_CTRL are fixed 1 with PERFMON or DEBUG,
/// fixed 0 otherwise; the entry control load PKRS likewise with PKS or DEBUG. MONITOR/MWAIT exiting stay fixed
/// 1 and the secondary controls' enable user wait and pause and enable PCONFIG fixed 0, because `TDCPUID`
/// enumerates neither MONITOR, WAITPKG nor PCONFIG.
struct VirtualVMXMSRs: Sendable, Equatable {
    /// IA32_VMX_BASIC (0x480): only "VM-exit information for INS/OUTS" (bit 54), the TRUE_* MSRs (bit 55)
    /// and "VM entry may deliver an exception without an error code" (bit 56); revision id and VMCS size 0.
    let basic: UInt64
    /// IA32_VMX_TRUE_PINBASED_CTLS (0x48D).
    let truePinBased: UInt64
    /// IA32_VMX_TRUE_PROCBASED_CTLS (0x48E).
    let trueProcBased: UInt64
    /// IA32_VMX_TRUE_EXIT_CTLS (0x48F).
    let trueExit: UInt64
    /// IA32_VMX_TRUE_ENTRY_CTLS (0x490).
    let trueEntry: UInt64
    /// IA32_VMX_MISC (0x485): unrestricted guest (5), HLT and shutdown activity states (6, 7), PT in VMX
    /// (14), 4 CR3 targets (24:16), VMWRITE to any field (29), injection with instruction length 0 (30);
    /// preemption-timer rate (4:0) 0.
    let misc: UInt64
    /// IA32_VMX_CR0_FIXED0 (0x486).
    let cr0Fixed0: UInt64
    /// IA32_VMX_CR0_FIXED1 (0x487).
    let cr0Fixed1: UInt64
    /// IA32_VMX_CR4_FIXED0 (0x488).
    let cr4Fixed0: UInt64
    /// IA32_VMX_CR4_FIXED1 (0x489).
    let cr4Fixed1: UInt64
    /// IA32_VMX_PROCBASED_CTLS2 (0x48B).
    let procBased2: UInt64
    /// IA32_VMX_EPT_VPID_CAP (0x48C): execute-only (0), 2 MiB (16) and 1 GiB (17) pages, advanced exit
    /// information (22), supervisor shadow stack (23) only with XFAM.CET_S (bit 12), the platform's HLAT
    /// prefix size (53:48; 0 on SoftSEAM's platform). No INVEPT or INVVPID: L1 uses TDG.VP.INVEPT/INVVPID.
    let eptVPIDCap: UInt64
    /// IA32_VMX_VMFUNC (0x491): 0, no VM function.
    let vmfunc: UInt64
    /// IA32_VMX_PROCBASED_CTLS3 (0x492): a 64-bit allowed-1 mask only (SDM A.3.4).
    let procBased3: UInt64

    /// Computes the MSRs for a TD with `attributes` and `xfam` whose L2 guest CR4 L1 may write in
    /// `cr4WriteMask` (the complement of the base L2 CR4 guest/host mask, `Machine.baseCR4Mask`).
    init(attributes: UInt64, xfam: UInt64, cr4WriteMask: UInt64) {
        let fields = L2VMCSLayout.fields
        let perfmon = TDAttributes(attributes).contains(.perfmon)
        let debug = TDAttributes(attributes).contains(.debug)
        let pks = TDAttributes(attributes).contains(.pks)

        basic = VMXBasic([.insOutsExitInformation, .trueControls, .exceptionWithoutErrorCode]).rawValue
        misc =
            VMXMisc([
                .unrestrictedGuest, .activityHLT, .activityShutdown, .ptInVMX, .cr3Targets(4), .vmwriteAnyField,
                .injectionWithZeroLength,
            ]).rawValue

        let pin = fields[L2VMCSRow.pinBasedControls]
        truePinBased = Self.allowed32(initial: pin.reset, mask: pin.writeMask)

        let primary = fields[L2VMCSRow.primaryProcBasedControls]
        let rdpmcExiting = ProcessorBasedControls.rdpmcExiting.rawValue
        trueProcBased = Self.allowed32(
            initial: Self.set(primary.reset, rdpmcExiting, !perfmon),
            mask: Self.set(primary.writeMask, rdpmcExiting, perfmon))

        let secondary = fields[L2VMCSRow.secondaryProcBasedControls]
        let waitPauseAndPCONFIG = SecondaryControls.enableUserWaitAndPause.union(.enablePCONFIG).rawValue
        procBased2 = Self.allowed32(
            initial: secondary.reset & ~waitPauseAndPCONFIG, mask: secondary.writeMask & ~waitPauseAndPCONFIG)

        // The tertiary GPAW control is the TD's GPAW, set per TD after the global init value is formed.
        let tertiary = fields[L2VMCSRow.tertiaryProcBasedControls]
        procBased3 = tertiary.reset & ~TertiaryControls.gpaw.rawValue | tertiary.writeMask

        let exit = fields[L2VMCSRow.vmExitControls]
        let perfGlobalCtrl = ExitControls.loadIA32PerfGlobalCtrl.union(.saveIA32PerfGlobalCtrl).rawValue
        trueExit = Self.allowed32(initial: Self.set(exit.reset, perfGlobalCtrl, perfmon || debug), mask: exit.writeMask)

        let entry = fields[L2VMCSRow.vmEntryControls]
        let loadPerfGlobalCtrl = EntryControls.loadIA32PerfGlobalCtrl.rawValue
        let loadPKRS = EntryControls.loadPKRS.rawValue
        let entryInit = Self.set(Self.set(entry.reset, loadPerfGlobalCtrl, perfmon || debug), loadPKRS, pks || debug)
        trueEntry = Self.allowed32(initial: entryInit, mask: entry.writeMask)

        let cr0 = fields[L2VMCSLayout.guestCR0]
        cr0Fixed0 = cr0.reset & ~cr0.writeMask
        cr0Fixed1 = cr0.reset | cr0.writeMask
        let cr4 = fields[L2VMCSLayout.guestCR4]
        cr4Fixed0 = cr4.reset & ~cr4WriteMask
        cr4Fixed1 = cr4.reset | cr4WriteMask

        var cap = VMXEPTVPIDCapabilities([.executeOnly, .pages2M, .pages1G, .advancedExitInformation])
        if XFAM(xfam).contains(.cetS) { cap.formUnion(.supervisorShadowStack) }
        eptVPIDCap = cap.union(.hlatPrefixSize(Self.platformHLATPrefixSize)).rawValue
        vmfunc = 0
    }

    /// HLAT prefix size the platform reports in its IA32_VMX_EPT_VPID_CAP bits 53:48, passed through to L1:
    /// SoftSEAM's platform has no HLAT.
    static let platformHLATPrefixSize: UInt64 = 0

    /// The value of `msr` if it is one of the virtualized MSRs, else nil.
    func value(of msr: UInt32) -> UInt64? {
        switch msr {
        case 0x480: basic
        case 0x485: misc
        case 0x486: cr0Fixed0
        case 0x487: cr0Fixed1
        case 0x488: cr4Fixed0
        case 0x489: cr4Fixed1
        case 0x48B: procBased2
        case 0x48C: eptVPIDCap
        case 0x48D: truePinBased
        case 0x48E: trueProcBased
        case 0x48F: trueExit
        case 0x490: trueEntry
        case 0x491: vmfunc
        case 0x492: procBased3
        default: nil
        }
    }

    /// A 32-bit control MSR: allowed-0 = the init bits L1 may not change (bits 31:0), allowed-1 = the init
    /// bits and the bits L1 may write (bits 63:32). A bit both fixed 1 and fixed 0 would be a table bug.
    static func allowed32(initial: UInt64, mask: UInt64) -> UInt64 {
        let allowed0 = initial & ~mask & 0xFFFF_FFFF
        let allowed1 = (initial | mask) & 0xFFFF_FFFF
        precondition(allowed0 & ~allowed1 == 0, "a control bit is both fixed-1 and fixed-0")
        return allowed1 << 32 | allowed0
    }

    /// `value` with `bits` set when `on`, cleared otherwise.
    static func set(_ value: UInt64, _ bits: UInt64, _ on: Bool) -> UInt64 { on ? value | bits : value & ~bits }
}
