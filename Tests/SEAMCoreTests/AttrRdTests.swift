import SEAMCore
import SEAMTypes
import Testing

// TDG.MEM.PAGE.ATTR.RD (leaf 23). Expected values from the module's handler, tdx-module
// src/td_dispatcher/vm_exits/tdg_mem_page_attr_rd.c (tdg_mem_page_attr_rd, basic_ept_violation_exit), with
// include/auto_gen/sept_state_lookup.c (tdcall_sept_state_lookup row 23), src/common/helpers/helpers.c
// (check_gpa_validity), src/common/memory_handlers/sept_manager.h (sept_get_gpa_attr, l2_sept_get_gpa_attr) and
// include/tdx_api_defs.h (gpa_attr_t). Layout of the standard TD: see `standardConfig` in HandDerivedSupport.swift.
@Suite struct AttrRdTests {

    @Test func mappedPageReportsAlignedGPAAndLevelWithNoAliases() throws {
        // tdg_mem_page_attr_rd: RCX = GPA aligned to the leaf | level; bits 11:0 of the input are ignored.
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
        // tdg_mem_page_attr_rd: PENDING in bit 62.
        var m = standardMachine()
        var c = try m.attrRd(0x1_2345)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x4000_0000_0001_2000)
        c = try m.attrRd(0x5F_FFFF)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x4000_0000_0040_0001)
    }

    @Test func onlyAliasedVMsReportAttributesAndL1FieldIsZero() throws {
        // sept_get_gpa_attr: the L1 field (bits 15:0) is always 0; l2_sept_get_gpa_attr: aliased VMs hold their L2
        // attributes with VALID; non-aliased VMs read 0.
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
        // check_gpa_validity: OPERAND_INVALID(RCX) = 0xC000010000000001; failure outputs RCX = RDX = 0
        // (tdg_mem_page_attr_rd).
        var m = standardMachine()
        let c = try m.td(TDG.attrRd, rcx: gpa, rdx: 0x1234_5678)
        #expect(c.completed)
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
    }

    @Test func gpaw52SharedBitIs51() throws {
        // check_gpa_validity: SHARED = bit 51 with GPAW 52.
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

    /// basic_ept_violation_exit: a state outside row 23 → EPT-violation TD exit, exit qualification 0, no EEQ, GPA
    /// with bits 11:0 cleared; a fault-like exit: L1's registers are not written.
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
        // tdcall_sept_state_lookup: BLOCKED and PENDING_BLOCKED are not in row 23.
        var m = standardMachine()
        #expect(m.host(TDH.block, rcx: 0x1000).rax == 0)
        try expectBasicExit(&m, gpa: 0x1010)
        #expect(m.host(TDH.block, rcx: 0x1_1000).rax == 0)
        try expectBasicExit(&m, gpa: 0x1_1FFF)
        #expect(m.host(TDH.block, rcx: 0x20_0001).rax == 0)
        try expectBasicExit(&m, gpa: 0x30_0008)
    }
}
