import SEAMTypes
import Testing

/// Encodings checked against the TDX module's own definitions (intel/tdx-module, tag TDX_1.5.01; the paths below
/// are in that tree).
@Suite struct ABIValueTests {
    @Test func numL2VMsFieldIDDecodesToItsParts() {
        // include/auto_gen/tdr_tdcs_fields_lookup.c: NUM_L2_VMS = 0x9010000100000005: non-arch, class 16, context
        // TD (1), 16-bit, code 5.
        let id = FieldID(0x9010_0001_0000_0005)
        #expect(id.nonArch)
        #expect(id.classCode == 16)
        #expect(id.contextCode == 1)
        #expect(id.elementSizeCode == 1)
        #expect(id.elementBytes == 2)
        #expect(id.fieldCode == 5)
        #expect(id.isSingleElement)
    }

    @Test func l2GuestCR0FieldIDEncodesAsTheReferenceExample() {
        // include/tdx_api_defs.h md_field_id_t, include/auto_gen/tdvps_fields_lookup.h: L2 VM1 guest CR0 = class
        // 36, context 2, size 3, code 0x6800 = 0x2420000300006800.
        let id = FieldID(nonArch: false, classCode: 36, context: 2, elementSizeCode: 3, fieldCode: 0x6800)
        #expect(id.rawValue == 0x2420_0003_0000_6800)
    }

    @Test func fieldIDWithLastElementIsNotSingleElement() {
        // src/common/metadata_handlers/metadata_generic.c md_check_as_single_element_id: bits 37:34 (last element)
        // must be 0 for single-element access.
        #expect(!FieldID(0x9010_0001_0000_0005 | 1 << 34).isSingleElement)
        #expect(!FieldID(0x9010_0001_0000_0005 | 1 << 24).isSingleElement)  // reserved bits 31:24
    }

    @Test func statusDescriptionNamesCodeOperandAndValue() {
        // STYLE.md point 2 and include/tdx_api_defs.h api_error_code_t: OPERAND_INVALID on RCX = 0xC000010000000001.
        #expect(TDXStatus.operandInvalid.with(.rcx).description == "TDX_OPERAND_INVALID(RCX) 0xC000010000000001")
        #expect(TDXStatus.success.description == "TDX_SUCCESS 0x0000000000000000")
    }

    @Test func l2SEPTWalkFailedCarriesVMHighAndLevelLow() {
        // include/tdx_api_defs.h: api_error_with_l2_details puts hi in 31:16 and lo in 15:0.
        let s = TDXStatus.l2SEPTWalkFailed.with(hi: 2, lo: 1)
        #expect(s.rawValue == 0xC000_0B0F_0002_0001)
        #expect(s.description == "TDX_L2_SEPT_WALK_FAILED(hi=2,lo=1) 0xC0000B0F00020001")
    }

    @Test func statusViewsSplitCodeAndDetails() {
        let s = TDXStatus(0xC000_0B0B_0000_0001)  // PAGE_SIZE_MISMATCH, level 1 (tdg_mem_page_attr_wr.c)
        #expect(s.code == .pageSizeMismatch)
        #expect(s.details == 1)
        #expect(s.isError)
        #expect(s.classCode == 0x0B)
        #expect(!TDXStatus.pageAlreadyAccepted.isError)  // bit 63 clear: a warning (tdx_error_codes_defs.h)
    }

    @Test func gpaAttrPlacesEachVMInItsSixteenBits() {
        // include/tdx_api_defs.h gpa_attr_t: VM0 bits 15:0, VM1 31:16, VM2 47:32, VM3 63:48.
        var a = GPAAttr(0)
        a[vm: 2] = GPAAttributes(0x8001)
        #expect(a.rawValue == 0x0000_8001_0000_0000)
        a[vm: 1] = .r | .w | .valid
        #expect(a.rawValue == 0x0000_8001_8003_0000)
        #expect(a[vm: 1].rawValue == 0x8003)
    }

    @Test func attrFlagsSplitMaskAndInvept() {
        // src/common/data_structures/tdx_tdvps.h attr_flags_t: bits 14:0 mask, bit 15 INVEPT.
        let f = AttrFlags(0x800F_0000_0003_0000)
        #expect(f.mask(vm: 1) == 3)
        #expect(!f.invept(vm: 1))
        #expect(f.mask(vm: 3) == 0xF)
        #expect(f.invept(vm: 3))
        #expect(AttrFlags(vm: 2, mask: 0xF, invept: true).rawValue == 0x0000_800F_0000_0000)
    }

    @Test func sharedBitFollowsGPAW() {
        // src/common/helpers/helpers.c check_gpa_validity: SHARED is bit 47 with GPAW 48 and bit 51 with GPAW 52;
        // bits 63:52 always invalid.
        #expect(GPAWidth.gpaw48.sharedMask == 1 << 47)
        #expect(GPAWidth.gpaw52.sharedMask == 1 << 51)
        #expect(!GPAWidth.gpaw48.isValidPrivate(1 << 47))
        #expect(!GPAWidth.gpaw48.isValidPrivate(1 << 48))  // 51:48 must be 0 with GPAW 48
        #expect(GPAWidth.gpaw52.isValidPrivate(1 << 48))
        #expect(!GPAWidth.gpaw52.isValidPrivate(1 << 51))
        #expect(!GPAWidth.gpaw52.isValidPrivate(1 << 52))
        #expect(GPAWidth(bits: 50) == nil)
    }

    @Test func pageInfoChecksReservedLevelAndAlignment() {
        // src/common/helpers/helpers.c verify_page_info_input: reserved 11:3 and 63:52, level in range, GPA
        // aligned to the level.
        let w = GPAWidth.gpaw48
        #expect(PageInfo(rawValue: 0x20_0001).isValid(maxLevel: .size1G, width: w))
        #expect(!PageInfo(rawValue: 0x20_1001).isValid(maxLevel: .size1G, width: w))  // 2M misaligned
        #expect(!PageInfo(rawValue: 0x20_0003).isValid(maxLevel: .size1G, width: w))  // level 3
        #expect(!PageInfo(rawValue: 0x20_0008).isValid(maxLevel: .size1G, width: w))  // bit 3 reserved
        #expect(!PageInfo(rawValue: 0x20_0002).isValid(maxLevel: .size2M, width: w))  // 1G above max
        #expect(PageInfo(gpa: 0x4000_0000, level: .size1G).rawValue == 0x4000_0002)
    }

    @Test func extendedExitQualificationPacksInfoFields() {
        // src/common/x86_defs/vmcs_defs.h vmx_ext_exit_qual_t, include/tdx_api_defs.h tdaccept_vmx_eeq_info_t:
        // type 3:0; info 63:32 = req 2:0, err 5:3, state 13:6, leaf 14, vm 21:20.
        let eeq = ExtendedExitQualification(kind: .gpaDetails, errorLevel: 1, vm: 2)
        #expect(eeq.rawValue == 0x0020_0008_0000_0002)
        let full = ExtendedExitQualification(
            kind: .accept, requestedLevel: 0, errorLevel: 1, errorState: 3, isLeaf: true)
        #expect(full.rawValue == (UInt64(1 << 3 | 3 << 6 | 1 << 14) << 32 | 1))
        #expect(full.errorState == 3 && full.isLeaf && full.errorLevel == 1 && full.kind == .accept)
    }

    @Test func publicSEPTStateValuesMatchTheModuleTable() {
        // include/auto_gen/sept_state_lookup.c, public_state: FREE 0, BLOCKED 1, PENDING 2, PENDING_BLOCKED 3,
        // MAPPED 4, REMOVED 5, NL_BLOCKED 0x81, NL_MAPPED 0x84.
        let expected: [(SEPTState, UInt8)] = [
            (.free, 0), (.blocked, 1), (.pending, 2), (.pendingBlocked, 3), (.mapped, 4), (.removed, 5),
            (.nlBlocked, 0x81), (.nlMapped, 0x84), (.exportedDirty, 0x0B), (.pendingExportedDirty, 0x13),
        ]
        for (state, value) in expected { #expect(state.publicValue == value, "\(state)") }
    }

    @Test func septStateFamiliesFollowTheStateLookupFlags() {
        // include/auto_gen/sept_state_lookup.c: guest_accessible_leaf = MAPPED, BLOCKEDW, EXP_BLOCKEDW, EXP_DIRTY,
        // EXP_DIRTY_BLOCKEDW.
        let accessible: Set<SEPTState> = [
            .mapped, .blockedW, .exportedBlockedW, .exportedDirty, .exportedDirtyBlockedW,
        ]
        for raw in UInt8(0)..<16 {
            let s = SEPTState(raw)
            #expect(s.isGuestAccessibleLeaf == accessible.contains(s), "\(s)")
            #expect(s.isPending == s.description.hasPrefix("PENDING"), "\(s)")
        }
    }

    @Test func bitHelpersExtractInclusiveRanges() {
        #expect(UInt64.mask(53, 52) == 0x0030_0000_0000_0000)
        #expect(UInt64(0x0020_0000_0000_0000).bits(53, 52) == 2)
        #expect(UInt64(0).setting(33, 32, to: 3) == 0x3_0000_0000)
        #expect(hex64(0xC000_0100_0000_0001) == "0xC000010000000001")
    }

    @Test func registerFileSubscriptFollowsArchitecturalOrder() {
        var r = RegisterFile()
        for i in 0..<16 { r[i] = UInt64(i + 1) }
        #expect(r.rax == 1 && r.rcx == 2 && r.rdx == 3 && r.rbx == 4 && r.rsp == 5 && r.rdi == 8 && r.r8 == 9)
        #expect(r.r15 == 16)
    }
}

@Suite struct ModuleProfileTests {
    @Test func profile1501HasTheReferenceFacts() {
        // include/tdx_api_defs.h: GUEST_L2_GPA_ATTR_MASK = 0x807F; src/common/data_structures/tdx_tdvps.h:
        // MAX_L2_VMS = 3. Its 21 leaves: LeafRegistryTests (SEAMCore).
        let p = ModuleProfile.default
        #expect(p.version == "1.5.01")
        #expect(p.l2GPAAttrMask == 0x807F)
        #expect(p.maxL2VMs == 3)
        #expect(p.hashID == 0x1_0005_0001)
        #expect(ModuleProfile.named("1.5.01") == p && ModuleProfile.named("2.0") == nil)
    }
}
