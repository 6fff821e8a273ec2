import SEAMCore
import SEAMTypes

extension Trace {
    /// Runs `scenario` through the engine on a machine built from its config, with a `StepRecorder` as the
    /// observer: every step with its outcome and the state hash after it. An L2 step naming several events
    /// (a "set" of registers) becomes one step per event, the comment on the last. Errors are the scenario's
    /// (`Engine.perform(_:file:)`): nothing is recorded.
    public static func record(_ scenario: Scenario, file: String) throws(InputError) -> Trace {
        var engine = Engine(machine: Machine(config: scenario.config), observer: StepRecorder())
        try engine.perform(scenario.steps, file: file)
        var s = scenario
        s.steps = engine.observer.steps
        return Trace(variant: .full, scenario: s, outcomes: engine.observer.outcomes)
    }

    /// The state hash after the last step; for a trace with no steps, that of the TD its config builds (the
    /// hash `softseam replay` and `softseam snapshot --after 0` give). Nil for an l1-observed trace, which has
    /// no hashes.
    public var finalHash: UInt64? {
        guard variant == .full else { return nil }
        guard let last = outcomes.last else { return Machine(config: scenario.config).stateHash() }
        return last.hash
    }

    /// What L1 alone would have recorded of this full trace: its TDCALLs and stores, each TDCALL with the
    /// registers L1 got when it next ran (after L2 exited to it, or after the host completed its
    /// TDG.VP.VMCALL), the L2 events in between as the TDCALL's `l2_events`. Host steps are left out (replay
    /// uses the built-in host); a TDCALL that TD-exited fault-like is left out too (L1 executes it again,
    /// and that next step is in the trace), as is one that was interrupted (L1 never sees it return: it takes
    /// the interrupt, then executes the TDCALL again) and a TDCALL L1 never got back from.
    ///
    /// The result is replayed before it is returned: when L1's view alone cannot reproduce the run — host
    /// SEAMCALLs other than its re-entries, a host answer SoftSEAM's built-in host would not give, another
    /// vCPU acting while a TDCALL was in flight — that is an error naming the first step that differs.
    public func observedByL1(file: String) throws(InputError) -> Trace {
        let derived = deriveL1View()
        let check: ReplayResult
        do { check = try Replayer.replay(derived, file: file) } catch {
            throw InputError(
                file: file, field: "l1-observed",
                "L1's view alone does not reproduce this run (derived step: \(error.message)); see FORMAT.md")
        }
        if let d = check.divergence {
            throw InputError(
                file: file, field: "l1-observed",
                "L1's view alone does not reproduce this run: its step \(d.step) gives \(d.fields.map(\.field).joined(separator: ", ")) differently (host steps other than re-entries, a host answer the built-in host would not give, or vCPUs interleaved inside a TDCALL)"
            )
        }
        return derived
    }

    func deriveL1View() -> Trace {
        precondition(variant == .full, "derive an l1-observed trace from a full one")
        var kept: [(step: Step, out: RegisterFile?)] = []
        /// Per vCPU: the index in `kept` of the TDCALL L1 is waiting in.
        var waiting: [Int: Int] = [:]
        /// The outcomes of kept stores and instructions (their fault, bytes), by index in `kept`.
        var keptOutcomes: [Int: StepOutcome] = [:]
        for (i, step) in steps.enumerated() {
            let o = outcomes[i]
            switch step.actor {
            case .l1(let vcpu):
                if step.write != nil || step.instruction != nil {
                    keptOutcomes[kept.count] = StepOutcome(registers: o.registers, result: o.result)
                    keptOutcomes[kept.count]?.bytes = o.bytes
                    kept.append((step, o.registers))
                    continue
                }
                switch o.result {
                case .completed, .l1: kept.append((step, o.registers))
                case .l2:
                    waiting[vcpu] = kept.count
                    kept.append((step, nil))
                case .tdExit:
                    if Leaf(UInt16(truncatingIfNeeded: step.registers.rax)) == .vpVMCall
                        && step.registers.rax & ~0xFFFF == 0
                    {
                        waiting[vcpu] = kept.count
                        kept.append((step, nil))
                    }
                case .moduleHandled, .fault, .interrupted, .refused: break
                }
            case .l2(_, let vcpu):
                guard let k = waiting[vcpu] else { continue }
                kept[k].step.events += step.events
                if case .l1(let r) = o.result {
                    kept[k].out = r
                    waiting[vcpu] = nil
                }
            case .host:
                if case .l1(let r) = o.result,
                    let vcpu = Machine.vcpu(tdvpr: step.registers.rcx, vcpuCount: scenario.config.vcpus),
                    let k = waiting[vcpu]
                {
                    kept[k].out = r
                    waiting[vcpu] = nil
                }
            }
        }
        var s = scenario
        var outs: [StepOutcome] = []
        s.steps = []
        for (i, (step, out)) in kept.enumerated() where step.write != nil || step.instruction != nil || out != nil {
            s.steps.append(step)
            outs.append(keptOutcomes[i] ?? StepOutcome(registers: out))
        }
        return Trace(variant: .l1Observed, scenario: s, outcomes: outs)
    }
}
