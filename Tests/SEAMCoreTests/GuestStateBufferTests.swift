import SEAMCore
import SEAMTypes
import Testing

/// The L2_ENTER_GUEST_STATE buffer across many round trips (reference §4.1, §4.3): whatever L1 writes into it
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
