import SEAMCore
import SEAMTypes
import Testing

// TDG.VP.ENTER (leaf 25). Expected values from the module's handler, tdx-module src/td_transitions/tdg_vp_enter.c
// (tdg_vp_enter and its entry checks in order: 1 the buffer GPA in RDX, 2 RCX, 3 the virtual-APIC GPA, 4 a pending
// L1 interrupt, 5 the debug TD exit, 6 translating the GPAs; then 7 the flush and the VM entry;
// read_l2_enter_guest_state), with src/td_transitions/td_exit.c (td_l2_to_l1_exit_internal, write_l2_enter_outputs),
// src/td_dispatcher/tdx_td_l2_dispatcher.c (handle_l2_vm_entry_failures), src/common/helpers/helpers.c
// (check_gpa_validity, translate_gpas) and src/common/data_structures/td_vmcs_init.c (the reset state). Each entry
// check is shown in the module's order: the input fails check k and also a later check, and check k's result is
// what L1 sees.
// Machine: `standardMachine` (GPAW 48; 0x0–0x7FFF MAPPED 4K, 0x9000 FREE, 0x10000–0x13FFF PENDING 4K,
// 0x400000 PENDING 2M, 0x600000 FREE PDE). The buffer lives at 0x1000 and the virtual-APIC page at 0x2000.
@Suite struct VPEnterTests {
    static let buffer: UInt64 = 0x1000
    static let vapic: UInt64 = 0x2000
    /// VMX basic exit reasons (SDM appendix C) as RAX[31:0] of an L2→L1 exit.
    static let reasonCPUID: UInt64 = 10
    static let reasonEPTViolation: UInt64 = 48
    /// Reason 33 (invalid guest state) with bit 31 (VM-entry failure), handle_l2_vm_entry_failures.
    static let entryFailureInvalidGuestState: UInt64 = 0x8000_0021

    /// One TDG.VP.ENTER with the given RCX/RDX and L1's other registers set to recognisable values.
    static func enterRegs(rcx: UInt64, rdx: UInt64) -> RegisterFile {
        var r = RegisterFile(rax: TDG.vpEnter, rcx: rcx, rdx: rdx, r8: 0x88, r9: 0x99, r10: 0xAA, r11: 0xBB)
        r.rbx = 0xB0
        r.rsp = 0x5000
        r.rbp = 0xBE
        r.rsi = 0x51
        r.rdi = 0xD1
        r.r12 = 0x12
        r.r13 = 0x13
        r.r14 = 0x14
        r.r15 = 0x15
        return r
    }

    /// Runs a TDG.VP.ENTER that must complete without entering L2 and without changing any state, writing
    /// only RAX = `status`.
    static func expectRefused(
        _ m: inout Machine, rcx: UInt64, rdx: UInt64, _ status: UInt64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = m.stateHash()
        let input = enterRegs(rcx: rcx, rdx: rdx)
        var regs = input
        let o = try m.tdcall(vcpu: 0, &regs)
        #expect(o == .completed, sourceLocation: sourceLocation)
        #expect(regs.rax == status, "rax \(hex64(regs.rax))", sourceLocation: sourceLocation)
        var rest = regs
        rest.rax = input.rax
        #expect(rest == input, "only RAX is written", sourceLocation: sourceLocation)
        #expect(m.stateHash() == before, sourceLocation: sourceLocation)
        #expect(m.vcpus[0].location == .l1, sourceLocation: sourceLocation)
    }

    // MARK: Check 1: RDX

    @Test(
        arguments: [
            (0x1080, "not 256-byte aligned"),
            (0x1001, "not 256-byte aligned (bit 0)"),
            (0x0000_8000_0000_1000, "shared (bit 47 under GPAW 48)"),
            (0x0001_0000_0000_1000, "bit 48 set under GPAW 48"),
            (0x0008_0000_0000_1000, "bit 51 set under GPAW 48"),
            (0x0010_0000_0000_1000, "bit 52 set"),
            (0x8000_0000_0000_1000, "bit 63 set"),
        ] as [(UInt64, String)])
    func badBufferGPAIsOperandInvalidRDXBeforeTheVMIndexIsChecked(rdx: UInt64, why: String) throws {
        // Check 1 (check_gpa_validity, private only): aligned, shared bit clear, no bit ≥ 52, bits 51:48 clear
        // under GPAW 48.
        // RCX also names VM 0 (check 2 would fail too).
        var m = standardMachine()
        try Self.expectRefused(&m, rcx: enterRCX(vm: 0), rdx: rdx, St.operandInvalidRDX)
        try Self.expectRefused(&m, rcx: 1 << 2 | enterRCX(vm: 1), rdx: rdx, St.operandInvalidRDX)
    }

    // MARK: Check 2: RCX

    @Test(
        arguments: [
            (enterRCX(vm: 0), "VM index 0"),
            (enterRCX(vm: 0, invd: 1), "VM index 0 with INVD_TRANSLATIONS"),
            (enterRCX(vm: 3), "VM index above NUM_L2_VMS = 2"),
            (enterRCX(vm: 1) | 1 << 2, "reserved bit 2"),
            (enterRCX(vm: 1) | 1 << 32, "reserved bit 32"),
            (enterRCX(vm: 1) | 1 << 51, "reserved bit 51"),
            (enterRCX(vm: 1) | 1 << 54, "reserved bit 54"),
            (enterRCX(vm: 1) | 1 << 63, "reserved bit 63"),
        ] as [(UInt64, String)])
    func badRCXIsOperandInvalidRCXBeforeTheVirtualAPICCheck(rcx: UInt64, why: String) throws {
        // Check 2 (the RCX layout). No virtual-APIC GPA is set either (check 3 would fail too).
        var m = standardMachine(numL2VMs: 2)
        try Self.expectRefused(&m, rcx: rcx, rdx: Self.buffer, St.operandInvalidRCX)
    }

    @Test func badRCXWinsEvenWhenTheVirtualAPICIsSet() throws {
        var m = standardMachine(numL2VMs: 1)
        try m.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), Self.vapic)
        try Self.expectRefused(&m, rcx: enterRCX(vm: 2), rdx: Self.buffer, St.operandInvalidRCX)
        try Self.expectRefused(&m, rcx: enterRCX(vm: 1) | 1 << 60, rdx: Self.buffer, St.operandInvalidRCX)
    }

    // MARK: Check 3: virtual-APIC GPA

    @Test func unsetVirtualAPICIsOperandInvalidL2VAPICGPABeforeTranslation() throws {
        // Check 3: operand L2_VAPIC_GPA = 0xC0000100000000AA. The buffer at 0x9000 (FREE) would make check 6
        // TD-exit; check 3 wins.
        var m = standardMachine()
        try Self.expectRefused(&m, rcx: enterRCX(vm: 1), rdx: 0x9000, St.operandInvalidL2VAPICGPA)
        try Self.expectRefused(&m, rcx: enterRCX(vm: 1, invd: 1), rdx: Self.buffer, St.operandInvalidL2VAPICGPA)
    }

    @Test func virtualAPICIsPerVM() throws {
        // The GPA is L2 VMCS field 0x2012 of each VM: setting VM 2's does not make VM 1 enterable.
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(2, Enc.virtualAPICAddress), Self.vapic)
        try Self.expectRefused(&m, rcx: enterRCX(vm: 1), rdx: Self.buffer, St.operandInvalidL2VAPICGPA)
        try Self.expectRefused(&m, rcx: enterRCX(vm: 3), rdx: Self.buffer, St.operandInvalidL2VAPICGPA)
    }

    // MARK: Check 4: pending interrupt for L1

    @Test func pendingL1InterruptReturnsPendingInterruptWritingOnlyRAX() throws {
        // Check 4: RVI[7:4] of L1's guest-interrupt status above PPR[7:4] of L1's vAPIC →
        // TDX_PENDING_INTERRUPT 0x0000112000000000, only RAX written, L2 not entered, even with L1's IF = 0.
        // The buffer is on a FREE page: check 6 would TD-exit, so check 4 is shown to come first.
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), Self.vapic)
        // Vector 0x40 requested, PPR 0: class 4 > class 0.
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x40, ppr: 0)
        try Self.expectRefused(&m, rcx: enterRCX(vm: 1, invd: 1), rdx: 0x9000, St.pendingInterrupt)
        #expect(m.l2SEPTFlushes[1] == 0)
        // Same class (PPR 0x4F) is not "above": the check passes and step 6 TD-exits on the FREE buffer page.
        try m.setL1VirtualInterruptState(vcpu: 0, rvi: 0x40, ppr: 0x4F)
        var regs = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x9000)
        guard case .tdExit(let exit) = try m.tdcall(vcpu: 0, &regs) else {
            Issue.record("expected the translation TD exit once RVI's class is not above PPR's")
            return
        }
        #expect(exit.exitReason == .eptViolation)
    }

    // MARK: Check 6: translating the buffer and the virtual-APIC page

    /// Runs a TDG.VP.ENTER expecting the step-6 EPT-violation TD exit: exit reason 48, qualification 0 with
    /// VM index 0 in RCX bits 33:32, R8 = `page`; L1's registers untouched, nothing flushed or launched.
    static func expectTranslationExit(
        _ m: inout Machine, rcx: UInt64, rdx: UInt64, page: UInt64,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let input = enterRegs(rcx: rcx, rdx: rdx)
        var regs = input
        let flushesBefore = flushes(m)
        let vpidBefore = m.vcpus[0].vpidFlushes
        let o = try m.tdcall(vcpu: 0, &regs)
        guard case .tdExit(let e) = o else {
            Issue.record("expected a TD exit, got \(o) rax \(hex64(regs.rax))", sourceLocation: sourceLocation)
            return
        }
        #expect(e.rax == reasonEPTViolation, "status 0, reason 48", sourceLocation: sourceLocation)
        #expect(e.rcx == 0, "qualification 0, VM index 0 in bits 33:32", sourceLocation: sourceLocation)
        #expect(e.r8 == page, "GPA \(hex64(e.r8))", sourceLocation: sourceLocation)
        #expect(regs == input, "L1's registers are untouched", sourceLocation: sourceLocation)
        #expect(flushes(m) == flushesBefore, sourceLocation: sourceLocation)
        #expect(m.vcpus[0].vpidFlushes == vpidBefore, sourceLocation: sourceLocation)
        #expect(m.vcpus[0].vmLaunched == 0, sourceLocation: sourceLocation)
        #expect(m.vcpus[0].currentVM == 0, sourceLocation: sourceLocation)
    }

    @Test(
        arguments: [
            (0x9100, 0x9000, "FREE 4K entry"),
            (0x60_0200, 0x60_0000, "no PT under a FREE PDE"),
            (0x1_0200, 0x1_0000, "PENDING 4K page"),
            (0x4A_BC00, 0x4A_B000, "inside a PENDING 2M page"),
        ] as [(UInt64, UInt64, String)])
    func bufferNotOnAMappedLeafIsAnEPTViolationTDExitWithVMIndex0(gpa: UInt64, page: UInt64, why: String) throws {
        // Check 6 (translate_gpas; the TD exit reports CURR_VM, still 0: td_exit.c async_tdexit_internal);
        // INVD_TRANSLATIONS = 1 is not executed (step 7 comes later).
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), Self.vapic)
        try Self.expectTranslationExit(&m, rcx: enterRCX(vm: 1, invd: 1), rdx: gpa, page: page)
    }

    @Test(
        arguments: [
            (0x9000, "FREE 4K entry"),
            (0x60_0000, "no PT under a FREE PDE"),
            (0x1_1000, "PENDING 4K page"),
            (0x40_3000, "inside a PENDING 2M page"),
        ] as [(UInt64, String)])
    func virtualAPICNotOnAMappedLeafIsAnEPTViolationTDExitWithVMIndex0(vapic: UInt64, why: String) throws {
        // TDG.VP.WR checks only that the GPA is private (metadata_vp.c md_vp_handle_field_attribute_on_wr); the
        // mapping is checked at entry (check 6).
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), vapic)
        try m.writeGuestState(GuestState.patterned(), at: Self.buffer)
        try Self.expectTranslationExit(&m, rcx: enterRCX(vm: 1, invd: 2), rdx: Self.buffer, page: vapic)
    }

    @Test func bufferIsTranslatedBeforeTheVirtualAPICPage() throws {
        var m = standardMachine()
        try m.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), 0x60_0000)
        try Self.expectTranslationExit(&m, rcx: enterRCX(vm: 1), rdx: 0x1_2300, page: 0x1_2000)
    }

    @Test func failedTranslationLeavesTheBufferGPARecorded() throws {
        // tdg_vp_enter: RDX is recorded as VM 1's L2_ENTER_GUEST_STATE_GPA before translating, so it stays recorded
        // after the TD exit (L1 cannot read that field; the test looks at the TDVPS directly).
        var m = standardMachine()
        #expect(m.vcpus[0].guestStateGPA[1] == TDH.nullPA)
        try m.mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), Self.vapic)
        try Self.expectTranslationExit(&m, rcx: enterRCX(vm: 1), rdx: 0x9100, page: 0x9000)
        #expect(m.vcpus[0].guestStateGPA[1] == 0x9100)
        #expect(m.vcpus[0].guestStateGPA[2] == TDH.nullPA)
        // A failed virtual-APIC translation records the buffer GPA too.
        var m2 = standardMachine()
        try m2.mustWrite(FID.vmcs(2, Enc.virtualAPICAddress), 0x9000)
        try Self.expectTranslationExit(&m2, rcx: enterRCX(vm: 2), rdx: 0x1100, page: 0x9000)
        #expect(m2.vcpus[0].guestStateGPA[2] == 0x1100)
    }

    // MARK: A successful entry (step 7) and the L2→L1 exit (td_l2_to_l1_exit_internal)

    @Test func entryLoadsTheBufferAndACPUIDExitReturnsItToL1() throws {
        var m = standardMachine()
        // L2's CS, written by L1 (fully writable, Specs/l2-vmcs-fields.tsv), so RSI/RDI on exit are recognisable.
        try m.mustWrite(FID.vmcs(1, Enc.csSelector, size: 1), 0x10)
        try m.mustWrite(FID.vmcs(1, Enc.csBase), 0x1_0000)
        let s = GuestState.patterned(rip: 0x0012_3450)
        let c = try m.enterL2(vm: 1, state: s, l1RSP: 0x5008)
        #expect(c.outcome == .enteredL2(vm: 1))
        #expect(m.vcpus[0].location == .l2(vm: 1))
        #expect(m.vcpus[0].currentVM == 1)
        // read_l2_enter_guest_state: all 16 buffer GPRs are copied over the shared GPR image.
        #expect(m.vcpus[0].gprs == s.gprs)

        guard case .exitToL1(let r) = try m.l2Event(vcpu: 0, .cpuid) else {
            Issue.record("CPUID from L2 must exit to L1 (tdx_td_l2_dispatcher.c)")
            return
        }
        // td_l2_to_l1_exit_internal's register layout.
        #expect(r.rax == Self.reasonCPUID, "status SUCCESS, reason 10")
        #expect(r.rbx == 0)
        #expect(r.rcx == 0, "exit qualification")
        #expect(r.rdx == 0, "guest linear address")
        // CS selector 0x10, AR 0xC09B and limit 0xFFFFFFFF (reset flat 4 GB code, td_vmcs_init.c), base 0x10000.
        #expect(r.rsi == 0xFFFF_FFFF_C09B_0010)
        #expect(r.rdi == 0x1_0000)
        #expect(r.r8 == 0, "guest physical address")
        #expect(r.r9 == 0)
        #expect(r.r10 == 0)
        #expect(r.r11 >> 32 == 2, "CPUID is 2 bytes long")
        #expect(r.r12 == 0, "CPL 0 (SS AR 0xC093)")
        #expect(r.r13 == 0)
        #expect(r.r14 == 0)
        #expect(r.r15 == 0)
        #expect(r.rbp == s.gprs.rbp, "RBP holds L2's RBP (td_exit.c)")
        #expect(r.rsp == 0x5008, "RSP is L1's own (td_exit.c)")
        #expect(m.vcpus[0].gprs == r)
        #expect(m.vcpus[0].location == .l1)
        #expect(m.vcpus[0].currentVM == 0)
        #expect(m.vcpus[0].vmLaunched >> 1 & 1 == 1, "VM_LAUNCHED[1]")
        #expect(m.vcpus[0].vmLaunched & ~0b10 == 0)

        // The buffer's RIP, RSP, RFLAGS, SSP and interrupt status were VMWRITTEN (read_l2_enter_guest_state).
        // CPUID is fault-like: RIP stays at the instruction (tdx_td_l2_dispatcher.c).
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestRIP)) == 0x0012_3450)
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestRSP)) == 0x7F00)
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestRFLAGS)) == 0x202)
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestSSP)) == 0x7000)
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestInterruptStatus, size: 1)) == 0x3000)
        // write_l2_enter_outputs: L2's state is written back to the buffer (L2 changed nothing here).
        #expect(try m.guestState(at: Self.buffer) == s)
    }

    @Test func aSecondEntryRunsWithTheNewBuffer() throws {
        var m = standardMachine()
        _ = try m.enterL2(vm: 1, rip: 0x1000)
        _ = try m.l2Event(vcpu: 0, .cpuid)
        var s = GuestState.patterned(rip: 0x2002)
        s.gprs.rbx = 0xB0B0
        s.rflags = 0x2
        try m.writeGuestState(s, at: 0x3000)
        var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x3000)
        #expect(try m.tdcall(vcpu: 0, &r) == .enteredL2(vm: 1))
        #expect(m.vcpus[0].gprs.rbx == 0xB0B0)
        #expect(m.vcpus[0].guestStateGPA[1] == 0x3000)
        _ = try m.l2Event(vcpu: 0, .cpuid)
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestRIP)) == 0x2002)
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestRFLAGS)) == 0x2)
    }

    @Test(
        arguments: [
            (0, 0, 0), (1, 1, 0), (2, 0, 1), (3, 0, 1),
        ] as [(UInt64, UInt64, UInt64)])
    func invdTranslationsFlushesBeforeEntering(invd: UInt64, septFlushes: UInt64, vpidFlushes: UInt64) throws {
        // tdg_vp_enter, step 7: 1 = INVEPT single-context on the VM's SEPT; 2 = INVVPID single-context; 3 = the same
        // retaining globals. Only the entered VM is flushed.
        var m = standardMachine()
        let c = try m.enterL2(vm: 2, invd: invd)
        #expect(c.outcome == .enteredL2(vm: 2))
        #expect(flushes(m) == [0, 0, septFlushes, 0])
        #expect((0..<4).map { m.vcpus[0].vpidFlushes[$0] } == [0, 0, vpidFlushes, 0])
    }

    // MARK: VM-entry failures (handle_l2_vm_entry_failures; SDM Vol. 3C §27.3.1)

    /// Enters VM 1 expecting the CPU to refuse the guest state: TDG.VP.ENTER completes with RAX = 0x80000021
    /// (status SUCCESS), qualification 0, L1 current again and VM_LAUNCHED[1] still clear.
    static func expectEntryFailure(_ m: inout Machine, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = try m.enterL2(vm: 1, rip: 0x1000, l1RSP: 0x5010)
        #expect(c.outcome == .completed, sourceLocation: sourceLocation)
        #expect(c.regs.rax == entryFailureInvalidGuestState, "rax \(hex64(c.regs.rax))", sourceLocation: sourceLocation)
        #expect(c.regs.rbx == 0, sourceLocation: sourceLocation)
        #expect(c.regs.rcx == 0, "default exit qualification", sourceLocation: sourceLocation)
        #expect(c.regs.rsp == 0x5010, sourceLocation: sourceLocation)
        #expect(m.vcpus[0].location == .l1, sourceLocation: sourceLocation)
        #expect(m.vcpus[0].currentVM == 0, sourceLocation: sourceLocation)
        #expect(m.vcpus[0].vmLaunched & 0b10 == 0, "VM_LAUNCHED[1] not set", sourceLocation: sourceLocation)
    }

    @Test func pagingWithoutProtectedModeIsAcceptedByWriteAndFailsAtEntry() throws {
        var m = standardMachine()
        // metadata_vp.c: CR0.PG = 1 with PE = 0 is not rejected by TDG.VP.WR (R9 = PE | PG; old value 0x21
        // returned).
        let w = try m.vpWr(FID.vmcs(1, Enc.guestCR0), 0x8000_0000, mask: 0x8000_0001)
        #expect(w.regs.rax == St.success)
        #expect(w.regs.r8 == 0x21)
        #expect(try m.mustRead(FID.vmcs(1, Enc.guestCR0)) == 0x8000_0020)
        try Self.expectEntryFailure(&m)
        // With PE set again the same VM enters and is launched.
        try m.mustWrite(FID.vmcs(1, Enc.guestCR0), 0x21, mask: 0x8000_0001)
        let c = try m.enterL2(vm: 1, rip: 0x1000)
        #expect(c.outcome == .enteredL2(vm: 1))
        _ = try m.l2Event(vcpu: 0, .cpuid)
        #expect(m.vcpus[0].vmLaunched & 0b10 != 0)
    }

    @Test func entryFailureLeavesAnEarlierLaunchInPlace() throws {
        // tdx_td_dispatcher.c (VM_LAUNCHED is set only when the entry did not fail): a reason-33 entry failure
        // leaves VM_LAUNCHED unchanged — set stays set.
        var m = standardMachine()
        #expect(try m.enterL2(vm: 1, rip: 0x1000).outcome == .enteredL2(vm: 1))
        _ = try m.l2Event(vcpu: 0, .cpuid)
        #expect(m.vcpus[0].vmLaunched & 0b10 != 0)
        try m.mustWrite(FID.vmcs(1, Enc.guestCR0), 0x8000_0000, mask: 0x8000_0001)
        let c = try m.enterL2(vm: 1, rip: 0x1000)
        #expect(c.outcome == .completed)
        #expect(c.regs.rax == Self.entryFailureInvalidGuestState)
        #expect(m.vcpus[0].vmLaunched & 0b10 != 0)
        #expect(m.vcpus[0].location == .l1)
    }

    @Test(arguments: [false, true])
    func ia32eModeEntryControlWithoutLongModeEFERFailsAtEntry(clearLME: Bool) throws {
        // Specs/l2-vmcs-fields.tsv: "IA-32e mode guest" (entry control bit 9) is L1-writable with no cross-check
        // against EFER (metadata_vp.c). The reset EFER is 0x901 (SCE, LME, NXE; LMA clear), so LMA ≠ IA-32e mode
        // guest.
        var m = standardMachine()
        let w = try m.vpWr(FID.vmcs(1, Enc.entryControls, size: 2), 0x200, mask: 0x200)
        #expect(w.regs.rax == St.success)
        #expect(w.regs.r8 & 0x200 == 0, "IA-32e mode guest starts clear (td_l2_vmcs_fields_lookup.c)")
        if clearLME {
            try m.mustWrite(FID.vmcs(1, Enc.guestEFER), 0, mask: 0x100)
            #expect(try m.mustRead(FID.vmcs(1, Enc.guestEFER)) == 0x801)
        }
        try Self.expectEntryFailure(&m)
    }
}
