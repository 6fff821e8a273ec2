// TEMPORARY: replaced by the state-diff work on branch `snap` before merging.
public struct StateDifference: Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var before: String
    public var after: String
    public var description: String { "\(field): \(before) → \(after)" }
}
extension Machine {
    public func differences(from old: Machine) -> [StateDifference] { [] }
}
