import SEAMCore
import SEAMTypes
import Testing

// TDG.MEM.PAGE.ATTR.RD (leaf 23). Expected values from the ABI reference §1.4, §3.1, §12 E1, E13, O4, O9,
// B §1.4. Layout of the standard TD: see `standardConfig` in HandDerivedSupport.swift.
@Suite struct AttrRdTests {

    @Test func mappedPageReportsAlignedGPAAndLevelWithNoAliases() throws {
        // §1.4: RCX = GPA aligned to the leaf | level; §12 E1: bits 11:0 of the input are ignored.
        // L1 field 0, non-aliased VMs 0.
        var m = standardMachine()
        var c = try m.attrRd(0x1ABC)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x1000)
        #expect(c.regs.rdx == 0)
        c = try m.attrRd(0x2A_BCDE)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x20_0001)
        #expect(c.regs.rdx == 0)
    }

    @Test func pendingPageReportsBit62() throws {
        // §1.4: PENDING in bit 62.
        var m = standardMachine()
        var c = try m.attrRd(0x1_2345)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x4000_0000_0001_2000)
        c = try m.attrRd(0x5F_FFFF)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x4000_0000_0040_0001)
    }

    @Test func onlyAliasedVMsReportAttributesAndL1FieldIsZero() throws {
        // §1.4: the L1 field (bits 15:0) is always 0; aliased VMs hold their L2 attributes with VALID;
        // non-aliased VMs read 0.
        var m = standardMachine()
        #expect(try m.attrWr(0x3000, slot(2, 0x8003), slot(2, 0x0003)).regs.rax == 0)
        let c = try m.attrRd(0x3000)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_8003_0000_0000)
    }

    @Test(arguments: [
        UInt64(1) << 47,  // SHARED bit (GPAW 48)
        UInt64(1) << 48,  // bits 51:48 with GPAW 48
        UInt64(0x1000) | 1 << 52,  // bits 63:52
        UInt64(1) << 63,
    ])
    func invalidGPAIsOperandInvalidRCXWithRCXAndRDXZero(gpa: UInt64) throws {
        // §1.4 / §12 E1: OPERAND_INVALID(RCX) = 0xC000010000000001; failure outputs RCX = RDX = 0.
        var m = standardMachine()
        let c = try m.td(TDG.attrRd, rcx: gpa, rdx: 0x1234_5678)
        #expect(c.completed)
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
    }

    @Test func gpaw52SharedBitIs51() throws {
        // §12 E1: SHARED = bit 51 with GPAW 52.
        var m = standardMachine(gpaw: .gpaw52)
        let c = try m.attrRd(1 << 51 | 0x1000)
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
        // The same page without SHARED reads normally.
        let ok = try m.attrRd(0x1000)
        #expect(ok.regs.rax == 0)
        #expect(ok.regs.rcx == 0x1000)
    }

    /// §1.4: a state outside row 23 → EPT-violation TD exit, exit qualification 0, no EEQ, GPA with bits
    /// 11:0 cleared; §12 O4: L1's registers are not written.
    private func expectBasicExit(_ m: inout Machine, gpa: UInt64) throws {
        let before = m.stateHash()
        let input = RegisterFile(rax: TDG.attrRd, rcx: gpa, rdx: 0x55, r8: 0x66)
        var regs = input
        let o = try m.tdcall(vcpu: 0, &regs)
        #expect(regs == input)
        if case .tdExit = o { m.reenterAfterFaultLikeExit() }
        #expect(m.stateHash() == before)
        guard case .tdExit(let e) = o else { Issue.record("expected TD exit for \(hex64(gpa)), got \(o)"); return }
        #expect(e.rax == 0x30)
        #expect(e.rcx == 0)
        #expect(e.rdx == 0)
        #expect(e.r8 == gpa & ~0xFFF)
        #expect(e.r9 == 0)
    }

    @Test func freePageTDExitsWithQualificationZero() throws {
        var m = standardMachine()
        try expectBasicExit(&m, gpa: 0x9ABC)  // FREE 4K entry
        try expectBasicExit(&m, gpa: 0x60_0123)  // FREE PDE (missing table)
        try expectBasicExit(&m, gpa: 0x4000_0FFF)  // FREE PDPTE
    }

    @Test func blockedAndPendingBlockedPagesTDExit() throws {
        // §1.4: BLOCKED and PENDING_BLOCKED are not in row 23.
        var m = standardMachine()
        #expect(m.host(TDH.block, rcx: 0x1000).rax == 0)
        try expectBasicExit(&m, gpa: 0x1010)
        #expect(m.host(TDH.block, rcx: 0x1_1000).rax == 0)
        try expectBasicExit(&m, gpa: 0x1_1FFF)
        #expect(m.host(TDH.block, rcx: 0x20_0001).rax == 0)
        try expectBasicExit(&m, gpa: 0x30_0008)
    }
}
