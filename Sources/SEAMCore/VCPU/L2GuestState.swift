import SEAMTypes

/// The guest-state fields of an L2 VMCS that the CPU's VM-entry checks read (Intel SDM Vol. 3C §27.3.1), as a
/// plain value.
///
///     L2 VMCS guest-state area ──copy──▶ L2GuestState ──VMEntryChecks.check──▶ nil (entry goes ahead)
///                                                                          └─▶ VMEntryFailure → L2→L1 exit
///                                                                              0x80000021
///
/// Field names follow the VMCS fields. Fields the checks never read (RSP's upper half, CR2, the MSR-load
/// areas, …) are left out or carried only so a state is complete enough to print. The VM-entry controls word
/// is here because several guest-state checks depend on it ("IA-32e mode guest", "load IA32_EFER", …); it is
/// the only control field the checks read. The VM-entry interruption-information field is a control field
/// too, but the guest-state checks on RFLAGS.IF, the activity state and interruptibility read it.
public struct L2GuestState: Hashable, Sendable {
    /// One segment register's four VMCS fields.
    public struct Segment: Hashable, Sendable {
        /// Selector field (16 bits): RPL in bits 1:0, TI in bit 2.
        public var selector: UInt16
        /// Base-address field (natural width).
        public var base: UInt64
        /// Limit field in bytes (32 bits): with G = 1 it is the scaled limit, so bits 11:0 are all ones.
        public var limit: UInt32
        /// Access-rights field: type 3:0, S 4, DPL 6:5, P 7, reserved 11:8, AVL 12, L 13, D/B 14, G 15,
        /// unusable 16, reserved 31:17 (SDM Vol. 3C Table 25-2).
        public var accessRights: UInt32

        public init(selector: UInt16 = 0, base: UInt64 = 0, limit: UInt32 = 0, accessRights: UInt32 = 0) {
            self.selector = selector
            self.base = base
            self.limit = limit
            self.accessRights = accessRights
        }

        /// The access-rights field as named bits.
        public var rights: SegmentAccessRights { SegmentAccessRights(accessRights) }
        /// Access-rights bits 3:0.
        public var type: UInt32 { rights.type }
        /// Access-rights S: 1 = code or data, 0 = system.
        public var s: Bool { rights.contains(.s) }
        /// Access-rights bits 6:5.
        public var dpl: UInt32 { rights.dpl }
        /// Access-rights P.
        public var present: Bool { rights.contains(.p) }
        /// Access-rights L (64-bit code segment).
        public var l: Bool { rights.contains(.l) }
        /// Access-rights D/B (default operation size).
        public var db: Bool { rights.contains(.db) }
        /// Access-rights G (granularity).
        public var g: Bool { rights.contains(.g) }
        /// Access-rights "unusable" clear: the SDM calls such a register "usable".
        public var isUsable: Bool { !rights.contains(.unusable) }
    }

    /// The eight segment registers, to name one in a loop or a spec-table edit (`cs.ar`).
    public enum SegmentRegister: String, CaseIterable, Hashable, Sendable {
        case es, cs, ss, ds, fs, gs, ldtr, tr
    }

    public var cr0: UInt64
    public var cr3: UInt64
    public var cr4: UInt64
    public var dr7: UInt64
    /// IA32_EFER field (loaded only when the "load IA32_EFER" entry control is 1).
    public var efer: UInt64
    /// IA32_PAT field (loaded only when the "load IA32_PAT" entry control is 1).
    public var pat: UInt64
    public var rflags: UInt64
    public var rip: UInt64
    public var rsp: UInt64
    /// VM-entry controls (a control field, read by the guest-state checks: load debug controls, IA-32e mode
    /// guest, load IA32_PAT, load IA32_EFER; `entry` names them).
    public var entryControls: UInt32
    /// An `ActivityState`: 0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI.
    public var activityState: UInt32
    /// Interruptibility state (`InterruptibilityState`): blocking by STI, by MOV SS, by SMI, by NMI, enclave
    /// interruption.
    public var interruptibility: UInt32
    /// Pending debug exceptions (`PendingDebugExceptions`): B3–B0, enabled breakpoint, BS, RTM.
    public var pendingDebugExceptions: UInt64
    /// VM-entry interruption information (a control field, `InterruptionInfo`): vector, type, valid.
    public var entryInterruptionInfo: UInt32
    /// IA32_DEBUGCTL field (loaded only with "load debug controls").
    public var debugCtl: UInt64
    public var sysenterESP: UInt64
    public var sysenterEIP: UInt64
    public var es: Segment
    public var cs: Segment
    public var ss: Segment
    public var ds: Segment
    public var fs: Segment
    public var gs: Segment
    public var ldtr: Segment
    public var tr: Segment
    public var gdtrBase: UInt64
    public var idtrBase: UInt64
    public var gdtrLimit: UInt32
    public var idtrLimit: UInt32
    public var pdpte0: UInt64
    public var pdpte1: UInt64
    public var pdpte2: UInt64
    public var pdpte3: UInt64

    /// Every field zero. Not a state the CPU accepts (CR0.NE and CR4.VMXE are clear); the static states below
    /// are, and tests start from one of them.
    public init() {
        cr0 = 0
        cr3 = 0
        cr4 = 0
        dr7 = 0
        efer = 0
        pat = 0
        rflags = 0
        rip = 0
        rsp = 0
        entryControls = 0
        activityState = 0
        interruptibility = 0
        pendingDebugExceptions = 0
        entryInterruptionInfo = 0
        debugCtl = 0
        sysenterESP = 0
        sysenterEIP = 0
        es = Segment()
        cs = Segment()
        ss = Segment()
        ds = Segment()
        fs = Segment()
        gs = Segment()
        ldtr = Segment()
        tr = Segment()
        gdtrBase = 0
        idtrBase = 0
        gdtrLimit = 0
        idtrLimit = 0
        pdpte0 = 0
        pdpte1 = 0
        pdpte2 = 0
        pdpte3 = 0
    }

    /// One segment register by name.
    public subscript(segment: SegmentRegister) -> Segment {
        get {
            switch segment {
            case .es: es
            case .cs: cs
            case .ss: ss
            case .ds: ds
            case .fs: fs
            case .gs: gs
            case .ldtr: ldtr
            case .tr: tr
            }
        }
        set {
            switch segment {
            case .es: es = newValue
            case .cs: cs = newValue
            case .ss: ss = newValue
            case .ds: ds = newValue
            case .fs: fs = newValue
            case .gs: gs = newValue
            case .ldtr: ldtr = newValue
            case .tr: tr = newValue
            }
        }
    }

    /// PDPTE field `n` (0…3).
    public func pdpte(_ n: Int) -> UInt64 {
        switch n {
        case 0: pdpte0
        case 1: pdpte1
        case 2: pdpte2
        case 3: pdpte3
        default: preconditionFailure("PDPTE index \(n) is not 0…3")
        }
    }
}

// MARK: - Entry-control bits and derived modes

extension L2GuestState {
    /// `EntryControls.loadDebugControls` (DR7 and IA32_DEBUGCTL), as the 32-bit field holds it.
    public static var loadDebugControls: UInt32 { UInt32(truncatingIfNeeded: EntryControls.loadDebugControls.rawValue) }
    /// `EntryControls.ia32eModeGuest`: the only entry control L1 may write (Specs/l2-vmcs-fields.tsv).
    public static var ia32eModeGuest: UInt32 { UInt32(truncatingIfNeeded: EntryControls.ia32eModeGuest.rawValue) }
    /// `EntryControls.loadIA32PAT`.
    public static var loadPAT: UInt32 { UInt32(truncatingIfNeeded: EntryControls.loadIA32PAT.rawValue) }
    /// `EntryControls.loadIA32EFER`.
    public static var loadEFER: UInt32 { UInt32(truncatingIfNeeded: EntryControls.loadIA32EFER.rawValue) }
    /// The 1.5.01 L2 VM-entry controls after TDH.VP.INIT (module `src/common/data_structures/td_vmcs_init.c`;
    /// Specs/l2-vmcs-fields.tsv), 0x003EC004: load debug controls, load IA32_PAT, load IA32_EFER, conceal VMX
    /// from PT, load IA32_RTIT_CTL, load UINV, load CET state, load guest IA32_LBR_CTL; no IA-32e mode. Load
    /// IA32_PERF_GLOBAL_CTRL and load PKRS depend on the TD's attributes and are left out; the checks here do
    /// not read them.
    public static let entryControlsInit = UInt32(
        truncatingIfNeeded: EntryControls([
            .loadDebugControls, .loadIA32PAT, .loadIA32EFER, .concealVMXFromPT, .loadIA32RTITCtl, .loadUINV,
            .loadCETState, .loadGuestIA32LBRCtl,
        ]).rawValue)

    /// The VM-entry controls as named bits.
    public var entry: EntryControls { EntryControls(UInt64(entryControls)) }
    /// The "IA-32e mode guest" entry control is 1: the guest will be in IA-32e mode.
    public var isIA32eModeGuest: Bool { entry.contains(.ia32eModeGuest) }
    /// RFLAGS.VM is 1: the SDM calls the guest "virtual-8086" for the segment checks.
    public var isVirtual8086: Bool { RFLAGS(rflags).contains(.vm) }
    /// CR0.PG = 1, CR4.PAE = 1 and not IA-32e: the guest uses PAE paging, so VM entry checks the PDPTEs.
    public var usesPAEPaging: Bool { CR0(cr0).contains(.pg) && CR4(cr4).contains(.pae) && !isIA32eModeGuest }
}

// MARK: - Canonical valid states

extension L2GuestState {
    /// The L2 guest state after TDH.VP.INIT in 1.5.01, the same as L1's reset state (module
    /// `src/common/data_structures/td_vmcs_init.c`): **32-bit protected mode without paging**, not real mode.
    ///
    /// RIP 0xFFFFFFF0, RFLAGS 0x2, CR0 0x21 (PE|NE), CR4 0x2040 (MCE|VMXE), EFER 0x901 (SCE|LME|NXE; LMA = 0,
    /// which LME = 1 is allowed to be while CR0.PG = 0), PAT 0x0007040600070406, DR7 0x400, entry controls
    /// 0x003EC004. CS flat 4 GB (base 0, limit 0xFFFFFFFF, AR 0xC09B: G, D, P, type 11); SS, DS, ES, FS, GS flat
    /// 4 GB with AR 0xC093; LDTR limit 0xFFFF AR 0x10082 (unusable); TR limit 0xFFFF AR 0x8B (32-bit busy TSS,
    /// G = 0, which limit 0xFFFF allows); GDTR limit 0xFFFF; PDPTEs all ones (not checked: CR0.PG = 0).
    /// The module does not initialise the selectors, the other bases, CR3, IDTR, DEBUGCTL or SYSENTER_*, so
    /// they are 0 (TDVPS pages start zeroed). The traditional x86 reset CS (selector 0xF000, base 0xFFFF0000,
    /// limit 0xFFFF, AR 0x9B, real mode) is **not** what the module programs.
    public static var reset: L2GuestState {
        var s = L2GuestState()
        s.cr0 = CR0([.pe, .ne]).rawValue
        s.cr4 = CR4([.mce, .vmxe]).rawValue
        s.dr7 = 0x400
        s.efer = IA32EFER([.sce, .lme, .nxe]).rawValue
        s.pat = 0x0007_0406_0007_0406
        s.rflags = RFLAGS.fixed1.rawValue
        s.rip = 0xFFFF_FFF0
        s.entryControls = entryControlsInit
        s.cs = Segment(limit: 0xFFFF_FFFF, accessRights: 0xC09B)
        for r in [SegmentRegister.ss, .ds, .es, .fs, .gs] { s[r] = Segment(limit: 0xFFFF_FFFF, accessRights: 0xC093) }
        s.ldtr = Segment(limit: 0xFFFF, accessRights: 0x1_0082)
        s.tr = Segment(limit: 0xFFFF, accessRights: 0x8B)
        s.gdtrLimit = 0xFFFF
        s.pdpte0 = ~0
        s.pdpte1 = ~0
        s.pdpte2 = ~0
        s.pdpte3 = ~0
        return s
    }

    /// A 32-bit protected-mode kernel without paging, as an OS loader leaves it: CR0 0x31 (PE|ET|NE),
    /// CR4 0x2040, EFER 0x800 (NXE), CS selector 0x08 and SS/DS/ES/FS/GS 0x10 flat 4 GB (AR 0xC09B / 0xC093),
    /// TR selector 0x18 base 0x5000 limit 0x67 AR 0x8B, LDTR unusable (AR 0x10000), GDTR 0x1000/0x1F,
    /// IDTR 0x2000/0x7FF, RIP 0x100000, RSP 0x80000, RFLAGS 0x2, entry controls 0x003EC004, PDPTEs 0.
    public static var protectedFlat: L2GuestState {
        var s = L2GuestState()
        s.cr0 = CR0([.pe, .et, .ne]).rawValue
        s.cr4 = CR4([.mce, .vmxe]).rawValue
        s.dr7 = 0x400
        s.efer = IA32EFER.nxe.rawValue
        s.pat = 0x0007_0406_0007_0406
        s.rflags = RFLAGS.fixed1.rawValue
        s.rip = 0x0010_0000
        s.rsp = 0x0008_0000
        s.entryControls = entryControlsInit
        s.cs = Segment(selector: 0x08, limit: 0xFFFF_FFFF, accessRights: 0xC09B)
        for r in [SegmentRegister.ss, .ds, .es, .fs, .gs] {
            s[r] = Segment(selector: 0x10, limit: 0xFFFF_FFFF, accessRights: 0xC093)
        }
        s.ldtr = Segment(accessRights: 0x1_0000)
        s.tr = Segment(selector: 0x18, base: 0x5000, limit: 0x67, accessRights: 0x8B)
        s.gdtrBase = 0x1000
        s.gdtrLimit = 0x1F
        s.idtrBase = 0x2000
        s.idtrLimit = 0x7FF
        return s
    }

    /// 32-bit protected mode with PAE paging: `protectedFlat` plus CR0 0x80010031 (PG|WP|ET|NE|PE),
    /// CR4 0x20E0 (VMXE|PGE|MCE|PAE), CR3 0x300000, EFER 0x800 (LME = LMA = 0, as CR0.PG = 1 requires without
    /// IA-32e), RIP 0xC0100000, RSP 0xC0080000 and four present, valid PDPTEs 0x400001, 0x401001, 0x402001,
    /// 0x403001 (VM entry checks them: CR0.PG = CR4.PAE = 1 outside IA-32e mode).
    public static var paged32: L2GuestState {
        var s = protectedFlat
        s.cr0 = CR0([.pg, .wp, .et, .ne, .pe]).rawValue
        s.cr4 = CR4([.vmxe, .pge, .mce, .pae]).rawValue
        s.cr3 = 0x0030_0000
        s.rip = 0xC010_0000
        s.rsp = 0xC008_0000
        s.pdpte0 = 0x0040_0001
        s.pdpte1 = 0x0040_1001
        s.pdpte2 = 0x0040_2001
        s.pdpte3 = 0x0040_3001
        return s
    }

    /// A 64-bit kernel: entry controls 0x003EC204 (IA-32e mode guest), EFER 0xD01 (SCE|LME|LMA|NXE),
    /// CR0 0x80050033 (PG|AM|WP|NE|ET|MP|PE), CR4 0x26E0 (VMXE|OSXMMEXCPT|OSFXSR|PGE|MCE|PAE), CR3 0x1000000.
    /// CS selector 0x10 AR 0xA09B (L = 1, D = 0); SS/DS/ES selector 0x18 flat AR 0xC093; FS and GS unusable
    /// (AR 0x10000) with bases 0x00007FFFF7FF0000 and 0xFFFF888000000000; TR selector 0x40 base
    /// 0xFFFFFE0000003000 limit 0x67 AR 0x8B (64-bit busy TSS); LDTR unusable; GDTR 0xFFFFFE0000001000/0x7F,
    /// IDTR 0xFFFFFE0000000000/0xFFF; SYSENTER_ESP 0xFFFFFE0000006000, SYSENTER_EIP 0xFFFFFFFF81600000;
    /// RIP 0xFFFFFFFF81000000, RSP 0xFFFFC90000008000, RFLAGS 0x202 (IF); PDPTEs 0 (not checked in IA-32e).
    public static var long64: L2GuestState {
        var s = L2GuestState()
        s.entryControls = entryControlsInit | ia32eModeGuest
        s.efer = IA32EFER([.sce, .lme, .lma, .nxe]).rawValue
        s.cr0 = CR0([.pg, .am, .wp, .ne, .et, .mp, .pe]).rawValue
        s.cr4 = CR4([.vmxe, .osxmmexcpt, .osfxsr, .pge, .mce, .pae]).rawValue
        s.cr3 = 0x0100_0000
        s.dr7 = 0x400
        s.pat = 0x0007_0406_0007_0406
        s.rflags = RFLAGS([.fixed1, .if]).rawValue
        s.rip = 0xFFFF_FFFF_8100_0000
        s.rsp = 0xFFFF_C900_0000_8000
        s.sysenterESP = 0xFFFF_FE00_0000_6000
        s.sysenterEIP = 0xFFFF_FFFF_8160_0000
        s.cs = Segment(selector: 0x10, limit: 0xFFFF_FFFF, accessRights: 0xA09B)
        for r in [SegmentRegister.ss, .ds, .es] {
            s[r] = Segment(selector: 0x18, limit: 0xFFFF_FFFF, accessRights: 0xC093)
        }
        s.fs = Segment(base: 0x0000_7FFF_F7FF_0000, accessRights: 0x1_0000)
        s.gs = Segment(base: 0xFFFF_8880_0000_0000, accessRights: 0x1_0000)
        s.ldtr = Segment(accessRights: 0x1_0000)
        s.tr = Segment(selector: 0x40, base: 0xFFFF_FE00_0000_3000, limit: 0x67, accessRights: 0x8B)
        s.gdtrBase = 0xFFFF_FE00_0000_1000
        s.gdtrLimit = 0x7F
        s.idtrBase = 0xFFFF_FE00_0000_0000
        s.idtrLimit = 0xFFF
        return s
    }

    /// A 32-bit user program under a 64-bit kernel (IA-32e mode, CS.L = 0): `long64` with CS selector 0x23
    /// AR 0xC0FB (D = 1, DPL 3, type 11), SS/DS/ES selector 0x2B AR 0xC0F3 (DPL 3), RIP 0x08048000 and
    /// RSP 0xFFFFD000. CPL 3 (SS.DPL), so HLT is not a legal activity state here.
    public static var compatibility: L2GuestState {
        var s = long64
        s.cs = Segment(selector: 0x23, limit: 0xFFFF_FFFF, accessRights: 0xC0FB)
        for r in [SegmentRegister.ss, .ds, .es] {
            s[r] = Segment(selector: 0x2B, limit: 0xFFFF_FFFF, accessRights: 0xC0F3)
        }
        s.rip = 0x0804_8000
        s.rsp = 0xFFFF_D000
        return s
    }
}
