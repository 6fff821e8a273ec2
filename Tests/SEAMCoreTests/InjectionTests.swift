import SEAMCore
import SEAMTypes
import Testing

/// VMCS encodings for event injection and APIC virtualization (SDM Vol. 3D appendix B).
private enum IEnc {
    static let primaryControls: UInt32 = 0x4002
    static let entryInfo: UInt32 = 0x4016
    static let entryErrorCode: UInt32 = 0x4018
    static let tprThreshold: UInt32 = 0x401C
    static let secondaryControls: UInt32 = 0x401E
    static let idtVectoringInfo: UInt32 = 0x4408
    static let interruptibility: UInt32 = 0x4824
    static let eoiExitBitmap0: UInt32 = 0x201C
}

/// Event injection into L2 and APIC virtualization, each expectation worked out from the SDM (Vol. 3C §27.2.1.3
/// event-injection control checks, §27.3.1.4–5 guest-state checks, §27.6 event injection, §26.7.5–6 window
/// exiting, §28.2.4 IDT-vectoring information, chapter 30 virtual-interrupt delivery, EOI/TPR/PPR
/// virtualization) and the module (helpers.c `reinject_idt_vectoring_event_if_any`, tdx_td_transitions.S's
/// UD2 after a failed VM entry). The standard TD: VM 1's virtual-APIC page at 0x2000 (L1 memory), its
/// guest-state buffer at 0x1000, L2 secondary controls with virtual-interrupt delivery on (bit 9 of
/// 0x1338B3FA, td_vmcs_init.c).
@Suite struct InjectionTests {
    /// The virtual-APIC page of VM 1 in these tests.
    static let vapic: UInt64 = 0x2000
    /// External interrupt 0x30: valid, type 0 (SDM Table 25-17).
    static let extInt30: UInt64 = 0x8000_0030

    /// A guest-state buffer with IF = 1 (RFLAGS 0x202) and the given interrupt status (RVI low, SVI high).
    static func state(rflags: UInt64 = 0x202, status: UInt16 = 0) -> GuestState {
        var s = GuestState.patterned()
        s.rflags = rflags
        s.interruptStatus = status
        return s
    }

    /// Sets bit `vector` of the 256-bit virtual-APIC register at `base` (VIRR 0x200, VISR 0x100): word
    /// vector/32 at base + 16·word (SDM §30.1.1).
    static func setVAPICBit(_ m: inout Machine, base: UInt64, vector: UInt64) throws {
        let gpa = vapic + base + vector / 32 * 16
        var word = try m.readMemory(gpa: gpa, count: 4)
        word[Int(vector % 32) / 8] |= 1 << UInt8(vector % 8)
        try m.writeMemory(gpa: gpa, word)
    }

    static func vapicWord(_ m: Machine, _ offset: UInt64) throws -> UInt32 {
        let b = try m.readMemory(gpa: vapic + offset, count: 4)
        return (0..<4).reduce(0) { $0 | UInt32(b[$1]) << (8 * UInt32($1)) }
    }

    // MARK: Injection through the VM-entry interruption information

    /// L1 injects external interrupt 0x30: TDG.VP.ENTER enters L2 and delivers it (count 1, via entry); the
    /// handler starts with IF = 0, so the next exit writes RFLAGS 0x2 back; the field's valid bit is clear at
    /// the next exit (SDM §28.2.1: every VM exit clears it).
    @Test func l1InjectsAnExternalInterruptAtEntry() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, IEnc.entryInfo), Self.extInt30)
        let c = try m.enterL2(vm: 1, state: Self.state())
        #expect(c.outcome == .enteredL2(vm: 1))
        #expect(
            m.takeDelivery()
                == Delivery(vm: 1, info: InterruptionInfo(0x8000_0030), via: .entryInjection, count: 1))
        guard case .exitToL1(let r) = try m.l2Event(vcpu: 0, .cpuid) else {
            throw InjectionFailure("CPUID exits to L1")
        }
        #expect(r.r10 == 0, "no event was being delivered when CPUID exited")
        #expect(try m.guestState(at: 0x1000).rflags == 0x2, "the interrupt gate cleared IF")
        #expect(try m.mustRead(FID.vmcs(1, IEnc.entryInfo, size: 2)) == 0x30)
    }

    /// An invalid VM-entry interruption information is no VM-entry failure exit but VMfailValid, after which
    /// the module executes UD2: the call throws `moduleStopped` and nothing changes. Type 1 is reserved; an NMI
    /// must have vector 2; #GP (13) in protected mode must deliver an error code; a type-0 event must not.
    @Test(arguments: [0x8000_0130, 0x8000_0203, 0x8000_030D, 0x8000_0830] as [UInt64])
    func anInvalidInjectionStopsTheModule(info: UInt64) throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), Self.vapic)
        try m.mustWrite(FID.vmcs(1, Enc.guestCR0), 0x8000_0031)  // PE: protected mode
        try m.mustWrite(FID.vmcs(1, IEnc.entryInfo), info)
        try m.writeGuestState(Self.state(), at: 0x1000)
        let before = m.stateHash()
        var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        #expect(throws: MachineError.self) { try m.tdcall(vcpu: 0, &r) }
        do {
            _ = try m.tdcall(vcpu: 0, &r)
        } catch {
            guard case .moduleStopped(let why) = error else {
                throw InjectionFailure("expected moduleStopped, got \(error)")
            }
            #expect(why.contains("VM-instruction error 7"))
        }
        #expect(m.stateHash() == before, "nothing changed")
        #expect(m.vcpus[0].location == .l1)
    }

    /// A well-formed injection that conflicts with guest state is a VM-entry failure exit to L1 (SDM
    /// §27.3.1.4: RFLAGS.IF must be 1 to inject an external interrupt): RAX = 0x80000021, nothing delivered.
    @Test func anExternalInterruptWithIFClearFailsTheEntry() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, IEnc.entryInfo), Self.extInt30)
        let c = try m.enterL2(vm: 1, state: Self.state(rflags: 0x2))
        #expect(c.outcome == .completed)
        #expect(c.regs.rax == 0x8000_0021)
        #expect(m.takeDelivery() == nil)
    }

    // MARK: Virtual-interrupt delivery

    /// RVI 0x31 with VIRR bit 0x31 and VTPR 0: VPPR is 0 (no SVI), RVI's class 3 > 0, so the entry delivers
    /// 0x31 (SDM §30.2.2): VISR bit 0x31 set, VIRR bit clear, SVI = 0x31, RVI = 0 (VIRR now empty), VPPR =
    /// 0x30 — guest interrupt status 0x3100.
    @Test func rviAbovePPRIsDeliveredAtEntry() throws {
        var m = standardMachine()
        try Self.setVAPICBit(&m, base: 0x200, vector: 0x31)
        let c = try m.enterL2(vm: 1, state: Self.state(status: 0x0031))
        #expect(c.outcome == .enteredL2(vm: 1))
        #expect(m.takeDelivery() == Delivery(vm: 1, info: InterruptionInfo(0x8000_0031), via: .virtualInterrupt))
        #expect(try Self.vapicWord(m, 0x100 + 16) == 1 << 17, "VISR[0x31]: word 1, bit 17")
        #expect(try Self.vapicWord(m, 0x200 + 16) == 0, "VIRR[0x31] clear")
        #expect(try Self.vapicWord(m, 0xA0) == 0x30, "VPPR")
        #expect(m.vcpus[0].vmcs(1, VMCSField(0x0810)) == 0x3100)
    }

    /// VTPR 0x40 (class 4) blocks RVI 0x31 (class 3): nothing is delivered, and VPPR = VTPR.
    @Test func aHigherTPRHoldsTheInterrupt() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: Self.vapic + 0x80, [0x40])
        try Self.setVAPICBit(&m, base: 0x200, vector: 0x31)
        let c = try m.enterL2(vm: 1, state: Self.state(status: 0x0031))
        #expect(c.outcome == .enteredL2(vm: 1))
        #expect(m.takeDelivery() == nil)
        #expect(try Self.vapicWord(m, 0xA0) == 0x40)
        // MOV to CR8 of 2 lowers VTPR to 0x20: TPR virtualization then delivers 0x31 (§30.1.2).
        try m.mustSetL2Register(1, 2)  // RCX = 2
        #expect(try m.l2Event(vcpu: 0, .movToCR(cr: 8, gpr: 1)) == .continued)
        #expect(m.takeDelivery()?.vector == 0x31)
    }

    /// Without virtual-interrupt delivery, lowering VTPR below the TPR threshold is a trap-like exit 43 to L1
    /// (§30.1.2): VTPR 0x20 (class 2) < threshold 3.
    @Test func tprBelowThresholdWithoutVirtualInterruptDelivery() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, IEnc.secondaryControls), 0x1338_B1FA)  // bit 9 (VID) off
        try m.mustWrite(FID.vmcs(1, IEnc.tprThreshold), 3)
        let c = try m.enterL2(vm: 1, state: Self.state())
        #expect(c.outcome == .enteredL2(vm: 1))
        try m.mustSetL2Register(1, 2)
        guard case .exitToL1(let r) = try m.l2Event(vcpu: 0, .movToCR(cr: 8, gpr: 1)) else {
            throw InjectionFailure("exit 43 to L1")
        }
        #expect(r.rax == 43)
    }

    // MARK: EOI

    /// L2's EOI with L1's MSR bitmap intercepting 0x80B writes (the reset bitmap is all ones) is a WRMSR exit
    /// (32) with ECX = 0x80B and EDX:EAX = 0 in L2's registers.
    @Test func anInterceptedEOIExitsToL1() throws {
        var m = standardMachine()
        #expect(try m.enterL2(vm: 1, state: Self.state()).outcome == .enteredL2(vm: 1))
        guard case .exitToL1(let r) = try m.l2Event(vcpu: 0, .eoi) else { throw InjectionFailure("WRMSR exit") }
        #expect(r.rax == 32)
        let l2 = try m.guestState(at: 0x1000)
        #expect(l2.gprs.rcx == 0x80B && l2.gprs.rax == 0 && l2.gprs.rdx == 0)
    }

    /// With L1's write intercept of 0x80B cleared (the write-low quarter starts at byte 0x800 = bit 0x4000:
    /// bit 0x4000 + 0x80B = 0x480B, word 0x120, bit 11; the TD's own bitmap passes 0x80B), the EOI is virtualized (§30.1.4): VISR[SVI] cleared, SVI = the
    /// next VISR vector (0x21), VPPR = 0x20; with EOI-exit bitmap bit 0x31 set it is exit 45 with the vector in
    /// the qualification.
    @Test func eoiVirtualizationAndTheVirtualizedEOIExit() throws {
        var m = standardMachine()
        try m.mustWrite(FID.msrBitmap(1, word: 0x120), ~(UInt64(1) << 11))
        try Self.setVAPICBit(&m, base: 0x100, vector: 0x31)
        try Self.setVAPICBit(&m, base: 0x100, vector: 0x21)
        #expect(try m.enterL2(vm: 1, state: Self.state(status: 0x3100)).outcome == .enteredL2(vm: 1))
        #expect(try m.l2Event(vcpu: 0, .eoi) == .continued)
        #expect(try Self.vapicWord(m, 0x100 + 16) == 1 << 1, "VISR holds 0x21 only")
        #expect(m.vcpus[0].vmcs(1, VMCSField(0x0810)) == 0x2100)
        #expect(try Self.vapicWord(m, 0xA0) == 0x20)

        var n = standardMachine()
        try n.mustWrite(FID.msrBitmap(1, word: 0x120), ~(UInt64(1) << 11))
        try n.mustWrite(FID.vmcs(1, IEnc.eoiExitBitmap0 + 0x0), 1 << 0x31)
        try Self.setVAPICBit(&n, base: 0x100, vector: 0x31)
        #expect(try n.enterL2(vm: 1, state: Self.state(status: 0x3100)).outcome == .enteredL2(vm: 1))
        guard case .exitToL1(let r) = try n.l2Event(vcpu: 0, .eoi) else { throw InjectionFailure("exit 45") }
        #expect(r.rax == 45 && r.rcx == 0x31)
    }

    // MARK: The guest-state buffer after a delivered interrupt

    /// The guest state `entered` after a delivery, the EOI event (RCX = 0x80B, RAX = RDX = 0, then the 2-byte
    /// WRMSR), IRET and HLT: RIP 0x10_0002, interrupt status 0 (VIRR and VISR empty), the rest as entered.
    static func afterDeliverEOIIRETHLT(_ entered: GuestState) -> GuestState {
        var s = entered
        s.gprs.rax = 0
        s.gprs.rcx = 0x80B
        s.gprs.rdx = 0
        s.rip = 0x10_0002
        s.interruptStatus = 0
        return s
    }

    /// Deliver 0x31 at entry, EOI (virtualized: L1's bitmap passes 0x80B), IRET, HLT: the exit writes back L2's
    /// state — the patterned GPRs with the EOI's RCX = 0x80B and RAX = RDX = 0, RFLAGS 0x202 (IRET set IF
    /// again), RIP past the 2-byte WRMSR, SSP as loaded, interrupt status 0 (VIRR empty, VISR empty).
    @Test func theBufferAfterDeliverEOIIRETHLTHoldsL2sState() throws {
        var m = standardMachine()
        try m.mustWrite(FID.msrBitmap(1, word: 0x120), ~(UInt64(1) << 11))
        try Self.setVAPICBit(&m, base: 0x200, vector: 0x31)
        let entered = Self.state(status: 0x0031)
        #expect(try m.enterL2(vm: 1, state: entered).outcome == .enteredL2(vm: 1))
        #expect(m.takeDelivery()?.vector == 0x31)
        #expect(try m.l2Event(vcpu: 0, .eoi) == .continued)
        #expect(try m.l2Event(vcpu: 0, .iret) == .continued)
        guard case .exitToL1(let r) = try m.l2Event(vcpu: 0, .hlt) else { throw InjectionFailure("HLT exit") }
        #expect(r.rax == 12)
        #expect(try m.guestState(at: 0x1000).bytes == Self.afterDeliverEOIIRETHLT(entered).bytes)
        #expect(try Self.vapicWord(m, 0x100 + 16) == 0 && Self.vapicWord(m, 0xA0) == 0, "VISR and VPPR clear")
    }

    /// The same round trip with the guest-state buffer at 0x2200, inside the virtual-APIC page (nothing forbids
    /// it): buffer bytes 0x20…0x23 (RSP's low half) are VIRR word 2 (vectors 0x40–0x5F). RSP = 1 << 17 sets
    /// VIRR[0x51]; its delivery clears that bit in memory, and the exit writes L2's RSP (1 << 17) back over it.
    @Test func aBufferInsideTheVirtualAPICPageIsWrittenBackWhole() throws {
        var m = standardMachine()
        try m.mustWrite(FID.msrBitmap(1, word: 0x120), ~(UInt64(1) << 11))
        var entered = Self.state(status: 0x0051)
        // VIRR words 0–7 are the low halves of RAX, RDX, RSP, RSI, R8, R10, R12, R14 here: only 0x51 is set.
        for r in [0, 2, 6, 8, 10, 12, 14] { entered.gprs[r] = 0x1200_0000_0000_0000 }
        entered.gprs.rsp = 1 << 17
        #expect(try m.enterL2(vm: 1, state: entered, buffer: 0x2200).outcome == .enteredL2(vm: 1))
        #expect(m.takeDelivery()?.vector == 0x51)
        #expect(try Self.vapicWord(m, 0x220) == 0, "VIRR[0x51] cleared, in the buffer's RSP")
        #expect(try m.l2Event(vcpu: 0, .eoi) == .continued)
        #expect(try m.l2Event(vcpu: 0, .iret) == .continued)
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .hlt) else { throw InjectionFailure("HLT exit") }
        #expect(try m.guestState(at: 0x2200).bytes == Self.afterDeliverEOIIRETHLT(entered).bytes)
    }

    // MARK: Windows and NMIs

    /// Interrupt-window exiting (primary bit 2) with IF = 1: the entry exits 7 before L2's first instruction.
    /// With IF = 0 L2 runs; its STI opens the window: exit 7.
    @Test func interruptWindowExiting() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, IEnc.primaryControls), 0x4, mask: 0x4)
        let c = try m.enterL2(vm: 1, state: Self.state())
        #expect(c.outcome == .completed && c.regs.rax == 7)

        var n = standardMachine()
        try n.mustWrite(FID.vmcs(1, IEnc.primaryControls), 0x4, mask: 0x4)
        #expect(try n.enterL2(vm: 1, state: Self.state(rflags: 0x2)).outcome == .enteredL2(vm: 1))
        guard case .exitToL1(let r) = try n.l2Event(vcpu: 0, .sti) else { throw InjectionFailure("exit 7") }
        #expect(r.rax == 7)
    }

    /// An injected NMI (type 2, vector 2) blocks further NMIs (virtual NMIs are on for L2: pin-based 0x29):
    /// with NMI-window exiting (primary bit 22) on, no exit until L2's IRET; then exit 8.
    @Test func nmiBlockingAndTheNMIWindow() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, IEnc.entryInfo), 0x8000_0202)
        #expect(try m.enterL2(vm: 1, state: Self.state()).outcome == .enteredL2(vm: 1))
        #expect(m.takeDelivery()?.info.type == .nmi)
        #expect(try m.l2Event(vcpu: 0, .jump(rip: 0x10_0100)) == .continued)  // the handler runs: NMI blocked
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else { throw InjectionFailure("CPUID") }
        #expect(try m.mustRead(FID.vmcs(1, IEnc.interruptibility, size: 2)) & 0x8 != 0, "blocking by NMI")
        try m.mustWrite(FID.vmcs(1, IEnc.primaryControls), 0x40_0000, mask: 0x40_0000)
        var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        #expect(try m.tdcall(vcpu: 0, &r) == .enteredL2(vm: 1), "NMI blocked: no NMI-window exit yet")
        guard case .exitToL1(let x) = try m.l2Event(vcpu: 0, .iret) else { throw InjectionFailure("exit 8") }
        #expect(x.rax == 8)
    }

    // MARK: IDT vectoring, re-injection, double delivery

    /// Delivering 0x30 hits an EPT violation L1 owns (a PENDING page): the exit to L1 carries R10 =
    /// 0x80000030, and the delivery did not happen (count back to 0). L1 re-injects it from R10: count 1.
    @Test func anExitDuringDeliveryReportsIDTVectoringAndL1ReinjectsOnce() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, IEnc.entryInfo), Self.extInt30)
        #expect(try m.enterL2(vm: 1, state: Self.state()).outcome == .enteredL2(vm: 1))
        #expect(m.takeDelivery()?.count == 1)
        let access = L2Event.memory(MemoryAccess(kind: .write, gpa: 0x10008))
        guard case .exitToL1(let r) = try m.l2Event(vcpu: 0, .duringDelivery(access)) else {
            throw InjectionFailure("EPT violation to L1")
        }
        #expect(r.rax == 48 && r.r10 == 0x8000_0030)
        #expect(try m.guestState(at: 0x1000).rflags == 0x202, "the delivery did not happen: IF still 1")
        try m.mustWrite(FID.vmcs(1, IEnc.entryInfo), r.r10 & 0xFFFF_FFFF)
        var e = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        #expect(try m.tdcall(vcpu: 0, &e) == .enteredL2(vm: 1))
        #expect(m.takeDelivery() == Delivery(vm: 1, info: InterruptionInfo(0x8000_0030), via: .entryInjection))
    }

    /// The double-injection hazard: delivering 0x30 hits a host-owned EPT violation (an unmapped shared page)
    /// → TD exit; the host re-enters L2 without RESUME_L1, so the module re-injects 0x30 (count 1, via
    /// reinjection); L2's handler returns (IRET: IF = 1) and L2 exits to L1 with CPUID; L1 injects 0x30 again
    /// as if it had never been delivered:
    /// count 2. Entering without it instead closes the window: a later 0x30 is a new event (count 1).
    @Test func theModulesReinjectionAndL1sInjectionCountTwice() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, IEnc.entryInfo), Self.extInt30)
        #expect(try m.enterL2(vm: 1, state: Self.state()).outcome == .enteredL2(vm: 1))
        let shared: UInt64 = 1 << 47 | 0x9000
        let access = L2Event.memory(MemoryAccess(kind: .write, gpa: shared))
        guard case .tdExit = try m.l2Event(vcpu: 0, .duringDelivery(access)) else { throw InjectionFailure("TD exit") }
        #expect(m.vcpus[0].vmcs(1, VMCSField(IEnc.idtVectoringInfo)) == 0x8000_0030)
        _ = m.takeDelivery()
        #expect(m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) == .resumedL2(vm: 1))
        #expect(m.takeDelivery() == Delivery(vm: 1, info: InterruptionInfo(0x8000_0030), via: .reinjection, count: 1))
        #expect(try m.l2Event(vcpu: 0, .iret) == .continued)
        guard case .exitToL1(let r) = try m.l2Event(vcpu: 0, .cpuid) else { throw InjectionFailure("CPUID") }
        #expect(r.r10 == 0)
        var twice = m
        try twice.mustWrite(FID.vmcs(1, IEnc.entryInfo), Self.extInt30)
        var e = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        _ = try twice.tdcall(vcpu: 0, &e)
        #expect(twice.takeDelivery()?.count == 2, "delivered twice")

        var e2 = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        #expect(try m.tdcall(vcpu: 0, &e2) == .enteredL2(vm: 1))
        #expect(m.takeDelivery() == nil)
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else { throw InjectionFailure("CPUID") }
        try m.mustWrite(FID.vmcs(1, IEnc.entryInfo), Self.extInt30)
        var e3 = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        _ = try m.tdcall(vcpu: 0, &e3)
        #expect(m.takeDelivery()?.count == 1, "a new event after an entry without it")
    }

    /// `during_delivery` needs an event being delivered: after another L2 event it is refused.
    @Test func duringDeliveryNeedsADeliveryInProgress() throws {
        var m = standardMachine()
        #expect(try m.enterL2(vm: 1, state: Self.state()).outcome == .enteredL2(vm: 1))
        let access = L2Event.memory(MemoryAccess(kind: .write, gpa: 0x10008))
        #expect(throws: MachineError.self) { try m.l2Event(vcpu: 0, .duringDelivery(access)) }
    }

    // MARK: Lost interrupts

    /// L1 enters with RVI 0 while VIRR holds 0x41: nothing is delivered, even with IF = 1 and STI, and the
    /// vector is reported stranded.
    @Test func aVectorLeftInVIRRWithRVIClearIsStranded() throws {
        var m = standardMachine()
        try Self.setVAPICBit(&m, base: 0x200, vector: 0x41)
        #expect(try m.enterL2(vm: 1, state: Self.state(status: 0)).outcome == .enteredL2(vm: 1))
        #expect(try m.l2Event(vcpu: 0, .sti) == .continued)
        #expect(m.takeDelivery() == nil)
        #expect(m.strandedVector(vcpu: 0, vm: 1) == 0x41)
    }
}

extension Machine {
    /// Sets L2 GPR `gpr` through an L2 `set` event.
    fileprivate mutating func mustSetL2Register(_ gpr: Int, _ value: UInt64) throws {
        #expect(try l2Event(vcpu: 0, .setRegister(gpr, value)) == .continued)
    }
}

private struct InjectionFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
