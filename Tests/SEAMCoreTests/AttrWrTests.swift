import SEAMCore
import SEAMTypes
import Testing

// TDG.MEM.PAGE.ATTR.WR (leaf 24). Expected values are hand-derived from the module's handler, tdx-module
// src/td_dispatcher/vm_exits/tdg_mem_page_attr_wr.c (tdg_mem_page_attr_wr: input checks, L1 walk, "Step 3: Commit",
// return values; get_all_l2_sept_entries: the per-VM merge and L2 walk; ext_ept_violation_exit: the L2 walk's TD
// exit), with src/common/helpers/helpers.c (check_gpa_validity, verify_page_info_input, l2_sept_walk_guest_side),
// src/common/helpers/helpers.h (is_gpa_attr_legal), src/td_dispatcher/vm_exits/td_other_exits.c
// (async_tdexit_ept_violation: the L1-side TD exits, EEQ type 5) and src/common/data_structures/
// td_control_structures.h (vm_ctls_t).
// Layout of the standard TD: see `standardConfig` in HandDerivedSupport.swift.
@Suite struct AttrWrTests {

    // MARK: Input checks (tdg_mem_page_attr_wr, in its order)

    @Test func rdxVM0FieldIsRejectedBeforeR8VM0Field() throws {
        // tdg_mem_page_attr_wr: VM0: RDX field non-zero → OPERAND_INVALID(RDX), else R8 field non-zero →
        // OPERAND_INVALID(R8).
        // Other failures: RCX = RDX = 0.
        var m = standardMachine()
        var c = try m.attrWr(0x1000, 0x0001, 0x0001)
        #expect(c.regs.rax == 0xC000_0100_0000_0002)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
        c = try m.attrWr(0x1000, 0, 0x0001)
        #expect(c.regs.rax == 0xC000_0100_0000_0008)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
    }

    @Test func vm0R8CheckComesBeforeVM1RDXCheck() throws {
        // tdg_mem_page_attr_wr: checks run per VM in order 0, 1, 2, 3; VM0's R8 (INVEPT bit for L1) fails before VM1's
        // RDX field (non-zero without VALID) is looked at.
        var m = standardMachine()
        let c = try m.attrWr(0x1000, slot(1, 0x0001), 0x8000)
        #expect(c.regs.rax == 0xC000_0100_0000_0008)
    }

    @Test func existingVMFieldWithoutValidIsOperandInvalidRDX() throws {
        // tdg_mem_page_attr_wr: existing L2 VM, field non-zero with VALID (bit 15) = 0 → OPERAND_INVALID(RDX).
        var m = standardMachine()
        for vm in 1...3 {
            let c = try m.attrWr(0x1000, slot(vm, 0x0007), slot(vm, 0x0007))
            #expect(c.regs.rax == 0xC000_0100_0000_0002, "vm \(vm)")
            #expect(c.regs.rcx == 0)
            #expect(c.regs.rdx == 0)
        }
    }

    @Test func nonExistentVMFieldsAreCheckedInVMOrderRDXBeforeR8() throws {
        // tdg_mem_page_attr_wr with NUM_L2_VMS = 1: VMs 2 and 3 do not exist, their RDX and R8 fields must be 0.
        var m = standardMachine(numL2VMs: 1)
        // VM2 RDX non-zero (even with VALID) → RDX.
        #expect(try m.attrWr(0x1000, slot(2, 0x8001), 0).regs.rax == 0xC000_0100_0000_0002)
        // VM2 R8 non-zero with RDX clean → R8.
        #expect(try m.attrWr(0x1000, 0, slot(2, 0x0001)).regs.rax == 0xC000_0100_0000_0008)
        // VM2's R8 is checked before VM3's RDX.
        #expect(try m.attrWr(0x1000, slot(3, 0x8001), slot(2, 0x0001)).regs.rax == 0xC000_0100_0000_0008)
        // VM1's RDX (no VALID) is checked before VM2's R8.
        #expect(try m.attrWr(0x1000, slot(1, 0x0001), slot(2, 0x0001)).regs.rax == 0xC000_0100_0000_0002)
        // VM3 INVEPT alone → R8.
        #expect(try m.attrWr(0x1000, 0, slot(3, 0x8000)).regs.rax == 0xC000_0100_0000_0008)
    }

    @Test func r8FieldOfExistingVMIsNeverValidated() throws {
        // tdg_mem_page_attr_wr checks no R8 field of an existing L2 VM: any 15-bit mask is accepted (reserved bits
        // and SVE included).
        // RDX VM1 = 0 → VM1 skipped; success with RCX = input, RDX = input (0).
        var m = standardMachine()
        let c = try m.attrWr(0x1000, 0, slot(1, 0x7FFF))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x1000)
        #expect(c.regs.rdx == 0)
    }

    @Test func rdxAndR8ChecksComeBeforeAnyRCXCheck() throws {
        // tdg_mem_page_attr_wr: the RDX and R8 checks all come before any RCX check, so an invalid RCX with a bad
        // RDX reports RDX.
        var m = standardMachine()
        #expect(try m.attrWr(0x1003, 0x0001, 0).regs.rax == 0xC000_0100_0000_0002)
        #expect(try m.attrWr(1 << 47, 0, 0x0001).regs.rax == 0xC000_0100_0000_0008)
    }

    @Test(
        arguments: [
            UInt64(0x1003),  // level 3: only 0, 1, 2 allowed (verify_page_info_input)
            0x1001,  // 2M request, GPA not 2M-aligned (verify_page_info_input)
            0x20_0002,  // 1G request, GPA not 1G-aligned
            0x1008,  // reserved bit 3 (bits 11:3 reserved)
            0x1800,  // reserved bit 11
            0x1000 | 1 << 52,  // bits 63:52 reserved
            1 << 47,  // SHARED bit with GPAW 48 (check_gpa_validity)
            1 << 48,  // bits 51:48 with GPAW 48
        ] as [UInt64])
    func invalidPageInfoIsOperandInvalidRCX(rcx: UInt64) throws {
        // verify_page_info_input, check_gpa_validity: page-info and GPA checks → OPERAND_INVALID(RCX) =
        // 0xC000010000000001; RCX = RDX = 0.
        var m = standardMachine()
        let before = m.stateHash()
        let c = try m.attrWr(rcx, slot(1, 0x8007), slot(1, 0x0007))
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
        #expect(m.stateHash() == before)
    }

    @Test func gpaw52MovesTheSharedBitTo51() throws {
        // check_gpa_validity: SHARED is bit 51 when GPAW = 1; bits 51:48 are then ordinary GPA bits.
        var m = standardMachine(gpaw: .gpaw52)
        let c = try m.attrWr(1 << 51, slot(1, 0x8001), slot(1, 0x0001))
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        // 1 << 48 passes the RCX checks; the 5-level L1 walk stops at the FREE level-4 entry → TD exit
        // (async_tdexit_ept_violation after the failed L1 walk): EEQ type 5, req 0, err level 4, state 0, not leaf
        // → info 4 << 3 = 0x20.
        let e = try #require(try m.attrWr(1 << 48, slot(1, 0x8001), slot(1, 0x0001)).exit)
        #expect(e.rax == 0x30)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_0020_0000_0005)
        #expect(e.r8 == 1 << 48)
    }

    // MARK: Merge, VALID gating, INVEPT bit (get_all_l2_sept_entries)

    @Test func aliasedVMMergesCurrentAndInputUnderMask() throws {
        // get_all_l2_sept_entries: aliased VM: new = (current & ~mask) | (input & mask), mask bit 15 forced to 1.
        var m = standardMachine()
        var c = try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 0x0007))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_0000_8007_0000)
        // current 0x8007, input 0x8001, mask 0x0002|0x8000 → (0x8007 & ~0x8002) | (0x8001 & 0x8002) = 0x8005.
        c = try m.attrWr(0x1000, slot(1, 0x8001), slot(1, 0x0002))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x1000)
        #expect(c.regs.rdx == 0x0000_0000_8005_0000)
        #expect(try m.attrRd(0x1000).regs.rdx == 0x0000_0000_8005_0000)
        // current 0x8005, input 0x800A, mask 0x000A → 0x0005 | 0x800A = 0x800F.
        c = try m.attrWr(0x1000, slot(1, 0x800A), slot(1, 0x000A))
        #expect(c.regs.rdx == 0x0000_0000_800F_0000)
        #expect(try m.attrRd(0x1000).regs.rdx == 0x0000_0000_800F_0000)
        #expect(m.space.leaf(containing: 0x1000)?.attrs(vm: 1).rawValue == 0x800F)
    }

    @Test func vmWithoutValidIsUntouchedEvenWithAMask() throws {
        // get_all_l2_sept_entries: a VM is skipped unless its input VALID bit is 1, whatever its R8 mask says.
        var m = standardMachine()
        #expect(try m.attrWr(0x2000, slot(2, 0x8003), slot(2, 0x0003)).regs.rax == 0)
        let c = try m.attrWr(0x2000, slot(1, 0x8001), slot(1, 0x0001) | slot(2, 0x000F))
        #expect(c.regs.rax == 0)
        // Output: VM1 created with 0x8001; VM2 not named → 0 (tdg_mem_page_attr_wr's return values).
        #expect(c.regs.rdx == 0x0000_0000_8001_0000)
        // VM2 still 0x8003.
        #expect(try m.attrRd(0x2000).regs.rdx == 0x0000_8003_8001_0000)
    }

    @Test func maskBit15IsInveptNotAnAttributeMaskBit() throws {
        // attr_flags_t: R8 bit 15 of each field is INVEPT; VALID always comes from RDX (get_all_l2_sept_entries).
        var m = standardMachine()
        #expect(try m.attrWr(0x3000, slot(1, 0x8007), slot(1, 0x0007)).regs.rax == 0)
        #expect(flushes(m) == [0, 0, 0, 0])
        // R8 VM1 = 0x8000: mask 0 (only the forced VALID), INVEPT. new = (0x8007 & ~0x8000) | 0x8000 = 0x8007.
        var c = try m.attrWr(0x3000, slot(1, 0x8001), slot(1, 0x8000))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_0000_8007_0000)
        #expect(flushes(m) == [0, 1, 0, 0])
        // R8 VM1 = 0x7FFF: every mask bit, no INVEPT. new = 0x8001, no flush.
        c = try m.attrWr(0x3000, slot(1, 0x8001), slot(1, 0x7FFF))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_0000_8001_0000)
        #expect(flushes(m) == [0, 1, 0, 0])
    }

    // MARK: Legality and PAGE_ATTR_INVALID (is_gpa_attr_legal, get_all_l2_sept_entries)

    @Test(arguments: [
        (UInt16(0x8002), UInt16(0x0002)),  // W without R
        (0x8024, 0x0024),  // PWA without R (Xs present)
        (0x8081, 0x0081),  // SVE
        (0x8101, 0x0101),  // reserved bit 8
        (0xC001, 0x4001),  // reserved bit 14
    ])
    func illegalNewAliasIsPageAttrInvalidAndCommitsNothing(input: UInt16, mask: UInt16) throws {
        // is_gpa_attr_legal; get_all_l2_sept_entries: PAGE_ATTR_INVALID = 0xC0000B1100000000, RCX = 0, an illegal
        // VM shows its current attributes (0: not aliased), unnamed VMs 0. Nothing is committed.
        var m = standardMachine()
        let before = m.stateHash()
        let c = try m.attrWr(0x2000, slot(1, UInt64(input)), slot(1, UInt64(mask)))
        #expect(c.regs.rax == 0xC000_0B11_0000_0000)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
        #expect(m.stateHash() == before)
        #expect(m.space.leaf(containing: 0x2000)?.tdal == 0)
    }

    @Test func pageAttrInvalidShowsCurrentForIllegalAndNewForLegalVMs() throws {
        // get_all_l2_sept_entries: illegal VM → current attributes; legal named VM → new uncommitted value;
        // VMs not named → 0 even when aliased. No INVEPT on failure (it is part of "Step 3: Commit").
        var m = standardMachine()
        #expect(
            try m.attrWr(
                0x3000, slot(2, 0x8007) | slot(3, 0x8003),
                slot(2, 0x0007) | slot(3, 0x0003)
            ).regs.rax == 0)
        let before = m.stateHash()
        // VM1 (not aliased): 0x8003 & (0x0003|0x8000) = 0x8003, legal → shown.
        // VM2 (aliased 0x8007): (0x8007 & ~0x8001) | (0x8002 & 0x8001) = 0x8006 → W without R → illegal,
        // shows current 0x8007. VM3 not named (INVEPT only) → 0.
        let c = try m.attrWr(
            0x3000, slot(1, 0x8003) | slot(2, 0x8002),
            slot(1, 0x0003) | slot(2, 0x0001) | slot(3, 0x8000))
        #expect(c.regs.rax == 0xC000_0B11_0000_0000)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0x0000_8007_8003_0000)
        #expect(m.stateHash() == before)
        #expect(flushes(m) == [0, 0, 0, 0])
        #expect(try m.attrRd(0x3000).regs.rdx == 0x8003_8007_0000_0000)
    }

    @Test func pageAttrInvalidKeepsRawInputOfNamedNonPresentRequest() throws {
        // get_all_l2_sept_entries: a named, non-aliased VM whose masked request has none of R/W/Xs/Xu keeps its raw
        // input, also on PAGE_ATTR_INVALID. VM1 0x8001 with mask 0; VM2 0x8002 mask 2 illegal (not aliased → 0).
        var m = standardMachine()
        let c = try m.attrWr(0x4000, slot(1, 0x8001) | slot(2, 0x8002), slot(2, 0x0002))
        #expect(c.regs.rax == 0xC000_0B11_0000_0000)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0x0000_0000_8001_0000)
    }

    // MARK: Alias creation, removal, outputs ("Step 3: Commit", return values, get_all_l2_sept_entries)

    @Test func aliasCreationSetsTDALBitsAndStoresMaskedAttributes() throws {
        // sept_manager.h sept_set_aliased: TDAL bit (vm − 1); "Step 3: Commit": non-aliased and present → create
        // the alias.
        var m = standardMachine()
        var c = try m.attrWr(0x4000, slot(1, 0x8007) | slot(3, 0x800F), slot(1, 0x0007) | slot(3, 0x000F))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x4000)
        #expect(c.regs.rdx == 0x800F_0000_8007_0000)
        var r = try #require(m.space.leaf(containing: 0x4000))
        #expect(r.tdal == 0b101)
        #expect(r.l2Blocked == 0)
        #expect(r.state == .mapped)
        #expect(try m.attrRd(0x4000).regs.rdx == 0x800F_0000_8007_0000)
        // Creation with a partial mask: 0x800F & 0x8003 = 0x8003 is both stored and returned (the return values
        // hold each named VM's resulting attributes with VALID).
        c = try m.attrWr(0x4000, slot(2, 0x800F), slot(2, 0x0003))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_8003_0000_0000)
        r = try #require(m.space.leaf(containing: 0x4000))
        #expect(r.tdal == 0b111)
        #expect(r.attrs(vm: 2).rawValue == 0x8003)
    }

    @Test func attrWrOnPendingPageCreatesBlockedAlias() throws {
        // "Step 3: Commit": alias of a PENDING page is created L2_BLOCKED with parked permissions; success RCX =
        // input | PENDING << 62 (return values); ATTR.RD returns the parked permissions (sept_manager.h
        // l2_sept_get_gpa_attr).
        var m = standardMachine()
        let c = try m.attrWr(0x10000, slot(1, 0x8007), slot(1, 0x0007))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x4000_0000_0001_0000)
        #expect(c.regs.rdx == 0x0000_0000_8007_0000)
        let r = try #require(m.space.leaf(containing: 0x10000))
        #expect(r.state == .pending)
        #expect(r.tdal == 0b001)
        #expect(r.l2Blocked == 0b001)
        let rd = try m.attrRd(0x10000)
        #expect(rd.regs.rax == 0)
        #expect(rd.regs.rcx == 0x4000_0000_0001_0000)
        #expect(rd.regs.rdx == 0x0000_0000_8007_0000)
    }

    @Test func aliasRemovalReportsValidOnlyAndClearsTDAL() throws {
        // "Step 3: Commit": aliased and new not present → L2_FREE, TDAL cleared, RDX reports 0x8000.
        var m = standardMachine()
        #expect(
            try m.attrWr(
                0x5000, slot(1, 0x8007) | slot(2, 0x8007),
                slot(1, 0x0007) | slot(2, 0x0007)
            ).regs.rax == 0)
        // VM1: (0x8007 & ~0x800F) | (0x8000 & 0x800F) = 0x8000 → removed.
        var c = try m.attrWr(0x5000, slot(1, 0x8000), slot(1, 0x000F))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_0000_8000_0000)
        #expect(m.space.leaf(containing: 0x5000)?.tdal == 0b010)
        // get_all_l2_sept_entries: a non-present result (PWA only, W/R clear) removes the alias with no legality
        // check:
        // (0x8007 & ~0x802F) | (0x8020 & 0x802F) = 0x8020 → not present → removed, reports 0x8000.
        c = try m.attrWr(0x5000, slot(2, 0x8020), slot(2, 0x002F))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_8000_0000_0000)
        #expect(m.space.leaf(containing: 0x5000)?.tdal == 0)
        #expect(try m.attrRd(0x5000).regs.rdx == 0)
    }

    @Test func unnamedAliasedVMsReadZeroInOutputRDX() throws {
        // Return values: every VM not named in the input keeps its input field, i.e. 0, even when aliased.
        var m = standardMachine()
        #expect(
            try m.attrWr(
                0x6000, slot(1, 0x8007) | slot(2, 0x8003),
                slot(1, 0x0007) | slot(2, 0x0003)
            ).regs.rax == 0)
        let c = try m.attrWr(0x6000, slot(3, 0x8001), slot(3, 0x0001))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x8001_0000_0000_0000)
        #expect(try m.attrRd(0x6000).regs.rdx == 0x8001_8003_8007_0000)
    }

    @Test func namedNonAliasedNonPresentRequestKeepsRawInput() throws {
        // get_all_l2_sept_entries: input 0x8001 with mask 0 returns 0x8001 although no alias exists.
        var m = standardMachine()
        var c = try m.attrWr(0x7000, slot(1, 0x8001), 0)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x7000)
        #expect(c.regs.rdx == 0x0000_0000_8001_0000)
        #expect(m.space.leaf(containing: 0x7000)?.tdal == 0)
        // VGP-only masked request (0x8011 & 0x8010 = 0x8010, not present) → raw 0x8011 kept.
        c = try m.attrWr(0x7000, slot(2, 0x8011), slot(2, 0x0010))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x0000_8011_0000_0000)
        #expect(m.space.leaf(containing: 0x7000)?.tdal == 0)
    }

    @Test func successRCXIsInputWithPendingBit62() throws {
        // Return values: success RCX = input mapping | PENDING << 62.
        var m = standardMachine()
        #expect(try m.attrWr(0x1000, 0, 0).regs.rcx == 0x1000)
        #expect(try m.attrWr(0x20_0001, 0, 0).regs.rcx == 0x20_0001)
        #expect(try m.attrWr(0x1_3000, 0, 0).regs.rcx == 0x4000_0000_0001_3000)
        let c = try m.attrWr(0x40_0001, 0, 0)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x4000_0000_0040_0001)
    }

    @Test func aliasOfA2MLeafIsReadBackAnywhereInThePage() throws {
        // tdg_mem_page_attr_wr: levels 0..2; tdg_mem_page_attr_rd.c: output RCX = GPA aligned to the leaf | level.
        var m = standardMachine()
        let c = try m.attrWr(0x20_0001, slot(1, 0x8007), slot(1, 0x0007))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x20_0001)
        let rd = try m.attrRd(0x3F_F123)
        #expect(rd.regs.rcx == 0x20_0001)
        #expect(rd.regs.rdx == 0x0000_0000_8007_0000)
    }

    // MARK: L2 SEPT walk failure (get_all_l2_sept_entries, l2_sept_walk_guest_side, ext_ept_violation_exit, vm_ctls_t)

    @Test func missingL2TablesGiveL2SEPTWalkFailedWithVMAndStopLevel() throws {
        // VM_CTLS bit 0 = 0 (default, vm_ctls_t) → TDX_L2_SEPT_WALK_FAILED, hi = vm, lo = level of the
        // L2_FREE entry where the walk stopped. No L2 tables at all: the 4-level L2 root's level-3 entry is
        // FREE → lo = 3. RCX = RDX = 0 (get_all_l2_sept_entries; l2_sept_walk_guest_side).
        var m = standardMachine(l2SEPT: .onDemand)
        let before = m.stateHash()
        var c = try m.attrWr(0x1000, slot(2, 0x8007), slot(2, 0x0007))
        #expect(c.regs.rax == 0xC000_0B0F_0002_0003)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
        c = try m.attrWr(0x20_0001, slot(1, 0x8007), slot(1, 0x0007))
        #expect(c.regs.rax == 0xC000_0B0F_0001_0003)
        #expect(m.stateHash() == before)
    }

    @Test func l2WalkStopLevelIsFourWithFiveLevelSEPT() throws {
        // GPAW 52 → 5-level SEPT: the L2 root holds level-4 entries, so the walk stops at level 4.
        var m = standardMachine(gpaw: .gpaw52, l2SEPT: .onDemand)
        let c = try m.attrWr(0x1000, slot(1, 0x8001), slot(1, 0x0001))
        #expect(c.regs.rax == 0xC000_0B0F_0001_0004)
    }

    @Test func l2WalkFailureTDExitsWhenVMCtlsBit0IsSet() throws {
        // ext_ept_violation_exit: VM_CTLS[2] bit 0 = 1 → EPT-violation TD exit: RAX = 48, RCX = 0x2
        // (data write, L2_FREE entry RWX 0, VM index bits 33:32 = 0), EEQ type 2 with err level 3 and
        // vm_index 2 in info bits 21:20 → info = 3 << 3 | 2 << 20 = 0x200018; R8 = GPA; L1 regs untouched.
        var m = standardMachine(l2SEPT: .onDemand, vmCtls: [0, 1, 0])
        let before = m.stateHash()
        let input = RegisterFile(rax: TDG.attrWr, rcx: 0x1000, rdx: slot(2, 0x8007), r8: slot(2, 0x0007))
        var regs = input
        let o = try m.tdcall(vcpu: 0, &regs)
        guard case .tdExit(let e) = o else { Issue.record("expected a TD exit, got \(o)"); return }
        #expect(e.rax == 0x30)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0020_0018_0000_0002)
        #expect(e.r8 == 0x1000)
        #expect(e.r9 == 0)
        #expect(e.eeq.kind == .gpaDetails)
        #expect(e.eeq.vm == 2)
        #expect(regs == input)
        m.reenterAfterFaultLikeExit()
        #expect(m.stateHash() == before)
        // VM1's VM_CTLS bit is 0 on the same TD → status, not exit.
        #expect(try m.attrWr(0x1000, slot(1, 0x8007), slot(1, 0x0007)).regs.rax == 0xC000_0B0F_0001_0003)
    }

    @Test func l2WalkFailureTDExitReportsRequestedLevelZeroFor2MRequest() throws {
        // ext_ept_violation_exit: EEQ type 2, error level = L2 stop level, vm_index = vm, requested level = 0,
        // state = 0;
        // R8 = the requested (2M-aligned) GPA.
        var m = standardMachine(l2SEPT: .onDemand, vmCtls: [1, 0, 0])
        let e = try #require(try m.attrWr(0x20_0001, slot(1, 0x8007), slot(1, 0x0007)).exit)
        #expect(e.rax == 0x30)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0010_0018_0000_0002)
        #expect(e.r8 == 0x20_0000)
    }

    @Test func l2WalkFailureWinsOverAnEarlierIllegalVM() throws {
        // get_all_l2_sept_entries: the walk failure stops the loop at once, even when an earlier VM was already
        // illegal.
        var m = standardMachine(l2SEPT: .onDemand)
        var c = try m.attrWr(0x1000, slot(1, 0x8002) | slot(2, 0x8001), slot(1, 0x0002) | slot(2, 0x0001))
        #expect(c.regs.rax == 0xC000_0B0F_0002_0003)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
        // And VMs after the failing one are not evaluated: VM1 walk fails, VM2 illegal.
        c = try m.attrWr(0x1000, slot(1, 0x8001) | slot(2, 0x8002), slot(1, 0x0001) | slot(2, 0x0002))
        #expect(c.regs.rax == 0xC000_0B0F_0001_0003)
    }

    // MARK: INVEPT flags ("Step 3: Commit"; helpers.h flush_td_asid)

    @Test func inveptFlagsFlushEachNamedVMEvenWithoutValid() throws {
        // "Step 3: Commit": INVEPT (R8[vm] bit 15) is honoured even when RDX[vm].VALID = 0, on success only.
        var m = standardMachine()
        let c = try m.attrWr(0x1000, 0, slot(1, 0x8000) | slot(3, 0x8000))
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0x1000)
        #expect(c.regs.rdx == 0)
        #expect(flushes(m) == [0, 1, 0, 1])
        // Also when attributes change in the same call.
        #expect(try m.attrWr(0x1000, slot(2, 0x8003), slot(2, 0x8003)).regs.rax == 0)
        #expect(flushes(m) == [0, 1, 1, 1])
    }

    @Test func inveptFlagsAreNotExecutedOnFailure() throws {
        // "Step 3: Commit": not executed on PAGE_ATTR_INVALID or any other failure.
        var m = standardMachine()
        // PAGE_ATTR_INVALID.
        #expect(
            try m.attrWr(0x1000, slot(1, 0x8002), slot(1, 0x8002) | slot(2, 0x8000)).regs.rax
                == 0xC000_0B11_0000_0000)
        // OPERAND_INVALID(RCX).
        #expect(try m.attrWr(0x1001, 0, slot(1, 0x8000)).regs.rax == 0xC000_0100_0000_0001)
        // PAGE_SIZE_MISMATCH.
        #expect(try m.attrWr(0x0001, 0, slot(1, 0x8000)).regs.rax == 0xC000_0B0B_0000_0001)
        // TD exit (FREE page).
        #expect(try m.attrWr(0x9000, 0, slot(1, 0x8000)).exit != nil)
        #expect(flushes(m) == [0, 0, 0, 0])
        // L2 walk failure.
        var d = standardMachine(l2SEPT: .onDemand)
        #expect(try d.attrWr(0x1000, slot(1, 0x8001), slot(1, 0x8001)).regs.rax == 0xC000_0B0F_0001_0003)
        #expect(flushes(d) == [0, 0, 0, 0])
    }

    // MARK: L1-side TD exits, EEQ type 5 (async_tdexit_ept_violation; vmcs_defs.h vmx_ext_exit_qual_t)

    /// Runs ATTR.WR expecting a TD exit; checks L1's registers and the state are untouched (a fault-like exit:
    /// td_other_exits.c async_tdexit_ept_violation).
    private func expectL1Exit(_ m: inout Machine, rcx: UInt64) throws -> TDExit {
        try expectFaultLikeEPTExit(
            &m, RegisterFile(rax: TDG.attrWr, rcx: rcx, rdx: slot(1, 0x8001), r8: slot(1, 0x0001)))
    }

    @Test func fourKRequestInside2MMappedLeafExitsWithQualification0x3A() throws {
        // L1 walk stops at a larger leaf: err level 1, state 4 (MAPPED), leaf; RCX = 0x3A (write + R + W + X);
        // info = 1 << 3 | 4 << 6 | 1 << 14 = 0x4108; R8 = the requested 4K GPA.
        var m = standardMachine()
        let e = try expectL1Exit(&m, rcx: 0x20_1000)
        #expect(e.rcx == 0x3A)
        #expect(e.rdx == 0x0000_4108_0000_0005)
        #expect(e.r8 == 0x20_1000)
    }

    @Test func fourKRequestInside2MPendingLeafExitsWithState2() throws {
        // L1 walk stops at a larger PENDING leaf: err 1, state 2, leaf → info = 0x8 | 0x80 | 0x4000 = 0x4088;
        // RCX = 0x2.
        var m = standardMachine()
        let e = try expectL1Exit(&m, rcx: 0x40_3000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_4088_0000_0005)
        #expect(e.r8 == 0x40_3000)
    }

    @Test func freePageExitsWithStateZeroAtRequestedLevel() throws {
        // State check (sept_state_lookup.c row 24) fails, FREE at the requested level: err = req = 0, state 0, not
        // leaf → info 0.
        var m = standardMachine()
        let e = try expectL1Exit(&m, rcx: 0x9000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_0000_0000_0005)
        #expect(e.r8 == 0x9000)
        // 2M request on a FREE PDE: req 1, err 1 → info 0x9.
        let e2 = try expectL1Exit(&m, rcx: 0x60_0001)
        #expect(e2.rcx == 0x2)
        #expect(e2.rdx == 0x0000_0009_0000_0005)
        #expect(e2.r8 == 0x60_0000)
    }

    @Test func blockedPageExitsWithState1Leaf() throws {
        // State check fails, BLOCKED: state 1, leaf → info = 1 << 6 | 1 << 14 = 0x4040; BLOCKED has RWX = 0.
        var m = standardMachine()
        #expect(m.host(TDH.block, rcx: 0x1000).rax == 0)
        let e = try expectL1Exit(&m, rcx: 0x1000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_4040_0000_0005)
        #expect(e.r8 == 0x1000)
        // 2M BLOCKED at the requested level: req 1, err 1, state 1, leaf → 0x4049.
        #expect(m.host(TDH.block, rcx: 0x20_0001).rax == 0)
        let e2 = try expectL1Exit(&m, rcx: 0x20_0001)
        #expect(e2.rdx == 0x0000_4049_0000_0005)
    }

    @Test func pendingBlockedPageExitsWithState3() throws {
        // State check fails, PENDING_BLOCKED: state 3, leaf → info = 0xC0 | 0x4000 = 0x40C0.
        var m = standardMachine()
        #expect(m.host(TDH.block, rcx: 0x1_1000).rax == 0)
        let e = try expectL1Exit(&m, rcx: 0x1_1000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_40C0_0000_0005)
        #expect(e.r8 == 0x1_1000)
    }

    @Test func missingL1TableExitsAtTheLevelWhereTheWalkStopped() throws {
        // L1 walk stops at a FREE parent at level L > req: err = L, state 0, not leaf.
        var m = standardMachine()
        // 0x600000: PDE FREE → L = 1 → info 0x8.
        var e = try expectL1Exit(&m, rcx: 0x60_0000)
        #expect(e.rcx == 0x2)
        #expect(e.rdx == 0x0000_0008_0000_0005)
        #expect(e.r8 == 0x60_0000)
        // 0x40000000: PDPTE FREE → L = 2 → info 0x10.
        e = try expectL1Exit(&m, rcx: 0x4000_0000)
        #expect(e.rdx == 0x0000_0010_0000_0005)
        #expect(e.r8 == 0x4000_0000)
    }

    @Test func largerRequestOverSmallerMappingIsPageSizeMismatchWithRequestedLevel() throws {
        // tdg_mem_page_attr_wr: PAGE_SIZE_MISMATCH's operand = requested level; RCX = RDX = 0 (other failures).
        var m = standardMachine()
        var c = try m.attrWr(0x0001, slot(1, 0x8001), slot(1, 0x0001))
        #expect(c.regs.rax == 0xC000_0B0B_0000_0001)
        #expect(c.regs.rcx == 0)
        #expect(c.regs.rdx == 0)
        c = try m.attrWr(0x0002, slot(1, 0x8001), slot(1, 0x0001))
        #expect(c.regs.rax == 0xC000_0B0B_0000_0002)
    }
}
