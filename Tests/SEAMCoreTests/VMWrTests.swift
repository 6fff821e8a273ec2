import SEAMCore
import SEAMTypes
import Testing

// TDG.VM.WR (leaf 8). Expected values from tdx-module src/td_dispatcher/vm_exits/tdg_vm_rd_wr.c (R8 = 0 first, RCX
// check, context forced to TD, md_check_as_single_element_id), src/common/metadata_handlers/metadata_td.c
// md_td_write_element (NOT_WRITABLE when guest_wr_mask & R9 = 0, forbidden bits, the TD_CTLS special case, R8 =
// old & guest_rd_mask), metadata_generic.h md_check_forbidden_bits_unchanged, and the guest masks of
// include/auto_gen/tdr_tdcs_fields_lookup.c: NOTIFY_ENABLES rd 1 / wr 1, TD_CTLS rd all / wr 1, everything else wr 0.
@Suite struct VMWrTests {
    static let notifyEnablesID: UInt64 = 0x9110_0003_0000_0010
    static let tdCtlsID: UInt64 = 0x1110_0003_0000_0017
    static let attributesID: UInt64 = 0x1110_0003_0000_0000
    static let numL2VMsID: UInt64 = 0x9010_0001_0000_0005
    static let mrtdID: UInt64 = 0x1310_0003_0000_0000

    @Test func notifyEnablesBit0IsWrittenAndR8IsTheOldValue() throws {
        var m = standardMachine()
        var c = try m.td(TDG.vmWr, rdx: Self.notifyEnablesID, r8: 1, r9: 1)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0)  // old value 0
        #expect(m.notifyEnables == 1)
        // Clearing it returns the old value 1; RDX is never written.
        c = try m.td(TDG.vmWr, rdx: Self.notifyEnablesID, r8: 0, r9: 1)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 1)
        #expect(c.regs.rdx == Self.notifyEnablesID)
        #expect(m.notifyEnables == 0)
    }

    @Test func r8IsTheOldValueAndTheGuestReadMask() throws {
        // NOTIFY_ENABLES' guest read mask is 1: old value 0xF0 (bits the host may hold) reads back as 0.
        var m = standardMachine()
        m.notifyEnables = 0xF1
        let c = try m.td(TDG.vmWr, rdx: Self.notifyEnablesID, r8: 0, r9: 1)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0x1)  // 0xF1 & 1
        #expect(m.notifyEnables == 0xF0)  // only bit 0 changed
    }

    @Test func nonZeroRCXIsOperandInvalidRCX() throws {
        var m = standardMachine()
        let c = try m.td(TDG.vmWr, rcx: 1, rdx: Self.notifyEnablesID, r8: 1, r9: 1)
        #expect(c.regs.rax == St.operandInvalidRCX)
        #expect(c.regs.r8 == 0)
        #expect(m.notifyEnables == 0)
    }

    @Test(arguments: [
        UInt64(0x9110_0003_0100_0010),  // reserved bit 24
        0x9110_0007_0000_0010,  // LAST_ELEMENT (bit 34)
        0x3F10_0003_0000_0000,  // class 63: no such field
        0x9110_0003_0000_0030,  // class 17, code 0x30: no such field
        0x2D10_0003_0000_0000,  // L2_SEPT_ROOT_3 of a TD with 1 L2 VM
    ])
    func malformedOrUnknownFieldIsFieldIDIncorrect(id: UInt64) throws {
        var m = standardMachine(numL2VMs: 1)
        let c = try m.td(TDG.vmWr, rdx: id, r8: 1, r9: ~0)
        #expect(c.regs.rax == St.fieldIDIncorrect)
        #expect(c.regs.r8 == 0)
    }

    @Test(arguments: [attributesID, numL2VMsID, mrtdID, 0x9110_0003_0000_0012 /* VM_CTLS[0] */])
    func fieldsWithoutAGuestWriteMaskAreNotWritable(id: UInt64) throws {
        var m = standardMachine()
        let c = try m.td(TDG.vmWr, rdx: id, r8: 1, r9: ~0)
        #expect(c.regs.rax == St.fieldNotWritable)
        #expect(c.regs.r8 == 0)
    }

    @Test func aMaskMissingTheWritableBitIsNotWritable() throws {
        // guest_wr_mask (1) & R9 (2) = 0 → NOT_WRITABLE, before the forbidden-bits check.
        var m = standardMachine()
        let c = try m.td(TDG.vmWr, rdx: Self.notifyEnablesID, r8: 2, r9: 2)
        #expect(c.regs.rax == St.fieldNotWritable)
        #expect(c.regs.r8 == 0)
    }

    @Test func changingABitOutsideTheWriteMaskIsValueNotValid() throws {
        // R9 = 3 selects bit 1 (not writable); value bit 1 = 1 ≠ old 0 → FIELD_VALUE_NOT_VALID, nothing stored.
        var m = standardMachine()
        var c = try m.td(TDG.vmWr, rdx: Self.notifyEnablesID, r8: 3, r9: 3)
        #expect(c.regs.rax == St.fieldValueNotValid)
        #expect(c.regs.r8 == 0)
        #expect(m.notifyEnables == 0)
        // A wider R9 is fine while the forbidden bits keep their value: R9 = ~0, R8 = 1 with old 0.
        c = try m.td(TDG.vmWr, rdx: Self.notifyEnablesID, r8: 1, r9: ~0)
        #expect(c.regs.rax == St.success)
        #expect(m.notifyEnables == 1)
    }

    @Test func pendingVEDisableChangeNeedsFlexiblePendingVE() throws {
        // md_td_write_element, TD_CTLS: a guest write that changes bit 0 with CONFIG_FLAGS bit 1 clear →
        // FIELD_VALUE_NOT_VALID, R8 = 0.
        var m = standardMachine()
        var c = try m.td(TDG.vmWr, rdx: Self.tdCtlsID, r8: 1, r9: 1)
        #expect(c.regs.rax == St.fieldValueNotValid)
        #expect(c.regs.r8 == 0)
        #expect(m.tdCtls == 0)
        // Writing the value it already has is no change: success, R8 = old 0.
        c = try m.td(TDG.vmWr, rdx: Self.tdCtlsID, r8: 0, r9: 1)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0)
        // With FLEXIBLE_PENDING_VE the change is accepted; R8 = old value & ~0.
        m.extraConfigFlags = Machine.flexiblePendingVE
        c = try m.td(TDG.vmWr, rdx: Self.tdCtlsID, r8: 1, r9: 1)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0)
        #expect(m.tdCtls == 1)
        c = try m.td(TDG.vmWr, rdx: Self.tdCtlsID, r8: 0, r9: 1)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 1)
        #expect(m.tdCtls == 0)
    }

    @Test func tdCtlsValueIsReadBackByVMRd() throws {
        var m = standardMachine()
        m.extraConfigFlags = Machine.flexiblePendingVE
        _ = try m.td(TDG.vmWr, rdx: Self.tdCtlsID, r8: 1, r9: 1)
        let c = try m.td(TDG.vmRd, rdx: Self.tdCtlsID)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 1)
        // CONFIG_FLAGS reads GPAW (0 for GPAW 48) | FLEXIBLE_PENDING_VE.
        #expect(try m.td(TDG.vmRd, rdx: 0x1110_0003_0000_0016).regs.r8 == 0x2)
    }

    @Test func versionAbove0IsOperandInvalidRAXFromTheDispatcher() throws {
        // tdx_td_dispatcher.c: only TDG.VM.RD takes a version; VM.WR version 1 fails before the leaf (R8 kept).
        var m = standardMachine()
        let c = try m.td(TDG.vmWr | 1 << 16, rdx: Self.notifyEnablesID, r8: 1, r9: 1)
        #expect(c.regs.rax == St.operandInvalidRAX)
        #expect(c.regs.r8 == 1)
        #expect(m.notifyEnables == 0)
    }
}
