import SEAMTypes

/// The SEAMCALL leaf registry: the host leaves SoftSEAM models, with their ABI names, version rules, status
/// and handlers — the one list that `Machine.seamcall` dispatches through and that `SEAMCallLeaf.name` and
/// the README's host table (`softseam generate`) derive from, the way Arm TF-RMM's `runtime/core/handler.c`
/// keeps one handler table. Every other host leaf answers OPERAND_INVALID(RAX).
///
/// To add a leaf: add its entry here (handler in its own file under Host/) and run `make generate` for the
/// README.
package enum SEAMCallLeaves {
    /// The entries in leaf order (tdx-module include/tdx_api_defs.h, enum seamcall_leaf_opcode_e). Only
    /// TDH.MEM.SEPT.ADD and TDH.MNG.RD take a version above 0 among them, and only 1
    /// (tdx-module src/vmm_dispatcher/api_calls/tdh_mem_sept_add.c, tdh_mng_rd_wr.c).
    package static let all: [SEAMCallLeafEntry] = [
        SEAMCallLeafEntry(
            .vpEnter, "TDH.VP.ENTER",
            summary: """
                implemented: RCX = TDVPR (0x2000000000 + vCPU << 12) with RESUME_L1; resumes L1 (completing a \
                TDG.VP.VMCALL, or to run again a TDCALL that TD-exited fault-like) or L2 (with a routed TDVMCALL's \
                outputs), or with RESUME_L1 gives L1 \
                HOST_ROUTED_ASYNC / HOST_ROUTED_TDVMCALL; RESUME_L1 while L1 is current → OPERAND_INVALID(RCX). A \
                TD epoch newer than the vCPU's drops its cached buffer/virtual-APIC translations; re-entering L2 \
                translates them again, an untranslatable page → EPT-violation TD exit (RAX 48, R8 = page). On \
                entry RAX = 0: the vCPU runs until the call that causes its next TD exit
                """,
            entering: { m, _, r in m.tdhVPEnter(&r) }
        ),
        SEAMCallLeafEntry(
            .memPageAdd, "TDH.MEM.PAGE.ADD",
            summary: """
                implemented (4K, page starts zeroed — SoftSEAM has no host memory to copy; OP_STATE_INCORRECT after \
                TDH.MR.FINALIZE)
                """
        ) { m, _, r in m.tdhMemPageAdd(&r) },
        SEAMCallLeafEntry(
            .memSEPTAdd, "TDH.MEM.SEPT.ADD", maxVersion: 1,
            summary: """
                implemented, versions 0 and 1 (L2 SEPT pages in R9–R11, ALLOW_EXISTING, L2_SEPT_WALK_FAILED / \
                L2_SEPT_ENTRY_NOT_FREE, R8–R11 outputs)
                """
        ) { m, version, r in m.tdhMemSEPTAdd(version: version, &r) },
        SEAMCallLeafEntry(
            .memPageAug, "TDH.MEM.PAGE.AUG",
            summary: "implemented (4K, 2M)"
        ) { m, _, r in m.tdhMemPageAug(&r) },
        SEAMCallLeafEntry(
            .memRangeBlock, "TDH.MEM.RANGE.BLOCK",
            summary: """
                implemented: leaves (aliases become L2-blocked; the module's loss of parked permissions on a pending \
                page included) and non-leaf entries (NL_BLOCKED in L1 and every L2 SEPT; walks stop there)
                """
        ) { m, _, r in m.tdhMemRangeBlock(&r) },
        SEAMCallLeafEntry(
            .mngRd, "TDH.MNG.RD", maxVersion: 1,
            summary: """
                implemented, versions 0 and 1: every TDR/TDCS field of the module's table with its host read mask \
                (production masks unless ATTRIBUTES.DEBUG), next-field ids, FIRST_FIELD_ID_IN_CONTEXT; fields the \
                model does not keep read 0
                """
        ) { m, version, r in m.tdhMngRd(version: version, &r) },
        SEAMCallLeafEntry(
            .mngWr, "TDH.MNG.WR",
            summary: "implemented for VM_CTLS only"
        ) { m, _, r in m.tdhMngWr(&r) },
        SEAMCallLeafEntry(
            .mrExtend, "TDH.MR.EXTEND",
            summary: """
                implemented: measures the 256 bytes at a 256-byte-aligned private GPA of a MAPPED page into MRTD \
                (a 128-byte block, then the chunk); OP_STATE_INCORRECT after finalize, EPT_ENTRY_NOT_PRESENT(RCX) \
                with the entry where the walk stopped, EPT_ENTRY_NOT_PRESENT for a leaf that is not MAPPED
                """
        ) { m, _, r in m.tdhMRExtend(&r) },
        SEAMCallLeafEntry(
            .mrFinalize, "TDH.MR.FINALIZE",
            summary:
                "implemented: closes MRTD (SHA-384 of the PAGE.ADD and MR.EXTEND blocks), OP_STATE becomes RUNNABLE"
        ) { m, _, r in m.tdhMRFinalize(&r) },
        SEAMCallLeafEntry(
            .vpRd, "TDH.VP.RD", maxVersion: 1,
            summary: """
                implemented, versions 0 and 1, for the L1 TD VMCS fields the host writes (posted-interrupt notification \
                vector 0x0002, PID address 0x2016, pin-based controls 0x4000 — bit 7 only unless \
                ATTRIBUTES.DEBUG), L1's VM-entry interruption information, error code and instruction length \
                (0x4016/0x4018/0x401A, FIELD_NOT_READABLE unless DEBUG) and TDVPS PEND_NMI \
                (0x202000000000000B); other TDVPS fields → FIELD_ID_INCORRECT; version 1: next readable id in RDX \
                (among these fields), FIRST_FIELD_ID_IN_CONTEXT
                """
        ) { m, version, r in m.tdhVPRd(version: version, &r) },
        SEAMCallLeafEntry(
            .memPageRemove, "TDH.MEM.PAGE.REMOVE",
            summary: """
                implemented (after finalize it needs BLOCK then TRACK; removes aliases; RCX returns 0, there are no \
                HPAs)
                """
        ) { m, _, r in m.tdhMemPageRemove(&r) },
        SEAMCallLeafEntry(
            .sysRd, "TDH.SYS.RD",
            summary: """
                implemented: every field of Specs/global-metadata.tsv on the machine's platform (platform facts \
                SoftSEAM does not model read 0), next-field ids, FIRST_FIELD_ID_IN_CONTEXT
                """
        ) { m, _, r in m.tdhSysRd(&r) },
        SEAMCallLeafEntry(
            .memTrack, "TDH.MEM.TRACK",
            summary: "implemented (no vCPU is inside the TD while the host calls, so one TRACK suffices)"
        ) { m, _, r in m.tdhMemTrack(&r) },
        SEAMCallLeafEntry(
            .memRangeUnblock, "TDH.MEM.RANGE.UNBLOCK",
            summary: """
                implemented, leaves and non-leaf entries (after finalize it needs TRACK; aliases stay blocked on a \
                pending page)
                """
        ) { m, _, r in m.tdhMemRangeUnblock(&r) },
        SEAMCallLeafEntry(
            .vpWr, "TDH.VP.WR",
            summary: """
                implemented for the same three L1 TD VMCS fields with the module's host masks: PID address bits \
                5:0 dropped or FIELD_VALUE_NOT_VALID (per R9), shared-HPA check, vector 0…255, posted interrupts \
                enabled before the vector / PID address → TD_VMCS_FIELD_NOT_INITIALIZED; R8 = old value; L1's \
                VM-entry interruption fields → FIELD_NOT_WRITABLE (the host cannot inject into L1); PEND_NMI, \
                which the module delivers at its next L1 entry
                """
        ) { m, _, r in m.tdhVPWr(&r) },
    ]

    /// `all` by leaf number: slot n holds leaf n's entry, nil for a leaf SoftSEAM does not model; numbers past
    /// the end are not modelled either.
    static let byNumber: [SEAMCallLeafEntry?] = {
        var table = [SEAMCallLeafEntry?](repeating: nil, count: Int(all.map(\.leaf.rawValue).max()!) + 1)
        for e in all {
            precondition(table[Int(e.leaf.rawValue)] == nil, "SEAMCALL leaf \(e.leaf.rawValue) is listed twice")
            table[Int(e.leaf.rawValue)] = e
        }
        return table
    }()

    /// What `Machine.seamcall` needs of one leaf number: the highest version and the handler, nil for a leaf
    /// SoftSEAM does not model. Without the entry's strings: copying a whole optional entry out of `byNumber`
    /// (its strings retained and released through unspecialised value witnesses) cost replay_binary_steps
    /// about 34 instructions per step (callgrind), the host calls of each machine's set-up included.
    struct Slot {
        let maxVersion: UInt8
        let handler: SEAMCallLeafEntry.Handler?
    }

    /// `byNumber` as dispatch slots, indexed by leaf number.
    static let slots: [Slot] = byNumber.map { Slot(maxVersion: $0?.maxVersion ?? 0, handler: $0?.handler) }

    /// The entry of `leaf`, or nil when SoftSEAM does not model it.
    package static func entry(_ leaf: SEAMCallLeaf) -> SEAMCallLeafEntry? {
        let n = Int(leaf.rawValue)
        return n < byNumber.count ? byNumber[n] : nil
    }
}
