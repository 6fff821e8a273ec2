import SEAMTypes

/// The step engine: the one place where a step of the model is carried out, and where an L1 TDCALL is run
/// to its end. Every way of driving the model — scenarios and traces, replay, the C ABI, the demo L1s —
/// goes through it and plugs in as an L2 event source, a TD-exit handler or an observer.
///
///     Step ──perform──▶ host SEAMCALL │ L1 TDCALL │ L1 store │ L2 event ──▶ the machine's entry points
///                                                                          (seamcall, tdcall, store,
///                                                                           l2Event: the rules, once)
///                                                                     └──▶ observer(step, outcome + hash)
///
///     L1 TDCALL ──runTDCall──▶ tdcall ─┬─ completed ──────────────────────────────────────▶ back to L1
///                                      ├─ entered L2 ─▶ L2 source ─▶ l2Event … exit to L1 ─▶ back to L1
///                                      └─ TD exit ─▶ TD-exit handler ─▶ TDH.VP.ENTER ─▶ L1 │ L2 │ TDCALL again
///
/// The engine adds no rules of its own: which vCPU may run what, "nothing runs before TDH.MR.FINALIZE" and
/// "after a TD exit only the host's TDH.VP.ENTER moves the vCPU" are the machine's, checked at its entry
/// points. A value like the machine: copying an engine copies the machine and the observer.
///
/// The step calls and `runTDCall` are `@inlinable`: they are generic over the observer (and the source and
/// handler), and every caller is in another module (SEAMFormats, the C ABI, the demos); unspecialised, the
/// C ABI's TDCALL cost 1,478 instructions instead of 437 (callgrind, c_abi_tdcall).
public struct Engine<Observer: StepObserver> {
    /// The machine the steps run on.
    public var machine: Machine
    /// Sees every step while it `isObserving`.
    public var observer: Observer
    /// The most L2 events one `runTDCall` runs without L2 exiting to L1 (`defaultL2EventLimit` unless set;
    /// at least 1): a TDG.VP.ENTER that would run one more throws `MachineError.l2EventLimit`.
    public var l2EventLimit: Int = Engine.defaultL2EventLimit

    public init(machine: Machine, observer: Observer) {
        self.machine = machine
        self.observer = observer
    }

    // MARK: One step

    /// Carries out `step` and reports it to the observer with `step` itself (its comment and line kept).
    /// - Throws: what the machine's entry points throw (`MachineError`); an `.l2` step must name exactly
    ///   one event (`.invalidEvent` otherwise; `Step.singleEvents()` splits a longer one).
    public mutating func perform(_ step: Step) throws(MachineError) -> StepOutcome {
        var regs = step.registers
        var outcome: StepOutcome
        _ = machine.takeDelivery()
        switch step.actor {
        case .host:
            if let op = step.shared {
                outcome = try machine.applyOutcome(op)
            } else {
                outcome = StepOutcome(seamcall: machine.seamcall(&regs), registers: regs)
            }
        case .l1(let vcpu):
            if let w = step.write {
                outcome = StepOutcome(fault: try machine.l1Store(vcpu: vcpu, gpa: w.gpa, w.bytes))
            } else if let op = step.instruction {
                outcome = try machine.execute(vcpu: vcpu, op)
            } else {
                outcome = StepOutcome(tdcall: try machine.tdcall(vcpu: vcpu, &regs), registers: regs)
            }
        case .l2(let vm, let vcpu):
            guard step.events.count == 1 else {
                throw .invalidEvent("a step is one L2 event, this one has \(step.events.count)")
            }
            outcome = StepOutcome(l2: try machine.l2Event(vcpu: vcpu, vm: vm, step.events[0]))
        }
        // The outcome carries the step's delivery observed or not (a replay compares it).
        if observer.isObserving { report(step, &outcome) } else { outcome.delivery = machine.takeDelivery() }
        return outcome
    }

    /// The host's SEAMCALL (`Machine.seamcall`), observed as a host step. Returns what a TDH.VP.ENTER that
    /// got as far as the vCPU did.
    @inlinable @discardableResult
    public mutating func seamcall(_ regs: inout RegisterFile, comment: String? = nil) -> HostEntryOutcome? {
        guard observer.isObserving else { return machine.seamcall(&regs) }
        let step = Step(actor: .host, registers: regs, comment: comment)
        _ = machine.takeDelivery()
        let entry = machine.seamcall(&regs)
        var outcome = StepOutcome(seamcall: entry, registers: regs)
        report(step, &outcome)
        return entry
    }

    /// The host's operation on its shared memory or a posted-interrupt descriptor (`Machine.apply`), observed
    /// as a host step; returns what L2 did when a notification reached it. On error nothing changes.
    @discardableResult
    /// An `irtePush` is carried out as `pushIRTE` (its refusal recorded); its L2 outcome is not returned.
    public mutating func host(_ op: Step.SharedMemoryOp, comment: String? = nil) throws(MachineError) -> L2Outcome? {
        if case .irtePush(let vcpu, let gpa, let event) = op {
            _ = try pushIRTE(vcpu: vcpu, gpa: gpa, event, comment: comment)
            return nil
        }
        _ = machine.takeDelivery()
        let l2 = try machine.apply(op)
        guard observer.isObserving else { return l2 }
        var outcome = l2.map { StepOutcome(l2: $0) } ?? StepOutcome()
        report(.host(op, comment: comment), &outcome)
        return l2
    }

    /// The host's push into a shared-IRTE ring (`Machine.pushIRTE`), observed as a host step: the refusal,
    /// or what the notification did. On error nothing changes.
    public mutating func pushIRTE(vcpu: Int, gpa: UInt64, _ event: IRTEEvent, comment: String? = nil)
        throws(MachineError) -> StepOutcome
    {
        _ = machine.takeDelivery()
        let op = Step.SharedMemoryOp.irtePush(vcpu: vcpu, gpa: gpa, event: event)
        var outcome = try machine.applyOutcome(op)
        if observer.isObserving { report(.host(op, comment: comment), &outcome) }
        return outcome
    }

    /// L1's TDCALL on `vcpu` (`Machine.tdcall`), observed as an L1 step. Not observing, this is the
    /// machine's call and nothing else: a TDCALL that completes builds no step value (c_abi_tdcall and
    /// attr_wr measure this path).
    @inlinable @inline(__always)
    public mutating func tdcall(vcpu: Int, _ regs: inout RegisterFile, comment: String? = nil) throws(MachineError)
        -> TDCallOutcome
    {
        guard observer.isObserving else { return try machine.tdcall(vcpu: vcpu, &regs) }
        return try observedTDCall(vcpu: vcpu, &regs, comment: comment)
    }

    @usableFromInline
    mutating func observedTDCall(vcpu: Int, _ regs: inout RegisterFile, comment: String?) throws(MachineError)
        -> TDCallOutcome
    {
        let step = Step(actor: .l1(vcpu: vcpu), registers: regs, comment: comment)
        _ = machine.takeDelivery()
        let result = try machine.tdcall(vcpu: vcpu, &regs)
        var outcome = StepOutcome(tdcall: result, registers: regs)
        report(step, &outcome)
        return result
    }

    /// L1's store of `source` at `gpa` (`Machine.l1Store`), observed as an L1 step of `vcpu`: `.none`, or
    /// the #VE / #DF it took instead (VE_INFO filled, nothing written). On error nothing is written.
    @inlinable @discardableResult
    public mutating func store(vcpu: Int, gpa: UInt64, from source: UnsafeRawBufferPointer, comment: String? = nil)
        throws(MachineError) -> L1Fault
    {
        guard observer.isObserving else { return try machine.l1Store(vcpu: vcpu, gpa: gpa, from: source) }
        _ = machine.takeDelivery()
        let fault = try machine.l1Store(vcpu: vcpu, gpa: gpa, from: source)
        var outcome = StepOutcome(fault: fault)
        report(.store(vcpu: vcpu, Step.MemoryWrite(gpa: gpa, bytes: Array(source)), comment: comment), &outcome)
        return fault
    }

    /// `store(vcpu:gpa:from:)` of an array.
    @discardableResult
    public mutating func store(vcpu: Int, gpa: UInt64, _ bytes: [UInt8], comment: String? = nil) throws(MachineError)
        -> L1Fault
    {
        try perform(.store(vcpu: vcpu, Step.MemoryWrite(gpa: gpa, bytes: bytes), comment: comment)).result.l1Fault
    }

    /// L1 on `vcpu` executes `instruction` (a load, CPUID, RDMSR or WRMSR: `Machine.execute`), observed as an
    /// L1 step — with `onlyVE`, only when it took a #VE or #DF (the C ABI's queries: one that completes or
    /// takes a #GP changes nothing, and is no step of a trace). Returns its outcome: the bytes read or L1's
    /// registers after it, or the fault it took.
    public mutating func l1(vcpu: Int, _ instruction: Step.L1Instruction, comment: String? = nil, onlyVE: Bool = false)
        throws(MachineError) -> StepOutcome
    {
        _ = machine.takeDelivery()
        var outcome = try machine.execute(vcpu: vcpu, instruction)
        let fault = outcome.result.l1Fault
        if observer.isObserving && (!onlyVE || fault == .ve || fault == .df) {
            report(.l1(vcpu: vcpu, instruction, comment: comment), &outcome)
        }
        return outcome
    }

    /// One L2 event of VM `vm` on `vcpu` (`Machine.l2Event`), observed as an L2 step.
    @inlinable
    public mutating func l2Event(vcpu: Int, vm: Int, _ event: L2Event, comment: String? = nil) throws(MachineError)
        -> L2Outcome
    {
        if observer.isObserving { _ = machine.takeDelivery() }
        let result = try machine.l2Event(vcpu: vcpu, vm: vm, event)
        if observer.isObserving {
            var outcome = StepOutcome(l2: result)
            report(.l2(vm: vm, vcpu: vcpu, event, comment: comment), &outcome)
        }
        return result
    }

    /// Hands a step to the observer with the state hash after it. The step's delivery stays in
    /// `Machine.lastDelivery` until the next step clears it (the C ABI's L2 callback reads it there).
    @usableFromInline
    mutating func report(_ step: Step, _ outcome: inout StepOutcome) {
        outcome.delivery = machine.lastDelivery
        outcome.hash = machine.cachedStateHash()
        observer.observe(step, outcome, machine: machine)
    }

}

extension Engine where Observer == NoObserver {
    /// An engine that reports to no one.
    public init(machine: Machine) { self.init(machine: machine, observer: NoObserver()) }
}
