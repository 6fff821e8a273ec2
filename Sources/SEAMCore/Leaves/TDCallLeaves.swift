import SEAMTypes

/// The TDCALL leaf registry: every leaf TDX module 1.5.01 defines, with its ABI name, version rule, status
/// and handler — the one list that `Machine.implementedLeaves`, `ModuleProfile.leaves`, `Leaf.name` and the
/// README's TDCALL table (`softseam generate`) derive from, the way Arm TF-RMM's `runtime/core/handler.c`
/// keeps one handler table. Specs/leaves.tsv is checked against it row by row.
///
/// `Machine.tdcall` does not call through it: its switch names the same handlers (a lookup here and a call
/// through the closure cost about 80 instructions per TDCALL), and LeafRegistryTests checks that the switch
/// and its version gate agree with this table for every leaf number and version.
///
/// To add a leaf: give its entry a handler (one file per leaf under Leaves/), add the same call to the switch
/// in `Machine.tdcall`, update its row in Specs/leaves.tsv and run `make generate` for the README.
package enum TDCallLeaves {
    /// The entries in leaf order (tdx-module include/tdx_api_defs.h, enum tdcall_leaf_opcode_e). Only
    /// TDG.VM.RD takes a version above 0, and only 1 (tdx-module src/td_dispatcher/tdx_td_dispatcher.c
    /// td_call(); src/td_dispatcher/vm_exits/tdg_vm_rd_wr.c).
    package static let all: [TDCallLeafEntry] = [
        TDCallLeafEntry(
            .vpVMCall, "TDG.VP.VMCALL",
            summary: """
                implemented: select-mask checks (OPERAND_INVALID(RCX) for RAX/RCX/RSP or bits 63:32), trap-like TD \
                exit with the selected GPRs; the host's TDH.VP.ENTER completes it
                """
        ) { m, vcpu, _, r in m.tdgVPVMCall(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .vpInfo, "TDG.VP.INFO",
            summary: "implemented: GPAW, ATTRIBUTES, NUM/MAX_VCPUS, VCPU_INDEX, R10 = 1, R11 = 0"
        ) { m, vcpu, _, r in m.tdgVPInfo(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .mrRTMRExtend, "TDG.MR.RTMR.EXTEND",
            summary: """
                implemented: RTMR[RDX] = SHA-384(RTMR[RDX] ‖ 48 bytes at RCX); OPERAND_INVALID(RCX) for an unaligned \
                or non-private GPA, #VE or EPT-violation TD exit for a page L1 cannot read, then OPERAND_INVALID(RDX) \
                for an index above 3
                """
        ) { m, vcpu, _, r in m.tdgMRRTMRExtend(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .vpVEInfoGet, "TDG.VP.VEINFO.GET",
            summary: """
                implemented: RCX…R10 zeroed first, NO_VALID_VE_INFO when VE_INFO is not valid, else exit reason, \
                qualification, GLA, GPA, instruction length/info, and VALID cleared
                """
        ) { m, vcpu, _, r in m.tdgVPVEInfoGet(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .mrReport, "TDG.MR.REPORT",
            summary: """
                implemented: the 1,024-byte TDREPORT_STRUCT at RCX (TDINFO with ATTRIBUTES, XFAM, MRTD, RTMRs; \
                REPORTDATA from RDX; SoftSEAM's TEE_TCB_INFO, CPUSVN 0 and HMAC-SHA-256 MAC); alignment of RCX then \
                RDX, REPORTDATA's page, R8 = 0, interrupted when an interrupt is pending, then the report's page
                """
        ) { m, vcpu, _, r in m.tdgMRReport(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .vpCPUIDVESet, "TDG.VP.CPUIDVE.SET",
            summary:
                "implemented: OPERAND_INVALID(RCX) for bits 63:2, else CPUID_SUPERVISOR_VE = bit 0, CPUID_USER_VE = bit 1"
        ) { m, vcpu, _, r in m.tdgVPCPUIDVESet(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .memPageAccept, "TDG.MEM.PAGE.ACCEPT",
            summary: """
                implemented: 4K and 2M, PAGE_ALREADY_ACCEPTED with the level, PAGE_SIZE_MISMATCH, EEQ type 1 TD \
                exits, unblocks every L2 alias; a 2M page in 4K chunks, interrupted (no RAX, counter kept in the \
                SEPT entry, the TDCALL re-executes) when an interrupt is pending for L1
                """
        ) { m, vcpu, _, r in m.tdgMemPageAccept(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .vmRd, "TDG.VM.RD", maxVersion: 1,
            summary: """
                implemented: versions 0 and 1, every guest-readable TD field (NUM_L2_VMS, GPAW control, …), \
                next-field ids, FIRST_FIELD_ID_IN_CONTEXT, every other TDR/TDCS field of the module's table answers \
                FIELD_NOT_READABLE (L2 SEPT roots only for VMs the TD has), unknown ids FIELD_ID_INCORRECT; \
                RTMR as extended, the other measurement registers read as zero
                """
        ) { m, _, version, r in m.tdgVMRd(version: version, &r) },
        TDCallLeafEntry(
            .vmWr, "TDG.VM.WR",
            summary: """
                implemented: guest write masks of the TDR/TDCS table (NOTIFY_ENABLES and TD_CTLS bit 0; every other \
                field FIELD_NOT_WRITABLE), forbidden bits that would change → FIELD_VALUE_NOT_VALID, a change of \
                TD_CTLS.PENDING_VE_DISABLE only with CONFIG_FLAGS.FLEXIBLE_PENDING_VE, R8 = old value & read mask, \
                R8 = 0 on failure
                """
        ) { m, _, _, r in m.tdgVMWr(&r) },
        TDCallLeafEntry(
            .vpRd, "TDG.VP.RD",
            summary: """
                implemented for the management fields (VCPU_INDEX, CPUID #VE, L2_CTLS, TSC_DEADLINE; the rest of \
                class 32 is NOT_READABLE), every L2 VMCS field of Specs/l2-vmcs-fields.tsv (classes 36/44/52; guest \
                CR0/CR4 through the base mask and shadow, L1's own CR masks/shadows, the virtual-APIC GPA) and the \
                MSR bitmaps (37/45/53); RDX = next readable id (caller's id + 2 inside a multi-field entry), \
                FIRST_FIELD_ID_IN_CONTEXT, R8 = 0 / RDX = −1 on failure
                """
        ) { m, vcpu, _, r in m.tdgVPRd(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .vpWr, "TDG.VP.WR",
            summary: """
                implemented: write mask = table mask & R9, FIELD_NOT_WRITABLE, forbidden bits that would change → \
                FIELD_VALUE_NOT_VALID (a wider R9 is fine while those bits keep their value), NULL_PA GPA fields, \
                private-GPA checks, guest CR0/CR4 base-mask checks, the processor controls against the virtual \
                capability MSRs L1 sees, EPTP SSS and DEBUGCTL TR, CR mask/shadow combination, R8 = old value
                """
        ) { m, vcpu, _, r in m.tdgVPWr(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .sysRd, "TDG.SYS.RD",
            summary: """
                implemented: every field of Specs/global-metadata.tsv (TDX_FEATURES0, versions, \
                GUEST_L2_GPA_ATTR_MASK, …; platform-dependent values from the machine's platform profile), \
                FIELD_NOT_READABLE for the host-only ones, next readable id in RDX, FIRST_FIELD_ID_IN_CONTEXT; \
                RDX = −1, R8 = 0 on failure
                """
        ) { m, _, _, r in m.tdgSysRd(&r) },
        TDCallLeafEntry(
            .sysRdAll, "TDG.SYS.RDALL",
            summary: """
                implemented: the guest-readable fields of Specs/global-metadata.tsv from R8's field on (the null \
                id: from the first) as the module's metadata list (list header, sequences of consecutive \
                same-class, same-size fields) into the 4 KB private page at RDX; R8 = next id (−1: done); R8 = −1 \
                first; OPERAND_INVALID(RDX) for an unaligned or non-private GPA, #VE or EPT-violation TD exit for a \
                page L1 cannot write
                """
        ) { m, vcpu, _, r in m.tdgSysRdAll(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .servTDRd, "TDG.SERVTD.RD",
            summary: """
                implemented for a TD with no service TD bound (SoftSEAM's one TD): defaults RDX = −1, R8 = 0, \
                OPERAND_INVALID(RCX) for a slot ≥ 1, TARGET_UUID_MISMATCH, else a cross-TD trap TD exit with L1's \
                RAX = SERVTD_NOT_BOUND
                """
        ) { m, vcpu, _, r in m.tdgServTDRdWr(vcpu: vcpu, write: false, &r) },
        TDCallLeafEntry(
            .servTDWr, "TDG.SERVTD.WR",
            summary: """
                implemented for a TD with no service TD bound (SoftSEAM's one TD): defaults R8 = 0, \
                OPERAND_INVALID(RCX) for a slot ≥ 1, TARGET_UUID_MISMATCH, else a cross-TD trap TD exit with L1's \
                RAX = SERVTD_NOT_BOUND
                """
        ) { m, vcpu, _, r in m.tdgServTDRdWr(vcpu: vcpu, write: true, &r) },
        TDCallLeafEntry(
            .mrVerifyReport, "TDG.MR.VERIFYREPORT",
            summary: """
                implemented: OPERAND_INVALID(RAX) on a platform without SEAMVERIFYREPORT, alignment and page of \
                RCX, INVALID_CPUSVN, INVALID_REPORTMACSTRUCT unless the MAC is this TD's
                """
        ) { m, vcpu, _, r in m.tdgMRVerifyReport(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .memPageAttrRd, "TDG.MEM.PAGE.ATTR.RD",
            summary: """
                implemented: aligned GPA, level, PENDING bit 62, parked attributes of blocked aliases, TD exit for \
                FREE/BLOCKED
                """
        ) { m, _, _, r in m.tdgMemPageAttrRd(&r) },
        TDCallLeafEntry(
            .memPageAttrWr, "TDG.MEM.PAGE.ATTR.WR",
            summary: """
                implemented: the whole algorithm — per-VM RDX/R8 checks before RCX, L1 walk and EEQ type 5 TD exits, \
                PAGE_SIZE_MISMATCH(requested level), merge under mask, VALID gating, legality, all-or-nothing \
                PAGE_ATTR_INVALID with per-VM RDX, alias creation (L2-blocked on pending pages) and removal \
                (0x8000), L2_SEPT_WALK_FAILED or EEQ type 2 TD exit by VM_CTLS, INVEPT flags, RDX updated in place
                """
        ) { m, _, _, r in m.tdgMemPageAttrWr(&r) },
        TDCallLeafEntry(
            .vpEnter, "TDG.VP.ENTER",
            summary: """
                implemented: the module's entry checks in order (RDX, RCX, virtual-APIC GPA, pending interrupt, translation TD \
                exit with VM index 0), cached translations dropped on a new GPA (the TD epoch is TDH.VP.ENTER's), INVD_TRANSLATIONS, the \
                buffer in and out, VM-entry checks (0x80000021, VM_LAUNCHED unchanged), the VMX-preemption timer armed \
                from TSC_DEADLINE (a due deadline: exit 52 to L1 at once), the L2→L1 exit registers (RBP = L2's, RSP = \
                L1's)
                """
        ) { m, vcpu, _, r throws(MachineError) in try m.tdgVPEnter(vcpu: vcpu, &r) },
        TDCallLeafEntry(
            .vpInvEPT, "TDG.VP.INVEPT",
            summary: "implemented: bitmap checks, per-VM flush counted in the state"
        ) { m, _, _, r in m.tdgVPInvEPT(&r) },
        TDCallLeafEntry(
            .vpInvVPID, "TDG.VP.INVVPID",
            summary: """
                implemented: RCX VM index and reserved bits, one GLA list entry or a GLA list (info checks → \
                OPERAND_INVALID(RDX), private list GPA, #VE or TD exit for a PENDING list page, TD exit for one L1 \
                cannot read), GLA_NOT_CANONICAL per 4K page, RDX updated in list mode, interrupted between entries \
                when an interrupt is pending for L1; flushes counted per VM
                """
        ) { m, vcpu, _, r in m.tdgVPInvVPID(vcpu: vcpu, &r) },
    ]

    /// `all` by leaf number: slot n holds leaf n's entry, nil for a number 1.5.01 does not define; numbers
    /// past the end are undefined too. The dispatcher indexes it instead of searching `all`.
    static let byNumber: [TDCallLeafEntry?] = {
        var table = [TDCallLeafEntry?](repeating: nil, count: Int(all.map(\.leaf.rawValue).max()!) + 1)
        for e in all {
            precondition(table[Int(e.leaf.rawValue)] == nil, "TDCALL leaf \(e.leaf.rawValue) is listed twice")
            table[Int(e.leaf.rawValue)] = e
        }
        return table
    }()

    /// The entry of `leaf`, or nil when 1.5.01 does not define it.
    package static func entry(_ leaf: Leaf) -> TDCallLeafEntry? {
        let n = Int(leaf.rawValue)
        return n < byNumber.count ? byNumber[n] : nil
    }

    /// Every leaf 1.5.01 defines.
    package static let defined: Set<Leaf> = Set(all.map(\.leaf))
    /// The leaves SoftSEAM carries out.
    package static let implemented: Set<Leaf> = Set(all.filter(\.isImplemented).map(\.leaf))
}
