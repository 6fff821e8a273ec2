import SEAMTypes

extension Machine {
    /// Executes one TDCALL from L1 on `vcpu`, as the module's TD dispatcher does (`tdx-module
    /// src/td_dispatcher/tdx_td_dispatcher.c`), and writes the registers the module writes.
    ///
    /// RAX bits 63:24 reserved → OPERAND_INVALID(RAX); a version above 0 for any leaf but TDG.VM.RD →
    /// OPERAND_INVALID(RAX); a leaf the profile does not define, or one SoftSEAM does not implement yet →
    /// OPERAND_INVALID(RAX). Otherwise the leaf handler runs.
    ///
    /// A TD exit leaves the vCPU waiting for the host: a TDG.VP.VMCALL's trap-like exit, and the fault-like
    /// EPT violations of ACCEPT, ATTR.WR/RD, TDG.VP.ENTER, INVVPID and SYS.RDALL, after which L1's registers are
    /// untouched (but for SYS.RDALL's R8, which the module sets to −1 first) and L1 runs the TDCALL again once
    /// the host's TDH.VP.ENTER re-enters it (`hostEnter`).
    /// - Throws: `MachineError.noSuchVCPU` for a vCPU index the TD does not have, `.notFinalized` before
    ///   TDH.MR.FINALIZE, `.vcpuNotThere` when the vCPU is not running L1 (it runs L2, or waits for the host
    ///   after a TD exit): API misuse that no register value can cause.
    public mutating func tdcall(vcpu: Int, _ regs: inout RegisterFile) throws(MachineError) -> TDCallOutcome {
        let outcome = try dispatchTDCall(vcpu: vcpu, &regs)
        // Only a TD exit (rare: the payload is indirect) needs more; a leaf that completed is done.
        if case .tdExit(let exit) = outcome, case .l1 = vcpus[vcpu].location {
            vcpus[vcpu].pendingExit = .init(kind: .l1FaultLike, vm: 0, exit: exit)
            vcpus[vcpu].location = .host
        }
        // The L1 dispatcher resumes L1 after a TDCALL it completed: an armed PEND_NMI is delivered
        // (`src/td_dispatcher/tdx_td_dispatcher.c`; `deliverPendingNMI`).
        if case .completed = outcome, vcpus[vcpu].l1Interrupts.pendNMI != 0 { deliverPendingNMI(vcpu) }
        return outcome
    }

    /// The first rule of every entry point: `vcpu` names a vCPU the TD has (`.noSuchVCPU` otherwise).
    @inlinable @inline(__always)
    public func checkVCPU(_ vcpu: Int) throws(MachineError) {
        guard vcpu >= 0 && vcpu < vcpuCount else { throw .noSuchVCPU(vcpu, count: vcpuCount) }
    }
}
