import SEAMCore
import SEAMTypes
import Testing

// TDG.SERVTD.RD (18) and TDG.SERVTD.WR (20) in a TD with no service TD bound. Expected values from the module:
// src/vmm_dispatcher/migration_api_calls/tdg_servtd_rd_wr.c (defaults RDX = -1 for RD, R8 = 0; slot >=
// MAX_SERV_TDS = 1 → OPERAND_INVALID(RCX); UUID compare; an unbound slot → cross-TD trap),
// src/common/helpers/service_td.h (handle = slot 11:0 | TDR page 51:12, plus TD_UUID[0]),
// src/td_transitions/td_exit.c async_tdexit_cross_td (guest RAX = the status; host RAX = TDX_CROSS_TD_TRAP,
// RDX = the status, R8 = the target TDR, LAST_EXIT_ASYNC_TRAP), include/auto_gen/tdx_error_codes_defs.h.
@Suite struct ServTDTests {
    static let rd: UInt64 = 18
    static let wr: UInt64 = 20
    static let operandInvalidRCX: UInt64 = 0xC000_0100_0000_0001
    static let uuidMismatch: UInt64 = 0xC000_0D07_0000_0000
    static let notBound: UInt64 = 0xC000_0D05_0000_0000
    static let crossTDTrap: UInt64 = 0x9000_0009_0000_0000

    @Test(arguments: [rd, wr])
    func slotAboveZeroIsOperandInvalidRCXWithDefaults(leaf: UInt64) throws {
        var m = standardMachine()
        let c = try m.td(leaf, rcx: 0x7000_0001, rdx: 0x1234, r8: 5, r9: 6)
        #expect(c.completed)
        #expect(c.regs.rax == Self.operandInvalidRCX)
        #expect(c.regs.rdx == (leaf == Self.rd ? ~0 : 0x1234))  // RD: −1; WR leaves RDX
        #expect(c.regs.r8 == 0)
        #expect(c.regs.r9 == 6)
    }

    @Test(arguments: [rd, wr])
    func aUUIDThatIsNotTheTargetsIsTargetUUIDMismatch(leaf: UInt64) throws {
        var m = standardMachine()
        var r = RegisterFile(rax: leaf, rcx: 0x7000_0000, rdx: 0x1234, r8: 5)
        r.r12 = 1
        #expect(try m.tdcall(vcpu: 0, &r) == .completed)
        #expect(r.rax == Self.uuidMismatch)
        #expect(r.r8 == 0)
        #expect(r.r12 == 1)  // R10–R13 are written only for TARGET_UUID_UPDATED
    }

    @Test(arguments: [rd, wr])
    func anUnboundSlotIsACrossTDTrapThatResumesL1AfterTheTDCALL(leaf: UInt64) throws {
        var m = standardMachine()
        var r = RegisterFile(rax: leaf, rcx: 0x7000_0000, rdx: 0x1234, r8: 5)
        let o = try m.tdcall(vcpu: 0, &r)
        guard case .tdExit(let e) = o else {
            Issue.record("expected a TD exit, got \(o)")
            return
        }
        #expect(e.rax == Self.crossTDTrap)
        #expect(e.rcx == 0)
        #expect(e.rdx == Self.notBound)
        #expect(e.r8 == 0x7000_0000)
        #expect(m.vcpus[0].location == .host)
        // Trap-like: RESUME_L1 is refused, a plain entry resumes L1 with the TDCALL's outputs.
        #expect(
            m.hostEnter(vcpu: 0, resumeL1: true, hostRegisters: RegisterFile()) == .failed(.operandInvalid.with(.rcx)))
        guard case .resumedL1(let l1?) = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) else {
            Issue.record("expected L1 to resume with registers")
            return
        }
        #expect(l1.rax == Self.notBound)
        #expect(l1.rdx == (leaf == Self.rd ? ~0 : 0x1234))
        #expect(l1.r8 == 0)
        #expect(m.vcpus[0].location == .l1)
    }
}
