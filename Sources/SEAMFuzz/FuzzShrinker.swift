import SEAMCore
import SEAMTypes

/// Shrinks a finding: delta debugging over the operation list (Zeller's ddmin: remove chunks of halving
/// size while the same invariant still breaks), then over register values (each register zeroed, else its
/// high bits cleared; an access's value, size and GLA simplified). Every candidate runs from a fresh TD with
/// the same checks as the run that found it, so the result is a finding in its own right.
public enum FuzzShrinker {
    /// The smallest finding reached from `finding` within `budget` executions.
    public static func shrink(_ finding: FuzzFinding, budget: Int = 20_000) -> FuzzFinding {
        var best = finding
        var runs = 0
        func attempt(_ ops: [FuzzOp]) -> FuzzFinding? {
            guard runs < budget else { return nil }
            runs += 1
            var none: Coverage? = nil
            guard let f = FuzzExecution.run(shape: finding.shape, ops: ops, deep: true, coverage: &none),
                f.violation.invariant == finding.violation.invariant
            else { return nil }
            return f
        }
        // Operations after the violating one never matter.
        if best.opIndex + 1 < best.ops.count, let f = attempt(Array(best.ops.prefix(best.opIndex + 1))) { best = f }
        // ddmin over the list.
        var chunk = max(best.ops.count / 2, 1)
        while chunk >= 1 && runs < budget {
            var start = 0
            var removedAny = false
            while start < best.ops.count && runs < budget {
                var candidate = best.ops
                candidate.removeSubrange(start..<min(start + chunk, candidate.count))
                if !candidate.isEmpty, let f = attempt(candidate) {
                    best = f
                    removedAny = true
                } else {
                    start += chunk
                }
            }
            if !removedAny { chunk /= 2 }
        }
        // Register values.
        for i in best.ops.indices where runs < budget {
            for candidate in simpler(best.ops[i]) where runs < budget {
                var ops = best.ops
                ops[i] = candidate
                if let f = attempt(ops) {
                    best = f
                    break
                }
            }
        }
        return best
    }

    /// Simpler versions of `op`, simplest first: each register (RAX, the leaf, kept) zeroed or cut to its
    /// low 32 or 16 bits; an access with value 0, size 8 and no GLA.
    static func simpler(_ op: FuzzOp) -> [FuzzOp] {
        switch op {
        case .tdcall(let r), .seamcall(let r):
            var out: [FuzzOp] = []
            for reg in 1..<16 where r[reg] != 0 {
                for v in [0, r[reg] & 0xFFFF_FFFF, r[reg] & 0xFFFF] where v != r[reg] {
                    var s = r
                    s[reg] = v
                    if case .tdcall = op { out.append(.tdcall(s)) } else { out.append(.seamcall(s)) }
                }
            }
            return out
        case .access(let vm, let a):
            var out: [FuzzOp] = []
            if a.value != 0 {
                out.append(
                    .access(vm: vm, MemoryAccess(kind: a.kind, gpa: a.gpa, size: a.size, isUser: a.isUser, gla: a.gla)))
            }
            if a.gla != nil && !a.isUser {
                out.append(.access(vm: vm, MemoryAccess(kind: a.kind, gpa: a.gpa, size: a.size, value: a.value)))
            }
            return out
        }
    }
}
