import SEAMCore
import SEAMTypes
import Testing

// What Specs/exit-routing.tsv cannot say well: the whole register file of an L2→L1 exit, the guest-state buffer it
// writes back, and the TDH.VP.ENTER round trips after a TD exit from L2. Every expected value is worked out by
// hand from the module source (tdx-module = intel/tdx-module, tag TDX_1.5.01: src/td_dispatcher/tdx_td_l2_dispatcher.c
// and src/td_dispatcher/vm_exits_l2/ for the routing; src/td_transitions/td_exit.c td_l2_to_l1_exit_internal,
// write_l2_enter_outputs, async_tdexit_internal, td_vmexit_to_vmm; src/td_transitions/tdh_vp_enter.c handle_l2_entry,
// set_l2_to_l1_async_exit_gprs, save_regs_after_tdvmcall; src/td_dispatcher/vm_exits/tdg_vp_vmcall.c) and the SDM
// (exit qualifications, Table 28-7), never read back from the model.

/// L2 VMCS field encodings used below (SDM Vol. 3D Appendix B; Specs/l2-vmcs-fields.tsv).
private enum RouteEnc {
    static let csSelector: UInt32 = 0x0802, ssSelector: UInt32 = 0x0804, dsSelector: UInt32 = 0x0806
    static let esSelector: UInt32 = 0x0800
    static let virtualAPIC: UInt32 = 0x2012, guestPhysicalAddress: UInt32 = 0x2400, efer: UInt32 = 0x2806
    static let entryControls: UInt32 = 0x4012
    static let exitReason: UInt32 = 0x4402, exitIntInfo: UInt32 = 0x4404, exitIntError: UInt32 = 0x4406
    static let idtInfo: UInt32 = 0x4408, idtError: UInt32 = 0x440A, exitLength: UInt32 = 0x440C
    static let exitInstrInfo: UInt32 = 0x440E
    static let csAR: UInt32 = 0x4816, ssAR: UInt32 = 0x4818, dsAR: UInt32 = 0x481A, esAR: UInt32 = 0x4814
    static let exitQualification: UInt32 = 0x6400, guestLinearAddress: UInt32 = 0x640A
    static let cr0: UInt32 = 0x6800, cr4: UInt32 = 0x6804, csBase: UInt32 = 0x6808
}

/// TDG.VP.RD/WR field id of VM1's VMCS field (class 36, context VP; tdx-module include/tdx_api_defs.h md_field_id_t).
/// The size bits are ignored.
private func vm1(_ encoding: UInt32) -> UInt64 { 0x2420_0003_0000_0000 | UInt64(encoding) }
/// L2_CTLS[1] (tdx-module include/auto_gen/tdvps_fields_lookup.h MD_TDVPS_L2_CTLS_FIELD_ID + 1).
private let l2CtlsVM1: UInt64 = 0xA020_0003_0000_0051
private let tdgVPRd: UInt64 = 9, tdgVPWr: UInt64 = 10, tdgVPEnter: UInt64 = 25

/// TDX_L2_EXIT_HOST_ROUTED_ASYNC / _TDVMCALL (tdx-module include/auto_gen/tdx_error_codes_defs.h).
private let hostRoutedAsync: UInt64 = 0x0000_1100_0000_0000
private let hostRoutedTDVMCall: UInt64 = 0x0000_1101_0000_0000

/// The guest-state buffer (tdx-module include/tdx_api_defs.h l2_enter_guest_state_t) at 0x1000 of
/// `standardMachine`, and the state these tests put in it.
private let bufferGPA: UInt64 = 0x1000
private let l2RIP: UInt64 = 0x8000
private let l1RSP: UInt64 = 0x7777_0000
private let l1RBP: UInt64 = 0x1111

/// L2_ENTER_GUEST_STATE as numbers: 16 GPRs, RFLAGS, RIP, SSP, interrupt status.
private struct RouteGuestState: Equatable {
    var gprs = RegisterFile()
    var rflags: UInt64 = 0x2
    var rip: UInt64 = l2RIP
    var ssp: UInt64 = 0
    var interruptStatus: UInt16 = 0

    var bytes: [UInt8] {
        var words = (0..<16).map { gprs[$0] } + [rflags, rip, ssp]
        words.append(UInt64(interruptStatus))
        let all = words.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> UInt64(8 * $0)) } }
        return Array(all[0..<0x9A])
    }

    init() {}
    init(_ b: [UInt8]) {
        func word(_ i: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[8 * i + $1]) << UInt64(8 * $1) } }
        for r in 0..<16 { gprs[r] = word(r) }
        rflags = word(16)
        rip = word(17)
        ssp = word(18)
        interruptStatus = UInt16(b[0x98]) | UInt16(b[0x99]) << 8
    }
}

extension Machine {
    /// TDG.VP.WR of VM1's VMCS field (R9 = `mask`); must succeed.
    fileprivate mutating func writeVM1(_ encoding: UInt32, _ value: UInt64, mask: UInt64 = ~0) throws {
        let r = try td(tdgVPWr, rdx: vm1(encoding), r8: value, r9: mask)
        #expect(r.regs.rax == St.success, "TDG.VP.WR \(hexShort(UInt64(encoding))) = \(hexShort(value))")
    }

    /// TDG.VP.RD of VM1's VMCS field.
    fileprivate mutating func readVM1(_ encoding: UInt32) throws -> UInt64 {
        let r = try td(tdgVPRd, rdx: vm1(encoding))
        #expect(r.regs.rax == St.success, "TDG.VP.RD \(hexShort(UInt64(encoding)))")
        return r.regs.r8
    }

    /// 64-bit L2 (IA-32e mode guest, EFER LME|LMA, CR0 PG|NE|PE, CR4 PAE|MCE|VMXE, CS.L = 1).
    fileprivate mutating func makeVM1Long64() throws {
        try writeVM1(RouteEnc.entryControls, 0x200, mask: 0x200)
        try writeVM1(RouteEnc.efer, 0xD01)
        try writeVM1(RouteEnc.cr0, 0x8000_0021)
        try writeVM1(RouteEnc.cr4, 0x2060)
        try writeVM1(RouteEnc.csAR, 0xA09B)
    }

    /// L1 sets VM1's virtual-APIC page (0x2000), writes `state` to the buffer and calls TDG.VP.ENTER with
    /// RSP/RBP = l1RSP/l1RBP and R14 = R15 = a marker; VM1 must be entered.
    fileprivate mutating func enterVM1(_ state: RouteGuestState = RouteGuestState()) throws {
        try writeVM1(RouteEnc.virtualAPIC, 0x2000)
        try writeMemory(gpa: bufferGPA, state.bytes)
        var regs = RegisterFile(rax: tdgVPEnter, rcx: 1 << 52, rdx: bufferGPA)
        regs.rsp = l1RSP
        regs.rbp = l1RBP
        regs.r14 = 0xEEEE
        regs.r15 = 0xFFFF
        let o = try tdcall(vcpu: 0, &regs)
        #expect(o == .enteredL2(vm: 1), "TDG.VP.ENTER: \(o), RAX \(hex64(regs.rax))")
    }

    /// L2 writes `regs`' non-zero registers, then does `event`.
    fileprivate mutating func l2(_ event: L2Event, after regs: [(Int, UInt64)] = []) throws -> L2Outcome {
        for (r, v) in regs { #expect(try l2Event(vcpu: 0, .setRegister(r, v)) == .continued) }
        return try l2Event(vcpu: 0, event)
    }

    fileprivate func buffer() throws -> RouteGuestState { RouteGuestState(try readMemory(gpa: bufferGPA, count: 0x9A)) }
}

@Suite struct L2ExitRoutingTests {
    // MARK: The L2→L1 exit's registers and buffer (td_l2_to_l1_exit_internal, write_l2_enter_outputs)

    /// A compatibility-mode L2 at CPL 3 with CS = 0x23, AR 0xC0FB, limit 0xFFFFFFFF, base 0x10000 writes to a page
    /// its alias only lets it read: an EPT violation L1 handles (vm_exits_l2/td_l2_ept_violation.c). L1's
    /// TDG.VP.ENTER returns RAX = SUCCESS | 48, RBX = 0, RCX = qualification (write 0x2 | R 0x8 | GLA valid 0x80 |
    /// linear access 0x100), RDX = GLA, RSI = 0x23 | 0xC0FB << 16 | 0xFFFFFFFF << 32, RDI = 0x10000, R8 = GPA,
    /// R9–R11 = the VMCS interruption, IDT-vectoring and instruction fields, R12 = CPL 3, R13 = 0, R14 = R15 = 0,
    /// its own RSP and L2's RBP (td_l2_to_l1_exit_internal writes every GPR but RBP and RSP). L2's registers,
    /// RFLAGS, RIP (not advanced), SSP and interrupt status are in the buffer.
    @Test func l2ToL1ExitFillsEveryRegisterAndWritesTheBufferBack() throws {
        var m = standardMachine()
        // VM1 aliases page 0x5000 read-only (R = 0x1; gpa_attr_t in RDX, attr_flags_t in R8).
        let alias = try m.attrWr(0x5000, slot(1, 0x8001), slot(1, 0xF))
        #expect(alias.regs.rax == St.success)
        try m.makeVM1Long64()
        try m.writeVM1(RouteEnc.csSelector, 0x23)
        try m.writeVM1(RouteEnc.csBase, 0x10000)
        try m.writeVM1(RouteEnc.csAR, 0xC0FB)
        for (sel, ar) in [
            (RouteEnc.ssSelector, RouteEnc.ssAR), (RouteEnc.dsSelector, RouteEnc.dsAR),
            (RouteEnc.esSelector, RouteEnc.esAR),
        ] {
            try m.writeVM1(sel, 0x2B)
            try m.writeVM1(ar, 0xC0F3)
        }
        var state = RouteGuestState()
        state.ssp = 0x6000
        state.interruptStatus = 0x2131
        try m.enterVM1(state)

        let l2Regs: [(Int, UInt64)] = (0..<16).filter { $0 != 4 }.map { ($0, 0xA0 + UInt64($0)) } + [(4, 0x7E00)]
        let gla: UInt64 = 0x0804_9010
        let o = try m.l2(.memory(MemoryAccess(kind: .write, gpa: 0x5010, value: 0x99, gla: gla)), after: l2Regs)
        guard case .exitToL1(let r) = o else {
            Issue.record("expected an L2→L1 exit, got \(o)")
            return
        }
        #expect(r.rax == 48)
        #expect(r.rbx == 0)
        #expect(r.rcx & 0x1FF == 0x18A)
        #expect(r.rdx == gla)
        #expect(r.rsi == 0xFFFF_FFFF_C0FB_0023)
        #expect(r.rdi == 0x10000)
        #expect(r.r8 == 0x5010)
        #expect(r.r9 >> 31 & 1 == 0)  // no vectored event
        #expect(r.r10 >> 31 & 1 == 0)  // not during event delivery
        #expect(r.r12 == 3)
        #expect(r.r13 == 0)
        #expect(r.r14 == 0 && r.r15 == 0)
        #expect(r.rsp == l1RSP)
        #expect(r.rbp == 0xA5, "RBP is L2's (td_exit.c), not L1's \(hexShort(l1RBP))")

        // L1 is current again, and the registers are the VMCS exit fields (td_l2_to_l1_exit_internal).
        #expect(m.vcpus[0].location == .l1)
        #expect(try m.readVM1(RouteEnc.exitReason) == 48)
        #expect(try m.readVM1(RouteEnc.exitQualification) == r.rcx)
        #expect(try m.readVM1(RouteEnc.guestLinearAddress) == r.rdx)
        #expect(try m.readVM1(RouteEnc.guestPhysicalAddress) == r.r8)
        #expect(try m.readVM1(RouteEnc.exitIntInfo) | (try m.readVM1(RouteEnc.exitIntError)) << 32 == r.r9)
        #expect(try m.readVM1(RouteEnc.idtInfo) | (try m.readVM1(RouteEnc.idtError)) << 32 == r.r10)
        #expect(try m.readVM1(RouteEnc.exitInstrInfo) | (try m.readVM1(RouteEnc.exitLength)) << 32 == r.r11)

        // The buffer holds L2's state at the exit; the write did not happen (the page is unchanged).
        var expected = RouteGuestState()
        for (i, v) in l2Regs { expected.gprs[i] = v }
        expected.ssp = 0x6000
        expected.interruptStatus = 0x2131
        #expect(try m.buffer() == expected)
        #expect(try m.readMemory(gpa: 0x5010, count: 8) == [UInt8](repeating: 0, count: 8))
    }

    /// A pending L1 page: the EPT violation goes to L1 with R13 = EEQ type 6 (vm_exits_l2/td_l2_ept_violation.c;
    /// vmcs_defs.h vmx_eeq_type_t).
    @Test func pendingPageEPTViolationReportsEEQType6InR13() throws {
        var m = standardMachine()
        try m.enterVM1()
        let o = try m.l2(.memory(MemoryAccess(kind: .read, gpa: 0x10008)))
        guard case .exitToL1(let r) = o else {
            Issue.record("expected an L2→L1 exit, got \(o)")
            return
        }
        #expect(r.rax == 48)
        #expect(r.rcx == 0x1)
        #expect(r.r8 == 0x10008)
        #expect(r.r13 == 6)
    }

    // MARK: TDVMCALL round trips (tdg_vp_vmcall.c; tdh_vp_enter.c handle_l2_entry, save_regs_after_tdvmcall)

    /// L2 (64-bit, ENABLE_TDVMCALL) calls TDG.VP.VMCALL selecting R10–R12 (RCX = 0x1C00). The host sees RAX = 77,
    /// RCX = 0x1C00 | VM 1 << 32, the selected registers and 0 elsewhere (tdg_vp_vmcall.c). The buffer is not
    /// written at this trap-like exit (td_exit.c td_vmexit_to_vmm).
    func tdvmcallFromL2(selecting mask: UInt64) throws -> (Machine, TDExit, [(Int, UInt64)]) {
        var m = standardMachine()
        try m.makeVM1Long64()
        let ctls = try m.td(tdgVPWr, rdx: l2CtlsVM1, r8: 0x2, r9: ~0)
        #expect(ctls.regs.rax == St.success)
        try m.enterVM1()
        let regs: [(Int, UInt64)] = [(1, mask), (3, 0x77), (5, 0xB5), (10, 0), (11, 0xC), (12, 0x41), (13, 0x99)]
        let o = try m.l2(.tdcall, after: regs + [(0, 0)])
        guard case .tdExit(let e) = o else {
            Issue.record("expected a TD exit, got \(o)")
            return (m, TDExit(rax: 0), regs)
        }
        #expect(try m.buffer() == RouteGuestState(), "the buffer was written at a TDVMCALL exit")
        return (m, e, regs)
    }

    @Test func tdvmcallFromL2ExitsToTheHostWithTheSelectedRegisters() throws {
        let (_, e, _) = try tdvmcallFromL2(selecting: 0x1C00)
        var expected = RegisterFile()
        expected.rax = 77
        expected.rcx = 0x1_0000_1C00
        expected.r10 = 0
        expected.r11 = 0xC
        expected.r12 = 0x41
        #expect(e.registers == expected)
    }

    /// Without RESUME_L1 the host's selected registers land in L2's, with RAX = 0 and RCX = L2's mask; unselected
    /// registers keep L2's values; RIP is past the 4-byte TDCALL (tdh_vp_enter.c save_regs_after_tdvmcall;
    /// td_exit.c, trap-like exits advance RIP).
    @Test func hostReentryWithoutResumeL1CompletesTheTDVMCallInL2() throws {
        var (m, _, _) = try tdvmcallFromL2(selecting: 0x1C00)
        var host = RegisterFile(rax: 0xDEAD, rcx: 0xDEAD, r10: 0, r11: 0xABC)
        host.r12 = 0x55
        host.r13 = 0x66
        host.rbx = 0x1234
        #expect(m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: host) == .resumedL2(vm: 1))
        let g = m.vcpus[0].gprs
        #expect(g.rax == 0)
        #expect(g.rcx == 0x1C00)
        #expect(g.r10 == 0 && g.r11 == 0xABC && g.r12 == 0x55)
        #expect(g.r13 == 0x99 && g.rbx == 0x77 && g.rbp == 0xB5)
        #expect(m.vcpus[0].vmcs(1, .guestRIP) == l2RIP + 4)

        // L2 goes on; its next L2→L1 exit (CPUID) writes those values to the buffer.
        guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else {
            Issue.record("CPUID did not exit to L1")
            return
        }
        let b = try m.buffer()
        #expect(b.gprs.rax == 0 && b.gprs.rcx == 0x1C00 && b.gprs.r11 == 0xABC && b.gprs.r12 == 0x55)
        #expect(b.rip == l2RIP + 4)
    }

    /// With RESUME_L1, L1's TDG.VP.ENTER returns HOST_ROUTED_TDVMCALL | 77 with R13 = 0 (tdh_vp_enter.c
    /// handle_l2_entry, set_l2_to_l1_async_exit_gprs), and the buffer already holds the TDVMCALL's outputs:
    /// RAX = 0, RCX = the mask, the host's selected registers, RIP + 4 (save_regs_after_tdvmcall). RCX
    /// selects RBP (bit 5) here, so L1's RBP is the host's value (set_l2_to_l1_async_exit_gprs leaves RBP).
    @Test func hostReentryWithResumeL1ReportsHostRoutedTDVMCallToL1() throws {
        var (m, e, _) = try tdvmcallFromL2(selecting: 0x1C20)
        #expect(e.rcx == 0x1_0000_1C20)
        #expect(e.registers.rbp == 0xB5)
        var host = RegisterFile(rax: 0xDEAD, r10: 0, r11: 0xABC)
        host.r12 = 0x55
        host.rbp = 0x5B5B
        let outcome = m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: host)
        guard case .resumedL1(let r?) = outcome else {
            Issue.record("expected L1 to resume with registers, got \(outcome)")
            return
        }
        #expect(r.rax == hostRoutedTDVMCall | 77)
        #expect(r.r11 >> 32 == 4)  // the TDCALL's length, from the VMCS
        #expect(r.r13 == 0)
        #expect(r.rsp == l1RSP)
        #expect(r.rbp == 0x5B5B)
        #expect(m.vcpus[0].location == .l1)
        let b = try m.buffer()
        #expect(b.gprs.rax == 0)
        #expect(b.gprs.rcx == 0x1C20)
        #expect(b.gprs.r10 == 0 && b.gprs.r11 == 0xABC && b.gprs.r12 == 0x55 && b.gprs.rbp == 0x5B5B)
        #expect(b.gprs.r13 == 0x99 && b.gprs.rbx == 0x77)
        #expect(b.rip == l2RIP + 4)
    }

    // MARK: Asynchronous exits and RESUME_L1 (tdh_vp_enter.c handle_l2_entry; td_other_exits.c)

    /// L2 writes GPA 0x9010 (no L1 leaf) with GLA 0x7FFF9010: the host sees RCX = qualification without bits 12:7
    /// (0x2) | VM 1 << 32, RDX = 0, R8 = 0x9000 (td_other_exits.c tdx_ept_violation_exit_to_vmm). Re-entered with
    /// RESUME_L1, L1 gets HOST_ROUTED_ASYNC | 48 with the VMCS's unsanitised qualification 0x182, the GLA, the GPA
    /// with bits 11:0 and R13 = 0 (tdh_vp_enter.c set_l2_to_l1_async_exit_gprs); the buffer holds L2's state
    /// (written at the TD exit, td_exit.c td_vmexit_to_vmm).
    @Test func asyncEPTViolationResumedIntoL1IsHostRoutedAsyncAndUnsanitised() throws {
        var m = standardMachine()
        try m.enterVM1()
        let o = try m.l2(
            .memory(MemoryAccess(kind: .write, gpa: 0x9010, value: 1, gla: 0x7FFF_9010)), after: [(5, 0xB5)])
        guard case .tdExit(let e) = o else {
            Issue.record("expected a TD exit, got \(o)")
            return
        }
        #expect(e.rax == 48)
        #expect(e.rcx == 0x1_0000_0002)
        #expect(e.rdx == 0)
        #expect(e.r8 == 0x9000)
        #expect(try m.buffer().gprs.rbp == 0xB5)

        let outcome = m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile())
        guard case .resumedL1(let r?) = outcome else {
            Issue.record("expected L1 to resume with registers, got \(outcome)")
            return
        }
        #expect(r.rax == hostRoutedAsync | 48)
        #expect(r.rcx == 0x182)
        #expect(r.rdx == 0x7FFF_9010)
        #expect(r.r8 == 0x9010)
        #expect(r.r13 == 0)
        #expect(r.r14 == 0 && r.r15 == 0)
        #expect(r.rsp == l1RSP && r.rbp == 0xB5)
        #expect(try m.buffer().rip == l2RIP)
    }

    /// An external interrupt: TD exit with R9 = 0x80000030; RESUME_L1 gives HOST_ROUTED_ASYNC | 1 with the same
    /// interruption information and RCX = 0 (no VM index: L1's registers come from the VMCS).
    @Test func externalInterruptResumedIntoL1IsHostRoutedAsync() throws {
        var m = standardMachine()
        try m.enterVM1()
        guard case .tdExit(let e) = try m.l2(.externalInterrupt(vector: 0x30)) else {
            Issue.record("expected a TD exit")
            return
        }
        #expect(e.rax == 1 && e.rcx == 0x1_0000_0000 && e.r9 == 0x8000_0030)
        guard case .resumedL1(let r?) = m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile()) else {
            Issue.record("expected L1 to resume with registers")
            return
        }
        #expect(r.rax == hostRoutedAsync | 1)
        #expect(r.rcx == 0)
        #expect(r.r9 == 0x8000_0030)
        #expect(r.r13 == 0)
    }

    /// Without RESUME_L1 after an asynchronous exit, L2 simply runs again from where it was (tdh_vp_enter.c
    /// handle_l2_entry).
    @Test func asyncExitWithoutResumeL1ResumesL2Unchanged() throws {
        var m = standardMachine()
        try m.enterVM1()
        guard case .tdExit = try m.l2(.nmi, after: [(3, 0x33)]) else {
            Issue.record("expected a TD exit")
            return
        }
        #expect(m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile(rax: 7)) == .resumedL2(vm: 1))
        #expect(m.vcpus[0].location == .l2(vm: 1))
        #expect(m.vcpus[0].gprs.rbx == 0x33)
        #expect(m.vcpus[0].vmcs(1, .guestRIP) == l2RIP)
    }

    /// A machine check in L2 makes the TD fatal (tdx_td_l2_dispatcher.c: TD exit with
    /// NON_RECOVERABLE_TD_NON_ACCESSIBLE); the host cannot enter any of its vCPUs again: TDH.VP.ENTER checks the
    /// TD's state first and returns TDX_TD_FATAL, 0xE000060400000000 (module tdx_error_codes_defs.h,
    /// check_td_in_correct_build_state).
    @Test func aFatalTDCannotBeEnteredAgain() throws {
        var m = standardMachine()
        try m.enterVM1()
        guard case .tdExit(let exit) = try m.l2(.exception(vector: 18, errorCode: nil)) else {
            Issue.record("#MC in L2 did not TD-exit")
            return
        }
        #expect(exit.rax >> 32 == 0x6000_0005)
        #expect(m.isFatal)
        #expect(m.host(0, rcx: Machine.tdvpr(vcpu: 0)).rax == 0xE000_0604_0000_0000)
        #expect(m.host(0, rcx: Machine.tdvpr(vcpu: 0) | 1 << 53).rax == 0xE000_0604_0000_0000)
    }

    /// HOST_RECOVERABILITY_HINT (RCX bit 52) is valid only after an ASYNC_TRAP exit (tdh_vp_enter.c), which the
    /// model never raises: after an ordinary TD exit from L2 the hint is OPERAND_INVALID(RCX) and the vCPU stays
    /// with the host; the same entry without the hint resumes L2.
    @Test func recoverabilityHintWithoutAsyncTrapIsOperandInvalidRCX() throws {
        var m = standardMachine()
        try m.enterVM1()
        guard case .tdExit = try m.l2(.nmi) else {
            Issue.record("an NMI in L2 did not TD-exit")
            return
        }
        let hinted = m.host(0, rcx: Machine.tdvpr(vcpu: 0) | 1 << 52)
        #expect(hinted.rax == St.operandInvalidRCX)
        #expect(m.vcpus[0].location == .host)
        let plain = m.host(0, rcx: Machine.tdvpr(vcpu: 0))
        #expect(plain.rax == 0)
        #expect(m.vcpus[0].location == .l2(vm: 1))
    }

    /// RESUME_L1 needs a vCPU that left the TD from L2: with L1 current (never entered L2, or back in L1 after an
    /// L2→L1 exit) TDH.VP.ENTER returns OPERAND_INVALID(RCX) (tdh_vp_enter.c, its RESUME_L1 check).
    @Test func resumeL1WhileL1IsCurrentIsOperandInvalidRCX() throws {
        var m = standardMachine()
        #expect(
            m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile())
                == .failed(TDXStatus(St.operandInvalidRCX)))
        // The same through the SEAMCALL register interface: RCX = TDVPR | RESUME_L1 (bit 53).
        let r = m.host(0, rcx: Machine.tdvpr(vcpu: 0) | 1 << 53)
        #expect(r.rax == St.operandInvalidRCX)

        try m.enterVM1()
        guard case .exitToL1 = try m.l2(.cpuid) else {
            Issue.record("CPUID did not exit to L1")
            return
        }
        #expect(
            m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile())
                == .failed(TDXStatus(St.operandInvalidRCX)))
    }
}
