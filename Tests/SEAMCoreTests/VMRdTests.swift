import SEAMCore
import SEAMTypes
import Testing

// TDG.VM.RD (leaf 7). Expected values from the module's handler, tdx-module src/td_dispatcher/vm_exits/tdg_vm_rd_wr.c,
// with include/auto_gen/tdr_tdcs_fields_lookup.c (the TD-scope fields, their order and guest read masks),
// src/common/metadata_handlers/metadata_td.c and src/common/metadata_handlers/metadata_generic.c/.h
// (md_check_as_single_element_id, md_get_next_accessible_item, is_null_field_id).
@Suite struct VMRdTests {
    static let v1: UInt64 = TDG.vmRd | 1 << 16
    static let numL2VMsID: UInt64 = 0x9010_0001_0000_0005
    static let gpawID: UInt64 = 0x1110_0000_0000_0003
    static let attributesID: UInt64 = 0x1110_0003_0000_0000
    static let tscFrequencyID: UInt64 = 0x1110_0001_0000_000C
    static let notifyEnablesID: UInt64 = 0x9110_0003_0000_0010
    static let configFlagsID: UInt64 = 0x1110_0003_0000_0016
    static let vmCtlsVM1ID: UInt64 = 0x9110_0003_0000_0013
    static let tdUUID0ID: UInt64 = 0x8010_0003_0000_0020
    static let lastBindingID: UInt64 = 0x9910_0003_0000_008F
    static let naID: UInt64 = 0xFFFF_FFFF_FFFF_FFFF

    @Test func numL2VMsReadsTheTDValueAtVersion0() throws {
        // tdr_tdcs_fields_lookup.c: NUM_L2_VMS field 0x9010000100000005; version 0 never writes RDX (tdg_vm_rd_wr.c).
        for n in 0...3 {
            var m = Machine(config: MachineConfig(numL2VMs: n))
            let c = try m.td(TDG.vmRd, rdx: Self.numL2VMsID, r8: 0x77)
            #expect(c.regs.rax == 0)
            #expect(c.regs.r8 == UInt64(n))
            #expect(c.regs.rdx == Self.numL2VMsID)
        }
    }

    @Test func gpawFieldIsTheBooleanControl() throws {
        // td_control_structures.h (`gpaw` is a bool_t): GPAW via TDG.VM.RD is 0 or 1, not 48/52.
        var m48 = standardMachine(gpaw: .gpaw48)
        var c = try m48.td(TDG.vmRd, rdx: Self.gpawID, r8: 0x77)
        #expect(c.regs.rax == 0)
        #expect(c.regs.r8 == 0)
        var m52 = standardMachine(gpaw: .gpaw52)
        c = try m52.td(TDG.vmRd, rdx: Self.gpawID)
        #expect(c.regs.rax == 0)
        #expect(c.regs.r8 == 1)
    }

    @Test func version1ReturnsTheNextReadableFieldID() throws {
        // tdr_tdcs_fields_lookup.c table order: NUM_L2_VMS → ATTRIBUTES; GPAW → TSC_FREQUENCY; NOTIFY_ENABLES →
        // CONFIG_FLAGS (VM_CTLS skipped: not guest-readable).
        var m = standardMachine()
        var c = try m.td(Self.v1, rdx: Self.numL2VMsID)
        #expect(c.regs.rax == 0)
        #expect(c.regs.r8 == 3)
        #expect(c.regs.rdx == Self.attributesID)
        c = try m.td(Self.v1, rdx: Self.gpawID)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == Self.tscFrequencyID)
        c = try m.td(Self.v1, rdx: Self.notifyEnablesID)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == Self.configFlagsID)
    }

    @Test func version1NextWithinOneFieldIncrementsTheCallersID() throws {
        // md_get_next_accessible_item: next element in the same entry → caller's id + 1 (size bits carried over),
        // context forced to TD.
        var m = standardMachine()
        var c = try m.td(Self.v1, rdx: 0x8010_0000_0000_0020)  // TD_UUID[0], element size code 0
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x8010_0000_0000_0021)
        c = try m.td(Self.v1, rdx: 0x8000_0003_0000_0020)  // context SYS → forced TD
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x8010_0003_0000_0021)
    }

    @Test func version1AfterTheLastReadableElementReturnsAllOnes() throws {
        var m = standardMachine()
        let c = try m.td(Self.v1, rdx: Self.lastBindingID)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == Self.naID)
    }

    @Test func version1NullFieldReturnsFirstFieldID() throws {
        // tdg_vm_rd_wr.c: null id → TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT, RDX = first readable id
        // (TD_UUID[0] 0x8010000300000020, tdr_tdcs_fields_lookup.c), R8 = 0.
        var m = standardMachine()
        var c = try m.td(Self.v1, rdx: Self.naID, r8: 0x77)
        #expect(c.regs.rax == 0x0000_0C0B_0000_0000)
        #expect(c.regs.rdx == Self.tdUUID0ID)
        #expect(c.regs.r8 == 0)
        // "all ones outside the context bits" (metadata_generic.h is_null_field_id): context bits cleared still
        // counts as null.
        c = try m.td(Self.v1, rdx: 0xFF8F_FFFF_FFFF_FFFF)
        #expect(c.regs.rax == 0x0000_0C0B_0000_0000)
        #expect(c.regs.rdx == Self.tdUUID0ID)
    }

    @Test func version0NullFieldIsFieldIDIncorrect() throws {
        // tdg_vm_rd_wr.c: at version 0 the null id fails the format check.
        var m = standardMachine()
        let c = try m.td(TDG.vmRd, rdx: Self.naID, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0C00_0000_0000)
        #expect(c.regs.r8 == 0)
    }

    @Test func nonZeroRCXIsOperandInvalidRCXWithR8Zero() throws {
        // tdg_vm_rd_wr.c: R8 = 0 before any check; v1 RDX = −1 first; RCX ≠ 0 → OPERAND_INVALID(RCX).
        var m = standardMachine()
        var c = try m.td(TDG.vmRd, rcx: 1, rdx: Self.numL2VMsID, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        #expect(c.regs.r8 == 0)
        #expect(c.regs.rdx == Self.numL2VMsID)
        c = try m.td(Self.v1, rcx: 1, rdx: Self.numL2VMsID, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        #expect(c.regs.r8 == 0)
        #expect(c.regs.rdx == Self.naID)
        // RCX is checked before the null-field case.
        c = try m.td(Self.v1, rcx: 1, rdx: Self.naID)
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
    }

    @Test func version2IsOperandInvalidRAX() throws {
        // tdx_td_dispatcher.c td_call, tdg_vm_rd_wr.c: VM.RD accepts version up to 1; version 2 →
        // OPERAND_INVALID(RAX), R8 = 0.
        var m = standardMachine()
        // The default outputs come first: any version above 0 writes RDX = −1 (MD_FIELD_ID_NA) before the
        // version check, so version 2 returns with RDX = −1 as well.
        var c = try m.td(TDG.vmRd | 2 << 16, rdx: Self.numL2VMsID, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0100_0000_0000)
        #expect(c.regs.r8 == 0)
        #expect(c.regs.rdx == Self.naID)
        c = try m.td(TDG.vmRd | 0xFF << 16, rdx: Self.numL2VMsID, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0100_0000_0000)
        #expect(c.regs.rdx == Self.naID)
    }

    @Test func vmCtlsIsNotReadable() throws {
        // tdr_tdcs_fields_lookup.c: VM_CTLS exists but is not guest-readable → FIELD_NOT_READABLE; R8 = 0, v1
        // RDX = −1.
        var m = standardMachine(vmCtls: [1, 1, 1])
        var c = try m.td(TDG.vmRd, rdx: Self.vmCtlsVM1ID, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0C02_0000_0000)
        #expect(c.regs.r8 == 0)
        c = try m.td(Self.v1, rdx: Self.vmCtlsVM1ID, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0C02_0000_0000)
        #expect(c.regs.r8 == 0)
        #expect(c.regs.rdx == Self.naID)
    }

    @Test(arguments: [
        UInt64(0x9010_0001_0100_0005),  // reserved bit 24
        0x9010_0005_0000_0005,  // LAST_ELEMENT (bit 34)
        0x9010_0041_0000_0005,  // LAST_FIELD (bit 38)
        0x9090_0001_0000_0005,  // reserved bit 55
        0xD010_0001_0000_0005,  // reserved bit 62
        0x3F10_0003_0000_0000,  // class 63: no such field
    ])
    func malformedOrUnknownFieldIsFieldIDIncorrect(id: UInt64) throws {
        // md_check_as_single_element_id and the lookup → TDX_METADATA_FIELD_ID_INCORRECT; R8 = 0.
        var m = standardMachine()
        var c = try m.td(TDG.vmRd, rdx: id, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0C00_0000_0000)
        #expect(c.regs.r8 == 0)
        c = try m.td(Self.v1, rdx: id, r8: 0x77)
        #expect(c.regs.rax == 0xC000_0C00_0000_0000)
        #expect(c.regs.rdx == Self.naID)
    }

    @Test func contextAndSizeBitsAreIgnoredOnRead() throws {
        // tdg_vm_rd_wr.c, md_check_as_single_element_id: context forced to TD, input element size ignored (value
        // uses the table's).
        var m = standardMachine(numL2VMs: 2)
        let c = try m.td(TDG.vmRd, rdx: 0x9020_0003_0000_0005)  // NUM_L2_VMS with context VP, size 64
        #expect(c.regs.rax == 0)
        #expect(c.regs.r8 == 2)
    }
}

/// TDCS fields that exist but have no guest read mask, and ids that match nothing (tdx-module
/// include/auto_gen/tdr_tdcs_fields_lookup.c).
@Suite struct VMRdFieldTableTests {
    @Test(arguments: [
        UInt64(0x1110_0003_0000_0004),  // EPTP
        0x1110_0003_0000_000A,  // TSC_OFFSET
        0x9110_0003_0000_0011,  // HP_LOCK_TIMEOUT
        0x9110_0003_0000_0015,  // VM_CTLS[3]
        0x2510_0003_0000_0000,  // L2_SEPT_ROOT_1 (the TD has VM1)
        0x9610_0003_0000_0480,  // VIRTUAL_IA32_VMX_BASIC
    ])
    func existingFieldsWithoutAGuestReadMaskAreNotReadable(_ id: UInt64) throws {
        var m = standardMachine(numL2VMs: 1)
        let c = try m.td(TDG.vmRd, rdx: id)
        #expect(c.regs.rax == St.fieldNotReadable)
        #expect(c.regs.r8 == 0)
    }

    @Test func l2SEPTRootOfAVMTheTDLacksDoesNotExist() throws {
        var m = standardMachine(numL2VMs: 1)
        #expect(try m.td(TDG.vmRd, rdx: 0x2D10_0003_0000_0000).regs.rax == St.fieldIDIncorrect)  // L2_SEPT_ROOT_3
        #expect(try m.td(TDG.vmRd, rdx: 0x1110_0003_0000_0005).regs.rax == St.fieldIDIncorrect)  // class 17 code 5
    }

    @Test func nextFieldSkipsFieldsL1CannotRead() throws {
        // After TD_CTLS the table holds CPUID_VALID, XBUFF_OFFSETS, TD_EPOCH, REFCOUNT (none guest-readable),
        // then MRTD: tdr_tdcs_fields_lookup.c order.
        var m = standardMachine(numL2VMs: 1)
        let c = try m.td(TDG.vmRd | 1 << 16, rdx: 0x1110_0003_0000_0017)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.rdx == 0x1310_0003_0000_0000)
    }
}
