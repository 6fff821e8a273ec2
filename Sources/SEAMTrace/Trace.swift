import SEAMCore
import SEAMTypes

/// A scenario with outcomes: every step's inputs, and what it did — the registers its caller got back,
/// where execution went, and (in a full trace) the XXH3-64 state hash after it. Traces/FORMAT.md is the
/// normative description of both file forms (JSON Lines and binary).
///
///     scenario ──record──▶ Trace ──jsonLines() / binary()──▶ file ──parse──▶ Trace ──replay──▶ match | Divergence
public struct Trace: Sendable {
    /// What a trace holds.
    public enum Variant: String, Hashable, Sendable, CaseIterable {
        /// Every step of every actor (host, L1, L2) with its outcome and the state hash after it.
        case full
        /// What an L1 instrumented on real hardware can record: its own TDCALLs (and stores to its memory)
        /// with their outputs once L1 got control back — no host steps, no hashes. The L2 events a
        /// TDG.VP.ENTER ran are inputs of that step; TD exits go to the built-in host.
        case l1Observed = "l1-observed"
    }

    public static let formatVersion = 1

    public var variant: Variant
    /// The config, labels, header comment and every step's inputs.
    public var scenario: Scenario
    /// One per step, in order.
    public var outcomes: [StepOutcome]

    public init(variant: Variant = .full, scenario: Scenario, outcomes: [StepOutcome]) {
        precondition(scenario.steps.count == outcomes.count, "one outcome per step")
        self.variant = variant
        self.scenario = scenario
        self.outcomes = outcomes
    }

    public var steps: [Scenario.Step] { scenario.steps }
    public var count: Int { outcomes.count }
}

/// What one step did.
public struct StepOutcome: Hashable, Sendable {
    /// The caller's registers after the call: L1's after a TDCALL, the host's after a SEAMCALL; nil for an
    /// L2 event and an L1 store.
    public var registers: RegisterFile?
    public var result: StepResult
    /// The state hash after the step (full traces only).
    public var hash: UInt64?

    public init(registers: RegisterFile? = nil, result: StepResult = .completed, hash: UInt64? = nil) {
        self.registers = registers
        self.result = result
        self.hash = hash
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

}
