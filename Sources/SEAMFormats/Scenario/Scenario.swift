import SEAMCore
import SEAMTypes

/// A scripted run: a TD config, then steps in order — L1 TDCALLs and stores, host SEAMCALLs, L2 events.
///
/// JSON Lines. The first line is the header, each further non-empty line one step:
///
///     {"softseam": "scenario", "version": 1, "comment": "…", "config": {…config JSON…}, "labels": {"A": "0x100000"}}
///     {"actor": "l1", "vcpu": 0, "tdcall": {"rax": "0x18", "rcx": "0x100000", "rdx": "0x80010000", "r8": "0xf0000"}}
///     {"actor": "host", "seamcall": {"rax": "0x7", "rcx": "0x103000"}, "comment": "block D"}
///
/// Registers not named are 0; Traces/FORMAT.md is the normative description. Every key is checked, and an
/// error names the file, line and key. The steps are the engine's `Step`s: `Engine.perform` runs them.
public struct Scenario: Sendable {
    public static let formatVersion = 1

    public var config: MachineConfig
    /// Names for pages, in the order given (alias maps show them).
    public var labels: [(label: String, gpa: UInt64)]
    /// The header's "comment": what the file is for, what it covers.
    public var comment: String?
    public var steps: [Step]

    public init(
        config: MachineConfig, labels: [(label: String, gpa: UInt64)] = [], comment: String? = nil,
        steps: [Step] = []
    ) {
        self.config = config
        self.labels = labels
        self.comment = comment
        self.steps = steps
    }
}
