import SEAMCore
import SEAMTypes
import Testing

/// The host re-enters L2 (TDH.VP.ENTER without RESUME_L1) after a TD exit that interrupted the delivery of an
/// exception L1 intercepts. Expected values from tdx-module src/td_transitions/tdh_vp_enter.c `handle_l2_entry`
/// (re-inject the IDT-vectoring event; a VOE in L1's exception bitmap → `convert_l2_voe_to_l1_exit`, exit reason
/// 0 (EXCEPTION_OR_NMI), qualification 0, `set_l2_exit_host_routing`: ASYNC after a non-TDVMCALL TD exit) and
/// `set_l2_to_l1_async_exit_gprs` (RAX = TDX_L2_EXIT_HOST_ROUTED_ASYNC | reason, RCX = qualification, R9 = exit
/// interruption information | error code << 32 from the VMCS the conversion rewrote, R13 = 0); src/common/
/// helpers/helpers.c `convert_l2_voe_to_l1_exit` (exit interruption info = the VOE).
@Suite struct ReinjectionHostPathTests {
    @Test func anInterceptedReinjectionOnHostReentryIsAHostRoutedAsyncExitWithReason0() throws {
        var m = standardMachine()
        // Exception bitmap: #UD (bit 6) and #MC (bit 18, reset). L1 injects #UD: hardware exception (type 3),
        // vector 6, no error code = 0x80000306. Injection is not subject to the exception bitmap (SDM 27.6).
        try m.mustWrite(FID.vmcs(1, 0x4004), 0x4_0040)
        try m.mustWrite(FID.vmcs(1, 0x4016), 0x8000_0306)
        var s = GuestState.patterned()
        s.rflags = 0x202
        #expect(try m.enterL2(vm: 1, state: s).outcome == .enteredL2(vm: 1))
        #expect(m.takeDelivery()?.via == .entryInjection)
        // The delivery hits a shared GPA with no mapping: a TD exit; the IDT-vectoring information holds #UD.
        let shared: UInt64 = 1 << 47 | 0x9000
        guard case .tdExit = try m.l2Event(vcpu: 0, .duringDelivery(.memory(MemoryAccess(kind: .write, gpa: shared))))
        else {
            Issue.record("expected a TD exit")
            return
        }
        guard case .resumedL1(let r?) = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) else {
            Issue.record("expected the re-injected #UD to become an L2→L1 exit")
            return
        }
        #expect(r.rax == 0x0000_1100_0000_0000, "TDX_L2_EXIT_HOST_ROUTED_ASYNC | reason 0")
        #expect(r.rcx == 0, "qualification 0")
        #expect(r.r9 == 0x8000_0306, "R9 = the converted event, error code 0")
        #expect(r.r10 & 0x8000_0000 == 0, "the IDT-vectoring event was consumed")
        #expect(r.r13 == 0)
        #expect(m.vcpus[0].location == .l1)
        #expect(m.takeDelivery() == nil, "the #UD was not delivered again")
    }
}
