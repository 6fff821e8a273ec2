import SEAMTypes

/// The module's L2 exit router (module `src/td_dispatcher/tdx_td_l2_dispatcher.c`; Specs/exit-routing.tsv):
/// each L2 event either completes in L2, is handled by the module, exits to L1 or exits to the host.
///
///     L2 event ──▶ completes in L2 (permitted access, register write, exception L1 does not intercept)
///              ──▶ module (CR0 write it checks, EFER SCE/LME, MSRs L1 does not intercept, #GP it injects)
///              ──▶ L2→L1 exit (CPUID, HLT, I/O, intercepted MSRs, CR writes L1 owns, L1-mapped EPT
///                  violations, TDCALL 77, …) ──▶ L1's TDG.VP.ENTER returns
///              ──▶ TD exit (NMI, external interrupt, host-owned EPT violation, routed TDVMCALL)
extension Machine {
    /// Carries out one L2 event on `vcpu`, which must be running an L2 VM (VM `vm` when it is given). An L2
    /// runs only after TDH.MR.FINALIZE, so a vCPU in L2 is in a finalized TD.
    /// - Throws: `MachineError.noSuchVCPU`; `.vcpuNotThere` when the vCPU is not in L2 (or in another VM
    ///   than `vm`); `.invalidEvent` for an event the model cannot carry out as given (`L2Event.problem`,
    ///   the one definition the readers of scenarios, traces and spec tables check too). Architectural
    ///   outcomes are never thrown.
    public mutating func l2Event(vcpu i: Int, vm expected: Int? = nil, _ event: L2Event) throws(MachineError)
        -> L2Outcome
    {
        try checkVCPU(i)
        guard case .l2(let vm) = vcpus[i].location, expected == nil || expected == vm else {
            let needs = expected.map { "running L2 VM \($0)" } ?? "running an L2 VM"
            throw .vcpuNotThere(i, needs: needs, location: "\(vcpus[i].location)")
        }
        // An event delivered at the last boundary completes as L2 runs on, unless this event exited during it.
        if vcpus[i].deliveryTracks[vm].isDelivering, event.kind != .duringDelivery { completeDelivery(i, vm) }
        return try l2EventCarriedOut(vcpu: i, vm: vm, event)
    }

    /// `l2Event` once the vCPU is known to run VM `vm` and any delivery before it completed.
    mutating func l2EventCarriedOut(vcpu i: Int, vm: Int, _ event: L2Event) throws(MachineError) -> L2Outcome {
        // The events with operands are checked against `L2Event.problem` in their case; CPUID, HLT and the
        // other bare events skip the call (vp_enter_cpuid_roundtrip: 1,305 → 1,354 instructions with it).
        switch event {
        case .setRegister(let r, let value):
            try Machine.check(event)
            setL2GPR(i, vm, UInt8(r), value)
            return .continued
        case .jump(let rip):
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestRIP, rip)
            return .continued
        case .cpuid:
            return exitToL1(i, vm, L2ExitInfo(.cpuid, instructionLength: 2))
        case .hlt:
            return exitToL1(i, vm, L2ExitInfo(.hlt, instructionLength: 1))
        case .io(let a):
            try Machine.check(event)
            return exitToL1(
                i, vm,
                L2ExitInfo(.ioInstruction, qualification: a.exitQualification, instructionLength: a.instructionLength))
        case .rdmsr, .wrmsr:
            return msrAccess(i, vm, write: event == .wrmsr)
        case .tdcall:
            return l2TDCall(i, vm)
        case .vmcall:
            return exitToL1(i, vm, L2ExitInfo(.vmcall, instructionLength: 3))
        case .movToCR(let cr, let gpr):
            try Machine.check(event)
            return movToCR(i, vm, cr: cr, gpr: gpr)
        case .movFromCR(let cr, let gpr):
            try Machine.check(event)
            return movFromCR(i, vm, cr: cr, gpr: gpr)
        case .clts:
            return clts(i, vm)
        case .lmsw(let source):
            return lmsw(i, vm, source)
        case .memory(let access):
            try Machine.check(event)
            return memoryAccess(i, vm, access)
        case .exception(let vector, let errorCode):
            try Machine.check(event)
            return exception(i, vm, vector: vector, errorCode: errorCode)
        case .externalInterrupt(let vector):
            if isL1Notification(i, vector) { return l2PostedInterrupt(i, vm) }
            let interruption = InterruptionInfo(vector: vector, type: .externalInterrupt)
            let info = L2ExitInfo(.externalInterrupt, interruptionInfo: interruption.rawValue)
            return .tdExit(asyncTDExit(i, vm, info))
        case .nmi:
            let interruption = InterruptionInfo(vector: ExceptionVector.nmi, type: .nmi)
            let info = L2ExitInfo(.exceptionOrNMI, interruptionInfo: interruption.rawValue)
            return .tdExit(asyncTDExit(i, vm, info))
        case .exit(let reason, let qualification, let length):
            try Machine.check(event)
            return otherExit(i, vm, reason, qualification: qualification, length: length)
        case .sti:
            return l2STI(i, vm)
        case .iret:
            return l2IRET(i, vm)
        case .eoi:
            return l2EOI(i, vm)
        case .duringDelivery(let inner):
            try Machine.check(event)
            return try l2DuringDelivery(i, vm, inner)
        case .time(let ticks):
            return try timePasses(i, vm, ticks: ticks)
        }
    }

    /// An event with operands the model cannot carry out (`L2Event.problem`) is `.invalidEvent`.
    static func check(_ event: L2Event) throws(MachineError) {
        if let (operand, message) = event.problem { throw .invalidEvent("\(event.kind.name).\(operand): \(message)") }
    }

    // MARK: Routes

    /// An L2→L1 exit with status SUCCESS; L2's RIP stays at the exiting instruction (L1 advances it by the
    /// length in R11[63:32]; module `src/td_transitions/td_exit.c`, `td_l2_to_l1_exit`).
    mutating func exitToL1(_ i: Int, _ vm: Int, _ info: L2ExitInfo) -> L2Outcome {
        .exitToL1(l2ToL1Exit(vcpu: i, vm: vm, info))
    }

    /// An instruction completed — in L2 without an exit (`handled` nil), or by the module after a VM exit
    /// with reason `handled`: RIP moves past it and L2 goes on (`resumeL2`: unless the module's re-entry meets
    /// an expired preemption timer).
    mutating func advanceRIP(_ i: Int, _ vm: Int, by length: UInt64, handled: ExitReason?) -> L2Outcome {
        let rip = vcpus[i].vmcs(vm, L2VMCSLayout.guestRIP)
        vcpus[i].setGuestState(vm, L2VMCSLayout.guestRIP, rip &+ length)
        guard let handled else { return .continued }
        return resumeL2(i, vm, handled: handled)
    }

    /// A TD exit that makes the TD unusable (an #MC, an MTF exit, an exit reason the module has no case for;
    /// module `tdx_td_l2_dispatcher.c` and `async_tdexit_to_vmm` in `src/td_transitions/td_exit.c`): RAX =
    /// `status` | exit reason.
    mutating func fatalTDExit(_ i: Int, _ vm: Int, _ status: TDXStatus, reason: UInt32) -> L2Outcome {
        isFatal = true
        let exit = TDExit(rax: status.rawValue | UInt64(reason), rcx: UInt64(vm) << 32)
        return .tdExit(l2TDExit(vcpu: i, vm: vm, kind: .l2Async, exit, info: nil))
    }

    /// An asynchronous TD exit from L2 (module `src/td_transitions/td_exit.c`, `async_tdexit_internal`): RAX =
    /// exit reason, RCX = qualification with bits
    /// 12:7 cleared and the VM index in bits 33:32, RDX = 0, R8 = GPA with bits 11:0 cleared, R9 =
    /// interruption information. The unsanitised values stay in the VMCS for a RESUME_L1 entry.
    mutating func asyncTDExit(_ i: Int, _ vm: Int, _ info: L2ExitInfo) -> TDExit {
        let exit = TDExit(
            rax: UInt64(info.reason),
            rcx: info.qualification & ~UInt64.mask(12, 7) & ~UInt64.mask(33, 32) | UInt64(vm) << 32,
            rdx: 0, r8: info.guestPhysicalAddress & ~0xFFF, r9: UInt64(info.interruptionInfo))
        return l2TDExit(vcpu: i, vm: vm, kind: .l2Async, exit, info: info)
    }
}
