import SEAMTypes

extension Machine {
    /// TDG.VP.CPUIDVE.SET (leaf 5): RCX bit 0 = CPUID_SUPERVISOR_VE, bit 1 = CPUID_USER_VE (module
    /// `src/td_dispatcher/vm_exits/tdg_vp_cpuidve_set.c`). Bits 63:2 set → OPERAND_INVALID(RCX) and nothing
    /// changes; otherwise both fields take their bit (a 0 clears a value TDG.VP.WR set). Only RAX is written.
    mutating func tdgVPCPUIDVESet(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let control = regs.rcx
        guard control & ~0b11 == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        vcpus[i].cpuidVE = UInt16(control & 1) | UInt16(control >> 1 & 1) << 8
        return complete(&regs, .success)
    }
}
