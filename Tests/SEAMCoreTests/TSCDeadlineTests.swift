import SEAMCore
import SEAMTypes
import Testing

// The L2 TSC-deadline timer (tdx-module TDX_1.5.01: src/common/metadata_handlers/metadata_vp.c, the TSC_DEADLINE
// cases of md_vp_element_tdvps_wr_handle; src/common/helpers/helpers.c set_vmx_preemption_timer; its callers in
// src/td_transitions/tdg_vp_enter.c, src/td_dispatcher/tdx_td_l2_dispatcher.c and src/td_transitions/tdh_vp_enter.c;
// exit 52 in the dispatcher's unconditional L2->L1 group) and the model's virtual TSC, which only an L2 `time`
// event advances. Expected values are worked out by hand from those sources and SDM Vol. 3C §26.6.4:
// - exit 52 to L1: RAX = SUCCESS | 52 = 0x34, RCX (qualification) 0, R11 (length) 0;
// - pin-based controls of an L2 VMCS at reset 0x3F (0x29 | default1 0x16); bit 6 (0x40) while the timer is armed;
// - plain TDX_OPERAND_INVALID = 0xC000010000000000 (no operand id).
struct TSCDeadlineTests {
    static let exit52: UInt64 = 52
    static let pinReset: UInt64 = 0x3F
    static let pinArmed: UInt64 = 0x7F
    static let pinBased = FID.vmcs(1, 0x4000, size: 2)

    /// The standard TD with VM 1's TSC_DEADLINE = `deadline`, entered; the outcome of TDG.VP.ENTER.
    static func enterWithDeadline(_ deadline: UInt64, _ m: inout Machine) throws -> Call {
        try m.mustWrite(FID.tscDeadline(1), deadline)
        return try m.enterL2(vm: 1)
    }

    /// Passes `ticks` in VM 1, which must be running.
    static func time(_ m: inout Machine, _ ticks: UInt64) throws -> L2Outcome {
        try m.l2Event(vcpu: 0, vm: 1, .time(ticks: ticks))
    }

    // MARK: Virtual time

    @Test func theVirtualTSCStartsAt0AndOnlyATimeEventAdvancesIt() throws {
        var m = standardMachine()
        #expect(m.virtualTSC == 0)
        #expect(try m.enterL2(vm: 1).outcome == .enteredL2(vm: 1))
        #expect(m.virtualTSC == 0, "TDG.VP.ENTER takes no time")
        #expect(try Self.time(&m, 0x1234) == .continued, "no deadline: L2 goes on running")
        #expect(m.virtualTSC == 0x1234)
        _ = try m.l2Event(vcpu: 0, .cpuid)
        #expect(m.virtualTSC == 0x1234, "an exit to L1 takes no time")
        _ = try m.vpRd(FID.vcpuIndex)
        #expect(m.virtualTSC == 0x1234, "a TDCALL takes no time")
    }

    @Test func theVirtualTSCDoesNotWrap() throws {
        var m = standardMachine()
        _ = try m.enterL2(vm: 1)
        #expect(try Self.time(&m, ~0) == .continued)
        #expect(m.virtualTSC == ~0)
        #expect(throws: MachineError.self) { try Self.time(&m, 1) }
        #expect(m.virtualTSC == ~0, "the refused span passes nothing")
        #expect(try Self.time(&m, 0) == .continued)
    }

    @Test func theStateHashSeesTheTSCOnlyOnceItMoved() throws {
        var m = standardMachine()
        _ = try m.enterL2(vm: 1)
        let before = m.stateHash()
        #expect(try Self.time(&m, 0) == .continued)
        #expect(m.stateHash() == before, "TSC 0 adds no record: every existing trace hashes as before")
        _ = try Self.time(&m, 1)
        #expect(m.stateHash() != before)
        #expect(m.stateHash() == m.recomputedStateHash())
    }

    // MARK: TDG.VP.WR of TSC_DEADLINE

    @Test func aDeadline2To63TicksAheadIsPlainOperandInvalidAndLeavesTheField() throws {
        var m = standardMachine()
        // TSC 0: 2^63 − 1 ahead converts; 2^63 ahead makes native − now negative as a signed value.
        let ok = try m.vpWr(FID.tscDeadline(1), 0x7FFF_FFFF_FFFF_FFFF, mask: ~0)
        #expect(ok.regs.rax == St.success)
        #expect(ok.regs.r8 == ~0, "the old value, all ones (TDH.VP.INIT)")
        let bad = try m.vpWr(FID.tscDeadline(1), 0x8000_0000_0000_0000, mask: ~0)
        #expect(bad.regs.rax == St.operandInvalid, "plain OPERAND_INVALID: no operand id")
        #expect(bad.regs.r8 == 0)
        #expect(try m.mustRead(FID.tscDeadline(1)) == 0x7FFF_FFFF_FFFF_FFFF, "the refused write stored nothing")
        // The bound moves with the TSC: at TSC 10, 10 + 2^63 − 1 converts and 10 + 2^63 does not.
        try m.mustWrite(FID.tscDeadline(1), ~0)
        _ = try m.enterL2(vm: 1)
        _ = try Self.time(&m, 10)
        _ = try m.l2Event(vcpu: 0, .cpuid)
        #expect(try m.vpWr(FID.tscDeadline(1), 0x8000_0000_0000_0009, mask: ~0).regs.rax == St.success)
        #expect(try m.vpWr(FID.tscDeadline(1), 0x8000_0000_0000_000A, mask: ~0).regs.rax == St.operandInvalid)
        // All ones is never converted.
        #expect(try m.vpWr(FID.tscDeadline(1), ~0, mask: ~0).regs.rax == St.success)
    }

    @Test func aDeadlineInThePastIsKeptAsWritten() throws {
        var m = standardMachine()
        _ = try m.enterL2(vm: 1)
        _ = try Self.time(&m, 100)
        _ = try m.l2Event(vcpu: 0, .cpuid)
        try m.mustWrite(FID.tscDeadline(1), 3)
        #expect(try m.mustRead(FID.tscDeadline(1)) == 3, "TDG.VP.RD returns the value written, not \"now\"")
        let c = try m.enterL2(vm: 1)
        #expect(c.completed, "a past deadline fires at once")
        #expect(c.regs.rax == Self.exit52)
    }

    @Test func vm0AndAMissingVMStoreTheDeadlineAndIgnoreIt() throws {
        var m = standardMachine(numL2VMs: 2)
        // Neither is converted (VM 0 has no timer; VM 3 does not exist), so 2^63 ahead is accepted too.
        for vm in [0, 3] {
            let c = try m.vpWr(FID.tscDeadline(vm), 0x8000_0000_0000_0000, mask: ~0)
            #expect(c.regs.rax == St.success, "VM \(vm)")
            #expect(try m.mustRead(FID.tscDeadline(vm)) == 0x8000_0000_0000_0000, "VM \(vm): stored")
        }
        try m.mustWrite(FID.tscDeadline(0), 0)
        #expect(try m.enterL2(vm: 1).outcome == .enteredL2(vm: 1), "VM 0's past deadline arms nothing")
        #expect(m.vcpus[0].vmcs(1, L2VMCSRow.pinBasedControls) == Self.pinReset)
    }

    // MARK: Arming at TDG.VP.ENTER

    @Test func aDueDeadlineExits52AtOnceOnEveryEntryUntilL1WritesAllOnes() throws {
        var m = standardMachine()
        // Deadline 0 at TSC 0: not after now, timer value 0, exit 52 before L2 runs.
        let c = try Self.enterWithDeadline(0, &m)
        #expect(c.completed, "TDG.VP.ENTER returns the exit")
        #expect(c.regs.rax == Self.exit52)
        #expect(c.regs.rcx == 0, "qualification")
        #expect(c.regs.r11 == 0, "no instruction length")
        #expect(c.regs.rsp == 0x5000, "L1's RSP")
        #expect(m.vcpus[0].location == .l1)
        #expect(m.vcpus[0].vmLaunched >> 1 & 1 == 1, "the entry itself succeeded")
        #expect(try m.guestState(at: 0x1000).rip == 0x10_0000, "L2 ran no instruction")
        // Not one-shot: the deadline stays and the next entry exits again.
        #expect(try m.mustRead(FID.tscDeadline(1)) == 0)
        let again = try m.enterL2(vm: 1)
        #expect(again.completed && again.regs.rax == Self.exit52)
        try m.mustWrite(FID.tscDeadline(1), ~0)
        #expect(try m.enterL2(vm: 1).outcome == .enteredL2(vm: 1))
    }

    @Test func aLaterDeadlineEntersAndShowsPinBasedBit6() throws {
        var m = standardMachine()
        try m.mustWrite(FID.tscDeadline(1), 500)
        #expect(try m.mustRead(Self.pinBased) == Self.pinReset, "written but not armed before an entry")
        #expect(try m.enterL2(vm: 1).outcome == .enteredL2(vm: 1))
        #expect(m.vcpus[0].vmcs(1, L2VMCSRow.vmxPreemptionTimerValue) == 500, "timer value = 500 − 0")
        _ = try m.l2Event(vcpu: 0, .cpuid)
        #expect(try m.mustRead(Self.pinBased) == Self.pinArmed)
        // All ones disarms at the next entry, not at the write: the VMCS keeps bit 6 until then.
        try m.mustWrite(FID.tscDeadline(1), ~0)
        #expect(try m.mustRead(Self.pinBased) == Self.pinArmed)
        _ = try m.enterL2(vm: 1)
        _ = try m.l2Event(vcpu: 0, .cpuid)
        #expect(try m.mustRead(Self.pinBased) == Self.pinReset)
    }

    @Test func aFailedEntryLeavesTheTimerArmedInTheVMCSButExitsWithTheFailure() throws {
        var m = standardMachine()
        try m.mustWrite(FID.tscDeadline(1), 0)
        // Paging without protected mode passes TDG.VP.WR and fails the VM-entry checks (0x80000021).
        try m.mustWrite(FID.vmcs(1, Enc.guestCR0), 0x8000_0020)
        let c = try m.enterL2(vm: 1)
        #expect(c.regs.rax == 0x8000_0021, "the entry failure, not exit 52: the timer never ran")
        // tdg_vp_enter.c calls set_vmx_preemption_timer before VMRESUME: the VMCS keeps bit 6.
        #expect(try m.mustRead(Self.pinBased) == Self.pinArmed)
    }

    // MARK: Expiry inside a time span

    @Test func theTimerFiresAtTheExactTickAndTheRestOfTheSpanDoesNotPass() throws {
        var m = standardMachine()
        #expect(try Self.enterWithDeadline(1000, &m).outcome == .enteredL2(vm: 1))
        #expect(try Self.time(&m, 999) == .continued)
        #expect(m.virtualTSC == 999)
        guard case .exitToL1(let r) = try Self.time(&m, 5) else {
            Issue.record("the deadline 1000 falls inside 999…1004")
            return
        }
        #expect(m.virtualTSC == 1000, "the TSC stops at the deadline")
        #expect(r.rax == Self.exit52)
        #expect(r.rcx == 0 && r.r11 == 0)
        #expect(m.vcpus[0].location == .l1)
        // Re-entering: the deadline is now due, exit 52 at once, and no time passes.
        let again = try m.enterL2(vm: 1)
        #expect(again.completed && again.regs.rax == Self.exit52)
        #expect(m.virtualTSC == 1000)
        // A later deadline: L1 gets L2 back.
        try m.mustWrite(FID.tscDeadline(1), 1001)
        #expect(try m.enterL2(vm: 1).outcome == .enteredL2(vm: 1))
        guard case .exitToL1 = try Self.time(&m, 1) else {
            Issue.record("deadline 1001 at TSC 1000 + 1")
            return
        }
    }

    @Test func theTimerIs32BitsSoAFarDeadlineExitsEarly() throws {
        var m = standardMachine()
        // Deadline 2^40 at TSC 0: the timer value is capped at 2^32 − 1 and counts every tick (rate 0).
        #expect(try Self.enterWithDeadline(1 << 40, &m).outcome == .enteredL2(vm: 1))
        guard case .exitToL1(let r) = try Self.time(&m, 1 << 32) else {
            Issue.record("the capped timer expires after 2^32 − 1 ticks")
            return
        }
        #expect(r.rax == Self.exit52)
        #expect(m.virtualTSC == 0xFFFF_FFFF)
    }

    // MARK: Re-arming on the other entries into L2

    /// An L2 TDVMCALL with a version in RAX (bits 63:16) that the module answers itself: OPERAND_INVALID(RAX)
    /// in L2's RAX, RIP + 4, L2 resumed (tdg_vp_vmcall.c; needs ENABLE_TDVMCALL and a 64-bit L2).
    static func moduleHandledTDCall(_ m: inout Machine) throws -> L2Outcome {
        _ = try m.l2Event(vcpu: 0, .setRegister(0, 0x1_0000))
        _ = try m.l2Event(vcpu: 0, .setRegister(1, 0))
        return try m.l2Event(vcpu: 0, .tdcall)
    }

    @Test func theModuleResumingL2ReArmsTheTimer() throws {
        var m = standardMachine()
        try m.prepareVM1In64BitMode()
        try m.mustWrite(FID.l2Ctls(1), 0x2)  // ENABLE_TDVMCALL
        // Deadline 2^33: armed at 2^32 − 1 (the cap). After 2^32 − 2 ticks the count is 1; the module's resume
        // re-arms it to min(2^33 − (2^32 − 2), 2^32 − 1) = 2^32 − 1, so 2 more ticks do not expire it.
        #expect(try Self.enterWithDeadline(1 << 33, &m).outcome == .enteredL2(vm: 1))
        #expect(try Self.time(&m, 0xFFFF_FFFE) == .continued)
        #expect(m.vcpus[0].vmcs(1, L2VMCSRow.vmxPreemptionTimerValue) == 1)
        #expect(try Self.moduleHandledTDCall(&m) == .moduleHandled(.tdcall))
        #expect(m.vcpus[0].vmcs(1, L2VMCSRow.vmxPreemptionTimerValue) == 0xFFFF_FFFF)
        #expect(try Self.time(&m, 2) == .continued)
    }

    /// vCPU 1 enters VM 2 (virtual-APIC 0x5000, buffer 0x6000, no deadline) and `ticks` pass there.
    static func passTimeOnVCPU1(_ m: inout Machine, _ ticks: UInt64) throws {
        var w = RegisterFile(rax: TDG.vpWr, rdx: FID.vmcs(2, Enc.virtualAPICAddress), r8: 0x5000, r9: ~0)
        _ = try m.tdcall(vcpu: 1, &w)
        #expect(w.rax == St.success)
        try m.writeGuestState(GuestState.patterned(), at: 0x6000)
        var e = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 2), rdx: 0x6000)
        #expect(try m.tdcall(vcpu: 1, &e) == .enteredL2(vm: 2))
        #expect(try m.l2Event(vcpu: 1, vm: 2, .time(ticks: ticks)) == .continued)
    }

    @Test func theModuleResumingL2OnADueDeadlineExits52() throws {
        var m = standardMachine(vcpus: 2)
        try m.prepareVM1In64BitMode()
        try m.mustWrite(FID.l2Ctls(1), 0x2)
        #expect(try Self.enterWithDeadline(50, &m).outcome == .enteredL2(vm: 1))
        // The TSC is the TD's: 100 ticks pass in vCPU 1's L2, so vCPU 0's deadline 50 is due when the module
        // resumes vCPU 0's L2 after the handled TDCALL.
        try Self.passTimeOnVCPU1(&m, 100)
        guard case .exitToL1(let r) = try Self.moduleHandledTDCall(&m) else {
            Issue.record("the resume after the handled TDCALL meets a due timer")
            return
        }
        #expect(r.rax == Self.exit52)
        #expect(try m.guestState(at: 0x1000).rip == 0x10_0004, "the module advanced RIP before resuming")
        #expect(try m.guestState(at: 0x1000).gprs.rax == St.operandInvalidRAX, "the TDVMCALL's own answer")
    }

    @Test func theHostReEnteringL2ReArmsTheTimerAndResumeL1DoesNot() throws {
        for resumeL1 in [false, true] {
            var m = standardMachine()
            #expect(try Self.enterWithDeadline(1 << 33, &m).outcome == .enteredL2(vm: 1))
            _ = try Self.time(&m, 0xFFFF_FFFE)
            guard case .tdExit = try m.l2Event(vcpu: 0, .externalInterrupt(vector: 0x30)) else {
                Issue.record("an external interrupt in L2 is a TD exit")
                return
            }
            let o = m.hostEnter(vcpu: 0, resumeL1: resumeL1, hostRegisters: RegisterFile())
            if resumeL1 {
                guard case .resumedL1(let r?) = o else {
                    Issue.record("RESUME_L1: \(o)")
                    return
                }
                #expect(r.rax == 0x0000_1100_0000_0000 | 1, "HOST_ROUTED_ASYNC with the interrupt's reason")
                #expect(m.vcpus[0].vmcs(1, L2VMCSRow.vmxPreemptionTimerValue) == 1, "not re-armed")
            } else {
                #expect(o == .resumedL2(vm: 1))
                #expect(m.vcpus[0].vmcs(1, L2VMCSRow.vmxPreemptionTimerValue) == 0xFFFF_FFFF, "re-armed")
                #expect(try Self.time(&m, 2) == .continued)
            }
        }
    }

    @Test func theHostReEnteringL2OnADueDeadlineExits52ToL1() throws {
        var m = standardMachine(vcpus: 2)
        #expect(try Self.enterWithDeadline(50, &m).outcome == .enteredL2(vm: 1))
        guard case .tdExit = try m.l2Event(vcpu: 0, .externalInterrupt(vector: 0x30)) else {
            Issue.record("an external interrupt in L2 is a TD exit")
            return
        }
        try Self.passTimeOnVCPU1(&m, 100)
        guard case .resumedL1(let r?) = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) else {
            Issue.record("the re-entry into L2 meets a due timer: exit 52 to L1")
            return
        }
        #expect(r.rax == Self.exit52, "status SUCCESS through the L2 dispatcher, not HOST_ROUTED")
        #expect(m.vcpus[0].location == .l1)
    }

    @Test func anotherVCPUsTimePassingADeadlineExpiresItAtThisVCPUsNextTimeEvent() throws {
        var m = standardMachine(vcpus: 2)
        #expect(try Self.enterWithDeadline(50, &m).outcome == .enteredL2(vm: 1))
        try Self.passTimeOnVCPU1(&m, 100)
        guard case .exitToL1(let r) = try Self.time(&m, 7) else {
            Issue.record("deadline 50 at TSC 100: expired, no time passes")
            return
        }
        #expect(r.rax == Self.exit52)
        #expect(m.virtualTSC == 100)
    }
}
