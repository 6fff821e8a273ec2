import SEAMTypes

extension Machine {
    /// TDG.MR.RTMR.EXTEND (leaf 2): RTMR[RDX] = SHA-384(RTMR[RDX] ‖ the 48 bytes at GPA RCX) (module
    /// `src/td_dispatcher/vm_exits/tdg_mr_rtmr_extend.c`). Only RAX is written.
    ///
    /// Checks in the module's order:
    /// 1. RCX not 64-byte aligned → OPERAND_INVALID(RCX).
    /// 2. RCX not a valid private GPA (shared bit, or bits above GPAW) → OPERAND_INVALID(RCX).
    /// 3. The page L1 reads the data from: a PENDING page is a #VE while TD_CTLS PENDING_VE_DISABLE is 0
    ///    (VE_INFO: EPT violation, qualification 1 = data read, the GPA; the TDCALL does not complete, no
    ///    register is written), any other page L1 cannot read an EPT-violation TD exit (the TDCALL re-executes).
    ///    The data is read before the index is checked.
    /// 4. RDX ≥ 4 (NUM_RTMRS) → OPERAND_INVALID(RDX).
    /// 5. The RTMR lock: the module answers BUSY (operand RTMR) when another vCPU holds it; SoftSEAM runs one
    ///    TDCALL at a time, so it is always free.
    mutating func tdgMRRTMRExtend(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let gpa = regs.rcx
        guard gpa & 0x3F == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        switch guestOperand(vcpu: i, gpa: gpa, write: false, privateOnly: true) {
        case .invalid: return complete(&regs, .operandInvalid.with(.rcx))
        case .fault(let f): return f
        case .ok: break
        }
        var data = [UInt8](repeating: 0, count: RTMRegisters.bytes)
        data.withUnsafeMutableBytes { space.read(gpa >> 12, offset: Int(gpa & 0xFFF), into: $0) }
        guard regs.rdx < UInt64(RTMRegisters.count) else { return complete(&regs, .operandInvalid.with(.rdx)) }
        rtmr.extend(Int(regs.rdx), with: data)
        return complete(&regs, .success)
    }
}
