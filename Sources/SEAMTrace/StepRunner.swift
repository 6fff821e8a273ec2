import SEAMCore
import SEAMTypes

extension Machine {
    /// Carries out one step (one call, one L2 event, one store) and reports what it did, without the hash.
    /// A step the machine cannot take where it is — a vCPU the TD lacks, an L1 TDCALL while the vCPU runs
    /// L2, an L2 event for a VM that is not running, a store to memory L1 cannot reach, any L1 or L2 step
    /// before the host's TDH.MR.FINALIZE — is an `InputError` naming the step's line; architectural failures
    /// are outcomes.
    public mutating func perform(_ step: Scenario.Step, file: String) throws(InputError) -> StepOutcome {
        var regs = step.registers
        if step.actor != .host {
            guard opState == .runnable else {
                throw InputError(
                    file: file, line: step.line > 0 ? step.line : nil, field: "actor",
                    "L1 and L2 cannot run before the host's TDH.MR.FINALIZE (the TD is INITIALIZED)")
            }
        }
        switch step.actor {
        case .host:
            let entry = seamcall(&regs)
            switch entry {
            case .resumedL1(let r?)?: return StepOutcome(registers: regs, result: .l1(r))
            case .resumedL2(let vm)?: return StepOutcome(registers: regs, result: .l2(vm: vm))
            default: return StepOutcome(registers: regs)
            }
        case .l1(let vcpu):
            if let w = step.write {
                do { try writeMemory(gpa: w.gpa, w.bytes) } catch {
                    throw InputError(
                        file: file, line: step.line > 0 ? step.line : nil, field: "write.gpa", error.description)
                }
                return StepOutcome()
            }
            let outcome: TDCallOutcome
            do { outcome = try tdcall(vcpu: vcpu, &regs) } catch {
                throw InputError(file: file, line: step.line > 0 ? step.line : nil, field: "vcpu", error.description)
            }
            switch outcome {
            case .completed: return StepOutcome(registers: regs)
            case .tdExit(let e): return StepOutcome(registers: regs, result: .tdExit(e.registers))
            case .enteredL2(let vm): return StepOutcome(registers: regs, result: .l2(vm: vm))
            }
        case .l2(let vm, let vcpu):
            guard vcpu >= 0 && vcpu < vcpuCount else {
                throw InputError(
                    file: file, line: step.line > 0 ? step.line : nil, field: "vcpu", "vCPU \(vcpu) does not exist")
            }
            guard case .l2(vm) = vcpus[vcpu].location else {
                throw InputError(
                    file: file, line: step.line > 0 ? step.line : nil, field: "vm",
                    "L2 VM \(vm) is not running on vCPU \(vcpu) (it is \(vcpus[vcpu].location))")
            }
            guard step.events.count == 1, let event = step.events.first else {
                throw InputError(
                    file: file, line: step.line > 0 ? step.line : nil, field: "event", "a step is one L2 event")
            }
            let outcome: L2Outcome
            do { outcome = try l2Event(vcpu: vcpu, event) } catch {
                throw InputError(file: file, line: step.line > 0 ? step.line : nil, field: "event", error.description)
            }
            switch outcome {
            case .continued: return StepOutcome()
            case .moduleHandled(let reason): return StepOutcome(result: .moduleHandled(reason.rawValue))
            case .exitToL1(let r): return StepOutcome(result: .l1(r))
            case .tdExit(let e): return StepOutcome(result: .tdExit(e.registers))
            }
        }
    }

    /// One step of a trace of `variant`: `perform` for a full trace, `performObserved` for an l1-observed one.
    public mutating func perform(_ step: Scenario.Step, variant: Trace.Variant, file: String) throws(InputError)
        -> StepOutcome
    {
        variant == .full ? try perform(step, file: file) : try performObserved(step, file: file)
    }

    /// Carries out one step of an l1-observed trace the way L1 experiences it: a TDCALL runs to its end —
    /// a TDG.VP.ENTER runs L2 on the step's `events`, TD exits go to the built-in host, which re-enters the
    /// vCPU. The outcome has L1's registers; its result is `.tdExit` when the TDCALL did not complete (a
    /// fault-like TD exit, after which L1 would execute it again: an l1-observed trace never records that).
    public mutating func performObserved(_ step: Scenario.Step, file: String) throws(InputError) -> StepOutcome {
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
        guard opState == .runnable else {
            throw InputError(
                file: file, line: step.line > 0 ? step.line : nil, field: "actor",
                "L1 cannot run before the host's TDH.MR.FINALIZE (the TD is INITIALIZED)")
        }
        var source = StepEvents(events: step.events)
        var host = BuiltInTDVMCallHost()
        var regs = step.registers
        let outcome: TDCallOutcome
        do { outcome = try runTDCall(vcpu: vcpu, &regs, l2: &source, host: &host) } catch {
            let field = if case .invalidEvent = error { "l2_events" } else { "vcpu" }
            throw InputError(file: file, line: step.line > 0 ? step.line : nil, field: field, error.description)
        }
        switch outcome {
        case .completed, .enteredL2:
            guard source.next == source.events.count else {
                throw InputError(
                    file: file, line: step.line > 0 ? step.line : nil, field: "l2_events",
                    "L2 exited to L1 after \(source.next) of its \(source.events.count) events")
            }
            return StepOutcome(registers: regs)
        case .tdExit(let e):
            return StepOutcome(registers: regs, result: .tdExit(e.registers))
        }
    }
}

/// The L2 events of one l1-observed TDG.VP.ENTER, in order, whichever VM it entered.
struct StepEvents: L2EventSource {
    var events: [L2Event]
    var next = 0
    mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) -> L2Event? {
        guard next < events.count else { return nil }
        defer { next += 1 }
        return events[next]
    }
}
