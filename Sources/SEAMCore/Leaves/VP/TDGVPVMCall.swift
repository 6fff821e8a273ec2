import SEAMTypes

extension Machine {
    /// TDG.VP.VMCALL (leaf 0) from L1: a trap-like TD exit to the host (module `src/td_dispatcher/vm_exits/tdg_vp_vmcall.c`).
    ///
    /// RCX is the GPR/XMM select mask: selecting RAX, RCX or RSP (bits 0, 1, 4), or any of bits 63:32, →
    /// OPERAND_INVALID(RCX) without an exit. Otherwise the host gets RAX = exit reason 77, RCX = the mask (VM
    /// index 0) and the selected GPRs, the rest zeroed. L1 waits until the host re-enters it with
    /// TDH.VP.ENTER, which writes the selected GPRs back and completes the call with RAX = 0.
    mutating func tdgVPVMCall(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        guard Machine.isValidTDVMCallSelect(regs.rcx) else { return complete(&regs, .operandInvalid.with(.rcx)) }
        vcpus[i].gprs = regs
        let exit = TDExit(registers: Machine.tdvmcallHostRegisters(regs, vm: 0))
        vcpus[i].pendingExit = .init(kind: .l1TDVMCall, vm: 0, exit: exit)
        vcpus[i].location = .host
        return .tdExit(exit)
    }
}
