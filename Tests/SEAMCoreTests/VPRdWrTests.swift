import SEAMCore
import SEAMTypes
import Testing

// TDG.VP.RD (leaf 9) and TDG.VP.WR (leaf 10) on the partitioning fields: the L2 VMCS classes and the class-32
// management fields. Expected values from the module (tdx-module = intel/tdx-module, tag TDX_1.5.01):
// src/td_dispatcher/vm_exits/tdg_vp_rd_wr.c (tdg_vp_rd_wr: defaults, RCX, the null id, then the element);
// src/common/metadata_handlers/metadata_generic.c/.h (md_check_as_single_element_id, md_get_next_accessible_item,
// md_check_forbidden_bits_unchanged); src/common/metadata_handlers/metadata_vp.c (md_vp_get_element,
// md_vp_read_element, md_vp_get_element_special_rd_handle, md_vp_write_element, md_vp_element_l2_vmcs_wr_handle,
// md_vp_handle_field_attribute_on_wr, md_vp_element_tdvps_wr_handle, combine_l2_cr0_cr4_controls); the lookup tables
// include/auto_gen/td_l2_vmcs_fields_lookup.c (= Specs/l2-vmcs-fields.tsv) and include/auto_gen/tdvps_fields_lookup.c;
// the reset state in src/common/data_structures/td_vmcs_init.c, src/vmm_dispatcher/api_calls/tdh_vp_init.c and
// tdh_vp_addcx.c. Default TD: ATTRIBUTES 0, XFAM 0x3, GPAW 48.
@Suite struct VPRdWrTests {
    static let guestCR0 = FID.vmcs(1, Enc.guestCR0)
    static let guestCR4 = FID.vmcs(1, Enc.guestCR4)
    static let vapic = FID.vmcs(1, Enc.virtualAPICAddress)

    /// A TDG.VP.RD failure: RAX = `status`, R8 = 0, RDX = −1 (tdg_vp_rd_wr's default outputs).
    static func expectRdFailure(
        _ c: Call, _ status: UInt64, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(c.regs.rax == status, "rax \(hex64(c.regs.rax))", sourceLocation: sourceLocation)
        #expect(c.regs.r8 == 0, sourceLocation: sourceLocation)
        #expect(c.regs.rdx == FID.null, sourceLocation: sourceLocation)
    }

    /// A TDG.VP.WR failure: RAX = `status`, R8 = 0, RDX = the field id given (tdg_vp_rd_wr's default outputs).
    static func expectWrFailure(
        _ c: Call, id: UInt64, _ status: UInt64, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(c.regs.rax == status, "rax \(hex64(c.regs.rax))", sourceLocation: sourceLocation)
        #expect(c.regs.r8 == 0, sourceLocation: sourceLocation)
        #expect(c.regs.rdx == id, "RDX untouched", sourceLocation: sourceLocation)
    }

    // MARK: TDG.VP.RD failures, in the module's order (tdg_vp_rd_wr, then md_vp_read_element)

    @Test func rdWithNonZeroRCXIsOperandInvalidRCXBeforeAnyFieldCheck() throws {
        var m = standardMachine()
        for id in [FID.null, Self.guestCR0, Self.guestCR0 | 1 << 24, FID.currentVM] {
            Self.expectRdFailure(try m.vpRd(id, rcx: 1), St.operandInvalidRCX)
        }
        Self.expectRdFailure(try m.vpRd(Self.guestCR0, rcx: 1 << 63), St.operandInvalidRCX)
    }

    @Test(
        arguments: [
            0xFFFF_FFFF_FFFF_FFFF,
            0xFF8F_FFFF_FFFF_FFFF,  // context code 0: forced to VP, still the null id
            0xFFAF_FFFF_FFFF_FFFF,  // context code 2
        ] as [UInt64])
    func rdOfTheNullFieldIDReturnsVCPUIndexAsTheFirstField(id: UInt64) throws {
        // tdg_vp_rd_wr, the null id (works at version 0): FIRST_FIELD_ID_IN_CONTEXT, RDX = VCPU_INDEX, R8 = 0.
        var m = standardMachine()
        let c = try m.vpRd(id)
        #expect(c.regs.rax == St.firstFieldIDInContext)
        #expect(c.regs.rdx == FID.vcpuIndex)
        #expect(c.regs.r8 == 0)
    }

    @Test(arguments: [24, 31, 34, 37, 38, 46, 47, 49, 55, 62] as [UInt64])
    func rdOfAMalformedFieldIDIsFieldIDIncorrect(bit: UInt64) throws {
        // md_check_as_single_element_id: bits 31:24, 49:47, 55, 62, LAST_ELEMENT (37:34), LAST_FIELD
        // (46:38) must be 0.
        var m = standardMachine()
        Self.expectRdFailure(try m.vpRd(Self.guestCR0 | 1 << bit), St.fieldIDIncorrect)
    }

    @Test func rdOfAnL2VMAboveNumL2VMsIsFieldIDIncorrect() throws {
        // md_vp_get_element (VMCS and MSR-bitmap classes check the VM index). One L2 VM: VMs 2 and 3 are absent.
        var m = standardMachine(numL2VMs: 1)
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestCR0)) == 0x21)
        for id in [
            FID.vmcs(2, Enc.guestCR0), FID.vmcs(3, Enc.guestCR0), FID.msrBitmap(2, word: 0), FID.msrBitmap(3, word: 5),
        ] {
            Self.expectRdFailure(try m.vpRd(id), St.fieldIDIncorrect)
        }
    }

    @Test func rdOfTheHighHalfOfAVMCSFieldIsFieldIDIncorrect() throws {
        // md_vp_get_element: access type HIGH (encoding bit 0) is not allowed.
        var m = standardMachine()
        Self.expectRdFailure(try m.vpRd(FID.vmcs(1, Enc.virtualAPICAddressHigh)), St.fieldIDIncorrect)
        Self.expectRdFailure(try m.vpRd(FID.vmcs(1, Enc.guestCR0 | 1)), St.fieldIDIncorrect)
    }

    @Test func rdOfAnEncodingNotInTheL2TableIsFieldIDIncorrect() throws {
        // The lookup (td_l2_vmcs_fields_lookup.c, tdvps_fields_lookup.c): host CR0 (0x6C00) is no L2 VMCS field L1
        // can name; nor is an unknown class.
        var m = standardMachine()
        Self.expectRdFailure(try m.vpRd(FID.vmcs(1, Enc.hostCR0)), St.fieldIDIncorrect)
        Self.expectRdFailure(try m.vpRd(FID.vmcs(1, 0x7FFE)), St.fieldIDIncorrect)
        Self.expectRdFailure(try m.vpRd(FID.msrBitmap(1, word: 512)), St.fieldIDIncorrect)
    }

    @Test(arguments: [FID.currentVM, FID.vmLaunched(1), FID.l2DebugCtls(1)])
    func rdOfAFieldWithReadMaskZeroIsFieldNotReadable(id: UInt64) throws {
        // tdvps_fields_lookup.c (guest masks 0) and md_vp_read_element (read mask 0 → not readable).
        var m = standardMachine()
        Self.expectRdFailure(try m.vpRd(id), St.fieldNotReadable)
    }

    // MARK: TDG.VP.RD values

    @Test(
        arguments: [
            (FID.vmcs(1, Enc.guestCR0), 0x21, "guest CR0 = PE|NE (td_l2_vmcs_fields_lookup.c)"),
            (FID.vmcs(1, Enc.guestCR4), 0x2040, "guest CR4 = MCE|VMXE"),
            (FID.vmcs(1, Enc.cr0GuestHostMask), ~0, "CR0 mask: L1's copy, all ones (tdg_vp_rd_wr.c)"),
            (FID.vmcs(1, Enc.cr4GuestHostMask), ~0, "CR4 mask: L1's copy, all ones"),
            (FID.vmcs(1, Enc.cr0ReadShadow), 0, "CR0 read shadow: L1's copy, 0 (VMCS holds 0x21)"),
            (FID.vmcs(1, Enc.cr4ReadShadow), 0, "CR4 read shadow: L1's copy, 0 (VMCS holds 0x2040)"),
            (FID.vmcs(1, Enc.virtualAPICAddress), ~0, "virtual-APIC GPA = NULL_PA until written (facts §2)"),
            (FID.vmcs(3, Enc.guestEFER), 0x901, "EFER reset 0x901 (td_l2_vmcs_fields_lookup.c)"),
            (FID.vmcs(2, Enc.guestPAT), 0x0007_0406_0007_0406, "PAT reset (td_l2_vmcs_fields_lookup.c)"),
            (FID.vmcs(2, Enc.guestDR7), 0x400, "DR7 reset (td_l2_vmcs_fields_lookup.c)"),
            (
                FID.vmcs(1, Enc.exceptionBitmap, size: 2), 0x4_0000,
                "exception bitmap = #MC only (td_l2_vmcs_fields_lookup.c)"
            ),
            (FID.vmcs(1, Enc.guestPDPTE0), ~0, "PDPTEs all ones (td_l2_vmcs_fields_lookup.c)"),
            (FID.msrBitmap(1, word: 0), ~0, "L1's MSR bitmap starts all ones (tdx_tdvps.h)"),
            (FID.l2Ctls(1), 0, "L2_CTLS[1] = 0"),
            (FID.vcpuIndex, 0, "VCPU_INDEX of vCPU 0"),
            (0x2400_0003_0000_6800, 0x21, "guest CR0 with context 0 (forced to VP)"),
            (0x2420_0000_0000_6800, 0x21, "guest CR0 with element size 0 (ignored)"),
            (0x2020_0002_0000_0002, 0, "VCPU_INDEX without the non-arch bit (ignored)"),
        ] as [(UInt64, UInt64, String)])
    func rdReturnsTheResetValueAsL1SeesIt(id: UInt64, value: UInt64, what: String) throws {
        var m = standardMachine()
        let c = try m.vpRd(id)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == value, "\(what): got \(hex64(c.regs.r8))")
    }

    @Test func rdOfVCPUIndexNamesTheCallingVCPU() throws {
        var m = standardMachine(vcpus: 2)
        #expect(try m.vpRd(FID.vcpuIndex, vcpu: 1).regs.r8 == 1)
        #expect(try m.vpRd(FID.vcpuIndex, vcpu: 0).regs.r8 == 0)
    }

    @Test func tscDeadlineIsAllOnesUpToNumL2VMsAndZeroAbove() throws {
        // helpers.c init_tdvps_fields (from TDH.VP.INIT): −1 for vm ≤ NUM_L2_VMS (VM 0 included), 0 above.
        var m = standardMachine(numL2VMs: 1)
        #expect(try (0..<4).map { try m.mustRead(FID.tscDeadline($0)) } == [~0, ~0, 0, 0])
    }

    @Test func rdReturnsTheNextReadableFieldID() throws {
        // md_get_next_accessible_item, the next field ID: the next entry in lookup-table order with its own raw id
        // (INC_SIZE bit 50 and its size) under the caller's class; across classes into the VM's MSR bitmap; −1
        // after the last.
        var m = standardMachine(numL2VMs: 1)
        #expect(try m.vpRd(FID.vmcs(1, Enc.guestCR0)).regs.rdx == 0x2424_0003_0000_6802)
        #expect(try m.vpRd(FID.vmcs(1, Enc.guestInterruptSSPTable)).regs.rdx == 0x2520_0003_0000_0000)
        #expect(try m.vpRd(FID.vcpuIndex).regs.rdx == FID.cpuidSupervisorVE)
        let last = try m.vpRd(FID.msrBitmap(1, word: 511))
        #expect(last.regs.rax == St.success)
        #expect(last.regs.rdx == FID.null)
        // With a second L2 VM the walk goes on into VM 2's first readable field, the posted-interrupt vector.
        var m2 = standardMachine(numL2VMs: 2)
        #expect(try m2.vpRd(FID.msrBitmap(1, word: 511)).regs.rdx == 0x2C24_0001_0000_0002)
    }

    @Test func rdInsideAMultiFieldEntryEchoesTheCallersIDWithTheNextCode() throws {
        // md_get_next_accessible_item: within a multi-field entry (the PDPTEs) the next id is the caller's RDX with
        // code + 2; the last field of the entry gives the next entry's own id (GUEST_PDPTE3 0x2810 → 0x2812 is not
        // a field: the row after it, with INC_SIZE, follows).
        var m = standardMachine()
        #expect(try m.vpRd(FID.vmcs(1, Enc.guestPDPTE0)).regs.rdx == FID.vmcs(1, Enc.guestPDPTE0 + 2))
        // The caller's size bits are echoed too (here 32-bit instead of 64).
        let small = FID.vmcs(1, Enc.guestPDPTE0, size: 2)
        #expect(try m.vpRd(small).regs.rdx == FID.vmcs(1, Enc.guestPDPTE0 + 2, size: 2))
        #expect(try m.vpRd(FID.vmcs(1, 0x2810)).regs.rdx & 0xFFFF != 0x2812)
    }

    // MARK: TDG.VP.WR failures

    @Test func wrWithNonZeroRCXIsOperandInvalidRCXBeforeAnyFieldCheck() throws {
        var m = standardMachine()
        for id in [Self.guestCR0, FID.null, FID.vcpuIndex] {
            Self.expectWrFailure(try m.vpWr(id, 0x23, mask: ~0, rcx: 2), id: id, St.operandInvalidRCX)
        }
        #expect(try m.mustRead(Self.guestCR0) == 0x21)
    }

    @Test func wrOfABadFieldIDIsFieldIDIncorrect() throws {
        // tdg_vp_rd_wr, md_check_as_single_element_id, the lookup, md_vp_get_element: the null id is no field for
        // WR; malformed ids; a VM above NUM_L2_VMS; HIGH; an unknown encoding.
        var m = standardMachine(numL2VMs: 1)
        for id in [
            FID.null, Self.guestCR0 | 1 << 24, Self.guestCR0 | 1 << 34, FID.vmcs(2, Enc.guestCR0),
            FID.vmcs(1, Enc.virtualAPICAddressHigh), FID.vmcs(1, Enc.hostCR0), FID.msrBitmap(3, word: 0),
        ] {
            Self.expectWrFailure(try m.vpWr(id, 0, mask: ~0), id: id, St.fieldIDIncorrect)
        }
    }

    @Test(
        arguments: [
            (FID.vmcs(1, Enc.guestCR0), 0x20, "guest CR0, R9 = NE only (mask 0x8005001F)"),
            (FID.vmcs(1, Enc.postedInterruptVector, size: 1), ~0, "posted-interrupt vector (read-only for L1)"),
            (FID.vcpuIndex, ~0, "VCPU_INDEX (guest write mask 0)"),
            (FID.currentVM, ~0, "CURR_VM (guest masks 0; no read-mask check on WR)"),
            (FID.l2Ctls(1), 0x8, "L2_CTLS, R9 outside mask 0x7"),
            (FID.vmcs(1, Enc.guestCR0), 0, "R9 = 0"),
        ] as [(UInt64, UInt64, String)])
    func wrWhoseMaskAndR9HaveNoBitInCommonIsFieldNotWritable(id: UInt64, r9: UInt64, what: String) throws {
        // md_vp_write_element: (L1 write mask AND R9) = 0 → FIELD_NOT_WRITABLE.
        var m = standardMachine()
        Self.expectWrFailure(try m.vpWr(id, 0, mask: r9), id: id, St.fieldNotWritable)
    }

    @Test func wrChangingCR0NEIsRejectedButAWideMaskKeepingNEIsFine() throws {
        // td_l2_vmcs_fields_lookup.c: NE (bit 5) is not in the write mask 0x8005001F. R9 = all ones names it:
        // changing it → FIELD_VALUE_NOT_VALID; keeping it (as real L1s with wider masks do) succeeds.
        var m = standardMachine()
        Self.expectWrFailure(try m.vpWr(Self.guestCR0, 0x03, mask: ~0), id: Self.guestCR0, St.fieldValueNotValid)
        Self.expectWrFailure(
            try m.vpWr(Self.guestCR0, 0x23 | 1 << 32, mask: ~0), id: Self.guestCR0, St.fieldValueNotValid)
        #expect(try m.mustRead(Self.guestCR0) == 0x21)
        let c = try m.vpWr(Self.guestCR0, 0x23, mask: ~0)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0x21, "old value & read mask")
        #expect(c.regs.rdx == Self.guestCR0)
        #expect(try m.mustRead(Self.guestCR0) == 0x23)
    }

    @Test func wrOfA32BitFieldWithDataAbove31BitsIsFieldValueNotValid() throws {
        // md_check_forbidden_bits_unchanged: R9 bits above the element size are forbidden bits; they must be 0 in
        // R8. TPR threshold (0x401C) is a fully L1-writable 32-bit field (Specs/l2-vmcs-fields.tsv).
        var m = standardMachine()
        let id = FID.vmcs(1, Enc.tprThreshold, size: 2)
        Self.expectWrFailure(try m.vpWr(id, 1 << 32 | 5, mask: ~0), id: id, St.fieldValueNotValid)
        #expect(try m.vpWr(id, 5, mask: ~0).regs.rax == St.success)
        #expect(try m.mustRead(id) == 5)
        // R8 bits above 31 that R9 does not name are simply ignored.
        #expect(try m.vpWr(id, 0xFFFF_0000_0000_0007, mask: 0xFFFF_FFFF).regs.rax == St.success)
        #expect(try m.mustRead(id) == 7)
    }

    @Test func wrOfTheExceptionBitmapKeepsMachineCheckIntercepted() throws {
        // Specs/l2-vmcs-fields.tsv: mask 0xFFFBFFFF, #MC (bit 18) stays intercepted.
        var m = standardMachine()
        let id = FID.vmcs(1, Enc.exceptionBitmap, size: 2)
        Self.expectWrFailure(try m.vpWr(id, 0x2, mask: ~0), id: id, St.fieldValueNotValid)
        let c = try m.vpWr(id, 0x2, mask: 0xFFFF_FFFF & ~(1 << 18))
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0x4_0000)
        #expect(try m.mustRead(id) == 0x4_0002)
        #expect(try m.vpWr(id, 0x4_0000, mask: ~0).regs.rax == St.success)
        #expect(try m.mustRead(id) == 0x4_0000)
    }

    @Test(arguments: [19, 22, 23, 24, 25] as [UInt64])
    func wrOfACR4FeatureTheDefaultTDLeavesOffIsFieldValueNotValid(bit: UInt64) throws {
        // helpers.h calc_base_l2_cr4_write_mask, md_vp_element_l2_vmcs_wr_handle: KL (19), PKE (22), CET (23), PKS
        // (24), UINTR (25) pass the lookup mask 0x03FF1FBF but are owned by the base mask (0xFFFFFFFFFFC8F040 on
        // SoftSEAM's platform, no LA57) with shadow 0.
        var m = standardMachine()
        Self.expectWrFailure(
            try m.vpWr(Self.guestCR4, 0x2040 | 1 << bit, mask: 1 << bit), id: Self.guestCR4, St.fieldValueNotValid)
        #expect(try m.mustRead(Self.guestCR4) == 0x2040)
    }

    @Test func wrOfCR4KeepsMCEAndVMXEAndAcceptsPAE() throws {
        var m = standardMachine()
        // MCE (6) is outside the lookup mask: R9 naming it (with PAE, so the mask is not empty) while it
        // changes is a forbidden-bit change.
        Self.expectWrFailure(
            try m.vpWr(Self.guestCR4, 0x2020, mask: 1 << 6 | 1 << 5), id: Self.guestCR4, St.fieldValueNotValid)
        // R9 naming MCE alone leaves no writable bit: FIELD_NOT_WRITABLE comes first (md_vp_write_element).
        Self.expectWrFailure(try m.vpWr(Self.guestCR4, 0x2000, mask: 1 << 6), id: Self.guestCR4, St.fieldNotWritable)
        Self.expectWrFailure(try m.vpWr(Self.guestCR4, 0x0040, mask: ~0), id: Self.guestCR4, St.fieldValueNotValid)
        let c = try m.vpWr(Self.guestCR4, 0x2060, mask: ~0)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0x2040)
        #expect(try m.mustRead(Self.guestCR4) == 0x2060)
    }

    @Test(
        arguments: [
            (0x0000_8000_0000_2000, "shared bit 47 (GPAW 48)"),
            (0x0001_0000_0000_2000, "bit 48 under GPAW 48"),
            (0x0010_0000_0000_2000, "bit 52"),
        ] as [(UInt64, String)])
    func wrOfANonPrivateVirtualAPICGPAIsFieldValueNotValid(gpa: UInt64, why: String) throws {
        // md_vp_handle_field_attribute_on_wr: check_gpa_validity(private).
        var m = standardMachine()
        Self.expectWrFailure(try m.vpWr(Self.vapic, gpa, mask: ~0), id: Self.vapic, St.fieldValueNotValid)
        #expect(try m.mustRead(Self.vapic) == ~0)
    }

    @Test func wrOfTheVirtualAPICStartsFromNullPAMaskedByTheWriteMask() throws {
        // md_vp_adjust_value_per_field_attr_on_wr: the current value is NULL_PA, so the base is 0xFFFFFFFFFFFFF000.
        var m = standardMachine()
        // R9 without bits 63:52: they stay 1 from the base → not a private GPA.
        Self.expectWrFailure(
            try m.vpWr(Self.vapic, 0x2000, mask: 0x000F_FFFF_FFFF_F000), id: Self.vapic, St.fieldValueNotValid)
        // R9 = all ones names bits 11:0, which are 0 in the base: R8 bit 0 set is a forbidden-bit change.
        Self.expectWrFailure(try m.vpWr(Self.vapic, 0x2001, mask: ~0), id: Self.vapic, St.fieldValueNotValid)
        #expect(try m.mustRead(Self.vapic) == ~0)
        // R9 = all ones with bits 11:0 clear succeeds (the base's bits 11:0 are 0, not NULL_PA's ones).
        let c = try m.vpWr(Self.vapic, 0x2000, mask: ~0)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == ~0, "old value NULL_PA")
        #expect(try m.mustRead(Self.vapic) == 0x2000)
    }

    @Test func wrOfTheVirtualAPICWithTheExactWriteMaskSucceeds() throws {
        // R9 = 0xFFFFFFFFFFFFF000 covers bits 63:52, so they come from R8: new = 0x3000, a private GPA.
        var m = standardMachine()
        let c = try m.vpWr(Self.vapic, 0x3000, mask: 0xFFFF_FFFF_FFFF_F000)
        #expect(c.regs.rax == St.success)
        #expect(try m.mustRead(Self.vapic) == 0x3000)
    }

    @Test func wrOfGuestCR3MustBeAPrivateGPA() throws {
        // md_vp_handle_field_attribute_on_wr (guest CR3 has the private-GPA attribute in td_l2_vmcs_fields_lookup.c).
        var m = standardMachine()
        let id = FID.vmcs(1, Enc.guestCR3)
        Self.expectWrFailure(try m.vpWr(id, 0x0000_8000_0000_1000, mask: ~0), id: id, St.fieldValueNotValid)
        #expect(try m.vpWr(id, 0x5000, mask: ~0).regs.rax == St.success)
        #expect(try m.mustRead(id) == 0x5000)
    }

    // MARK: TDG.VP.WR values and side effects

    @Test func wrOfTheCR0MaskStoresL1sCopyAndRecombinesTheVMCS() throws {
        // md_vp_get_element_special_rd_handle, combine_l2_cr0_cr4_controls: L1 reads back its own mask/shadow; the
        // VMCS holds base | L1 mask and a shadow from L1's bits where L1 owns them, the base shadow (NE) where only
        // the base owns them.
        var m = standardMachine()
        let mask = FID.vmcs(1, Enc.cr0GuestHostMask)
        let shadow = FID.vmcs(1, Enc.cr0ReadShadow)
        let c = try m.vpWr(mask, 0, mask: ~0)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == ~0, "old value: L1's copy, all ones")
        #expect(try m.mustRead(mask) == 0)
        #expect(try m.mustRead(shadow) == 0)
        #expect(m.vcpus[0].vmcs(1, .cr0GuestHostMask) == 0xFFFF_FFFF_7FFA_FFE0)
        #expect(m.vcpus[0].vmcs(1, .cr0ReadShadow) == 0x20, "0x21 → 0x20 (facts §2)")
        // L1's shadow has no effect where L1 owns no bit…
        try m.mustWrite(shadow, 0x8000_0001)
        #expect(try m.mustRead(shadow) == 0x8000_0001)
        #expect(m.vcpus[0].vmcs(1, .cr0ReadShadow) == 0x20)
        // …and shows where it does.
        try m.mustWrite(mask, 0x1)
        #expect(m.vcpus[0].vmcs(1, .cr0GuestHostMask) == 0xFFFF_FFFF_7FFA_FFE1)
        #expect(m.vcpus[0].vmcs(1, .cr0ReadShadow) == 0x21)
        // Other VMs are untouched.
        #expect(try m.mustRead(FID.vmcs(2, Enc.cr0GuestHostMask)) == ~0)
        #expect(m.vcpus[0].vmcs(2, .cr0ReadShadow) == 0x21)
    }

    @Test func wrOfL2CtlsFollowsTheMask7() throws {
        // tdvps_fields_lookup.c: L2_CTLS[vm] guest write mask 0x7; md_vp_write_element for a wide R9.
        var m = standardMachine(numL2VMs: 1)
        let id = FID.l2Ctls(1)
        let c = try m.vpWr(id, 0x7, mask: 0x7)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0)
        #expect(try m.mustRead(id) == 0x7)
        // R9 = all ones with bit 3 changing: forbidden bit → FIELD_VALUE_NOT_VALID.
        Self.expectWrFailure(try m.vpWr(id, 0x8, mask: ~0), id: id, St.fieldValueNotValid)
        Self.expectWrFailure(try m.vpWr(id, 0xF, mask: ~0), id: id, St.fieldValueNotValid)
        // R9 = all ones with bits above 2 unchanged (0): fine.
        let d = try m.vpWr(id, 0x1, mask: ~0)
        #expect(d.regs.rax == St.success)
        #expect(d.regs.r8 == 0x7)
        #expect(try m.mustRead(id) == 0x1)
        // Element 0 and elements of absent VMs are stored (and ignored).
        try m.mustWrite(FID.l2Ctls(3), 0x3)
        #expect(try m.mustRead(FID.l2Ctls(3)) == 0x3)
        try m.mustWrite(FID.l2Ctls(0), 0x2)
        #expect(try m.mustRead(FID.l2Ctls(0)) == 0x2)
    }

    @Test func wrOfTSCDeadlineForAnAbsentVMIsStored() throws {
        // md_vp_element_tdvps_wr_handle: writes for VM 0 or VM > NUM_L2_VMS are stored, nothing else.
        var m = standardMachine(numL2VMs: 1)
        let c = try m.vpWr(FID.tscDeadline(3), 0x1234, mask: ~0)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0)
        #expect(try m.mustRead(FID.tscDeadline(3)) == 0x1234)
        // −1 (disabled) is always stored as is.
        try m.mustWrite(FID.tscDeadline(1), ~0)
        #expect(try m.mustRead(FID.tscDeadline(1)) == ~0)
    }

    @Test func wrReturnsTheOldValueAndLeavesRDXAlone() throws {
        var m = standardMachine()
        let id = FID.vmcs(1, Enc.guestCR0)
        var c = try m.vpWr(id, 0x8000_0021, mask: 0x8000_0000)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0x21)
        #expect(c.regs.rdx == id)
        c = try m.vpWr(id, 0x21, mask: 0x8000_0000)
        #expect(c.regs.r8 == 0x8000_0021)
        #expect(try m.mustRead(id) == 0x21)
    }
}

/// Class-32 (TDVPS management) fields SoftSEAM does not model: the module's table has them with guest read and
/// write masks 0 (include/auto_gen/tdvps_fields_lookup.c), so md_vp_read_element answers FIELD_NOT_READABLE and
/// md_vp_write_element FIELD_NOT_WRITABLE — not FIELD_ID_INCORRECT, which only a code outside every entry gets.
@Suite struct VPUnmodelledManagementTests {
    @Test(
        arguments: [
            0xA020_0000_0000_0000,  // VCPU_STATE
            0xA020_0000_0000_0003,  // NUM_TDVPS_PAGES
            0x2020_0000_0000_000B,  // PEND_NMI
            0x2020_0003_0000_000C,  // XFAM
            0xA020_0003_0000_001E,  // TDVPS_PAGE_PA[14], the last of 15
            0xA020_0003_0000_005F,  // SHADOW_TSC_DEADLINE[3]
            0xA020_0003_0000_0080,  // BASE_L2_CR0_GUEST_HOST_MASK
            0xA020_0003_0000_0099,  // SHADOW_PID_HPA[1]
            0xA020_0001_0000_00AD,  // SHADOW_POSTED_INT_NOTIFICATION_VECTOR[1]
            0xA020_0003_0000_0101,  // L2_ENTER_GUEST_STATE_GPA[1]
            0xA020_0003_0000_0117,  // L2_VAPIC_HPA[3], the table's last code
        ] as [UInt64])
    func existingUnmodelledFieldIsNotReadableAndNotWritable(id: UInt64) throws {
        var m = standardMachine()
        let rd = try m.vpRd(id)
        VPRdWrTests.expectRdFailure(rd, St.fieldNotReadable)
        let wr = try m.vpWr(id, 1, mask: ~0)
        VPRdWrTests.expectWrFailure(wr, id: id, St.fieldNotWritable)
    }

    @Test(
        arguments: [
            0xA020_0003_0000_0001,  // code 1: no entry
            0xA020_0003_0000_0005,  // code 5
            0xA020_0003_0000_0009,  // code 9
            0xA020_0003_0000_001F,  // just after TDVPS_PAGE_PA
            0xA020_0003_0000_0043,  // between L2_EXIT_HOST_ROUTING and VM_LAUNCHED
            0xA020_0003_0000_00A0,  // between SHADOW_PINBASED_EXEC_CTLS and SHADOW_PLE_GAP
            0xA020_0003_0000_0118,  // after L2_VAPIC_HPA
        ] as [UInt64])
    func codesOutsideEveryEntryStayFieldIDIncorrect(id: UInt64) throws {
        var m = standardMachine()
        VPRdWrTests.expectRdFailure(try m.vpRd(id), St.fieldIDIncorrect)
        VPRdWrTests.expectWrFailure(try m.vpWr(id, 1, mask: ~0), id: id, St.fieldIDIncorrect)
    }
}
