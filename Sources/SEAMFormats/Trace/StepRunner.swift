import SEAMCore
import SEAMTypes

extension InputError {
    /// The machine's refusal of a step from a file, naming the step's line and the field the broken rule
    /// is about: `vcpu` (no such vCPU, or an L1 step while the vCPU is elsewhere), `vm` (an L2 event for a VM
    /// that is not running), `actor` (before TDH.MR.FINALIZE), `write.gpa`, `event`, `l2_events`, `tdcall`
    /// (the TDX module would stop).
    public init(_ error: MachineError, step: Step, file: String) {
        let field: String
        switch error {
        case .noSuchVCPU:
            switch step.shared {
            case .l1InterruptState?: field = "l1_interrupt_state.vcpu"
            case .irtePush?: field = "irte_push.vcpu"
            default: field = "vcpu"
            }
        case .notFinalized:
            switch step.shared {
            case .postInterrupt?: field = "post_interrupt"
            case .irtePush?: field = "irte_push"
            default: field = "actor"
            }
        case .vcpuNotThere:
            if case .l2 = step.actor { field = "vm" } else { field = "vcpu" }
        case .notL1Accessible: field = "write.gpa"
        case .notSharedMemory:
            switch step.shared {
            case .map?: field = "map_shared"
            case .unmap?: field = "unmap_shared"
            default: field = "write_shared"
            }
        case .invalidEvent:
            switch step.shared {
            case .postInterrupt?: field = "post_interrupt"
            case .irtePush?: field = "irte_push"
            default: field = "event"
            }
        case .l2Source, .l2EventLimit: field = "l2_events"
        case .moduleStopped: field = "tdcall"
        }
        self.init(file: file, line: step.line > 0 ? step.line : nil, field: field, error.description)
    }
}

extension Engine {
    /// `perform(_:)` of a step read from `file`: the machine's refusal is an `InputError` naming its line.
    public mutating func perform(_ step: Step, file: String) throws(InputError) -> StepOutcome {
        do { return try perform(step) } catch { throw InputError(error, step: step, file: file) }
    }

    /// Performs `steps` in order, each L2 step naming several events as one step per event
    /// (`Step.singleEvents()`): how a scenario runs, for `record` and `alias-map` alike.
    public mutating func perform(_ steps: [Step], file: String) throws(InputError) {
        for step in steps {
            for single in step.singleEvents() { _ = try perform(single, file: file) }
        }
    }

    /// One step of a trace of `variant`: `perform` for a full trace, `performObserved` for an l1-observed one.
    public mutating func perform(_ step: Step, variant: Trace.Variant, file: String) throws(InputError)
        -> StepOutcome
    {
        variant == .full ? try perform(step, file: file) : try performObserved(step, file: file)
    }

    /// Carries out one step of an l1-observed trace the way L1 experiences it: `runTDCall` with the step's
    /// `events` as L2's and the built-in host for TD exits. The outcome has L1's registers; its result is
    /// `.tdExit` when the TDCALL did not complete (the host did not re-enter L1: an l1-observed trace never
    /// records that). L2 must use every event it was given.
    public mutating func performObserved(_ step: Step, file: String) throws(InputError) -> StepOutcome {
        guard case .l1(let vcpu) = step.actor else {
            throw InputError(
                file: file, line: step.line > 0 ? step.line : nil, field: "actor",
                "an l1-observed trace has only L1 steps")
        }
        if step.write != nil {
            var plain = step
            plain.events = []
            return try perform(plain, file: file)
        }
        var source = EventList(step.events)
        var host = BuiltInTDVMCallHost()
        var regs = step.registers
        let outcome: TDCallOutcome
        do { outcome = try runTDCall(vcpu: vcpu, &regs, l2: &source, host: &host) } catch {
            throw InputError(error, step: step, file: file)
        }
        switch outcome {
        case .completed, .enteredL2:
            guard source.used == source.events.count else {
                throw InputError(
                    file: file, line: step.line > 0 ? step.line : nil, field: "l2_events",
                    "L2 exited to L1 after \(source.used) of its \(source.events.count) events")
            }
            return StepOutcome(registers: regs)
        case .tdExit(let e):
            return StepOutcome(registers: regs, result: .tdExit(e.registers))
        case .interrupted:
            return StepOutcome(registers: regs, result: .interrupted)
        }
    }
}

extension Scenario {
    /// The machine after every step, run through the engine on a machine built from the config — as a
    /// scenario or full trace runs (`Engine.perform(_:file:)`), or with `variant` `.l1Observed` as an
    /// l1-observed trace's steps do (`Engine.performObserved`): what `softseam alias-map` shows for a scenario
    /// or a trace.
    public func machineAfter(variant: Trace.Variant = .full, file: String = "<scenario>") throws(InputError)
        -> Machine
    {
        var engine = Engine(machine: Machine(config: config))
        switch variant {
        case .full: try engine.perform(steps, file: file)
        case .l1Observed: for step in steps { _ = try engine.performObserved(step, file: file) }
        }
        return engine.machine
    }
}
