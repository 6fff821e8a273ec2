import SEAMCore
import SEAMFormats
import SEAMTypes

/// A fuzz run written as a full trace (Traces/FORMAT.md): the fuzz TD's config, its set-up steps, then every
/// step the operations ran, recorded by the engine's `StepRecorder` — the same steps, through the same
/// engine, as the run that found it.
///
/// How a replay shows a violation the model itself commits. Replaying a trace compares the model's outputs
/// with the recorded ones, so a trace of what a buggy model did would replay clean on that same model. The
/// finding's trace therefore records, for the step that broke an invariant, what the oracle expected instead
/// of what the model did: for a rejected call that changed the state, the hash from before the step; for
/// ATTR.RD, the RCX and RDX the calls reported; for an L2 access, the route the oracle expected (an exit
/// with zero registers where the exit itself cannot be known); for any other invariant, hash 0 (the state the
/// calls imply is not the one the model reached, and no hash at hand names it). That step's comment and the
/// trace's header
/// carry the oracle's message. `softseam replay` then stops at that step — or earlier, when the model it runs
/// no longer has the bug (a planted bug, a fix) and an earlier step already differs.
public enum FindingTrace {
    /// The trace of `ops` on `FuzzWorld.shapes[shape]`; with a `finding`, its violating step rewritten as
    /// described above (a violation found after the last operation, by a whole-run check, rewrites the last
    /// step).
    public static func trace(shape: Int, ops: [FuzzOp], finding: FuzzFinding? = nil) -> Trace {
        let world = FuzzWorld.shapes[shape]
        var setup = Engine(machine: Machine(config: world.config), observer: StepRecorder())
        for s in world.setup { _ = try? setup.perform(s) }
        var x = FuzzExecutor(world: world, observer: StepRecorder())
        x.engine.machine = setup.machine  // the same state as `world.machine`
        var steps = setup.observer.steps
        var outcomes = setup.observer.outcomes
        var violationStep: Int?
        var hashBefore = setup.machine.stateHash()
        var expected: StepOutcome?
        for (i, op) in ops.enumerated() {
            let first = x.engine.observer.steps.count
            let lastHash = x.engine.observer.outcomes.last?.hash ?? hashBefore
            let v = x.run(op)
            if let finding, i == finding.opIndex || (finding.opIndex >= ops.count && i == ops.count - 1) {
                let n = x.engine.observer.steps.count
                if n > first {
                    violationStep = steps.count + n - 1
                    hashBefore = n - 1 > first ? x.engine.observer.outcomes[n - 2].hash ?? lastHash : lastHash
                    expected = expectedOutcome(
                        finding.violation, step: x.engine.observer.steps[n - 1],
                        actual: x.engine.observer.outcomes[n - 1], hashBefore: hashBefore, oracle: x.oracle)
                }
                if v != nil { break }
            }
            if v != nil && finding == nil { break }
        }
        steps += x.engine.observer.steps
        outcomes += x.engine.observer.outcomes
        var comment = "softseam fuzz: \(world.numL2VMs) L2 VMs, \(ops.count) operations"
        if let finding, let k = violationStep, let e = expected {
            comment +=
                "; isolation violation (\(finding.violation.invariant)) at step \(k + 1): \(finding.violation.message)"
            steps[k].comment = "ORACLE \(finding.violation.invariant): \(finding.violation.message)"
            outcomes[k] = e
        }
        let scenario = Scenario(
            config: world.config, labels: [("BUF", FuzzWorld.buffer), ("A", FuzzWorld.pool[0])], comment: comment,
            steps: steps)
        return Trace(variant: .full, scenario: scenario, outcomes: outcomes)
    }

    /// What the oracle expected of the violating step (see the type's comment).
    static func expectedOutcome(
        _ v: IsolationOracle.Violation, step: Step, actual: StepOutcome, hashBefore: UInt64, oracle: IsolationOracle
    ) -> StepOutcome {
        var e = actual
        switch v.invariant {
        case "attr-rd":
            if let (rcx, rdx) = oracle.expectedAttrRd(step.registers) {
                e.registers?.rcx = rcx
                e.registers?.rdx = rdx
            } else {
                e.hash = 0
            }
        case "access":
            if v.message.contains("expected it completes") {
                e.result = .completed
            } else if v.message.contains("expected it exits to L1") {
                e.result = .l1(RegisterFile())
            } else {
                e.result = .tdExit(RegisterFile())
            }
        case "rejected-changed":
            e.hash = hashBefore
        default:
            // The state the calls imply differs from the model's in a way no hash at hand expresses (a flush
            // count, an alias's bits): 0 stands for "not the state the model reached".
            e.hash = 0
        }
        return e
    }

    /// The binary and JSON Lines forms of `trace` replay identically: both parse back, neither diverges, and
    /// both end at the same state hash. Nil when they do; else what differs.
    public static func formsAgree(_ trace: Trace) -> String? {
        do {
            let fromBinary = try Trace(binary: trace.binary(), file: "<fuzz.trace.bin>")
            let fromJSON = try Trace.parse(trace.jsonLines(), file: "<fuzz.trace.jsonl>")
            let a = try Replayer.replay(fromBinary, file: "<fuzz.trace.bin>")
            let b = try Replayer.replay(fromJSON, file: "<fuzz.trace.jsonl>")
            if let d = a.divergence { return "the binary form diverges at step \(d.step)" }
            if let d = b.divergence { return "the JSON Lines form diverges at step \(d.step)" }
            if a.finalHash != b.finalHash || a.finalHash != trace.finalHash {
                return "the forms end at different hashes: binary \(hex(a.finalHash)), JSON \(hex(b.finalHash))"
            }
            return nil
        } catch {
            return "a form of the trace does not read back: \(error)"
        }
    }
}

extension IsolationOracle {
    /// ATTR.RD's RCX and RDX as the calls reported them, for its input registers; nil with no such page.
    func expectedAttrRd(_ input: RegisterFile) -> (UInt64, UInt64)? {
        let gpa = input.rcx & ~0xFFF
        guard let i = index(containing: gpa) else { return nil }
        let p = pages[i]
        var rdx: UInt64 = 0
        for vm in 1...3 where p.aliased >> (vm - 1) & 1 != 0 { rdx |= UInt64(p.attrs[vm]) << (16 * UInt64(vm)) }
        return (p.base | UInt64(p.level.rawValue) | (p.state == .pending ? 1 << 62 : 0), rdx)
    }
}
