import SEAMTypes

extension Machine {
    /// TDG.VP.INFO (leaf 1): the TD's execution environment (module `src/td_dispatcher/vm_exits/tdg_vp_info.c`). No input checks; never
    /// fails. RCX = GPAW (48 or 52); RDX = ATTRIBUTES; R8 = NUM_VCPUS | MAX_VCPUS << 32; R9 = VCPU_INDEX;
    /// R10 = 1 (TDG.SYS.RD available); R11 = 0.
    mutating func tdgVPInfo(vcpu: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        regs.rcx = UInt64(width.bits)
        regs.rdx = attributes
        regs.r8 = UInt64(vcpuCount) | UInt64(vcpuCount) << 32
        regs.r9 = UInt64(vcpu)
        regs.r10 = 1
        regs.r11 = 0
        return complete(&regs, .success)
    }
}
