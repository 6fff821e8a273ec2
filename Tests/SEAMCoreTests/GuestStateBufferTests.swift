import SEAMCore
import SEAMTypes
import Testing

/// The L2_ENTER_GUEST_STATE buffer across many round trips (tdx-module src/td_transitions/tdg_vp_enter.c
/// read_l2_enter_guest_state, src/td_transitions/td_exit.c write_l2_enter_outputs): whatever L1 writes into it
/// between entries is what L2 starts from, and every L2→L1 exit leaves L2's registers and RIP in it — also
/// when SoftSEAM skips rereading or rewriting a buffer it remembers.
@Suite struct GuestStateBufferTests {
    /// Twenty round trips on VM 1. Between them L1 either leaves the buffer alone, advances RIP by the
    /// instruction length (as after CPUID), or stores a new RBX; inside L2 the program sometimes writes RCX
    /// first. After every exit the buffer must hold RIP, RBX and RCX as worked out here, and the incremental
    /// hash must equal the recomputed one.
    @Test func bufferAlwaysHoldsL2StateWhateverL1AndL2Changed() throws {
        var m = standardMachine(numL2VMs: 1)
        var expected = GuestState.patterned(rip: 0x10_0000)
        guard case .enteredL2 = try m.enterL2(vm: 1, state: expected).outcome else {
            Issue.record("VM 1 was not entered")
            return
        }
        for step in 0..<20 {
            if step % 3 == 1 {
                _ = try m.l2Event(vcpu: 0, .setRegister(1, 0xC0DE_0000 + UInt64(step)))
                expected.gprs.rcx = 0xC0DE_0000 + UInt64(step)
            }
            guard case .exitToL1 = try m.l2Event(vcpu: 0, .cpuid) else {
                Issue.record("step \(step): CPUID did not exit to L1")
                return
            }
            #expect(try m.guestState(at: 0x1000) == expected, "step \(step): buffer after the exit")
            #expect(m.stateHash() == m.recomputedStateHash(), "step \(step)")
            #expect(m.cachedStateHash() == m.recomputedStateHash(), "step \(step): the memo of the vCPUs' hash")
            switch step % 4 {
            case 0:
                expected.rip += 2  // L1 advances RIP past CPUID
                try m.writeGuestState(expected, at: 0x1000)
            case 2:
                expected.gprs.rbx = 0xB0B0 + UInt64(step)  // L1 emulates CPUID's EBX
                try m.writeGuestState(expected, at: 0x1000)
            default:
                break  // L1 leaves the buffer alone
            }
            var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
            guard case .enteredL2 = try m.tdcall(vcpu: 0, &r) else {
                Issue.record("step \(step): VM 1 was not re-entered: \(TDXStatus(r.rax))")
                return
            }
            #expect(m.vcpus[0].gprs.rbx == expected.gprs.rbx, "step \(step): L2's RBX on entry")
        }
    }
}

@Suite struct RunTDCallTests {
    /// `runTDCall` with a callback L2 and the built-in host: a 64-bit L2 (ENABLE_TDVMCALL set) makes a TDVMCALL
    /// CPUID, which goes to the host and back into L2 with EAX…EDX in R12…R15 (GHCI); then L2 runs HLT, which
    /// exits to L1 with reason 12 (tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c,
    /// src/td_transitions/tdh_vp_enter.c handle_l2_entry). The host's answer for leaf 0 is its documented
    /// constant: EAX = 0x1F, EBX = "Soft".
    @Test func callbackL2AndBuiltInHostRunOneTDGVPEnterToItsEnd() throws {
        var m = standardMachine(numL2VMs: 1)
        try m.mustWrite(FID.l2Ctls(1), 0x2)
        // 64-bit mode: a routed TDVMCALL needs it, else the module injects #GP (tdx_td_dispatcher.c td_call).
        try m.prepareVM1In64BitMode()
        var step = 0
        var l2 = CallbackL2 { _, _, machine in
            defer { step += 1 }
            switch step {
            case 0: return .setRegister(0, 0)  // RAX = TDG.VP.VMCALL
            case 1: return .setRegister(1, 0xFC00)  // RCX selects R10…R15
            case 2: return .setRegister(10, 0)
            case 3: return .setRegister(11, 10)  // GHCI CPUID
            case 4: return .setRegister(12, 0)  // leaf 0
            case 5: return .tdcall
            case 6:
                #expect(machine.vcpus[0].gprs.r12 == 0x1F)
                #expect(machine.vcpus[0].gprs.r13 == 0x7466_6F53)
                return .hlt
            default: return nil
            }
        }
        var host = BuiltInTDVMCallHost(keepsLog: true)
        var regs = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: 1), rdx: 0x1000)
        var engine = Engine(machine: m)
        #expect(try engine.runTDCall(vcpu: 0, &regs, l2: &l2, host: &host) == .completed)
        #expect(regs.rax == 12)
        #expect(host.log == ["vcpu 0 vm 1 TDVMCALL CPUID 0x0"])
    }
}
