import SEAMCore
import SEAMTypes
import Testing

@Suite struct RandomSweepTests {
    /// Every named status code (Specs/status-codes.tsv), the only codes a TDCALL may complete with.
    static let namedCodes = Set(TDXStatus.allNamed.map(\.status.rawValue))

    @Test func hundredThousandRandomRegisterFilesGiveDefinedStatusesAndErrorsChangeNothing() throws {
        var rng = SplitMix64(seed: 0x5EA_5EED)
        var m = sequenceMachine()
        // Give VM 1 a virtual-APIC page so random TDG.VP.ENTERs get past check 3 (tdx-module
        // src/td_transitions/tdg_vp_enter.c).
        var setup = RegisterFile(rax: 10, rdx: 0x2420_0003_0000_2012, r8: 0x10_0000, r9: ~0)
        _ = try m.tdcall(vcpu: 0, &setup)
        try #require(setup.rax == 0)
        var counts = (completed: 0, errors: 0, exits: 0, entries: 0, vmcalls: 0)
        for i in 0..<100_000 {
            let leaf = UInt64(i % 41)
            var rax = leaf
            switch rng.next() % 16 {
            case 0: rax |= (rng.next() % 4) << 16  // a version
            case 1: rax |= rng.next() & ~0xFF_FFFF  // reserved bits
            default: break
            }
            func operand() -> UInt64 {
                switch rng.next() % 4 {
                case 0: rng.next()
                case 1: 0x10_0000 + (rng.next() % 48) << 12 | rng.next() % 3
                case 2: rng.next() & 0x800F_800F_800F_800F
                default: rng.next() % 8
                }
            }
            let input = RegisterFile(
                rax: rax, rcx: operand(), rdx: operand(), r8: operand(), r9: operand(),
                r10: operand(), r11: operand())
            var regs = input
            let before = m.stateHash()
            let outcome: TDCallOutcome
            do { outcome = try m.tdcall(vcpu: 0, &regs) } catch {
                Issue.record("vCPU 0 rejected: \(error)")
                return
            }
            switch outcome {
            case .completed:
                counts.completed += 1
                let status = TDXStatus(regs.rax)
                #expect(Self.namedCodes.contains(status.code.rawValue), "leaf \(leaf): undefined status \(status)")
                if status.isError {
                    counts.errors += 1
                    if m.stateHash() != before {
                        Issue.record("leaf \(leaf) \(input): \(status) changed the state")
                        return
                    }
                }
            case .tdExit(let exit) where leaf == 0:
                // TDG.VP.VMCALL: a trap-like exit; the host re-enters L1 at once.
                counts.vmcalls += 1
                #expect(exit.exitReason == .tdcall)
                // Re-entry completes L1's call: RAX = 0, the selected GPRs from the host (all zero here) (tdx-module
                // src/td_transitions/tdh_vp_enter.c save_regs_after_tdvmcall).
                guard case .resumedL1(let back?) = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile())
                else {
                    Issue.record("leaf 0: the host could not re-enter L1")
                    return
                }
                #expect(back.rax == 0 && back.rcx == regs.rcx)
            case .tdExit(let exit) where leaf == 18 || leaf == 20:
                // TDG.SERVTD.RD/WR with no service TD bound: a trap-like cross-TD trap (tdg_servtd_rd_wr.c,
                // td_exit.c async_tdexit_cross_td); the host's re-entry resumes L1 with TDX_SERVTD_NOT_BOUND.
                counts.exits += 1
                #expect(exit.rax == 0x9000_0009_0000_0000)
                guard case .resumedL1(let back?) = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile())
                else {
                    Issue.record("leaf \(leaf): the host could not re-enter L1 after a cross-TD trap")
                    return
                }
                #expect(back.rax == 0xC000_0D05_0000_0000 && back.r8 == 0)
            case .tdExit(let exit):
                counts.exits += 1
                #expect(exit.exitReason == .eptViolation)
                // TDG.SYS.RDALL sets L1's R8 to −1 before its page check, so after its TD exit L1 runs it again
                // with R8 = −1 (tdx-module src/td_dispatcher/vm_exits/tdg_sys_rdall.c); no other leaf writes.
                var expected = input
                if leaf == 12 { expected.r8 = ~0 }
                #expect(regs == expected, "a fault-like TD exit wrote L1 registers")
                // The vCPU waits for the host; its TDH.VP.ENTER resumes L1, which would run the TDCALL again.
                guard case .resumedL1(nil) = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile())
                else {
                    Issue.record("leaf \(leaf): the host could not re-enter L1 after a fault-like exit")
                    return
                }
                // TDG.VP.ENTER records the buffer GPA before it translates it (tdx-module
                // src/td_transitions/tdg_vp_enter.c).
                if leaf != 25 { #expect(m.stateHash() == before, "a TD exit changed the state") }
            case .interrupted:
                // Nothing sets L1's interrupt state here, so no interruptible leaf can stop.
                Issue.record("leaf \(leaf) \(input): interrupted with no interrupt pending for L1")
                return
            case .enteredL2:
                counts.entries += 1
                let back = try m.l2Event(vcpu: 0, .cpuid)
                guard case .exitToL1 = back else {
                    Issue.record("CPUID in L2 did not exit to L1: \(back)")
                    return
                }
            }
        }
        // The sweep must have reached every kind of outcome, or it proves little.
        #expect(counts.errors > 10_000)
        #expect(counts.completed - counts.errors > 1_000)
        #expect(counts.exits > 100)
        #expect(counts.vmcalls > 100)
    }
}
