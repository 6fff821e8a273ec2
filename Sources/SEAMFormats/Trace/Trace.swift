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

    public var steps: [Step] { scenario.steps }
    public var count: Int { outcomes.count }
}
