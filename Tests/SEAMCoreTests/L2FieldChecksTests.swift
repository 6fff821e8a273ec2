import SEAMCore
import SEAMTypes
import Testing

/// TDG.VP.WR's field-specific checks and the virtual-APIC translation cache (tdx-module
/// src/common/metadata_handlers/metadata_vp.c: md_vp_element_l2_vmcs_wr_handle, check_l2_procbased_exec_ctls*;
/// src/common/helpers/helpers.c: translate_gpas, invalidate_gpa_translations). Expected statuses are the module's,
/// worked out from those functions.
@Suite struct L2FieldChecksTests {
    @Test func newVirtualAPICAddressIsTranslatedAgainOnTheNextEntry() throws {
        var m = standardMachine(numL2VMs: 1)
        guard case .enteredL2 = try m.enterL2(vm: 1).outcome else {
            Issue.record("VM 1 was not entered")
            return
        }
        _ = try m.l2Event(vcpu: 0, .cpuid)
        // 0x9000 is FREE in standardMachine: the cached 0x2000 translation must not be used.
        try m.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), 0x9000)
        var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        guard case .tdExit(let exit) = try m.tdcall(vcpu: 0, &r) else {
            Issue.record("expected the EPT-violation TD exit on the new virtual-APIC page")
            return
        }
        #expect(exit.exitReason == .eptViolation && exit.r8 == 0x9000 && exit.vm == 0)
    }

    @Test func processorControlsFollowTheVirtualCapabilityMSRs() throws {
        var m = standardMachine(numL2VMs: 1)
        let primary = FID.vmcs(1, 0x4002, size: 2)
        // RDPMC exiting (bit 11) is fixed 1 without PERFMON: allowed-0 0xB5226DFA has bit 11.
        #expect(try m.vpWr(primary, 0, mask: 0x800).regs.rax == St.fieldValueNotValid)
        // Interrupt-window exiting (bit 2) may be set: allowed-1 0xFDFBFFFE has it, allowed-0 does not.
        #expect(try m.vpWr(primary, 0x4, mask: 0x4).regs.rax == St.success)
        // Secondary bit 26 (user wait and pause) needs WAITPKG: allowed-1 0x1379BFFE lacks it.
        let secondary = FID.vmcs(1, 0x401E, size: 2)
        #expect(try m.vpWr(secondary, 1 << 26, mask: 1 << 26).regs.rax == St.fieldValueNotValid)
    }

    @Test func eptpSSSAndDebugCtlTRNeedTheirFeatures() throws {
        var m = standardMachine(numL2VMs: 1)
        // EPTP bit 7 (SSS) with XFAM 0x3 (no CET_S).
        #expect(try m.vpWr(FID.vmcs(1, 0x201A), 0x80, mask: 0x80).regs.rax == St.fieldValueNotValid)
        // DEBUGCTL TR (bit 6) without BTS (bit 7) in a non-debug TD; with BTS it is accepted.
        #expect(try m.vpWr(FID.vmcs(1, 0x2802), 0x40, mask: 0xC0).regs.rax == St.fieldValueNotValid)
        #expect(try m.vpWr(FID.vmcs(1, 0x2802), 0xC0, mask: 0xC0).regs.rax == St.success)
    }

    /// SoftSEAM's platform has 48-bit linear addresses (CR4_FIXED1 without LA57, bit 12), as its VM-entry
    /// checks assume: the base CR4 mask owns LA57, so L1 cannot set it (tdx-module helpers.h
    /// calc_base_l2_cr4_write_mask) rather than fail the next entry.
    @Test func guestCR4LA57IsRefusedAtTDGVPWr() throws {
        var m = standardMachine(numL2VMs: 1)
        #expect(try m.vpWr(FID.vmcs(1, Enc.guestCR4), 0x3040, mask: 0x1000).regs.rax == St.fieldValueNotValid)
        #expect(try m.vpWr(FID.vmcs(1, Enc.guestCR4), 0x2060, mask: 0x20).regs.rax == St.success)
    }

    @Test func cpuidVEFieldsAreWholeBytes() throws {
        var m = standardMachine(numL2VMs: 1)
        try m.mustWrite(FID.cpuidSupervisorVE, 0x2, mask: 0xFF)
        #expect(try m.mustRead(FID.cpuidSupervisorVE) == 0x2)
    }

    @Test func exitEventForAReasonWithItsOwnEventIsInvalid() throws {
        var m = standardMachine(numL2VMs: 1)
        guard case .enteredL2 = try m.enterL2(vm: 1).outcome else {
            Issue.record("VM 1 was not entered")
            return
        }
        #expect(throws: MachineError.self) {
            try m.l2Event(vcpu: 0, .exit(.crAccess, qualification: 0, instructionLength: 3))
        }
        #expect(m.isFatal == false)
    }
}
