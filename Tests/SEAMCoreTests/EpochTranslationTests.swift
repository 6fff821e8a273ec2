import SEAMCore
import SEAMTypes
import Testing

/// When the module drops the soft-translated GPAs of the guest-state buffer and virtual-APIC pages: at
/// TDH.VP.ENTER, when the TD epoch moved since the vCPU's last entry (tdx-module
/// src/td_transitions/tdh_vp_enter.c, adjust_tlb_tracking_state → invalidate_all_gpa_translations), and
/// translated again at TDH.VP.ENTER's L2 re-entry (translate_gpas). TDG.VP.ENTER (src/td_transitions/tdg_vp_enter.c)
/// checks no epoch: it translates only a GPA whose translation is not cached (a new buffer GPA, a rewritten
/// virtual-APIC GPA, INVD).
@Suite struct EpochTranslationTests {
    /// VM 1 entered with the buffer at 0x1000 and the virtual-APIC page at 0x2000 (both translated, epoch 1).
    func inVM1() throws -> Machine {
        var m = standardMachine()
        let c = try m.enterL2(vm: 1)
        try #require(c.outcome == .enteredL2(vm: 1))
        return m
    }

    @Test func tdgVPEnterKeepsTheCachedBufferAcrossAnEpochChange() throws {
        // L2 CPUID → L1; the host blocks the buffer page and tracks (epoch 1 → 2) while the vCPU stays in L1.
        // TDG.VP.ENTER does not look at the epoch: the buffer's translation is still cached, so VM 1 is entered
        // (a re-translation would find a BLOCKED page and TD-exit with an EPT violation on 0x1000).
        var m = try inVM1()
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else { throw EpochTestFailure("CPUID in L2") }
        m.blockAndTrack(0x1000)
        var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        r.rsp = 0x5000
        #expect(try m.tdcall(vcpu: 0, &r) == .enteredL2(vm: 1))
    }

    @Test func tdhVPEnterReTranslatesAtL2ReentryAfterAnEpochChange() throws {
        // L2 takes an NMI: TD exit to the host. The host tracks (epoch 1 → 2) and re-enters L2: TDH.VP.ENTER
        // sees the vCPU's epoch 1 ≠ 2, drops the translations and translates both pages again in epoch 2. Then
        // the host blocks the buffer page without a TRACK; L2 CPUID → L1; TDG.VP.ENTER finds the buffer
        // translated (epoch 2, no check) and enters VM 1. Had the translations been left to TDG.VP.ENTER, it
        // would re-translate the BLOCKED page and TD-exit (EPT violation, GPA 0x1000).
        var m = try inVM1()
        guard case .tdExit = try m.l2Event(vcpu: 0, .nmi) else { throw EpochTestFailure("NMI in L2") }
        #expect(m.host(TDH.track, rcx: TDH.tdr, rdx: 0).rax == St.success)
        #expect(m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) == .resumedL2(vm: 1))
        #expect(m.host(TDH.block, rcx: 0x1000).rax == St.success)
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else { throw EpochTestFailure("CPUID in L2") }
        var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        r.rsp = 0x5000
        #expect(try m.tdcall(vcpu: 0, &r) == .enteredL2(vm: 1))
    }

    @Test func l2ReentryWithABlockedBufferAfterAnEpochChangeTDExitsWithAnEPTViolation() throws {
        // L2 takes an NMI: TD exit. The host blocks the buffer page 0x1000 and tracks (epoch 1 → 2). TDH.VP.ENTER
        // (RCX = the vCPU's TDVPR, no RESUME_L1): the epoch moved, so the translations are dropped and made
        // again; 0x1000 is BLOCKED, no guest-accessible leaf → emulate_ept_violation_td_exit: RAX = 48 (EPT
        // violation), RCX = qualification bit 1 (write) | VM 1 << 32 = 0x1_0000_0002, RDX = 0, R8 = 0x1000,
        // R9 = 0; the vCPU has not run and still waits for the host. After UNBLOCK (the epoch is tracked) the
        // same TDH.VP.ENTER resumes L2 VM 1 with RAX = TDX_SUCCESS.
        var m = try inVM1()
        guard case .tdExit = try m.l2Event(vcpu: 0, .nmi) else { throw EpochTestFailure("NMI in L2") }
        m.blockAndTrack(0x1000)
        let r = m.host(TDH.vpEnter, rcx: Machine.tdvpr(vcpu: 0))
        #expect(r.rax == 48)
        #expect(r.rcx == 0x1_0000_0002)
        #expect(r.rdx == 0)
        #expect(r.r8 == 0x1000)
        #expect(r.r9 == 0)
        #expect(m.vcpus[0].location == .host)
        #expect(m.host(TDH.unblock, rcx: 0x1000).rax == St.success)
        var again = RegisterFile(rax: TDH.vpEnter, rcx: Machine.tdvpr(vcpu: 0))
        #expect(m.seamcall(&again) == .resumedL2(vm: 1))
        #expect(again.rax == St.success)
    }

    @Test func resumeL1AfterAnAsyncExitDoesNotTranslate() throws {
        // With RESUME_L1 after an asynchronous exit the module switches to L1 before translate_gpas (CURR_VM = 0):
        // a blocked buffer page does not stop the entry; L1's TDG.VP.ENTER returns HOST_ROUTED_ASYNC
        // (0x0000_1100_0000_0000) | NMI exit reason 0.
        var m = try inVM1()
        guard case .tdExit = try m.l2Event(vcpu: 0, .nmi) else { throw EpochTestFailure("NMI in L2") }
        m.blockAndTrack(0x1000)
        guard case .resumedL1(let l1?) = m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile()) else {
            throw EpochTestFailure("RESUME_L1 entry")
        }
        #expect(l1.rax == 0x0000_1100_0000_0000)
    }

    @Test func aNewBufferGPAIsStillTranslatedByTDGVPEnter() throws {
        // Control: TDG.VP.ENTER with another buffer GPA translates it; 0x3000 blocked → EPT-violation TD exit
        // (RAX 48, R8 = 0x3000, VM index 0 in RCX: tdg_vp_enter.c).
        var m = try inVM1()
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else { throw EpochTestFailure("CPUID in L2") }
        #expect(m.host(TDH.block, rcx: 0x3000).rax == St.success)
        var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x3000)
        r.rsp = 0x5000
        guard case .tdExit(let e) = try m.tdcall(vcpu: 0, &r) else { throw EpochTestFailure("expected a TD exit") }
        #expect(e.rax == 48)
        #expect(e.r8 == 0x3000)
        #expect(e.rcx == 0)
    }
}

private struct EpochTestFailure: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
