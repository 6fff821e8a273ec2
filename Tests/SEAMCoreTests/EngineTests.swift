import SEAMCore
import SEAMTypes
import Testing

/// The step engine and the machine's rules at its entry points: nothing runs before TDH.MR.FINALIZE, after
/// any TD exit only the host's TDH.VP.ENTER moves the vCPU, `runTDCall` runs a TDCALL again after the host
/// re-entered a fault-like exit, and observing steps does not change what runs.
@Suite struct EngineTests {
    /// ACCEPT of 0x9000, a FREE 4K entry of the standard TD: a fault-like EPT-violation TD exit.
    static let acceptFree = RegisterFile(rax: TDG.accept, rcx: 0x9000)

    @Test func aFaultLikeExitLeavesTheVCPUWaitingForTheHost() throws {
        var m = standardMachine()
        let before = m.stateHash()
        var regs = Self.acceptFree
        guard case .tdExit(let exit) = try m.tdcall(vcpu: 0, &regs) else {
            Issue.record("ACCEPT of a FREE page must TD-exit")
            return
        }
        #expect(exit.exitReason == .eptViolation)
        #expect(regs == Self.acceptFree, "L1's registers untouched")
        #expect(m.vcpus[0].location == .host)
        #expect(m.vcpus[0].pendingExit?.kind == .l1FaultLike)
        #expect(m.vcpus[0].pendingExit?.exit == exit)
        // L1 does not run until the host re-enters: the next TDCALL (even a plain TDG.VP.INFO) is refused.
        var info = RegisterFile(rax: TDG.vpInfo)
        #expect(throws: MachineError.vcpuNotThere(0, needs: "running L1", location: "host")) {
            try m.tdcall(vcpu: 0, &info)
        }
        // RESUME_L1 while L1 is the VM that exited is OPERAND_INVALID(RCX), as for a TDG.VP.VMCALL.
        #expect(
            m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile()) == .failed(.operandInvalid.with(.rcx)))
        // TDH.VP.ENTER resumes L1 with no registers to give it: L1 runs the TDCALL again. Nothing else changed.
        #expect(m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) == .resumedL1(registers: nil))
        #expect(m.vcpus[0].location == .l1 && m.vcpus[0].pendingExit == nil)
        #expect(m.stateHash() == before)
        #expect(try m.tdcall(vcpu: 0, &info) == .completed && info.rax == St.success)
    }

    @Test func aFaultLikeExitChangesTheStateHashUntilTheHostReenters() throws {
        var m = standardMachine()
        let before = m.stateHash()
        var regs = Self.acceptFree
        _ = try m.tdcall(vcpu: 0, &regs)
        // The vCPU's location and pending exit are TDVPS state: the hash must see them.
        #expect(m.stateHash() != before)
        #expect(m.recomputedStateHash() == m.stateHash())
        #expect(m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) == .resumedL1(registers: nil))
        #expect(m.stateHash() == before)
    }

    @Test func nothingRunsBeforeTDHMRFinalize() throws {
        var config = MachineConfig(numL2VMs: 1, memory: [.init(gpa: 0x10_0000, size: 0x1000, state: .mapped)])
        config.finalize = false
        var m = Machine(config: config)
        #expect(m.opState == .initialized)
        var info = RegisterFile(rax: TDG.vpInfo)
        #expect(throws: MachineError.notFinalized) { try m.tdcall(vcpu: 0, &info) }
        #expect(info == RegisterFile(rax: TDG.vpInfo), "a refused call writes nothing")
        #expect(throws: MachineError.notFinalized) { try m.writeMemory(gpa: 0x10_0000, [1]) }
        #expect(throws: MachineError.notFinalized) { _ = try m.l1RDMSR(vcpu: 0, msr: 0x480) }
        #expect(throws: MachineError.notFinalized) { _ = try m.l1CPUID(vcpu: 0, leaf: 0, subleaf: 0) }
        #expect(throws: MachineError.notFinalized) { _ = try m.l1WRMSR(vcpu: 0, msr: 0x10, value: 0) }
        // The vCPU guard comes first: a vCPU the TD lacks is that, finalized or not.
        #expect(throws: MachineError.noSuchVCPU(1, count: 1)) { try m.tdcall(vcpu: 1, &info) }
        #expect(m.host(TDH.finalize).rax == St.success)
        #expect(try m.tdcall(vcpu: 0, &info) == .completed && info.rax == St.success)
        #expect(throws: Never.self) { try m.writeMemory(gpa: 0x10_0000, [1]) }
    }

    @Test func aStoreStepNeedsAVCPURunningL1() throws {
        var engine = Engine(machine: standardMachine())
        let store = Step.store(vcpu: 2, Step.MemoryWrite(gpa: 0x1000, bytes: [1]))
        #expect(throws: MachineError.noSuchVCPU(2, count: 1)) { try engine.perform(store) }
        #expect(throws: MachineError.notL1Accessible(gpa: 0x9000)) {
            try engine.perform(.store(vcpu: 0, Step.MemoryWrite(gpa: 0x9000, bytes: [1])))
        }
        // A store is L1's: while the vCPU waits for the host after a TD exit it is refused, as a TDCALL is.
        var regs = Self.acceptFree
        _ = try engine.tdcall(vcpu: 0, &regs)
        #expect(throws: MachineError.vcpuNotThere(0, needs: "running L1", location: "host")) {
            try engine.perform(.store(vcpu: 0, Step.MemoryWrite(gpa: 0x1000, bytes: [1])))
        }
        #expect(throws: MachineError.vcpuNotThere(0, needs: "running L1", location: "host")) {
            try engine.machine.store(vcpu: 0, gpa: 0x1000, [1])
        }
    }

    @Test func anL2StepMustNameOneEventOfTheRunningVM() throws {
        var engine = Engine(machine: Self.l2ReadyMachine())
        var enter = RegisterFile(rax: 25, rcx: enterRCX(vm: 1), rdx: 0x1000)
        #expect(try engine.tdcall(vcpu: 0, &enter) == .enteredL2(vm: 1))
        #expect(throws: MachineError.vcpuNotThere(0, needs: "running L2 VM 2", location: "l2(vm: 1)")) {
            try engine.perform(.l2(vm: 2, vcpu: 0, .cpuid))
        }
        var two = Step.l2(vm: 1, vcpu: 0, .cpuid)
        two.events.append(.hlt)
        #expect(throws: MachineError.invalidEvent("a step is one L2 event, this one has 2")) {
            try engine.perform(two)
        }
        #expect(throws: MachineError.invalidEvent("set.register: register index 16 is not 0…15")) {
            try engine.perform(.l2(vm: 1, vcpu: 0, .setRegister(16, 0)))
        }
        // CPUID exits to L1 with exit reason 10 (SDM Appendix C) in RAX[31:0], status SUCCESS.
        guard case .l1(let r) = try engine.perform(.l2(vm: 1, vcpu: 0, .cpuid)).result else {
            Issue.record("CPUID must exit to L1")
            return
        }
        #expect(r.rax == 10)
    }

    /// A host that re-enters without fixing anything: the TDCALL runs 1 + `maxReexecutions` times; the exit
    /// of the last run is not handed to the host, so `runTDCall` ends with it and the vCPU waits for the host.
    @Test func runTDCallRunsTheTDCALLAgainAfterEachReentryAtMostMaxReexecutionsTimes() throws {
        var engine = Engine(machine: standardMachine())
        var host = ReenterOnly()
        var l2 = ScriptedL2([:])
        var regs = Self.acceptFree
        guard case .tdExit = try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) else {
            Issue.record("a host that never fixes the exit ends with the TD exit")
            return
        }
        #expect(host.calls == Engine<NoObserver>.maxReexecutions)
        #expect(engine.machine.vcpus[0].location == .host)
        #expect(engine.machine.vcpus[0].pendingExit?.kind == .l1FaultLike)
        #expect(regs == Self.acceptFree)
    }

    /// The host AUGs the page (0x9000 becomes PENDING) and re-enters: the ACCEPT runs again and succeeds.
    @Test func runTDCallCompletesTheTDCALLOnceTheHostFixedTheExit() throws {
        var engine = Engine(machine: standardMachine(), observer: StepRecorder())
        var host = AugThenReenter()
        var l2 = ScriptedL2([:])
        var regs = Self.acceptFree
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) == .completed)
        #expect(regs.rax == St.success)
        #expect(host.calls == 1)
        // Steps: ACCEPT (TD exit), AUG, TDH.VP.ENTER, ACCEPT (completed).
        let steps = engine.observer.steps
        #expect(steps.map(\.actor) == [.l1(vcpu: 0), .host, .host, .l1(vcpu: 0)])
        #expect(steps.map { $0.registers.rax } == [TDG.accept, TDH.aug, TDH.vpEnter, TDG.accept])
        guard case .tdExit = engine.observer.outcomes[0].result else {
            Issue.record("the first ACCEPT is recorded with its TD exit")
            return
        }
        #expect(engine.observer.outcomes.last?.result == .completed)
    }

    /// The built-in host leaves a fault-like exit alone: the TDCALL ends with the TD exit and the vCPU waits.
    @Test func theBuiltInHostLeavesFaultLikeExitsWaitingForTheHost() throws {
        var engine = Engine(machine: standardMachine())
        var host = BuiltInTDVMCallHost(keepsLog: true)
        var l2 = ScriptedL2([:])
        var regs = Self.acceptFree
        guard case .tdExit = try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) else {
            Issue.record("expected the TD exit")
            return
        }
        #expect(engine.machine.vcpus[0].location == .host)
        #expect(host.log.isEmpty)
    }

    /// The same calls with and without an observer reach the same machine: recording adds reports, it does
    /// not change what runs. The recorder sees every step with the state hash after it.
    @Test func observingDoesNotChangeWhatRuns() throws {
        func run<O: StepObserver>(_ engine: inout Engine<O>) throws -> [RegisterFile] {
            var out: [RegisterFile] = []
            var l2 = ScriptedL2([1: [.setRegister(0, 7), .cpuid]])
            var host = BuiltInTDVMCallHost()
            for input in [
                RegisterFile(rax: TDG.vpInfo), RegisterFile(rax: 25, rcx: enterRCX(vm: 1), rdx: 0x1000),
                RegisterFile(rax: TDG.attrWr, rcx: 0x1000, rdx: slot(1, 0x8003), r8: slot(1, 0x0003)),
            ] {
                var regs = input
                _ = try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host)
                out.append(regs)
            }
            return out
        }
        var plain = Engine(machine: Self.l2ReadyMachine())
        var recorded = Engine(machine: Self.l2ReadyMachine(), observer: StepRecorder())
        #expect(try run(&plain) == run(&recorded))
        #expect(plain.machine.stateHash() == recorded.machine.stateHash())
        // TDG.VP.INFO · TDG.VP.ENTER, L2 sets RAX, L2 CPUID (exit to L1) · ATTR.WR: five steps.
        #expect(recorded.observer.steps.count == 5)
        #expect(recorded.observer.outcomes.last?.hash == recorded.machine.stateHash())
        // Replaying the recorded steps on a fresh machine reaches the same state.
        var again = Engine(machine: Self.l2ReadyMachine())
        for step in recorded.observer.steps { _ = try again.perform(step) }
        #expect(again.machine.stateHash() == recorded.machine.stateHash())
    }

    /// An L2 source that never lets L2 exit to L1 — it only sets RAX — ends at the documented default limit of
    /// 100,000 events in one TDG.VP.ENTER (`Engine.defaultL2EventLimit`): the error names the vCPU, the VM, L2's
    /// RIP (0x100000, where `l2ReadyMachine` put it; a register write does not move it) and the count, and the
    /// source was not asked for event 100,001.
    @Test func runTDCallStopsAnL2ThatNeverExitsAtTheDefaultEventLimit() throws {
        #expect(Engine<NoObserver>.defaultL2EventLimit == 100_000)
        var engine = Engine(machine: Self.l2ReadyMachine())
        var asked = 0
        var l2 = CallbackL2 { _, _, _ in
            asked += 1
            return .setRegister(0, 1)
        }
        var host = BuiltInTDVMCallHost()
        var regs = Self.enterVM1
        #expect(throws: MachineError.l2EventLimit(vcpu: 0, vm: 1, rip: 0x10_0000, count: 100_000)) {
            try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host)
        }
        #expect(asked == 100_000)
        #expect(
            "\(MachineError.l2EventLimit(vcpu: 0, vm: 1, rip: 0x10_0000, count: 100_000))"
                == "L2 VM 1 of vCPU 0 ran 100000 L2 events in one TDG.VP.ENTER without exiting to L1 (the limit), "
                + "RIP 0x100000")
    }

    /// A lowered limit of 3: three events of which the third exits (CPUID exits to L1 unconditionally, tdx-module
    /// src/td_dispatcher/tdx_td_l2_dispatcher.c) complete; a fourth is never run.
    @Test func theL2EventLimitAllowsExactlyItsCount() throws {
        var engine = Engine(machine: Self.l2ReadyMachine())
        engine.l2EventLimit = 3
        var host = BuiltInTDVMCallHost()
        var atLimit = EventList([.setRegister(0, 1), .setRegister(3, 2), .cpuid])
        var regs = Self.enterVM1
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &atLimit, host: &host) == .completed)
        #expect(regs.rax == UInt64(ExitReason.cpuid.rawValue))
        var past = EventList([.setRegister(0, 1), .setRegister(3, 2), .setRegister(1, 3), .cpuid])
        regs = Self.enterVM1
        #expect(throws: MachineError.l2EventLimit(vcpu: 0, vm: 1, rip: 0x10_0000, count: 3)) {
            try engine.runTDCall(vcpu: 0, &regs, l2: &past, host: &host)
        }
        #expect(past.used == 3)
    }

    /// The count runs across TD exits the host resumed L2 from: an external interrupt in L2 is a TD exit
    /// (tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c), which the built-in host answers by re-entering L2,
    /// so an L2 that only takes interrupts never reaches L1. With a limit of 5 the host re-entered it 5 times.
    @Test func theL2EventLimitCountsAcrossTDExits() throws {
        var engine = Engine(machine: Self.l2ReadyMachine())
        engine.l2EventLimit = 5
        var l2 = CallbackL2 { _, _, _ in .externalInterrupt(vector: 0x30) }
        var host = BuiltInTDVMCallHost(keepsLog: true)
        var regs = Self.enterVM1
        #expect(throws: MachineError.l2EventLimit(vcpu: 0, vm: 1, rip: 0x10_0000, count: 5)) {
            try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host)
        }
        #expect(host.log.count == 5)
    }

    /// A recorder with a limit keeps that many steps; one more is dropped and marks it overflowed, until the
    /// caller undoes the call (`truncate`).
    @Test func aStepRecorderWithALimitKeepsThatManyStepsAndSaysItOverflowed() throws {
        var engine = Engine(machine: standardMachine(), observer: StepRecorder(limit: 2))
        var regs = RegisterFile(rax: TDG.vpInfo)
        for _ in 0..<2 { _ = try engine.tdcall(vcpu: 0, &regs) }
        #expect(engine.observer.steps.count == 2 && engine.observer.isFull && !engine.observer.overflowed)
        _ = try engine.tdcall(vcpu: 0, &regs)
        #expect(engine.observer.steps.count == 2 && engine.observer.outcomes.count == 2)
        #expect(engine.observer.overflowed)
        engine.observer.truncate(to: 1)
        #expect(!engine.observer.overflowed && engine.observer.steps.count == 1)
        #expect(StepRecorder().limit == nil && !StepRecorder().isFull)
    }

    /// TDG.VP.ENTER of VM 1 with its L2_ENTER_GUEST_STATE buffer at 0x1000.
    static let enterVM1 = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)

    /// The standard TD with VM 1 ready to enter: virtual-APIC page 0x2000, 64-bit guest state, the
    /// L2_ENTER_GUEST_STATE buffer at 0x1000.
    static func l2ReadyMachine() -> Machine {
        var m = standardMachine(numL2VMs: 2)
        #expect(throws: Never.self) { try m.prepareVM1In64BitMode() }
        return m
    }
}

/// A host that re-enters after every TD exit and does nothing else.
struct ReenterOnly: TDExitHandler {
    var calls = 0
    mutating func handle<O: StepObserver>(_ exit: TDExit, vcpu: Int, engine: inout Engine<O>) -> HostEntryOutcome? {
        calls += 1
        var enter = RegisterFile(rax: TDH.vpEnter, rcx: Machine.tdvpr(vcpu: vcpu))
        return engine.seamcall(&enter)
    }
}

/// A host that AUGs the page of an EPT-violation exit (R8) and re-enters.
struct AugThenReenter: TDExitHandler {
    var calls = 0
    mutating func handle<O: StepObserver>(_ exit: TDExit, vcpu: Int, engine: inout Engine<O>) -> HostEntryOutcome? {
        calls += 1
        var aug = RegisterFile(rax: TDH.aug, rcx: exit.r8, rdx: TDH.tdr, r8: 0x30_0000_0000)
        engine.seamcall(&aug)
        #expect(aug.rax == St.success, "TDH.MEM.PAGE.AUG of \(hexShort(exit.r8))")
        var enter = RegisterFile(rax: TDH.vpEnter, rcx: Machine.tdvpr(vcpu: vcpu))
        return engine.seamcall(&enter)
    }
}
