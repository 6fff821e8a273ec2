import CSoftSEAM
import SEAMCore
import SEAMFormats
import SEAMTypes

extension Session {
    /// One host SEAMCALL, recorded as a host step. A TDH.VP.ENTER that would resume L2 is carried out only from
    /// the host callback of that vCPU, where an L1 TDCALL waits to run L2 on (SOFTSEAM_ESTATE elsewhere).
    func hostCall(_ r: RegisterFile, caller: String) throws(CallError) -> RegisterFile {
        // The vCPU a TDH.VP.ENTER names; nil for any other SEAMCALL (or an RCX that names none).
        let entered =
            r.rax == UInt64(SEAMCallLeaf.vpEnter.rawValue)
            ? Machine.vcpu(tdvpr: r.rcx, vcpuCount: machine.vcpuCount) : nil
        // The vCPU whose host callback is running, if one is.
        let callbackVCPU: Int? = if case .host(let v)? = callback { v } else { nil }
        if let v = entered, v != callbackVCPU, r.rcx & Machine.resumeL1 == 0,
            let pending = machine.vcpus[v].pendingExit, pending.vm != 0
        {
            // Refused only when the machine would really resume L2: its own answer (TD_FATAL, OPERAND_INVALID for
            // the hint or reserved bits, …) comes first. The probe is a copy: copy-on-write shares the state.
            var probe = machine
            var probeRegs = r
            if case .resumedL2? = probe.seamcall(&probeRegs) {
                throw CallError(
                    SOFTSEAM_ESTATE,
                    "\(caller): TDH.VP.ENTER would resume L2 VM \(pending.vm) of vCPU \(v), which only the host "
                        + "callback of that vCPU can do (an L1 TDCALL waits there); use RESUME_L1 (RCX bit 53)")
            }
        }
        try checkTraceRoom(caller)
        var regs = r
        let entry = engine.seamcall(&regs)
        changed = true
        if let v = entered, v == callbackVCPU, hostEntry == nil, let entry {
            if case .failed = entry {} else { hostEntry = entry }
        }
        return regs
    }

    /// Runs a query of L1's virtual CPU; the machine's refusal becomes its C code (`CallError(_:caller:)`).
    /// L1's load, CPUID, RDMSR or WRMSR on `vcpu` through the engine: a step of the trace being recorded when
    /// it takes a #VE or #DF (VE_INFO filled or kept), nothing recorded when it completes or takes a #GP (it
    /// changed nothing). With the trace at its limit, one that would take a #VE or #DF fails with
    /// SOFTSEAM_ELIMIT and changes nothing (tried on a copy of the machine first).
    func l1Instruction(vcpu: Int, _ op: Step.L1Instruction, _ caller: String) throws(CallError) -> StepOutcome {
        // An instruction that changes L1's interrupt state (a virtual-APIC write; any module-completed one while
        // PEND_NMI is armed, which delivers the NMI) is always a step.
        if op.changesL1Interrupts || machine.vcpus[vcpu].l1Interrupts.pendNMI != 0 {
            return try l1InterruptStep(vcpu: vcpu, op, caller)
        }
        if engine.observer?.isFull == true {
            var probe = machine
            let p: StepOutcome
            do throws(MachineError) { p = try probe.execute(vcpu: vcpu, op) } catch {
                throw CallError(error, caller: caller)
            }
            guard p.result.l1Fault != .ve && p.result.l1Fault != .df else { throw traceFull(caller) }
            return p
        }
        let o: StepOutcome
        do throws(MachineError) { o = try engine.l1(vcpu: vcpu, op, onlyVE: true) } catch {
            throw CallError(error, caller: caller)
        }
        if o.result.l1Fault == .ve { changed = true }
        return o
    }

    /// Writes the trace being recorded and stops recording; returns the number of steps.
    func finishTrace() throws(CallError) -> Int {
        guard let file = traceFile, let r = engine.observer else {
            throw CallError(SOFTSEAM_ESTATE, "softseam_trace_stop: no trace is being recorded")
        }
        let trace = Trace(
            variant: .full,
            scenario: Scenario(config: config, labels: [], comment: file.comment, steps: r.steps),
            outcomes: r.outcomes)
        do { try trace.write(to: file.path, binary: file.binary) } catch {
            throw CallError(SOFTSEAM_EFILE, "softseam_trace_stop: \(error.description) (the trace stays open)")
        }
        traceFile = nil
        engine.observer = nil
        return r.steps.count
    }
}
