import SEAMTypes

extension Machine {
    /// TDG.VP.INVEPT (leaf 26): flushes the L2 SEPT translations of the VMs in the RCX bitmap (reference
    /// `src/td_dispatcher/vm_exits/tdg_vp_invept.c`). Bit 0 (L1) or any bit above NUM_L2_VMS → OPERAND_INVALID(RCX). Only RAX is written.
    mutating func tdgVPInvEPT(_ regs: inout RegisterFile) -> TDCallOutcome {
        let bitmap = regs.rcx
        let allowed: UInt64 = ((1 << UInt64(numL2VMs + 1)) - 1) & ~1
        guard bitmap & ~allowed == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        if numL2VMs > 0 {
            for vm in 1...numL2VMs where bitmap.bit(vm) { l2SEPTFlushes[vm] &+= 1 }
        }
        return complete(&regs, .success)
    }
}
