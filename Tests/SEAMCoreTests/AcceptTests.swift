import SEAMCore
import SEAMTypes
import Testing

// TDG.MEM.PAGE.ACCEPT (leaf 6). Expected values from the module's handler, tdx-module
// src/td_dispatcher/vm_exits/tdg_mem_page_accept.c (tdg_mem_page_accept: checks in order, the TD exit, success;
// check_tdaccept_failure: what a walk that stopped means), with src/td_dispatcher/vm_exits/td_other_exits.c
// (async_tdexit_ept_violation: the host's view of the TD exit, EEQ type 1), src/common/x86_defs/vmcs_defs.h
// (vmx_ext_exit_qual_t) and src/common/memory_handlers/sept_manager.h (sept_l2_unblock). Standard TD layout: see
// HandDerivedSupport.swift.
// Contents zeroing is not observable here: L1 cannot write a PENDING page (MemoryAccessTests covers a
// removed and re-accepted page reading zero).
@Suite struct AcceptTests {

    @Test func acceptUnblocksEveryAlias() throws {
        // tdg_mem_page_accept, sept_l2_unblock: success → MAPPED, every aliased L2 entry unblocked.
        var m = standardMachine()
        #expect(
            try m.attrWr(
                0x1_2000, slot(1, 0x8007) | slot(3, 0x8003),
                slot(1, 0x0007) | slot(3, 0x0003)
            ).regs.rax == 0)
        #expect(m.space.leaf(containing: 0x1_2000)?.l2Blocked == 0b101)
        let c = try m.accept(0x1_2000)
        #expect(c.completed)
        #expect(c.regs.rax == 0)
        let r = try #require(m.space.leaf(containing: 0x1_2000))
        #expect(r.state == .mapped)
        #expect(r.l2Blocked == 0)
        #expect(r.tdal == 0b101)
        let rd = try m.attrRd(0x1_2000)
        #expect(rd.regs.rax == 0)
        #expect(rd.regs.rcx == 0x1_2000)
        #expect(rd.regs.rdx == 0x8003_0000_8007_0000)
    }

    @Test func acceptWritesOnlyRAX() throws {
        // tdg_mem_page_accept: ACCEPT writes only RAX (success and failure).
        var m = standardMachine()
        var regs = RegisterFile(rax: TDG.accept, rcx: 0x1_0000, rdx: 0x1111, r8: 0x2222, r9: 0x3333)
        #expect(try m.tdcall(vcpu: 0, &regs) == .completed)
        #expect(regs == RegisterFile(rax: 0, rcx: 0x1_0000, rdx: 0x1111, r8: 0x2222, r9: 0x3333))
        regs = RegisterFile(rax: TDG.accept, rcx: 0x1_0000, rdx: 0x1111, r8: 0x2222, r9: 0x3333)
        #expect(try m.tdcall(vcpu: 0, &regs) == .completed)
        #expect(regs == RegisterFile(rax: 0x0000_0B0A_0000_0000, rcx: 0x1_0000, rdx: 0x1111, r8: 0x2222, r9: 0x3333))
    }

    @Test func acceptOf2MPendingPageMapsItAt2M() throws {
        var m = standardMachine()
        #expect(try m.accept(0x40_0001).regs.rax == 0)
        let r = try #require(m.space.leaf(containing: 0x40_0000))
        #expect(r.state == .mapped)
        #expect(r.level == .size2M)
        #expect(try m.attrRd(0x40_1000).regs.rcx == 0x40_0001)
    }

    @Test func alreadyAcceptedReportsTheLevelWhereTheLeafWasFound() throws {
        // check_tdaccept_failure: PAGE_ALREADY_ACCEPTED = 0x00000B0A00000000 + level of the guest-accessible leaf
        // found; for a 4K request inside an accepted 2M page that is 1.
        var m = standardMachine()
        #expect(try m.accept(0x1000).regs.rax == 0x0000_0B0A_0000_0000)
        #expect(try m.accept(0x20_1000).regs.rax == 0x0000_0B0A_0000_0001)
        #expect(try m.accept(0x20_0001).regs.rax == 0x0000_0B0A_0000_0001)
        #expect(try m.accept(0x1_0000).regs.rax == 0)
        #expect(try m.accept(0x1_0000).regs.rax == 0x0000_0B0A_0000_0000)
    }

    @Test func twoMRequestOver4KMappingIsPageSizeMismatch() throws {
        // check_tdaccept_failure: non-free non-leaf at the requested level → PAGE_SIZE_MISMATCH(requested level).
        var m = standardMachine()
        #expect(try m.accept(0x0001).regs.rax == 0xC000_0B0B_0000_0001)
    }

    @Test(
        arguments: [
            UInt64(0x4000_0002),  // level 2 (1G) rejected (tdg_mem_page_accept)
            0x4000_0003,  // level 3
            0x20_1001,  // 2M not aligned
            0x1_0008,  // reserved bit 3
            0x1_0000 | 1 << 52,  // bits 63:52
            1 << 47 | 0x1_0000,  // SHARED (GPAW 48)
            1 << 48,  // bits 51:48 with GPAW 48
        ] as [UInt64])
    func invalidPageInfoIsOperandInvalidRCX(rcx: UInt64) throws {
        var m = standardMachine()
        let before = m.stateHash()
        let c = try m.accept(rcx)
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        #expect(c.regs.rcx == rcx)  // only RAX is written
        #expect(m.stateHash() == before)
    }

    /// Runs ACCEPT expecting a TD exit (async_tdexit_ept_violation): RAX = 0x30, R9 = 0, R8 = requested GPA; L1's
    /// registers and the state untouched (a fault-like exit).
    private func expectAcceptExit(_ m: inout Machine, rcx: UInt64) throws -> TDExit {
        let e = try expectFaultLikeEPTExit(&m, RegisterFile(rax: TDG.accept, rcx: rcx))
        #expect(e.r8 == rcx & ~0xFFF)
        return e
    }

    @Test func freeEntryTDExitsWithEEQType1() throws {
        // FREE at the requested level (check_tdaccept_failure: not PENDING): err = req, state 0, not leaf;
        // RCX = 0x2.
        var m = standardMachine()
        var e = try expectAcceptExit(&m, rcx: 0x9000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_0000_0000_0001)
        #expect(e.eeq.kind == .accept)
        // 2M request on a FREE PDE: req 1, err 1 → info 0x9.
        e = try expectAcceptExit(&m, rcx: 0x60_0001)
        #expect(e.rdx == 0x0000_0009_0000_0001)
    }

    @Test func missingTableTDExitsAtTheStopLevel() throws {
        // The walk stops at a FREE table entry: 4K request, FREE PDE → err 1 (info 0x8); FREE PDPTE → err 2
        // (info 0x10).
        var m = standardMachine()
        var e = try expectAcceptExit(&m, rcx: 0x60_0000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_0008_0000_0001)
        e = try expectAcceptExit(&m, rcx: 0x4000_0000)
        #expect(e.rdx == 0x0000_0010_0000_0001)
    }

    @Test func pendingBlockedTDExitsWithState3Leaf() throws {
        // PENDING_BLOCKED at the requested level: err = req, state 3, leaf → info 0xC0 | 0x4000 = 0x40C0.
        var m = standardMachine()
        #expect(m.host(TDH.block, rcx: 0x1_3000).rax == 0)
        let e = try expectAcceptExit(&m, rcx: 0x1_3000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_40C0_0000_0001)
    }

    @Test func fourKInside2MPendingLeafTDExitsWithState2() throws {
        // The walk stops at a larger PENDING leaf: req 0, err 1, state 2, leaf → info 0x8 | 0x80 | 0x4000 = 0x4088;
        // R8 = the 4K GPA.
        var m = standardMachine()
        let e = try expectAcceptExit(&m, rcx: 0x40_1000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_4088_0000_0001)
        #expect(m.space.leaf(containing: 0x40_1000)?.state == .pending)
    }

    @Test func fourKInside2MPendingBlockedLeafTDExits() throws {
        // The walk stops at a larger PENDING_BLOCKED leaf: err 1, state 3, leaf → info 0x8 | 0xC0 | 0x4000
        // = 0x40C8.
        var m = standardMachine()
        #expect(m.host(TDH.block, rcx: 0x40_0001).rax == 0)
        let e = try expectAcceptExit(&m, rcx: 0x40_1000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_40C8_0000_0001)
    }

    @Test func blockedMappedPageTDExitsWithState1() throws {
        // check_tdaccept_failure: BLOCKED is not PENDING → TD exit; state 1, leaf; BLOCKED has RWX = 0 → RCX 0x2.
        var m = standardMachine()
        #expect(m.host(TDH.block, rcx: 0x2000).rax == 0)
        let e = try expectAcceptExit(&m, rcx: 0x2000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_4040_0000_0001)
    }
}
