import SEAMCore
import SEAMTypes
import Testing

// Machine.differences(from:). Each expected entry is worked out by hand from the operation: the attribute
// values from ATTR.WR's merge rule (see AttrWrTests), the permission letters as the alias map prints them (R, W,
// then X for Xs+Xu or Xs/Xu alone; — for no alias), the VMCS field names and encodings from the SDM.
@Suite struct StateDifferenceTests {
    func d(_ field: String, _ before: String, _ after: String) -> StateDifference {
        StateDifference(field: field, before: before, after: after)
    }

    @Test func sameOperationsOnTwoMachinesGiveNoDifferences() throws {
        func built() throws -> Machine {
            var m = standardMachine()
            _ = try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 7))
            try m.writeMemory(gpa: 0x2000, [1, 2, 3])
            return m
        }
        #expect(try built().differences(from: built()).isEmpty)
        #expect(try !built().differences(from: standardMachine()).isEmpty)
    }

    @Test func hostBlockAndTrackShowTheLeafStateAndTheBlockRecord() throws {
        var m = standardMachine()
        let old = m
        // TDH.MEM.RANGE.BLOCK of the 4K MAPPED page 0x5000: MAPPED → BLOCKED, a block record not yet tracked.
        #expect(m.host(TDH.block, rcx: 0x5000).rax == St.success)
        #expect(
            m.differences(from: old) == [
                d("page 0x5000 L1 state", "4K MAPPED", "4K BLOCKED"),
                d("page 0x5000 block", "none", "blocked, not tracked"),
            ])
        let blocked = m
        #expect(m.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == St.success)
        #expect(
            m.differences(from: blocked) == [
                d("td.tdEpoch", "1", "2"), d("page 0x5000 block", "blocked, not tracked", "blocked, tracked"),
            ])
    }

    @Test func anInterruptedAcceptShowsItsAcceptCounter() throws {
        // A 2M ACCEPT of 0x400000 interrupted after chunk 0 (tdg_mem_page_accept.c): only the counter, 0 → 1.
        var m = standardMachine()
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x40, ppr: 0)
        let old = m
        #expect(try m.accept(0x40_0001).outcome == .interrupted)
        #expect(m.differences(from: old) == [d("page 0x400000 accept counter", "0", "1")])
    }

    @Test func attrWrOnAnAliasGivesExactlyItsAttributesEntry() throws {
        var m = standardMachine()
        #expect(try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 0x0007)).regs.rax == St.success)
        let old = m
        // current 0x8007 (R W Xs), input 0x8001, mask 0x0002 | VALID → 0x8005 (R Xs).
        #expect(try m.attrWr(0x1000, slot(1, 0x8001), slot(1, 0x0002)).regs.rax == St.success)
        #expect(m.differences(from: old) == [d("page 0x1000 VM1 attributes", "RWXs", "RXs")])
        #expect(old.differences(from: m) == [d("page 0x1000 VM1 attributes", "RXs", "RWXs")])
    }

    @Test func creatingAnAliasShowsNoAliasBefore() throws {
        let old = standardMachine()
        var m = old
        #expect(try m.attrWr(0x2000, slot(2, 0x8003), slot(2, 0x0003)).regs.rax == St.success)
        #expect(m.differences(from: old) == [d("page 0x2000 VM2 attributes", "—", "RW")])
    }

    @Test func aliasOfAPendingPageIsL2BlockedUntilAccepted() throws {
        var m = standardMachine()
        let fresh = m
        #expect(try m.attrWr(0x10000, slot(1, 0x800F), slot(1, 0x000F)).regs.rax == St.success)
        #expect(m.differences(from: fresh) == [d("page 0x10000 VM1 attributes", "—", "RWX L2-blocked")])
        let pending = m
        #expect(try m.accept(0x10000).regs.rax == St.success)
        #expect(
            m.differences(from: pending) == [
                d("page 0x10000 L1 state", "4K PENDING", "4K MAPPED"),
                d("page 0x10000 VM1 attributes", "RWX L2-blocked", "RWX"),
            ])
    }

    @Test func pagesAreListedInGPAOrderWhateverTheOperationOrder() throws {
        let old = standardMachine()
        var m = old
        _ = try m.attrWr(0x5000, slot(3, 0x8001), slot(3, 1))
        _ = try m.attrWr(0x2000, slot(1, 0x8001), slot(1, 1))
        #expect(
            m.differences(from: old) == [
                d("page 0x2000 VM1 attributes", "—", "R"), d("page 0x5000 VM3 attributes", "—", "R"),
            ])
    }

    @Test func vpWrOfGuestRIPGivesExactlyThatVMCSField() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, Enc.guestRIP), 0x1000)
        let old = m
        try m.mustWrite(FID.vmcs(1, Enc.guestRIP), 0x1003)
        #expect(m.differences(from: old) == [d("vcpu0.vm1.vmcs GUEST_RIP (0x681e)", "0x1000", "0x1003")])
        #expect(m.differences(from: old).map(\.description) == ["vcpu0.vm1.vmcs GUEST_RIP (0x681e) 0x1000 → 0x1003"])
    }

    @Test func msrBitmapWordNamesTheMSRsItCovers() throws {
        let old = standardMachine()
        var m = old
        // Word 3 of the read-low quarter: MSRs 3·64 = 0xC0 … 0xFF; the bitmap starts all ones.
        try m.mustWrite(FID.msrBitmap(2, word: 3), 0)
        // Word 128 + 2 is the read-high quarter: MSRs 0xC0000000 + 2·64 = 0xC0000080 … 0xC00000BF.
        try m.mustWrite(FID.msrBitmap(2, word: 130), 0xF)
        #expect(
            m.differences(from: old) == [
                d("vcpu0.vm2.msrBitmap[3] (read 0xc0…0xff)", "0xffffffffffffffff", "0"),
                d("vcpu0.vm2.msrBitmap[130] (read 0xc0000080…0xc00000bf)", "0xffffffffffffffff", "0xf"),
            ])
    }

    @Test func trackAdvancesTheTDEpoch() throws {
        let old = standardMachine()
        var m = old
        #expect(m.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == St.success)
        #expect(m.differences(from: old) == [d("td.tdEpoch", "1", "2")])
        #expect(m.differences(from: old).first?.description == "td.tdEpoch 1 → 2")
    }

    @Test func memoryWritesNameTheir64ByteChunks() throws {
        let old = standardMachine()
        var m = old
        try m.writeMemory(gpa: 0x3048, [1])
        #expect(m.differences(from: old) == [d("page 0x3000 contents bytes 0x40…0x7f", "@0x48 00", "@0x48 01")])
        // 32 bytes across the chunk boundary at 0x80: one run of two chunks; the values show bytes 0x70…0x8f.
        m = old
        try m.writeMemory(gpa: 0x3070, [UInt8](repeating: 0xAA, count: 32))
        #expect(
            m.differences(from: old) == [
                d(
                    "page 0x3000 contents bytes 0x40…0xbf", "@0x70 " + String(repeating: "00", count: 32),
                    "@0x70 " + String(repeating: "aa", count: 32))
            ])
        // Two writes far apart in one page: two runs, in offset order.
        m = old
        try m.writeMemory(gpa: 0x3200, [7])
        try m.writeMemory(gpa: 0x3010, [5, 6])
        #expect(
            m.differences(from: old) == [
                d("page 0x3000 contents bytes 0x0…0x3f", "@0x10 0000", "@0x10 0506"),
                d("page 0x3000 contents bytes 0x200…0x23f", "@0x200 00", "@0x200 07"),
            ])
        // Writing the old bytes back leaves nothing to report.
        try m.writeMemory(gpa: 0x3200, [0])
        try m.writeMemory(gpa: 0x3010, [0, 0])
        #expect(m.differences(from: old).isEmpty)
    }

    @Test func enteringL2MovesTheVCPU() throws {
        let old = standardMachine()
        var m = old
        #expect(try m.enterL2(vm: 1).outcome == .enteredL2(vm: 1))
        let diff = m.differences(from: old)
        #expect(diff.contains(d("vcpu0.location", "L1", "L2 VM1")))
        #expect(diff.contains(d("vcpu0.currentVM", "0", "1")))
        // The patterned GPRs of L2: RAX = 0x1200_0000_0000_0000.
        #expect(diff.contains(d("vcpu0.gprs.rax", "0", "0x1200000000000000")))
        #expect(diff.contains(d("vcpu0.vm1.vmcs VIRTUAL_APIC_ADDRESS (0x2012)", "0xffffffffffffffff", "0x2000")))
    }
}
