import SEAMCore
import SEAMTypes

/// Runs fuzz operations through the step engine, with the oracle checking every step.
///
///     FuzzOp ──▶ steps that bring vCPU 0 where the op needs it ──▶ the op's own step
///                (L2 HLT to leave L2, host TDH.VP.ENTER after a TD exit, TDG.VP.ENTER to reach a VM)
///     every step: Engine (tdcall │ seamcall │ l2Event) ──▶ IsolationOracle ──▶ violation?
///
/// Generic over the engine's observer: the fuzzer runs with `NoObserver` (the engine's fast path), and a
/// finding is run again with a `StepRecorder` so that its trace holds exactly the steps that ran.
public struct FuzzExecutor<Observer: StepObserver> {
    public var engine: Engine<Observer>
    public var oracle: IsolationOracle
    /// Statuses and exit routes seen, when the caller collects them.
    public var coverage: Coverage?
    /// Operations that could not run where the vCPU was (a fatal TD, a VM the TD lacks): skipped.
    public private(set) var skipped = 0

    public init(world: FuzzWorld, observer: Observer, collectCoverage: Bool = false) {
        engine = Engine(machine: world.machine, observer: observer)
        oracle = world.oracle
        coverage = collectCoverage ? Coverage() : nil
    }

    /// Runs one operation; returns the first invariant a step of it broke.
    public mutating func run(_ op: FuzzOp) -> IsolationOracle.Violation? {
        switch op {
        case .tdcall(let regs):
            if let v = toL1() { return v }
            guard engine.machine.vcpus[0].location == .l1 else { return skip() }
            return tdcall(regs)
        case .seamcall(let regs):
            return seamcall(regs)
        case .access(let vm, let a):
            if let v = toL2(vm) { return v }
            guard engine.machine.vcpus[0].location == .l2(vm: vm) else { return skip() }
            let outcome: L2Outcome
            do { outcome = try l2Event(vm, .memory(a)) } catch { return skip() }
            coverage?.route(a.kind.rawValue &+ (a.isUser ? 3 : 0), outcome)
            return oracle.access(vm: vm, a, outcome, machine: &engine.machine)
        }
    }

    /// An L2 event on vCPU 0: the state hash a rejected call left is stale after it.
    mutating func l2Event(_ vm: Int, _ event: L2Event) throws(MachineError) -> L2Outcome {
        oracle.unchanged = nil
        return try engine.l2Event(vcpu: 0, vm: vm, event)
    }

    mutating func skip() -> IsolationOracle.Violation? {
        skipped += 1
        return nil
    }

    /// A step the machine refused as a whole (`MachineError`): it must have changed nothing.
    mutating func thrown(_ error: MachineError, _ before: UInt64) -> IsolationOracle.Violation? {
        skipped += 1
        let after = engine.machine.cachedStateHash()
        guard after == before else {
            return .init(
                invariant: "rejected-changed", message: "a step the machine refused (\(error)) changed the state")
        }
        oracle.unchanged = after
        return nil
    }

    /// The state hash before a call: the one a rejected call just left, else read from the machine. With the
    /// other cuts of the same change, state hashes went from 33 to about 24 per execution (fuzz_execs,
    /// callgrind).
    mutating func hashBefore() -> UInt64 {
        oracle.takeUnchanged() ?? engine.machine.cachedStateHash()
    }

    /// L1's TDCALL on vCPU 0, checked.
    mutating func tdcall(_ regs: RegisterFile) -> IsolationOracle.Violation? {
        let before = hashBefore()
        var r = regs
        let outcome: TDCallOutcome
        do { outcome = try engine.tdcall(vcpu: 0, &r) } catch { return thrown(error, before) }
        coverage?.status(tdcall: regs.rax, r.rax, outcome)
        return oracle.tdcall(regs, r, outcome, before: before, machine: &engine.machine)
    }

    /// The host's SEAMCALL, checked.
    mutating func seamcall(_ regs: RegisterFile) -> IsolationOracle.Violation? {
        let before = hashBefore()
        var r = regs
        engine.seamcall(&r)
        coverage?.status(seamcall: regs.rax, r.rax)
        return oracle.seamcall(regs, r, before: before, machine: &engine.machine)
    }

    /// Brings vCPU 0 back to L1: L2 executes HLT (which exits to L1); after a TD exit the host re-enters
    /// it — with RESUME_L1 when the exit came from L2.
    mutating func toL1() -> IsolationOracle.Violation? {
        for _ in 0..<4 {
            switch engine.machine.vcpus[0].location {
            case .l1:
                return nil
            case .l2(let vm):
                let outcome: L2Outcome
                do { outcome = try l2Event(vm, .hlt) } catch { return skip() }
                coverage?.route(16, outcome)
                if let v = oracle.state(&engine.machine) { return v }
            case .host:
                guard !engine.machine.isFatal, let pending = engine.machine.vcpus[0].pendingExit else { return nil }
                let fromL2 = pending.kind == .l2Async || pending.kind == .l2TDVMCall
                let rcx = Machine.tdvpr(vcpu: 0) | (fromL2 ? Machine.resumeL1 : 0)
                if let v = seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.vpEnter.rawValue), rcx: rcx)) { return v }
            }
        }
        return nil
    }

    /// Brings vCPU 0 into L2 VM `vm`: to L1 first, then TDG.VP.ENTER with the VM's guest-state buffer.
    mutating func toL2(_ vm: Int) -> IsolationOracle.Violation? {
        if engine.machine.vcpus[0].location == .l2(vm: vm) { return nil }
        if let v = toL1() { return v }
        guard engine.machine.vcpus[0].location == .l1 else { return nil }
        return tdcall(
            RegisterFile(rax: UInt64(Leaf.vpEnter.rawValue), rcx: UInt64(vm) << 52, rdx: FuzzWorld.buffer(vm: vm)))
    }

    /// The checks over a whole run that are too dear for every step: the incrementally kept state hash
    /// against one computed from scratch over every record, and every page against the shadow.
    public mutating func finalCheck() -> IsolationOracle.Violation? {
        if let v = oracle.pagesAgree(&engine.machine) { return v }
        let kept = engine.machine.stateHash()
        let scratch = engine.machine.recomputedStateHash()
        guard kept == scratch else {
            return .init(
                invariant: "hash",
                message: "the incremental state hash \(hex(kept)) differs from a from-scratch hash \(hex(scratch))")
        }
        return nil
    }
}
