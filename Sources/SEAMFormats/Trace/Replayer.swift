import SEAMCore
import SEAMTypes

/// One value that differs between the trace and the replay: `out.rdx`, `td_exit.rcx`, `result`, `hash`.
public struct FieldDifference: Hashable, Sendable {
    public var field: String
    public var expected: String
    public var actual: String
    public init(field: String, expected: String, actual: String) {
        self.field = field
        self.expected = expected
        self.actual = actual
    }
}

/// The first step whose outcome differs from the trace.
public struct Divergence: Sendable {
    /// 1-based step number, and the line in a JSON Lines file (0 for a binary one).
    public var step: Int
    public var line: Int
    /// The step's inputs.
    public var input: Step
    public var expected: StepOutcome
    public var actual: StepOutcome
    /// What differs, registers in architectural order, then the result, then the hash.
    public var fields: [FieldDifference]
    /// What this step changed in the model (state before the step → after it, on the replaying machine),
    /// field by field. When the hash differs, the trace's machine changed something else or differently.
    public var stateChanges: [StateDifference]
    /// The trace's hash is the state before the step: the trace says the step changed nothing.
    public var expectedUnchanged: Bool
}

/// How a replay of one trace ended.
public struct ReplayResult: Sendable {
    public var file: String
    public var variant: Trace.Variant
    /// Steps in the trace, and steps replayed (up to and including a divergent one).
    public var steps: Int
    public var replayed: Int
    /// The step replay started after (from a snapshot), or 0.
    public var startedAfter: Int
    public var divergence: Divergence?
    /// The replaying machine's state hash when it stopped.
    public var finalHash: UInt64
    /// Double deliveries and stranded vectors seen on the way (`DeliveryWarnings`).
    public var warnings: [DeliveryWarnings.Warning] = []
    public var matches: Bool { divergence == nil }
}

/// Re-runs a trace's inputs and compares every step's outcome with the recorded one.
public enum Replayer {
    /// Replays `trace` (from `file`) on a machine built from its config, or on `start` — a machine in the
    /// state after step `afterStep` (a snapshot) — and stops at the first divergence. `progress` is told
    /// the number of steps done every 65,536 steps. Errors are input errors of the trace (a step the machine
    /// cannot take), not divergences.
    public static func replay(
        _ trace: Trace, file: String, start: (machine: Machine, afterStep: Int)? = nil,
        progress: ((Int) -> Void)? = nil
    ) throws(InputError) -> ReplayResult {
        var source = ArraySource(trace: trace)
        return try run(&source, file: file, start: start, progress: progress)
    }

    /// Replays a binary trace while reading it: each record is decoded, run and compared before the next.
    public static func replay(
        binary bytes: [UInt8], file: String, start: (machine: Machine, afterStep: Int)? = nil,
        progress: ((Int) -> Void)? = nil
    ) throws(InputError) -> ReplayResult {
        var source = try BinaryTraceReader(bytes, file: file)
        if let start { try checkStart(start, source.scenario.config, file: file) }
        if source.variant == .full && (start?.afterStep ?? 0) == 0 {
            var fast = source
            var engine = Engine(machine: start?.machine ?? Machine(config: source.scenario.config))
            var warnings = DeliveryWarnings()
            if fast.replayMatching(&engine, progress: progress, warnings: &warnings) == nil {
                return ReplayResult(
                    file: file, variant: .full, steps: source.stepCount, replayed: source.stepCount, startedAfter: 0,
                    divergence: nil, finalHash: engine.machine.stateHash(), warnings: warnings.warnings)
            }
            // Something is off: the general path replays the trace again and reports it.
        }
        return try run(&source, file: file, start: start, progress: progress)
    }

    static func run<Source: StepSource>(
        _ source: inout Source, file: String, start: (machine: Machine, afterStep: Int)?,
        progress: ((Int) -> Void)?
    ) throws(InputError) -> ReplayResult {
        let variant = source.variant
        if let start { try checkStart(start, source.scenario.config, file: file) }
        var engine = Engine(machine: start?.machine ?? Machine(config: source.scenario.config))
        let skip = start?.afterStep ?? 0
        guard skip <= source.stepCount else {
            throw InputError(
                file: file, field: "snapshot",
                "the snapshot was taken after step \(skip); the trace has \(source.stepCount) steps")
        }
        var number = 0
        var warnings = DeliveryWarnings()
        while let (step, expected) = try source.next() {
            number += 1
            if number <= skip {
                if number == skip, let h = expected.hash, h != engine.machine.stateHash() {
                    throw InputError(
                        file: file, line: step.line, field: "snapshot",
                        "the snapshot's state hash \(hash16(engine.machine.stateHash())) is not the trace's after step \(skip) (\(hash16(h)))"
                    )
                }
                continue
            }
            if number & 0xFFFF == 0 { progress?(number) }
            var actual: StepOutcome
            actual = try engine.perform(step, variant: variant, file: file)
            if variant == .full { actual.hash = engine.machine.cachedStateHash() }
            warnings.observe(
                number, line: step.line, vcpu: step.vcpu, delivery: actual.delivery, machine: engine.machine)
            if actual != expected {
                return ReplayResult(
                    file: file, variant: variant, steps: source.stepCount, replayed: number, startedAfter: skip,
                    divergence: divergence(
                        step: step, number: number, expected: expected, actual: actual, variant: variant,
                        before: try stateBefore(number, source: source, file: file, start: start),
                        after: engine.machine),
                    finalHash: engine.machine.stateHash(), warnings: warnings.warnings)
            }
        }
        return ReplayResult(
            file: file, variant: variant, steps: source.stepCount, replayed: number, startedAfter: skip,
            divergence: nil, finalHash: engine.machine.stateHash(), warnings: warnings.warnings)
    }

    /// A start machine (a snapshot) must be a TD of the trace's shape: its vCPUs, L2 VMs, GPAW and module.
    /// One taken before the first step must be the TD the config builds (later ones are checked against
    /// the trace's hash after their step).
    static func checkStart(_ start: (machine: Machine, afterStep: Int), _ c: MachineConfig, file: String)
        throws(InputError)
    {
        let m = start.machine
        guard m.vcpuCount == c.vcpus, m.numL2VMs == c.numL2VMs, m.width == c.gpaw,
            m.profile.version == c.profile.version
        else {
            throw InputError(
                file: file, field: "snapshot",
                "the snapshot's TD (\(m.vcpuCount) vCPUs, \(m.numL2VMs) L2 VMs, GPAW \(m.width.bits), module \(m.profile.version)) is not this trace's (\(c.vcpus), \(c.numL2VMs), \(c.gpaw.bits), \(c.profile.version))"
            )
        }
        if start.afterStep == 0, m.stateHash() != Machine(config: c).stateHash() {
            throw InputError(
                file: file, field: "snapshot", "the snapshot before step 1 is not the TD this trace's config builds")
        }
    }

    /// The machine before step `number`, rebuilt by replaying the steps before it (only on a divergence).
    static func stateBefore<Source: StepSource>(
        _ number: Int, source: Source, file: String, start: (machine: Machine, afterStep: Int)?
    ) throws(InputError) -> Machine {
        var s = source.restarted()
        var engine = Engine(machine: start?.machine ?? Machine(config: s.scenario.config))
        var n = 0
        while n + 1 < number, let (step, _) = try s.next() {
            n += 1
            if n <= start?.afterStep ?? 0 { continue }
            _ = try engine.perform(step, variant: s.variant, file: file)
        }
        return engine.machine
    }

    static func divergence(
        step: Step, number: Int, expected: StepOutcome, actual: StepOutcome, variant: Trace.Variant,
        before: Machine, after: Machine
    ) -> Divergence {
        Divergence(
            step: number, line: step.line, input: step, expected: expected, actual: actual,
            fields: differences(expected, actual),
            stateChanges: after.differences(from: before),
            expectedUnchanged: expected.hash != nil && expected.hash == before.stateHash())
    }

    /// The fields of two outcomes that differ.
    public static func differences(_ e: StepOutcome, _ a: StepOutcome) -> [FieldDifference] {
        var out: [FieldDifference] = []
        func registers(_ prefix: String, _ x: RegisterFile?, _ y: RegisterFile?) {
            guard let x, let y else {
                if (x == nil) != (y == nil) {
                    out.append(
                        .init(field: prefix, expected: x.map { "\($0)" } ?? "none", actual: y.map { "\($0)" } ?? "none")
                    )
                }
                return
            }
            for i in 0..<16 where x[i] != y[i] {
                out.append(
                    .init(field: "\(prefix).\(RegisterFile.names[i])", expected: hexShort(x[i]), actual: hexShort(y[i]))
                )
            }
        }
        registers("out", e.registers, a.registers)
        if e.bytes != a.bytes {
            out.append(
                .init(
                    field: "bytes", expected: e.bytes.map(Scenario.hexBytes) ?? "none",
                    actual: a.bytes.map(Scenario.hexBytes) ?? "none"))
        }
        switch (e.result, a.result) {
        case (.tdExit(let x), .tdExit(let y)): registers("td_exit", x, y)
        case (.l1(let x), .l1(let y)): registers("l1_resumes", x, y)
        case (.l2(let x), .l2(let y)) where x != y:
            out.append(.init(field: "enters_l2", expected: "VM\(x)", actual: "VM\(y)"))
        case (.moduleHandled(let x), .moduleHandled(let y)) where x != y:
            out.append(
                .init(field: "module_handled", expected: "\(ExitReason(x))", actual: "\(ExitReason(y))"))
        default:
            if e.result != a.result {
                out.append(.init(field: "result", expected: describe(e.result), actual: describe(a.result)))
            }
        }
        if e.delivery != a.delivery {
            out.append(
                .init(
                    field: "delivered", expected: e.delivery.map(describe) ?? "none",
                    actual: a.delivery.map(describe) ?? "none"))
        }
        if let x = e.hash, x != a.hash {
            out.append(.init(field: "hash", expected: hash16(x), actual: a.hash.map(hash16) ?? "none"))
        }
        return out
    }

    /// A delivery in a report: `vector 0x30 (external) to VM1 via entry, delivery 1`.
    public static func describe(_ d: Delivery) -> String {
        "vector \(hexShort(UInt64(d.vector))) (\(d.info.type.name)) to \(d.vm == 0 ? "L1" : "VM\(d.vm)") via "
            + "\(d.via.name), delivery \(d.count)"
    }

    /// A result in a report: `TD exit EPT_VIOLATION (48)`, `L2 runs VM1`, `L1 resumes`.
    public static func describe(_ r: StepResult) -> String {
        switch r {
        case .completed: "completed"
        case .tdExit(let regs): "TD exit \(ExitReason(UInt32(truncatingIfNeeded: regs.rax)))"
        case .l2(let vm): "L2 runs VM\(vm)"
        case .moduleHandled(let reason): "module handled \(ExitReason(reason))"
        case .l1(let regs): "L1 resumes (RAX \(hexShort(regs.rax)))"
        case .fault(let v): "L1 takes \(L1Fault(rawValue: v))"
        case .interrupted: "interrupted (the TDCALL executes again)"
        case .refused(let why): "shared-IRTE push refused: \(why.name)"
        }
    }
}

/// Steps with their recorded outcomes, in order.
protocol StepSource {
    var variant: Trace.Variant { get }
    var scenario: Scenario { get }
    var stepCount: Int { get }
    mutating func next() throws(InputError) -> (Step, StepOutcome)?
    /// The same source from its first step.
    func restarted() -> Self
}

struct ArraySource: StepSource {
    let trace: Trace
    var index = 0
    var variant: Trace.Variant { trace.variant }
    var scenario: Scenario { trace.scenario }
    var stepCount: Int { trace.count }
    mutating func next() throws(InputError) -> (Step, StepOutcome)? {
        guard index < trace.count else { return nil }
        defer { index += 1 }
        return (trace.steps[index], trace.outcomes[index])
    }
    func restarted() -> ArraySource { ArraySource(trace: trace) }
}

extension BinaryTraceReader: StepSource {
    func restarted() -> BinaryTraceReader {
        var r = self
        r.offset = firstRecord
        r.stepsRead = 0
        return r
    }
}
