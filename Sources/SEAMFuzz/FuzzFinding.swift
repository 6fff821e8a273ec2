import SEAMCore
import SEAMTypes

/// A broken invariant found by a fuzz run: the input, the operation whose step broke it, and what broke.
public struct FuzzFinding: Sendable, CustomStringConvertible {
    /// Index into `FuzzWorld.shapes` of the TD the run started from.
    public var shape: Int
    /// The operations that ran (the decoded input, or a shrunk one).
    public var ops: [FuzzOp]
    /// Index in `ops` of the operation during which the invariant broke; `ops.count` for a check made
    /// after the last operation (the from-scratch hash, the snapshot replay).
    public var opIndex: Int
    public var violation: IsolationOracle.Violation

    public init(shape: Int, ops: [FuzzOp], opIndex: Int, violation: IsolationOracle.Violation) {
        self.shape = shape
        self.ops = ops
        self.opIndex = opIndex
        self.violation = violation
    }

    public var description: String {
        var s = "isolation violation (\(violation.invariant)) at operation \(opIndex + 1) of \(ops.count): "
        s += violation.message
        s += "\n  TD: \(FuzzWorld.shapes[shape].numL2VMs) L2 VMs"
        for (i, op) in ops.enumerated() { s += "\n  \(i == opIndex ? ">" : " ")\(i + 1). \(op)" }
        return s
    }
}

/// Runs one fuzz input from a fresh TD with the oracle on.
public enum FuzzExecution {
    /// Runs `ops` on a copy of `FuzzWorld.shapes[shape]` with every step checked. With `deep`, also the
    /// checks over the whole run: the incremental state hash against a from-scratch hash at the end, and a
    /// copy of the machine taken before the middle operation (a snapshot restored mid-run) that runs the rest
    /// again and must give the same state hash after each operation. They cost about as much as the run
    /// itself, so fuzzing makes them on a fixed share of inputs (`isDeep`) and on every input that reaches new
    /// coverage.
    public static func run(
        shape: Int, ops: [FuzzOp], deep: Bool, coverage: inout Coverage?
    ) -> FuzzFinding? {
        let snapshotCheck = deep
        var x = FuzzExecutor(world: FuzzWorld.shapes[shape], observer: NoObserver(), collectCoverage: coverage != nil)
        let mid = ops.count / 2
        var snapshot: FuzzExecutor<NoObserver>?
        var hashes: [UInt64] = []
        for (i, op) in ops.enumerated() {
            if snapshotCheck && i == mid {
                snapshot = x
                hashes.reserveCapacity(ops.count - mid)
            }
            if let v = x.run(op) {
                if let c = x.coverage { coverage?.merge(c) }
                return FuzzFinding(shape: shape, ops: ops, opIndex: i, violation: v)
            }
            if snapshot != nil { hashes.append(x.engine.machine.cachedStateHash()) }
        }
        if let c = x.coverage { coverage?.merge(c) }
        if deep, let v = x.finalCheck() {
            return FuzzFinding(shape: shape, ops: ops, opIndex: ops.count, violation: v)
        }
        if var s = snapshot {
            for (n, op) in ops[mid...].enumerated() {
                _ = s.run(op)
                let h = s.engine.machine.cachedStateHash()
                if h != hashes[n] {
                    return FuzzFinding(
                        shape: shape, ops: ops, opIndex: ops.count,
                        violation: .init(
                            invariant: "snapshot",
                            message:
                                "a copy of the machine taken before operation \(mid + 1) gives hash \(hex(h)) after operation \(mid + n + 1), the run gave \(hex(hashes[n]))"
                        ))
                }
            }
        }
        return nil
    }
}

extension FuzzExecution {
    /// Whether an input gets the whole-run checks as well: one in 16, by bits 4:1 of its first byte (so the
    /// verdict on an input never depends on anything but its bytes).
    public static func isDeep(_ data: UnsafeRawBufferPointer) -> Bool { data.first.map { $0 & 0x1E == 0 } ?? true }
}

/// Decodes `data` (`FuzzDecoder`), runs it from a fresh TD with the oracle on, and returns the first
/// violated invariant, or nil. The entry point of the libFuzzer target over the operation decoder.
public func fuzzOne(_ data: UnsafeRawBufferPointer) -> FuzzFinding? {
    let (shape, ops) = FuzzDecoder.decode(data)
    var none: Coverage? = nil
    return FuzzExecution.run(shape: shape, ops: ops, deep: FuzzExecution.isDeep(data), coverage: &none)
}
