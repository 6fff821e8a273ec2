import SEAMTypes

/// What one step did.
public struct StepOutcome: Hashable, Sendable {
    /// The caller's registers after the call: L1's after a TDCALL, the host's after a SEAMCALL; nil for an
    /// L2 event and an L1 store.
    public var registers: RegisterFile?
    public var result: StepResult
    /// The bytes an L1 read step read (nil for every other step, and for a read that faulted).
    public var bytes: [UInt8]?
    /// The event the step delivered to a guest, if it delivered one (a TDG.VP.ENTER or TDH.VP.ENTER that
    /// injected an event at VM entry, an L2 event after which L2 took a pending virtual interrupt, …).
    public var delivery: Delivery?
    /// The state hash after the step (observed steps and full traces).
    public var hash: UInt64?

    public init(registers: RegisterFile? = nil, result: StepResult = .completed, hash: UInt64? = nil) {
        self.registers = registers
        self.result = result
        self.hash = hash
    }

    /// A host SEAMCALL's outcome: `registers` are the host's after it; a TDH.VP.ENTER that re-entered the
    /// vCPU says where, one that TD-exited again at once gives the exit.
    public init(seamcall entry: HostEntryOutcome?, registers: RegisterFile) {
        switch entry {
        case .resumedL1(let r?)?: self.init(registers: registers, result: .l1(r))
        case .resumedL2(let vm)?: self.init(registers: registers, result: .l2(vm: vm))
        case .tdExit(let e)?: self.init(registers: registers, result: .tdExit(e.registers))
        default: self.init(registers: registers)
        }
    }

    /// An L1 TDCALL's outcome, with L1's registers after it.
    public init(tdcall outcome: TDCallOutcome, registers: RegisterFile) {
        switch outcome {
        case .completed: self.init(registers: registers)
        case .tdExit(let e): self.init(registers: registers, result: .tdExit(e.registers))
        case .enteredL2(let vm): self.init(registers: registers, result: .l2(vm: vm))
        case .interrupted: self.init(registers: registers, result: .interrupted)
        }
    }

    /// An L2 event's outcome.
    public init(l2 outcome: L2Outcome) {
        switch outcome {
        case .continued: self.init()
        case .moduleHandled(let reason): self.init(result: .moduleHandled(reason.rawValue))
        case .exitToL1(let r): self.init(result: .l1(r))
        case .tdExit(let e): self.init(result: .tdExit(e.registers))
        }
    }
}

/// Where execution went after a step.
public enum StepResult: Hashable, Sendable {
    /// The call completed (a TDCALL or SEAMCALL returned to its caller; an L2 event completed inside L2;
    /// a store was made; a TDH.VP.ENTER let L1 re-execute the TDCALL that TD-exited).
    case completed
    /// The vCPU TD-exited; the host got these registers from its TDH.VP.ENTER.
    case tdExit(RegisterFile)
    /// L2 VM `vm` runs: TDG.VP.ENTER entered it, or the host's TDH.VP.ENTER resumed it.
    case l2(vm: Int)
    /// The L2 event VM-exited and the module handled it (this exit reason), then resumed L2.
    case moduleHandled(UInt32)
    /// L1 runs again with these registers: L2 exited to L1 (its TDG.VP.ENTER returned), or the host's
    /// TDH.VP.ENTER completed the TDCALL L1 was waiting in.
    case l1(RegisterFile)
    /// L1 took this exception instead of completing its store, read, CPUID, RDMSR or WRMSR: #VE (20, VE_INFO
    /// filled), #DF (8, VE_INFO still held an unread #VE) or #GP(0) (13). Nothing else changed.
    case fault(UInt32)
    /// An interruptible TDCALL stopped because an interrupt was pending for L1 (`TDCallOutcome.interrupted`):
    /// no RAX written, RIP not advanced; L1 takes the interrupt and executes the TDCALL again, which continues
    /// from the progress the leaf kept.
    case interrupted
    /// The host's push into a shared-IRTE ring was refused: the ring L1 set up is wrong in this way; nothing
    /// was written or posted (`Machine.pushIRTE`).
    case refused(IRTERingProblem)
}

extension StepOutcome {
    /// An L1 instruction's outcome (`Engine.perform`): its fault, or what it gave L1.
    public init(fault: L1Fault, registers: RegisterFile? = nil, bytes: [UInt8]? = nil) {
        if fault == .none {
            self.init(registers: registers)
            self.bytes = bytes
        } else {
            self.init(result: .fault(fault.rawValue))
        }
    }
}

extension StepResult {
    /// The fault of a `.fault` result; `.none` for every other result.
    public var l1Fault: L1Fault {
        if case .fault(let v) = self { return L1Fault(rawValue: v) }
        return .none
    }
}
