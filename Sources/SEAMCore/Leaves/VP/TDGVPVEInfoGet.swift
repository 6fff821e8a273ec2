import SEAMTypes

extension Machine {
    /// TDG.VP.VEINFO.GET (leaf 3): reads and frees the vCPU's VE_INFO (module
    /// `src/td_dispatcher/vm_exits/tdg_vp_veinfo_get.c`). RCX, RDX, R8, R9 and R10 are zeroed first; VALID = 0 →
    /// TDX_NO_VALID_VE_INFO with them zero. Otherwise RCX = exit reason, RDX = exit qualification, R8 = GLA,
    /// R9 = GPA, R10 = instruction length (31:0) and information (63:32), and VALID becomes 0 (the other
    /// fields stay as they are).
    mutating func tdgVPVEInfoGet(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        regs.rcx = 0
        regs.rdx = 0
        regs.r8 = 0
        regs.r9 = 0
        regs.r10 = 0
        let info = vcpus[i].veInfo
        guard info.isValid else { return complete(&regs, .noValidVEInfo) }
        regs.rcx = UInt64(info.exitReason)
        regs.rdx = info.exitQualification
        regs.r8 = info.gla
        regs.r9 = info.gpa
        regs.r10 = info.instructionLengthAndInfo
        vcpus[i].veInfo.valid = 0
        return complete(&regs, .success)
    }
}
