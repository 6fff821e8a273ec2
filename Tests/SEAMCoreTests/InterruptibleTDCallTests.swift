import SEAMCore
import SEAMTypes
import Testing

// Interruptible TDCALLs. Expected values from the module: src/td_dispatcher/vm_exits/tdg_mem_page_accept.c (the
// 2M loop: initialize the 4K chunk at the SEPT entry's accept counter; counter 511 → done, counter back to 0, no
// interrupt check; else counter + 1, then is_interrupt_pending_guest_side; the entry is written back with the
// counter and, unless interrupted, MAPPED with every alias unblocked), src/td_dispatcher/vm_exits/tdg_vp_invvpid.c
// (the list loop: one entry, FIRST_ENTRY + 1, NUM_ENTRIES − 1, then the interrupt check; RDX written either
// way), src/td_dispatcher/tdx_td_dispatcher.c (an interrupted call writes no RAX and does not advance RIP).
// "An interrupt pending for L1" is the model's L1 virtual-interrupt state: RVI class above PPR class.
@Suite struct InterruptibleTDCallTests {
    static let invvpid: UInt64 = 27
    /// PAGE_INFO of the standard TD's PENDING 2M leaf: GPA 0x400000, level 1 (2M).
    static let pending2M: UInt64 = 0x40_0001
    static let key2M: UInt64 = 0x400

    static func pendingInterrupt(_ m: inout Machine) throws {
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x40, ppr: 0)
    }

    @Test func predicateComparesPriorityClasses() throws {
        var m = standardMachine()
        var states = [m.l1InterruptPending(vcpu: 0)]
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x4F, ppr: 0x40)  // same class 4: not deliverable
        states.append(m.l1InterruptPending(vcpu: 0))
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x50, ppr: 0x4F)  // class 5 over 4
        states.append(m.l1InterruptPending(vcpu: 0))
        #expect(states == [false, false, true])
    }

    @Test func interrupted2MAcceptDoesOneChunkWritesNothingAndKeepsTheCounter() throws {
        var m = standardMachine()
        // VM1 and VM3 aliases of the PENDING page: created L2_BLOCKED (tdg_mem_page_attr_wr.c).
        #expect(try m.attrWr(0x40_0000 | 1, slot(1, 0x8007) | slot(3, 0x8003), slot(1, 7) | slot(3, 3)).regs.rax == 0)
        #expect(m.space.leaf(at: 0x40_0000, level: .size2M)?.l2Blocked == 0b101)
        try Self.pendingInterrupt(&m)
        let input = RegisterFile(rax: TDG.accept, rcx: Self.pending2M, rdx: 0x1111, r8: 0x2222, r9: 0x3333)
        var regs = input
        #expect(try m.tdcall(vcpu: 0, &regs) == .interrupted)
        #expect(regs == input)  // RAX not written: the TDCALL executes again
        let r = try #require(m.space.leaf(at: 0x40_0000, level: .size2M))
        #expect(r.state == .pending)
        #expect(r.l2Blocked == 0b101)  // aliases stay blocked until the last chunk
        #expect(m.space.acceptCounter(Self.key2M) == 1)  // chunk 0 done
        #expect(m.vcpus[0].location == .l1)  // L1 runs: it takes the interrupt
        // Again, the interrupt still pending: chunk 1, counter 2.
        regs = input
        #expect(try m.tdcall(vcpu: 0, &regs) == .interrupted)
        #expect(regs == input)
        #expect(m.space.acceptCounter(Self.key2M) == 2)
        // L1 took the interrupt (its state cleared): the re-executed TDCALL does chunks 2…511 and completes.
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0, ppr: 0)
        regs = input
        #expect(try m.tdcall(vcpu: 0, &regs) == .completed)
        #expect(regs == RegisterFile(rax: 0, rcx: Self.pending2M, rdx: 0x1111, r8: 0x2222, r9: 0x3333))
        let done = try #require(m.space.leaf(at: 0x40_0000, level: .size2M))
        #expect(done.state == .mapped)
        #expect(done.l2Blocked == 0)
        #expect(m.space.acceptCounter(Self.key2M) == 0)
    }

    @Test func pendingForTheWholeAcceptTakes512CallsTheLastWithoutACheck() throws {
        // One chunk per call while the interrupt stays pending: calls 1…511 stop with counters 1…511; call 512
        // initializes chunk 511, which ends the loop before any interrupt check.
        var m = standardMachine()
        try Self.pendingInterrupt(&m)
        for n in 1...511 {
            let c = try m.accept(Self.pending2M)
            #expect(c.outcome == .interrupted)
            #expect(c.regs.rax == TDG.accept)
            #expect(m.space.acceptCounter(Self.key2M) == UInt16(n))
            #expect(m.space.leaf(at: 0x40_0000, level: .size2M)?.state == .pending)
        }
        let last = try m.accept(Self.pending2M)
        #expect(last.outcome == .completed)
        #expect(last.regs.rax == 0)
        #expect(m.space.leaf(at: 0x40_0000, level: .size2M)?.state == .mapped)
        #expect(m.space.acceptCounter(Self.key2M) == 0)
        // Accepted again: PAGE_ALREADY_ACCEPTED(level 1), pending interrupt or not.
        #expect(try m.accept(Self.pending2M).regs.rax == St.pageAlreadyAccepted | 1)
    }

    @Test func interruptedThenResumedEndsInTheStateOfAnUninterruptedAccept() throws {
        // The counter returns to 0 and has no record: the state hash equals that of one uninterrupted ACCEPT.
        var plain = standardMachine()
        #expect(try plain.accept(Self.pending2M).regs.rax == 0)
        var m = standardMachine()
        try Self.pendingInterrupt(&m)
        let before = m.stateHash()
        #expect(try m.accept(Self.pending2M).outcome == .interrupted)
        #expect(m.stateHash() != before)  // the counter is state
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0, ppr: 0)
        #expect(try m.accept(Self.pending2M).regs.rax == 0)
        #expect(m.stateHash() == plain.stateHash())
        #expect(m.space.digest == m.space.recomputedDigest())
    }

    @Test func fourKAcceptAndUndeliverableInterruptsAreNotInterrupted() throws {
        var m = standardMachine()
        try Self.pendingInterrupt(&m)
        // 4K: one page, no interrupt check (tdg_mem_page_accept: only the 2M loop checks).
        #expect(try m.accept(0x1_0000).outcome == .completed)
        // RVI class 3 under PPR class 4: nothing pending, the 2M page completes in one call.
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x3F, ppr: 0x40)
        let c = try m.accept(Self.pending2M)
        #expect(c.outcome == .completed)
        #expect(c.regs.rax == 0)
    }

    @Test func removingAPartlyAcceptedPageDropsItsCounter() throws {
        // TDH.MEM.PAGE.REMOVE frees the SEPT entry (all zeros): no counter survives it.
        var m = standardMachine()
        try Self.pendingInterrupt(&m)
        #expect(try m.accept(Self.pending2M).outcome == .interrupted)
        m.blockAndTrack(Self.pending2M)
        #expect(m.space.acceptCounter(Self.key2M) == 1)  // blocking keeps the entry's counter
        #expect(m.host(TDH.remove, rcx: Self.pending2M, rdx: TDH.tdr).rax == St.success)
        #expect(m.space.acceptCounter(Self.key2M) == 0)
        #expect(m.space.digest == m.space.recomputedDigest())
    }

    // MARK: TDG.VP.INVVPID list mode

    /// RCX: VM 1, LIST.
    static let listFlags: UInt64 = 1 << 52 | 1

    /// A list page at 0x3000 with entries 0…2 of one page each (GLAs 0x5000_0000, 0x6000_0000, 0x7000_0000).
    static func listMachine() throws -> Machine {
        var m = standardMachine(numL2VMs: 1)
        var list = [UInt8](repeating: 0, count: 24)
        for (i, gla) in [UInt64(0x5000_0000), 0x6000_0000, 0x7000_0000].enumerated() {
            withUnsafeBytes(of: gla.littleEndian) { list.replaceSubrange(i * 8..<i * 8 + 8, with: $0) }
        }
        try m.writeMemory(gpa: 0x3000, list)
        return m
    }

    @Test func invvpidListStopsAfterEachEntryWithRDXUpdated() throws {
        var m = try Self.listMachine()
        try Self.pendingInterrupt(&m)
        // FIRST_ENTRY 0, NUM_ENTRIES 3: one entry per call, RDX = FIRST_ENTRY + 1, NUM_ENTRIES − 1.
        var rdx: UInt64 = 0x3000 | 3 << 52
        let expectations: [UInt64] = [0x3000 | 1 | 2 << 52, 0x3000 | 2 | 1 << 52, 0x3000 | 3]
        for (n, expected) in expectations.enumerated() {
            var regs = RegisterFile(rax: Self.invvpid, rcx: Self.listFlags, rdx: rdx, r8: 0x88)
            #expect(try m.tdcall(vcpu: 0, &regs) == .interrupted)
            #expect(regs == RegisterFile(rax: Self.invvpid, rcx: Self.listFlags, rdx: expected, r8: 0x88))
            #expect(m.vcpus[0].vpidFlushes[1] == UInt64(n + 1))
            rdx = regs.rdx
        }
        // NUM_ENTRIES 0: the loop does not run, no check; RDX is written back unchanged and the call completes.
        var regs = RegisterFile(rax: Self.invvpid, rcx: Self.listFlags, rdx: rdx)
        #expect(try m.tdcall(vcpu: 0, &regs) == .completed)
        #expect(regs == RegisterFile(rax: 0, rcx: Self.listFlags, rdx: 0x3000 | 3))
        #expect(m.vcpus[0].vpidFlushes[1] == 3)
    }

    @Test func invvpidSingleEntryIsNotInterruptible() throws {
        var m = standardMachine(numL2VMs: 1)
        try Self.pendingInterrupt(&m)
        let c = try m.td(Self.invvpid, rcx: 1 << 52, rdx: 0x7000_0003)
        #expect(c.outcome == .completed)
        #expect(c.regs.rax == 0)
        #expect(m.vcpus[0].vpidFlushes[1] == 4)
    }

    @Test func engineRunTDCallReturnsInterruptedWithoutReexecuting() throws {
        var engine = Engine(machine: standardMachine())
        try engine.machine.setL1VirtualInterruptState(vcpu: 0, rvi: 0x40, ppr: 0)
        var regs = RegisterFile(rax: TDG.accept, rcx: Self.pending2M)
        var l2 = EventList([])
        var host = BuiltInTDVMCallHost()
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) == .interrupted)
        #expect(regs == RegisterFile(rax: TDG.accept, rcx: Self.pending2M))
        #expect(engine.machine.space.acceptCounter(Self.key2M) == 1)  // one call, one chunk
    }
}
