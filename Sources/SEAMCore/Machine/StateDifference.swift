/// One field that differs between two machine states, named the way a TDX engineer would look it up:
/// `td.tdEpoch`, `page 0x101000 VM2 attributes`, `vcpu0.vm1.vmcs GUEST_RIP (0x681e)`.
///
/// Produced by `Machine.differences(from:)`; `before` and `after` are the two values as text.
public struct StateDifference: Hashable, Sendable, CustomStringConvertible {
    /// Which field: TD scope (`td.…`), GPA space (`page …`, `SEPT page …`, `blocked entry …`) or a vCPU
    /// (`vcpu0.…`).
    public var field: String
    /// The value in the older state.
    public var before: String
    /// The value in the newer state.
    public var after: String

    public init(field: String, before: String, after: String) {
        self.field = field
        self.before = before
        self.after = after
    }

    /// `td.tdEpoch 1 → 2`.
    public var description: String { "\(field) \(before) → \(after)" }
}
