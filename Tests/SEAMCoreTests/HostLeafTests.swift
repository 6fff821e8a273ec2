import SEAMCore
import SEAMTypes
import Testing

// Host SEAMCALLs against the TD. Expected values from the module's handlers, tdx-module
// src/vmm_dispatcher/api_calls/: tdh_mem_page_aug.c, tdh_mem_sept_add.c (process_l1_page, process_l2_pages,
// add_l1_and_l2_pages), tdh_mem_range_block.c (block_l2_sept_entry), tdh_mem_range_unblock.c, tdh_mem_track.c,
// tdh_mem_page_remove.c, tdh_mng_rd_wr.c; with src/common/memory_handlers/sept_manager.c/.h (the SEPT entry
// details a failure returns: set_arch_septe_details_in_vmm_regs, set_arch_l2_septe_details_in_vmm_regs;
// l2_sept_get_gpa_attr, sept_l2_unblock), include/auto_gen/sept_state_lookup.c (public states) and
// include/auto_gen/tdr_tdcs_fields_lookup.c (VM_CTLS). Standard TD layout: see HandDerivedSupport.swift.
@Suite struct HostLeafTests {

    // MARK: TDH.MEM.PAGE.AUG (tdh_mem_page_aug.c)

    @Test func augThenAcceptMapsThePage() throws {
        var m = standardMachine()
        let r = m.host(TDH.aug, rcx: 0x9000, r8: 0x3000_0000)
        #expect(r.rax == 0)
        #expect(r.rcx == 0)
        #expect(r.rdx == 0)
        let leaf = try #require(m.space.leaf(containing: 0x9000))
        #expect(leaf.state == .pending)
        #expect(leaf.level == .size4K)
        #expect(leaf.tdal == 0)
        #expect(try m.attrRd(0x9000).regs.rcx == 0x4000_0000_0000_9000)
        #expect(try m.accept(0x9000).regs.rax == 0)
        #expect(m.space.leaf(containing: 0x9000)?.state == .mapped)
        #expect(try m.attrRd(0x9000).regs.rcx == 0x9000)
        // 2M AUG on a FREE PDE, then a 2M ACCEPT.
        #expect(m.host(TDH.aug, rcx: 0x60_0001, r8: 0x4000_0000).rax == 0)
        #expect(m.space.leaf(containing: 0x60_0000)?.level == .size2M)
        #expect(try m.accept(0x60_0001).regs.rax == 0)
    }

    @Test func augErrorsCarrySEPTDetails() {
        var m = standardMachine()
        let before = m.stateHash()
        // Entry not FREE (MAPPED 4K) → EPT_ENTRY_STATE_INCORRECT(RCX); RDX = level 0 | state 0x04 << 8.
        var r = m.host(TDH.aug, rcx: 0x1000, r8: 0x3000_0000)
        #expect(r.rax == 0xC000_0B0D_0000_0001)
        #expect(r.rdx == 0x0000_0000_0000_0400)
        // 2M AUG on an NL_MAPPED PDE → EPT_ENTRY_STATE_INCORRECT(RCX); non-leaf RCX = R|W|X = 0x7, RDX =
        // level 1 | 0x84 << 8.
        r = m.host(TDH.aug, rcx: 0x0001, r8: 0x4000_0000)
        #expect(r.rax == 0xC000_0B0D_0000_0001)
        #expect(r.rcx == 0x7)
        #expect(r.rdx == 0x0000_0000_0000_8401)
        // 4K AUG inside a 2M MAPPED leaf → EPT_WALK_FAILED(RCX) at level 1 with the leaf's state 0x04.
        r = m.host(TDH.aug, rcx: 0x20_1000, r8: 0x3000_0000)
        #expect(r.rax == 0xC000_0B00_0000_0001)
        #expect(r.rdx == 0x0000_0000_0000_0401)
        // Missing PD: walk stops at the FREE level-2 entry: RCX = SVE only, RDX = level 2 | state 0.
        r = m.host(TDH.aug, rcx: 0x4000_0000, r8: 0x3000_0000)
        #expect(r.rax == 0xC000_0B00_0000_0001)
        #expect(r.rcx == 0x8000_0000_0000_0000)
        #expect(r.rdx == 0x0000_0000_0000_0002)
        // Level 2 → OPERAND_INVALID(RCX), RCX = RDX = 0.
        r = m.host(TDH.aug, rcx: 0x4000_0002, r8: 0x4000_0000)
        #expect(r.rax == 0xC000_0100_0000_0001)
        #expect(r.rcx == 0)
        #expect(r.rdx == 0)
        #expect(m.stateHash() == before)
    }

    // MARK: TDH.MEM.RANGE.BLOCK / UNBLOCK / TRACK (tdh_mem_range_block.c, tdh_mem_range_unblock.c, tdh_mem_track.c)

    @Test func blockOfAliasedMappedPageParksAliasPermissions() throws {
        var m = standardMachine()
        #expect(
            try m.attrWr(
                0x1000, slot(1, 0x8007) | slot(2, 0x8003),
                slot(1, 0x0007) | slot(2, 0x0003)
            ).regs.rax == 0)
        let r = m.host(TDH.block, rcx: 0x1000)
        #expect(r.rax == 0)
        #expect(r.rcx == 0)
        #expect(r.rdx == 0)
        let leaf = try #require(m.space.leaf(containing: 0x1000))
        #expect(leaf.state == .blocked)
        #expect(leaf.tdal == 0b011)
        #expect(leaf.l2Blocked == 0b011)
        #expect(leaf.attrs(vm: 1).rawValue == 0x8007)  // parked
        #expect(leaf.attrs(vm: 2).rawValue == 0x8003)
        // A second BLOCK: TDX_GPA_RANGE_ALREADY_BLOCKED + RCX (warning), RDX = level 0 | state 0x01 << 8.
        let again = m.host(TDH.block, rcx: 0x1000)
        #expect(again.rax == 0x0000_0B07_0000_0001)
        #expect(again.rdx == 0x0000_0000_0000_0100)
    }

    @Test func unblockNeedsTrackAndRestoresAliases() throws {
        var m = standardMachine()
        #expect(
            try m.attrWr(
                0x1000, slot(1, 0x8007) | slot(2, 0x8003),
                slot(1, 0x0007) | slot(2, 0x0003)
            ).regs.rax == 0)
        #expect(m.host(TDH.block, rcx: 0x1000).rax == 0)
        // tdh_mem_range_unblock.c: BEPOCH not tracked → TDX_TLB_TRACKING_NOT_DONE + SEPT_TREE (146 = 0x92).
        let r = m.host(TDH.unblock, rcx: 0x1000)
        #expect(r.rax == 0xC000_0B08_0000_0092)
        #expect(r.rcx == 0)
        #expect(r.rdx == 0)
        #expect(m.space.leaf(containing: 0x1000)?.state == .blocked)
        #expect(m.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == 0)
        let u = m.host(TDH.unblock, rcx: 0x1000)
        #expect(u.rax == 0)
        #expect(u.rcx == 0)
        #expect(u.rdx == 0)
        let leaf = try #require(m.space.leaf(containing: 0x1000))
        #expect(leaf.state == .mapped)
        #expect(leaf.l2Blocked == 0)
        let rd = try m.attrRd(0x1000)
        #expect(rd.regs.rcx == 0x1000)
        #expect(rd.regs.rdx == 0x0000_8003_8007_0000)
    }

    @Test func unblockOfAMappedPageIsEntryStateIncorrect() {
        // tdh_mem_range_unblock.c: only NL_BLOCKED, BLOCKED or PENDING_BLOCKED; details level 0, state 0x04.
        var m = standardMachine()
        let r = m.host(TDH.unblock, rcx: 0x2000)
        #expect(r.rax == 0xC000_0B0D_0000_0001)
        #expect(r.rdx == 0x0000_0000_0000_0400)
    }

    @Test func trackBeforeBlockDoesNotTrackTheBlock() {
        // tdh_mem_range_block.c, tdh_mem_track.c: the block's BEPOCH is the TD_EPOCH at BLOCK time; a TRACK must
        // follow the BLOCK.
        var m = standardMachine()
        #expect(m.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == 0)
        #expect(m.host(TDH.block, rcx: 0x2000).rax == 0)
        #expect(m.host(TDH.unblock, rcx: 0x2000).rax == 0xC000_0B08_0000_0092)
    }

    @Test func unblockOfPendingBlockedKeepsAliasesBlockedAndBlockLosesParkedPermissions() throws {
        // tdh_mem_range_block.c block_l2_sept_entry quirk: BLOCK of a PENDING page whose alias was made by ATTR.WR
        // copies the live zeros over the parked R/W/Xs/Xu; tdh_mem_range_unblock.c: UNBLOCK of PENDING_BLOCKED
        // leaves the aliases L2_BLOCKED; ACCEPT then unblocks them with R = W = Xs = Xu = 0 (sept_l2_unblock).
        // ATTR.RD of such an alias: VALID only (sept_manager.h l2_sept_get_gpa_attr).
        var m = standardMachine()
        #expect(try m.attrWr(0x1_1000, slot(1, 0x8007), slot(1, 0x0007)).regs.rax == 0)
        #expect(try m.attrRd(0x1_1000).regs.rdx == 0x0000_0000_8007_0000)
        #expect(m.host(TDH.block, rcx: 0x1_1000).rax == 0)
        var leaf = try #require(m.space.leaf(containing: 0x1_1000))
        #expect(leaf.state == .pendingBlocked)
        #expect(leaf.l2Blocked == 0b001)
        #expect(m.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == 0)
        #expect(m.host(TDH.unblock, rcx: 0x1_1000).rax == 0)
        leaf = try #require(m.space.leaf(containing: 0x1_1000))
        #expect(leaf.state == .pending)
        #expect(leaf.tdal == 0b001)
        #expect(leaf.l2Blocked == 0b001)
        var rd = try m.attrRd(0x1_1000)
        #expect(rd.regs.rcx == 0x4000_0000_0001_1000)
        #expect(rd.regs.rdx == 0x0000_0000_8000_0000)
        #expect(try m.accept(0x1_1000).regs.rax == 0)
        leaf = try #require(m.space.leaf(containing: 0x1_1000))
        #expect(leaf.l2Blocked == 0)
        #expect(leaf.tdal == 0b001)
        rd = try m.attrRd(0x1_1000)
        #expect(rd.regs.rcx == 0x1_1000)
        #expect(rd.regs.rdx == 0x0000_0000_8000_0000)
    }

    // MARK: TDH.MEM.PAGE.REMOVE (tdh_mem_page_remove.c)

    @Test func removeNeedsBlockThenTrackAndRemovesAliases() throws {
        var m = standardMachine()
        #expect(
            try m.attrWr(
                0x3000, slot(1, 0x8007) | slot(3, 0x8003),
                slot(1, 0x0007) | slot(3, 0x0003)
            ).regs.rax == 0)
        // Not blocked → TDX_GPA_RANGE_NOT_BLOCKED + RCX, details level 0 | state 0x04.
        var r = m.host(TDH.remove, rcx: 0x3000)
        #expect(r.rax == 0xC000_0B06_0000_0001)
        #expect(r.rdx == 0x0000_0000_0000_0400)
        #expect(m.host(TDH.block, rcx: 0x3000).rax == 0)
        // Blocked, not tracked → TDX_TLB_TRACKING_NOT_DONE + RCX.
        r = m.host(TDH.remove, rcx: 0x3000)
        #expect(r.rax == 0xC000_0B08_0000_0001)
        #expect(m.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == 0)
        r = m.host(TDH.remove, rcx: 0x3000)
        #expect(r.rax == 0)
        #expect(r.rdx == 0)
        #expect(m.space.leaf(containing: 0x3000) == nil)
        // The page is FREE now: ATTR.RD TD-exits (tdg_mem_page_attr_rd.c).
        #expect(try m.attrRd(0x3000).exit?.r8 == 0x3000)
        // Re-AUG: no alias survived the removal (every alias → L2_FREE).
        #expect(m.host(TDH.aug, rcx: 0x3000, r8: 0x3000_0000).rax == 0)
        let rd = try m.attrRd(0x3000)
        #expect(rd.regs.rcx == 0x4000_0000_0000_3000)
        #expect(rd.regs.rdx == 0)
        #expect(m.space.leaf(containing: 0x3000)?.tdal == 0)
    }

    @Test func removeErrors() {
        var m = standardMachine()
        // FREE entry → EPT_ENTRY_STATE_INCORRECT(RCX); FREE details: RCX = SVE only, RDX = level 0 | state 0.
        var r = m.host(TDH.remove, rcx: 0x9000)
        #expect(r.rax == 0xC000_0B0D_0000_0001)
        #expect(r.rcx == 0x8000_0000_0000_0000)
        #expect(r.rdx == 0)
        // Non-leaf (NL_MAPPED PDE) at the requested 2M level → EPT_ENTRY_STATE_INCORRECT(RCX), RDX 0x8401.
        r = m.host(TDH.remove, rcx: 0x0001)
        #expect(r.rax == 0xC000_0B0D_0000_0001)
        #expect(r.rcx == 0x7)
        #expect(r.rdx == 0x0000_0000_0000_8401)
        // Level 3 → OPERAND_INVALID(RCX) (levels 0..2).
        r = m.host(TDH.remove, rcx: 0x3)
        #expect(r.rax == 0xC000_0100_0000_0001)
    }

    @Test func removeOfABlockedPending2MPage() {
        var m = standardMachine()
        m.blockAndTrack(0x40_0001)
        #expect(m.host(TDH.remove, rcx: 0x40_0001).rax == 0)
        #expect(m.space.leaf(containing: 0x40_0000) == nil)
    }

    // MARK: TDH.MEM.SEPT.ADD (tdh_mem_sept_add.c)

    @Test func septAddV1L2PagesMakeAliasCreationSucceed() throws {
        // Top-down: each SEPT.ADD v1 for VM1 moves ATTR.WR's L2 stop level down by one (helpers.c
        // l2_sept_walk_guest_side).
        var m = standardMachine(l2SEPT: .onDemand)
        #expect(try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 0x0007)).regs.rax == 0xC000_0B0F_0001_0003)
        for (level, stopAfter) in [(UInt64(3), UInt64(2)), (2, 1)] {
            // R8 = NULL_PA: the L1 table exists (version 1 allows that); R9 = VM1's new L2 page.
            let r = m.host(
                TDH.septAdd | TDH.v1, rcx: level, r8: TDH.nullPA, r9: 0x5000_0000 + level << 12,
                r10: TDH.nullPA, r11: TDH.nullPA)
            #expect(r.rax == 0, "level \(level)")
            #expect(r.rcx == 0)
            #expect(r.rdx == 0)
            #expect(r.r8 == TDH.nullPA)
            #expect(r.r9 == TDH.nullPA)  // consumed
            #expect(r.r10 == TDH.nullPA)
            #expect(r.r11 == TDH.nullPA)
            #expect(
                try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 0x0007)).regs.rax
                    == 0xC000_0B0F_0001_0000 | stopAfter)
        }
        #expect(
            m.host(
                TDH.septAdd | TDH.v1, rcx: 1, r8: TDH.nullPA, r9: 0x5000_1000,
                r10: TDH.nullPA, r11: TDH.nullPA
            ).rax == 0)
        let c = try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 0x0007))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_0000_8007_0000)
        #expect(m.space.leaf(containing: 0x1000)?.tdal == 0b001)
        // VM2 still has no L2 tables.
        #expect(try m.attrWr(0x1000, slot(2, 0x8007), slot(2, 0x0007)).regs.rax == 0xC000_0B0F_0002_0003)
    }

    @Test func septAddV1AllowExistingMarksSkippedPagesWithBit63() {
        // tdh_mem_sept_add.c: ALLOW_EXISTING = RDX bit 0; a page skipped because its entry exists returns with
        // bit 63 set; a consumed page returns NULL_PA.
        var m = standardMachine(l2SEPT: .onDemand)
        #expect(
            m.host(
                TDH.septAdd | TDH.v1, rcx: 3, r8: TDH.nullPA, r9: 0x5000_0000,
                r10: TDH.nullPA, r11: TDH.nullPA
            ).rax == 0)
        let r = m.host(
            TDH.septAdd | TDH.v1, rcx: 3, rdx: TDH.tdr | 1, r8: 0x6000_0000, r9: 0x6000_1000,
            r10: 0x6000_2000, r11: TDH.nullPA)
        #expect(r.rax == 0)
        #expect(r.r8 == 0x8000_0000_6000_0000)
        #expect(r.r9 == 0x8000_0000_6000_1000)
        #expect(r.r10 == TDH.nullPA)
        #expect(r.r11 == TDH.nullPA)
    }

    @Test func septAddV1ExistingL2EntryWithoutAllowExistingIsL2EntryNotFree() {
        // tdh_mem_sept_add.c process_l2_pages, the L2 entry already exists: TDX_L2_SEPT_ENTRY_NOT_FREE, hi = vm,
        // lo = level; L2 details (set_arch_l2_septe_details_in_vmm_regs): a non-leaf keeps R, W, X (bits 2:0) and
        // Xu (bit 10, x86_defs.h l2_encoding) → L2_NL_MAPPED = 0x407; RDX level 3, vm 1 in bits 17:16.
        var m = standardMachine(l2SEPT: .onDemand)
        #expect(
            m.host(
                TDH.septAdd | TDH.v1, rcx: 3, r8: TDH.nullPA, r9: 0x5000_0000,
                r10: TDH.nullPA, r11: TDH.nullPA
            ).rax == 0)
        let before = m.stateHash()
        let r = m.host(
            TDH.septAdd | TDH.v1, rcx: 3, r8: TDH.nullPA, r9: 0x6000_0000,
            r10: TDH.nullPA, r11: TDH.nullPA)
        #expect(r.rax == 0xC000_0B10_0001_0003)
        #expect(r.rcx == 0x407)
        #expect(r.rdx & 0x3_0007 == 0x1_0003)
        #expect(r.r9 == 0x6000_0000)
        #expect(m.stateHash() == before)
    }

    @Test func septAddV1LowerLevelFirstIsL2SEPTWalkFailed() {
        // tdh_mem_sept_add.c process_l2_pages, its L2 walk: to level 1 it stops at the FREE level-3 entry of
        // VM1's root: L2_SEPT_WALK_FAILED hi 1 lo 3; L2 details: FREE → RCX = bit 63 only; RDX = level 3 |
        // L2_FREE 0x40 << 8 | vm 1 << 16 = 0x14003. Nothing consumed: outputs = inputs.
        var m = standardMachine(l2SEPT: .onDemand)
        let before = m.stateHash()
        let r = m.host(
            TDH.septAdd | TDH.v1, rcx: 1, r8: TDH.nullPA, r9: 0x5000_0000,
            r10: TDH.nullPA, r11: TDH.nullPA)
        #expect(r.rax == 0xC000_0B0F_0001_0003)
        #expect(r.rcx == 0x8000_0000_0000_0000)
        #expect(r.rdx == 0x0000_0000_0001_4003)
        #expect(r.r8 == TDH.nullPA)
        #expect(r.r9 == 0x5000_0000)
        #expect(m.stateHash() == before)
    }

    @Test func septAddVersion2IsOperandInvalidRAXAndLeavesR8ToR11() {
        // tdh_mem_sept_add: RCX and RDX are zeroed, version > 1 → OPERAND_INVALID(RAX); R8-R11 not
        // written.
        var m = standardMachine(l2SEPT: .onDemand)
        let r = m.host(
            TDH.septAdd | 2 << 16, rcx: 3, r8: 0x1234_5000, r9: 0x5000_0000, r10: 0x5000_1000,
            r11: 0x5000_2000)
        #expect(r.rax == 0xC000_0100_0000_0000)
        #expect(r.rcx == 0)
        #expect(r.rdx == 0)
        #expect(r.r8 == 0x1234_5000)
        #expect(r.r9 == 0x5000_0000)
        #expect(r.r10 == 0x5000_1000)
        #expect(r.r11 == 0x5000_2000)
    }

    @Test func septAddL2PageForAVMAboveNumL2VMsIsOperandInvalidR8PlusVM() {
        // tdh_mem_sept_add.c process_l2_pages: vm > NUM_L2_VMS → OPERAND_INVALID, operand R8 + vm.
        var m = standardMachine(numL2VMs: 1, l2SEPT: .onDemand)
        let before = m.stateHash()
        var r = m.host(
            TDH.septAdd | TDH.v1, rcx: 3, r8: TDH.nullPA, r9: TDH.nullPA, r10: 0x5000_0000,
            r11: TDH.nullPA)
        #expect(r.rax == 0xC000_0100_0000_000A)
        #expect(r.rcx == 0)
        #expect(r.rdx == 0)
        #expect(r.r10 == 0x5000_0000)
        r = m.host(
            TDH.septAdd | TDH.v1, rcx: 3, r8: TDH.nullPA, r9: TDH.nullPA, r10: TDH.nullPA,
            r11: 0x5000_0000)
        #expect(r.rax == 0xC000_0100_0000_000B)
        #expect(m.stateHash() == before)
    }

    @Test func septAddOtherErrors() {
        var m = standardMachine()
        // Version 0 with R8 = NULL_PA → OPERAND_INVALID(R8).
        #expect(m.host(TDH.septAdd, rcx: 0x60_0001, r8: TDH.nullPA).rax == 0xC000_0100_0000_0008)
        // Level 0 and level 4 (4-level EPT allows 1..3) → OPERAND_INVALID(RCX).
        #expect(m.host(TDH.septAdd, rcx: 0x9000, r8: 0x3000_0000).rax == 0xC000_0100_0000_0001)
        #expect(m.host(TDH.septAdd, rcx: 0x4, r8: 0x3000_0000).rax == 0xC000_0100_0000_0001)
        // RDX reserved bit 1 → OPERAND_INVALID(RDX).
        #expect(
            m.host(TDH.septAdd, rcx: 0x60_0001, rdx: TDH.tdr | 2, r8: 0x3000_0000).rax
                == 0xC000_0100_0000_0002)
        // Existing L1 table, ALLOW_EXISTING = 0 → EPT_ENTRY_STATE_INCORRECT(RCX); NL_MAPPED details:
        // RCX = 0x7, RDX = level 1 | 0x84 << 8.
        var r = m.host(TDH.septAdd, rcx: 0x0001, r8: 0x3000_0000)
        #expect(r.rax == 0xC000_0B0D_0000_0001)
        #expect(r.rcx == 0x7)
        #expect(r.rdx == 0x0000_0000_0000_8401)
        // A leaf (2M MAPPED) at the level → EPT_ENTRY_STATE_INCORRECT(RCX), RDX = level 1 | 0x04 << 8.
        r = m.host(TDH.septAdd, rcx: 0x20_0001, r8: 0x3000_0000)
        #expect(r.rax == 0xC000_0B0D_0000_0001)
        #expect(r.rdx == 0x0000_0000_0000_0401)
        // Version 0 success on a FREE PDE: RCX = RDX = 0 and R8 not written.
        r = m.host(TDH.septAdd, rcx: 0x60_0001, r8: 0x3000_0000)
        #expect(r.rax == 0)
        #expect(r.rcx == 0)
        #expect(r.rdx == 0)
        #expect(r.r8 == 0x3000_0000)
    }

    // MARK: TDH.MNG.WR of VM_CTLS (tdh_mng_rd_wr.c; td_control_structures.h vm_ctls_t)

    @Test func mngWrOfVMCtlsSwitchesAttrWrWalkFailureToATDExit() throws {
        var m = standardMachine(l2SEPT: .onDemand)
        #expect(vmCtls(m) == [0, 0, 0, 0])  // default 0 (vm_ctls_t)
        var r = m.host(TDH.mngWr, rcx: TDH.tdr, rdx: 0x9110_0003_0000_0013, r8: 1, r9: 1)
        #expect(r.rax == 0)
        #expect(r.r8 == 0)  // old value
        #expect(r.rdx == 0x9110_0003_0000_0013)  // RDX untouched
        #expect(m.vmCtls[1] == 1)
        // EEQ type 2, err level 3, vm 1 → info = 0x18 | 1 << 20 = 0x100018.
        let e = try #require(try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 0x0007)).exit)
        #expect(e.rax == 0x30)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0010_0018_0000_0002)
        #expect(e.r8 == 0x1000)
        // Clear it again: R8 returns the old value 1.
        r = m.host(TDH.mngWr, rcx: TDH.tdr, rdx: 0x9110_0003_0000_0013, r8: 0, r9: 1)
        #expect(r.rax == 0)
        #expect(r.r8 == 1)
        #expect(try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 0x0007)).regs.rax == 0xC000_0B0F_0001_0003)
    }

    @Test func mngWrOfVMCtlsMaskAndValueChecks() {
        var m = standardMachine()
        // Write mask without bit 0 → FIELD_NOT_WRITABLE, R8 = 0.
        var r = m.host(TDH.mngWr, rcx: TDH.tdr, rdx: 0x9110_0003_0000_0014, r8: 1, r9: 2)
        #expect(r.rax == 0xC000_0C01_0000_0000)
        #expect(r.r8 == 0)
        // Mask covers bit 1 and R8 bit 1 differs from the current 0 → FIELD_VALUE_NOT_VALID, R8 = 0.
        r = m.host(TDH.mngWr, rcx: TDH.tdr, rdx: 0x9110_0003_0000_0014, r8: 3, r9: 3)
        #expect(r.rax == 0xC000_0C03_0000_0000)
        #expect(r.r8 == 0)
        #expect(m.vmCtls[2] == 0)
        // Full mask, bits 63:1 equal to the current value → success, only bit 0 updated.
        r = m.host(TDH.mngWr, rcx: TDH.tdr, rdx: 0x9110_0003_0000_0014, r8: 1, r9: ~0)
        #expect(r.rax == 0)
        #expect(m.vmCtls[2] == 1)
        // VM3 via field 0x...15.
        #expect(m.host(TDH.mngWr, rcx: TDH.tdr, rdx: 0x9110_0003_0000_0015, r8: 1, r9: 1).rax == 0)
        #expect(m.vmCtls[3] == 1)
        // VM0 (0x...12): succeeds (no VM-index check).
        #expect(m.host(TDH.mngWr, rcx: TDH.tdr, rdx: 0x9110_0003_0000_0012, r8: 1, r9: 1).rax == 0)
    }
}

/// TD build phase (TDCS OP_STATE): tdx-module src/vmm_dispatcher/api_calls/tdh_mem_page_add.c (PAGE.ADD only
/// before TDH.MR.FINALIZE), tdh_mem_page_remove.c (REMOVE needs BLOCK → TRACK only once the TD runs).
@Suite struct OpStateTests {
    /// A TD not yet finalized, with the paging pages for 0x100000 in place.
    func initializedMachine() -> Machine {
        var m = Machine(numL2VMs: 1)
        var hpa: UInt64 = 0x20_0000_0000
        BuiltInHost.addTables(&m, gpa: 0x10_0000, above: .size4K, l2: true, hpa: &hpa)
        return m
    }

    @Test func pageAddIsRefusedOnceTheTDIsFinalized() {
        var m = initializedMachine()
        #expect(m.host(TDH.pageAdd, rcx: 0x10_0000, r8: 0x30_0000_0000, r9: 0x30_0000_0000).rax == St.success)
        #expect(m.host(TDH.finalize).rax == St.success)
        #expect(m.opState == .runnable)
        #expect(m.host(TDH.pageAdd, rcx: 0x10_1000, r8: 0x30_0000_0000, r9: 0x30_0000_0000).rax == St.opStateIncorrect)
        #expect(m.host(TDH.finalize).rax == St.opStateIncorrect)
    }

    @Test func beforeFinalizeAMappedPageIsRemovedWithoutBlockOrTrack() {
        var m = initializedMachine()
        #expect(m.host(TDH.pageAdd, rcx: 0x10_0000, r8: 0x30_0000_0000, r9: 0x30_0000_0000).rax == St.success)
        #expect(m.host(TDH.remove, rcx: 0x10_0000).rax == St.success)
        #expect(m.space.leaf(containing: 0x10_0000) == nil)
    }

    @Test func aConfiguredTDIsFinalized() {
        #expect(standardMachine().opState == .runnable)
    }

    /// `"finalize": false` leaves the TD INITIALIZED with its 4K mapped pages added (PAGE.ADD allowed only
    /// then) and its pending ones AUGed (allowed in INITIALIZED and RUNNABLE by the module's op-state table);
    /// no vCPU may be entered before TDH.MR.FINALIZE (TDH.VP.ENTER allowed from RUNNABLE on).
    @Test func anUnfinalizedConfigWaitsForTheHostsFinalize() throws {
        var config = MachineConfig(
            numL2VMs: 1,
            memory: [
                .init(gpa: 0x10_0000, size: 0x1000, state: .mapped),
                .init(gpa: 0x10_1000, size: 0x1000, state: .pending),
            ])
        config.finalize = false
        var m = Machine(config: config)
        #expect(m.opState == .initialized)
        #expect(m.space.leaf(containing: 0x10_0000)?.state == .mapped)
        #expect(m.space.leaf(containing: 0x10_1000)?.state == .pending)
        #expect(m.host(TDH.vpEnter, rcx: Machine.tdvpr(vcpu: 0)).rax == St.opStateIncorrect)
        #expect(m.host(TDH.pageAdd, rcx: 0x10_2000, r8: 0x30_0000_0000, r9: 0x30_0000_0000).rax == St.success)
        #expect(m.host(TDH.finalize).rax == St.success)
        #expect(m.host(TDH.vpEnter, rcx: Machine.tdvpr(vcpu: 0)).rax == St.success)
    }
}
