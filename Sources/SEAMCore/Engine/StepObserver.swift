/// Sees every step the engine carries out: the trace recorder, a fuzzing oracle, the demo's exit log.
///
/// An observer that is not observing (`isObserving` false) costs nothing: the engine then builds no step
/// value, so a TDCALL that completes goes straight to the machine and back.
public protocol StepObserver {
    /// Whether the engine reports steps now.
    var isObserving: Bool { get }
    /// `step` was carried out with `outcome` (its `hash` filled in: the state hash after the step); `machine`
    /// is the machine after it.
    mutating func observe(_ step: Step, _ outcome: StepOutcome, machine: Machine)
}

/// No observer: the engine's fast path.
public struct NoObserver: StepObserver, Sendable {
    @inlinable public init() {}
    @inline(__always) public var isObserving: Bool { false }
    public func observe(_ step: Step, _ outcome: StepOutcome, machine: Machine) {}
}

/// An observer that may be absent (a trace that is recorded only between start and stop).
extension Optional: StepObserver where Wrapped: StepObserver {
    @inlinable public var isObserving: Bool { self?.isObserving ?? false }
    public mutating func observe(_ step: Step, _ outcome: StepOutcome, machine: Machine) {
        self?.observe(step, outcome, machine: machine)
    }
}

/// Records every step with its outcome and state hash: what a full trace holds. With a `limit` it keeps at
/// most that many steps: a step past it is not kept and sets `overflowed`, so that the caller can undo the
/// call it belongs to (`truncate(to:)`) and report it, rather than memory growing without bound.
public struct StepRecorder: StepObserver, Sendable {
    public var steps: [Step] = []
    public var outcomes: [StepOutcome] = []
    /// The most steps kept; nil for no limit.
    public var limit: Int?
    /// Whether a step came while `limit` steps were kept (it was dropped). `truncate(to:)` clears it.
    public private(set) var overflowed = false

    public init(limit: Int? = nil) { self.limit = limit }
    public var isObserving: Bool { true }
    /// Whether `limit` steps are kept: the next step would overflow.
    public var isFull: Bool { limit.map { steps.count >= $0 } ?? false }
    public mutating func observe(_ step: Step, _ outcome: StepOutcome, machine: Machine) {
        guard !isFull else {
            overflowed = true
            return
        }
        steps.append(step)
        outcomes.append(outcome)
    }
    /// Forgets the steps after the first `count` (a call that was undone), and any overflow.
    public mutating func truncate(to count: Int) {
        steps.removeSubrange(count...)
        outcomes.removeSubrange(count...)
        overflowed = false
    }
}
