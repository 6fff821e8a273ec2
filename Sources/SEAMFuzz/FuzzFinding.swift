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
        var x = FuzzExecutor(world: FuzzWorld.shapes[shape], observer: NoObserver(), collectCoverage: coverage != nil)
        defer { if let c = x.coverage { coverage?.merge(c) } }
        func violated(_ v: IsolationOracle.Violation, at i: Int) -> FuzzFinding {
            FuzzFinding(shape: shape, ops: ops, opIndex: i, violation: v)
        }
        // Two loops rather than one carrying an optional snapshot: the optional executor (672 bytes) was
        // moved twice per operation; two loops took fuzz_execs from 74,421 to 70,527 instructions per execution
        // (callgrind).
        let mid = deep ? ops.count / 2 : ops.count
        for i in 0..<mid {
            if let v = x.run(ops[i]) { return violated(v, at: i) }
        }
        guard deep else { return nil }
        var snapshot = x
        var hashes: [UInt64] = []
        hashes.reserveCapacity(ops.count - mid)
        for i in mid..<ops.count {
            if let v = x.run(ops[i]) { return violated(v, at: i) }
            hashes.append(x.engine.machine.cachedStateHash())
        }
        if let v = x.finalCheck() { return violated(v, at: ops.count) }
        for i in mid..<ops.count {
            _ = snapshot.run(ops[i])
            let h = snapshot.engine.machine.cachedStateHash()
            if h != hashes[i - mid] {
                return violated(
                    .init(
                        invariant: "snapshot",
                        message:
                            "a copy of the machine taken before operation \(mid + 1) gives hash \(hex(h)) after operation \(i + 1), the run gave \(hex(hashes[i - mid]))"
                    ), at: ops.count)
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
