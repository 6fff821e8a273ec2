import SEAMCore
import SEAMTypes
import Testing

// The host reaches L1 only through posted interrupts and PEND_NMI; L1's virtual APIC. Expected values worked out
// from tdx-module src/td_dispatcher/vm_exits_l2/td_l2_interrupt.c (handle_l2_posted_interrupt: ON cleared, whole
// PIR into VIRR, RVI raised only by a top vector ≥ 31, RVI[7:4] vs PPR[7:4]), src/td_transitions/tdh_vp_enter.c
// and src/td_dispatcher/tdx_td_dispatcher.c (PEND_NMI armed only entering L1 and when the L1 dispatcher resumes
// L1 with no event injected, only with VE_INFO.VALID = 0), src/td_dispatcher/vm_exits/td_other_exits.c
// (td_nmi_exit: vector 2, type NMI), include/auto_gen/td_vmcs_fields_lookup.c (VM-entry interruption
// information 0x4016: prod read/write mask 0, debug read mask all ones), include/auto_gen/tdvps_fields_lookup.c
// (PEND_NMI 0x202000000000000B, masks 0xFF), and SDM Vol. 3C §30.1.2–30.1.4, §30.2.2, §30.5, §30.6.
@Suite struct L1InterruptTests {
    static let wr: UInt64 = 43
    static let rd: UInt64 = 26
    static let tdvpr0: UInt64 = 0x20_0000_0000
    static let pendNMI: UInt64 = 0x2020_0000_0000_000B
    static let entryInfo: UInt64 = 0x0024_0002_0000_4016
    static let pendingInterrupt: UInt64 = 0x0000_1120_0000_0000
    /// TDX_L2_EXIT_PENDING_INTERRUPT | exit reason 1.
    static let l2ExitPendingInterrupt: UInt64 = 0x0000_1102_0000_0001
    /// Exit interruption information of the notification vector 0xF2: valid (bit 31), type external (0), vector.
    static let nvInfo: UInt64 = 0x8000_00F2
    static let nmiDelivery = Delivery(vm: 0, info: InterruptionInfo(0x8000_0202), via: .pendingNMI)

    /// The host's TDH.VP.WR of the notification vector 0xF2, the PID address 0x5000 and pin-based bit 7.
    static func enablePostedInterrupts(_ m: inout Machine) {
        #expect(m.host(wr, rcx: tdvpr0, rdx: 0x0024_0001_0000_0002, r8: 0xF2, r9: 0xFFFF).rax == St.success)
        #expect(m.host(wr, rcx: tdvpr0, rdx: 0x0024_0003_0000_2016, r8: 0x5000, r9: ~0).rax == St.success)
        #expect(m.host(wr, rcx: tdvpr0, rdx: 0x0024_0002_0000_4000, r8: 0x80, r9: 0x80).rax == St.success)
    }

    static func machineInL2(ppr: UInt8 = 0) throws -> Machine {
        var m = standardMachine()
        enablePostedInterrupts(&m)
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0, ppr: ppr)
        let c = try m.enterL2(vm: 1)
        try #require(c.outcome == .enteredL2(vm: 1), "TDG.VP.ENTER: \(hex64(c.regs.rax))")
        return m
    }

    static func rdmsr(_ m: inout Machine, _ msr: UInt32) throws -> UInt64 {
        let r = try m.executeL1RDMSR(vcpu: 0, msr: msr)
        #expect(r.fault == .none, "RDMSR \(hexShort(UInt64(msr)))")
        return r.value
    }

    // MARK: Posting while L1 runs: the CPU (SDM §30.6)

    @Test func postWhileL1RunsMergesEveryVectorAndBlocksTheEntry() throws {
        var m = standardMachine()
        Self.enablePostedInterrupts(&m)
        // PIR {5, 0x31, 0x47}: all into VIRR, RVI = 0x47 (no vector filter), ON cleared, PIR drained.
        #expect(try m.postInterrupt(vcpu: 0, vectors: [5, 0x31, 0x47], notify: true) == nil)
        let l = m.vcpus[0].l1Interrupts
        #expect(l.apic.irr == VectorBits([5, 0x31, 0x47]))
        #expect(l.apic.rvi == 0x47)
        #expect(!l.pid.on)
        #expect(l.pid.pir.isEmpty)
        // RVI class 4 > PPR class 0: TDG.VP.ENTER answers TDX_PENDING_INTERRUPT and stays in L1.
        let c = try m.enterL2(vm: 1)
        #expect(c.outcome == .completed)
        #expect(c.regs.rax == Self.pendingInterrupt)
        #expect(m.vcpus[0].location == .l1)
    }

    @Test func postWithoutNotificationOnlySetsPIRAndON() throws {
        var m = standardMachine()
        Self.enablePostedInterrupts(&m)
        #expect(try m.postInterrupt(vcpu: 0, vectors: [0x40], notify: false) == nil)
        #expect(m.vcpus[0].l1Interrupts.pid.pir == VectorBits([0x40]))
        #expect(m.vcpus[0].l1Interrupts.pid.on)
        #expect(m.vcpus[0].l1RVI == 0)
    }

    @Test func notifyingWithoutPostedInterruptsIsRefused() {
        var m = standardMachine()
        #expect(throws: MachineError.self) { try m.postInterrupt(vcpu: 0, vectors: [0x40], notify: true) }
    }

    // MARK: L1 takes the interrupt (SDM §30.2.2), EOI (§30.1.4), TPR (§30.1.2), reads (§30.5)

    @Test func l1TakesTheHighestVectorThenEOIs() throws {
        var m = standardMachine()
        Self.enablePostedInterrupts(&m)
        _ = try m.postInterrupt(vcpu: 0, vectors: [5, 0x31, 0x47], notify: true)
        // Delivery of 0x47: VISR {0x47}, SVI 0x47, VPPR = SVI & 0xF0 = 0x40, VIRR {5, 0x31}, RVI 0x31.
        let d = try m.l1Interruptible(vcpu: 0)
        #expect(d == Delivery(vm: 0, info: InterruptionInfo(0x8000_0047), via: .virtualInterrupt))
        #expect(m.lastDelivery == d)
        var a = m.vcpus[0].l1Interrupts.apic
        #expect(a.isr == VectorBits([0x47]) && a.svi == 0x47 && a.ppr == 0x40 && a.rvi == 0x31)
        #expect(a.irr == VectorBits([5, 0x31]))
        // RVI class 3 is not above PPR class 4: nothing is delivered.
        #expect(try m.l1Interruptible(vcpu: 0) == nil)
        // x2APIC reads through the virtual APIC: PPR 0x40; IRR dword 0 (vectors 0–31) bit 5 = 0x20, dword 1 bit
        // 0x31 − 32 = 17 = 0x20000; ISR dword 2 (64–95) bit 0x47 − 64 = 7 = 0x80.
        #expect(try Self.rdmsr(&m, 0x80A) == 0x40)
        #expect(try Self.rdmsr(&m, 0x820) == 0x20)
        #expect(try Self.rdmsr(&m, 0x821) == 0x2_0000)
        #expect(try Self.rdmsr(&m, 0x812) == 0x80)
        // EOI with a non-zero value: #GP(0), nothing changes.
        #expect(try m.executeL1WRMSR(vcpu: 0, msr: 0x80B, value: 1) == .gp)
        #expect(m.vcpus[0].l1Interrupts.apic == a)
        // EOI: VISR {}, SVI 0, VPPR = VTPR = 0; then 0x31 is delivered (PPR 0x30, RVI 5).
        #expect(try m.executeL1WRMSR(vcpu: 0, msr: 0x80B, value: 0) == .none)
        #expect(m.vcpus[0].l1PPR == 0)
        #expect(try m.l1Interruptible(vcpu: 0)?.vector == 0x31)
        a = m.vcpus[0].l1Interrupts.apic
        #expect(a.ppr == 0x30 && a.rvi == 5 && a.svi == 0x31)
        #expect(try m.executeL1WRMSR(vcpu: 0, msr: 0x80B, value: 0) == .none)
        // RVI 5 (class 0) is never above PPR class 0.
        #expect(try m.l1Interruptible(vcpu: 0) == nil)
    }

    @Test func tprWriteSetsPPR() throws {
        var m = standardMachine()
        #expect(try m.executeL1WRMSR(vcpu: 0, msr: 0x808, value: 0x100) == .gp)
        #expect(try m.executeL1WRMSR(vcpu: 0, msr: 0x808, value: 0x50) == .none)
        #expect(try Self.rdmsr(&m, 0x808) == 0x50)
        #expect(try Self.rdmsr(&m, 0x80A) == 0x50)
        // Delivering 0x67 (class 6 above PPR class 5): SVI 0x67, whose class is above VTPR's → VPPR = 0x60.
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x67, ppr: 0x50)
        #expect(try m.l1Interruptible(vcpu: 0)?.vector == 0x67)
        #expect(m.vcpus[0].l1PPR == 0x60)
        // EOI: no vector in service, VPPR = VTPR = 0x50.
        #expect(try m.executeL1WRMSR(vcpu: 0, msr: 0x80B, value: 0) == .none)
        #expect(m.vcpus[0].l1PPR == 0x50)
    }

    // MARK: Posting while L2 runs: the module (td_l2_interrupt.c)

    @Test func notificationUnderPPRResumesL2ThenAboveItExitsToL1() throws {
        var m = try Self.machineInL2(ppr: 0x50)
        // 0x40: RVI 0x40, class 4 ≤ 5 → the module resumes L2.
        #expect(try m.postInterrupt(vcpu: 0, vectors: [0x40], notify: true) == .moduleHandled(.externalInterrupt))
        #expect(m.vcpus[0].location == .l2(vm: 1))
        #expect(m.vcpus[0].l1RVI == 0x40)
        #expect(!m.vcpus[0].l1Interrupts.pid.on)
        // 0x60: class 6 > 5 → L2→L1 exit TDX_L2_EXIT_PENDING_INTERRUPT, reason 1, R9 = the NV's information.
        guard case .exitToL1(let r)? = try m.postInterrupt(vcpu: 0, vectors: [0x60], notify: true) else {
            Issue.record("expected an L2→L1 exit")
            return
        }
        #expect(r.rax == Self.l2ExitPendingInterrupt)
        #expect(r.r9 == Self.nvInfo)
        #expect(m.vcpus[0].location == .l1)
        #expect(m.vcpus[0].l1Interrupts.apic.irr == VectorBits([0x40, 0x60]))
    }

    @Test func vectorsBelow31LandInIRRWithoutRaisingRVI() throws {
        var m = try Self.machineInL2()
        #expect(try m.postInterrupt(vcpu: 0, vectors: [3, 30], notify: true) == .moduleHandled(.externalInterrupt))
        #expect(m.vcpus[0].l1Interrupts.apic.irr == VectorBits([3, 30]))
        #expect(m.vcpus[0].l1RVI == 0)
        // 31 raises RVI to 0x1F: class 1 > 0 → exit to L1.
        guard case .exitToL1(let r)? = try m.postInterrupt(vcpu: 0, vectors: [31], notify: true) else {
            Issue.record("expected an L2→L1 exit")
            return
        }
        #expect(r.rax == Self.l2ExitPendingInterrupt)
        #expect(m.vcpus[0].l1RVI == 31)
    }

    @Test func l2ExternalInterruptWithTheNotificationVectorTakesTheModulePath() throws {
        var m = try Self.machineInL2()
        // Empty PIR: nothing merged, RVI 0 → L2 resumes (the module EOIs even so).
        #expect(try m.l2Event(vcpu: 0, .externalInterrupt(vector: 0xF2)) == .moduleHandled(.externalInterrupt))
        // Any other vector is a TD exit to the host, reason 1.
        guard case .tdExit(let e) = try m.l2Event(vcpu: 0, .externalInterrupt(vector: 0xF3)) else {
            Issue.record("expected a TD exit")
            return
        }
        #expect(e.rax == 1)
    }

    @Test func withoutPostedInterruptsTheNotificationVectorIsATDExit() throws {
        var m = standardMachine()
        let c = try m.enterL2(vm: 1)
        try #require(c.outcome == .enteredL2(vm: 1))
        guard case .tdExit = try m.l2Event(vcpu: 0, .externalInterrupt(vector: 0xFF)) else {
            Issue.record("expected a TD exit")
            return
        }
    }

    @Test func aNotificationOwedWhileAtTheHostIsTakenAtTheNextEntry() throws {
        var m = try Self.machineInL2()
        guard case .tdExit = try m.l2Event(vcpu: 0, .externalInterrupt(vector: 0x30)) else {
            Issue.record("expected a TD exit")
            return
        }
        #expect(try m.postInterrupt(vcpu: 0, vectors: [0x60], notify: true) == nil)
        #expect(m.vcpus[0].l1Interrupts.pid.on)
        var back = m
        // Re-entering L2: the module takes the notification, RVI 0x60 > PPR 0 → L1's TDG.VP.ENTER returns
        // TDX_L2_EXIT_PENDING_INTERRUPT.
        guard case .resumedL1(let r?) = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) else {
            Issue.record("expected L1 to resume")
            return
        }
        #expect(r.rax == Self.l2ExitPendingInterrupt)
        #expect(r.r9 == Self.nvInfo)
        // RESUME_L1: L1 gets HOST_ROUTED_ASYNC (0x0000_1100 | reason 1), then the CPU processes the descriptor.
        guard case .resumedL1(let r1?) = back.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile()) else {
            Issue.record("expected L1 to resume")
            return
        }
        #expect(r1.rax == 0x0000_1100_0000_0001)
        #expect(back.vcpus[0].l1RVI == 0x60)
        #expect(!back.vcpus[0].l1Interrupts.pid.on)
    }

    // MARK: PEND_NMI

    @Test func pendNMIIsATDVPSFieldTheHostWritesAndReads() {
        var m = standardMachine()
        var w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pendNMI, r8: 1, r9: 0xFF)
        #expect(w.rax == St.success)
        #expect(w.r8 == 0)
        #expect(m.lastDelivery == nil, "the write itself delivers nothing")
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pendNMI).r8 == 1)
        // One byte: R9 = all ones makes bits 63:8 must-match, 0x100 changes them → FIELD_VALUE_NOT_VALID.
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pendNMI, r8: 0x100, r9: ~0)
        #expect(w.rax == St.fieldValueNotValid)
    }

    @Test func pendNMIIsDeliveredWhenTheModuleResumesL1AfterATDCALL() throws {
        var m = standardMachine()
        _ = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pendNMI, r8: 1, r9: 0xFF)
        _ = try m.td(TDG.vpInfo)
        #expect(m.lastDelivery == Self.nmiDelivery)
        #expect(m.vcpus[0].l1Interrupts.pendNMI == 0)
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pendNMI).r8 == 0)
    }

    @Test func pendNMIIsDeliveredAfterAnL1ExitTheModuleCompletes() throws {
        var m = standardMachine()
        _ = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pendNMI, r8: 1, r9: 0xFF)
        // An x2APIC EOI does not exit (APIC virtualization): nothing delivered.
        _ = try m.execute(vcpu: 0, .wrmsr(msr: 0x80B, value: 0))
        #expect(m.lastDelivery == nil)
        // A WRMSR the module refuses with #GP injects an event: nothing delivered (IA32_VMX_BASIC is read-only).
        #expect(try m.execute(vcpu: 0, .wrmsr(msr: 0x480, value: 0)).result == .fault(13))
        #expect(m.lastDelivery == nil)
        // CPUID leaf 0 exits to the module, which answers it and resumes L1 with no event: the NMI.
        #expect(try m.execute(vcpu: 0, .cpuid(leaf: 0, subleaf: 0)).result == .completed)
        #expect(m.lastDelivery == Self.nmiDelivery)
        #expect(m.vcpus[0].l1Interrupts.pendNMI == 0)
    }

    @Test func pendNMIWaitsWhileAVEIsPending() throws {
        var m = standardMachine()
        #expect(try m.executeL1CPUID(vcpu: 0, leaf: 0x4000_0000, subleaf: 0).fault == .ve)
        _ = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pendNMI, r8: 1, r9: 0xFF)
        _ = m.takeDelivery()
        _ = try m.td(TDG.vpInfo)
        #expect(m.lastDelivery == nil)
        #expect(m.vcpus[0].l1Interrupts.pendNMI == 1)
    }

    @Test func pendNMIIsNotDeliveredOnTheL2ToL1ExitPath() throws {
        var m = try Self.machineInL2()
        _ = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pendNMI, r8: 1, r9: 0xFF)
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else {
            Issue.record("expected an exit to L1")
            return
        }
        #expect(m.lastDelivery == nil)
        #expect(m.vcpus[0].l1Interrupts.pendNMI == 1)
    }

    @Test func pendNMIIsDeliveredWithResumeL1NotOnAnL2Reentry() throws {
        var m = try Self.machineInL2()
        guard case .tdExit = try m.l2Event(vcpu: 0, .externalInterrupt(vector: 0x30)) else {
            Issue.record("expected a TD exit")
            return
        }
        _ = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pendNMI, r8: 1, r9: 0xFF)
        var l2 = m
        #expect(l2.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) == .resumedL2(vm: 1))
        #expect(l2.lastDelivery == nil)
        #expect(l2.vcpus[0].l1Interrupts.pendNMI == 1)
        guard case .resumedL1 = m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile()) else {
            Issue.record("expected L1 to resume")
            return
        }
        #expect(m.lastDelivery == Self.nmiDelivery)
    }

    // MARK: The host cannot inject into L1

    @Test func l1EntryInterruptionInformationIsNotHostWritable() {
        var m = standardMachine()
        // Write mask 0 (production and debug) → FIELD_NOT_WRITABLE, R8 = 0.
        let w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.entryInfo, r8: 0x8000_0030, r9: ~0)
        #expect(w.rax == St.fieldNotWritable)
        #expect(w.r8 == 0)
        // Read mask 0 in production → FIELD_NOT_READABLE; with DEBUG the (never injected) value 0.
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.entryInfo).rax == St.fieldNotReadable)
        m.attributes = 1
        let r = m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.entryInfo)
        #expect(r.rax == St.success && r.r8 == 0)
        #expect(m.host(Self.wr, rcx: Self.tdvpr0, rdx: 0x0024_0002_0000_4018, r8: 0, r9: ~0).rax == St.fieldNotWritable)
    }

    // MARK: The state hash

    /// Each record of `L1Interrupts` changes the hash; at reset there are none (every trace's hash stays).
    @Test func hashSeesEachRecord() throws {
        var base = standardMachine()
        Self.enablePostedInterrupts(&base)
        let h = base.stateHash()
        func differs(_ change: (inout Machine) throws -> Void, _ what: String) throws {
            var m = base
            try change(&m)
            #expect(m.stateHash() != h, "\(what) is hashed")
        }
        try differs({ _ = try $0.postInterrupt(vcpu: 0, vectors: [5], notify: true) }, "VIRR (RVI 5)")
        try differs({ _ = try $0.postInterrupt(vcpu: 0, vectors: [0x40], notify: false) }, "PIR and ON")
        try differs({ _ = try $0.executeL1WRMSR(vcpu: 0, msr: 0x808, value: 0x20) }, "VTPR")
        try differs({ _ = $0.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pendNMI, r8: 1, r9: 0xFF) }, "PEND_NMI")
        // VISR and SVI alone: the same RVI/PPR word and VIRR, one delivered and one not.
        var a = base
        try a.setL1VirtualInterruptState(vcpu: 0, rvi: 0x30, ppr: 0)
        var b = a
        _ = try b.l1Interruptible(vcpu: 0)
        try b.setL1VirtualInterruptState(vcpu: 0, rvi: 0x30, ppr: 0)
        #expect(a.vcpus[0].l1Interrupts.apic.irr == b.vcpus[0].l1Interrupts.apic.irr)
        #expect(a.stateHash() != b.stateHash(), "VISR and SVI are hashed")
        #expect(L1Interrupts() == base.vcpus[0].l1Interrupts, "reset: no records")
    }
}
