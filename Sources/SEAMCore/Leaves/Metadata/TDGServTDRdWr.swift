import SEAMTypes

extension Machine {
    /// TDG.SERVTD.RD (leaf 18) and TDG.SERVTD.WR (leaf 20): a service TD reads or writes metadata of a
    /// target TD it is bound to (module `src/vmm_dispatcher/migration_api_calls/tdg_servtd_rd_wr.c`). SoftSEAM
    /// models one TD and no service-TD binding, and keeps no host physical addresses, so every binding handle
    /// is taken to name this TD's own TDR, whose SERVTD_BINDINGS_TABLE is empty:
    ///
    /// 1. Defaults: RD writes RDX = −1; both write R8 = 0.
    /// 2. The handle minus TD_UUID[0] (0 in SoftSEAM) has the binding slot in bits 11:0: slot ≥ MAX_SERV_TDS
    ///    (1) → OPERAND_INVALID(RCX).
    /// 3. R10–R13 (the expected target TD_UUID) against the target's TD_UUID, then its PRE_IMPORT_UUID (both
    ///    0 in SoftSEAM): not all zero → TDX_TARGET_UUID_MISMATCH; no TD exit.
    /// 4. The slot is not BOUND → a cross-TD trap: L1's RAX = TDX_SERVTD_NOT_BOUND + slot, and a trap-like TD
    ///    exit with host RAX = TDX_CROSS_TD_TRAP, RDX = that status, R8 = the target TDR page address (handle
    ///    bits 51:12), RCX = 0 (`src/td_transitions/td_exit.c` `async_tdexit_cross_td`). The host's TDH.VP.ENTER
    ///    resumes L1 after the TDCALL with the registers written above.
    mutating func tdgServTDRdWr(vcpu i: Int, write: Bool, _ regs: inout RegisterFile) -> TDCallOutcome {
        if !write { regs.rdx = ~0 }
        regs.r8 = 0
        let handle = regs.rcx  // minus TD_UUID[0], which is 0
        guard handle & 0xFFF == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        guard regs.r10 | regs.r11 | regs.r12 | regs.r13 == 0 else { return complete(&regs, .targetUUIDMismatch) }
        let status = TDXStatus.servTDNotBound  // + slot 0
        regs.rax = status.rawValue
        vcpus[i].gprs = regs
        let exit = TDExit(rax: TDXStatus.crossTDTrap.rawValue, rdx: status.rawValue, r8: handle & .mask(51, 12))
        vcpus[i].pendingExit = .init(kind: .l1CrossTDTrap, vm: 0, exit: exit)
        vcpus[i].location = .host
        return .tdExit(exit)
    }
}
