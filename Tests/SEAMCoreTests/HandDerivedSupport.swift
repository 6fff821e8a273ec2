import SEAMCore
import SEAMTypes
import Testing

// Shared helpers for the hand-derived SEAMCore tests. Every constant here is typed in from the TDX module's own
// definitions (tdx-module = intel/tdx-module, tag TDX_1.5.01: include/auto_gen/tdx_error_codes_defs.h for status
// codes and operand ids, include/tdx_api_defs.h for the TDCALL and SEAMCALL leaf numbers), never taken from the
// implementation's own tables.

/// Status values (+ operand ids), tdx-module include/auto_gen/tdx_error_codes_defs.h.
enum St {
    static let success: UInt64 = 0
    static let operandInvalid: UInt64 = 0xC000_0100_0000_0000
    static let operandInvalidRAX: UInt64 = 0xC000_0100_0000_0000
    static let operandInvalidRCX: UInt64 = 0xC000_0100_0000_0001
    static let operandInvalidRDX: UInt64 = 0xC000_0100_0000_0002
    static let operandInvalidR8: UInt64 = 0xC000_0100_0000_0008
    static let eptWalkFailed: UInt64 = 0xC000_0B00_0000_0000
    static let gpaRangeNotBlocked: UInt64 = 0xC000_0B06_0000_0000
    static let gpaRangeAlreadyBlocked: UInt64 = 0x0000_0B07_0000_0000
    static let tlbTrackingNotDone: UInt64 = 0xC000_0B08_0000_0000
    static let pageAlreadyAccepted: UInt64 = 0x0000_0B0A_0000_0000
    static let pageSizeMismatch: UInt64 = 0xC000_0B0B_0000_0000
    static let eptEntryStateIncorrect: UInt64 = 0xC000_0B0D_0000_0000
    static let l2SEPTWalkFailed: UInt64 = 0xC000_0B0F_0000_0000
    static let l2SEPTEntryNotFree: UInt64 = 0xC000_0B10_0000_0000
    static let pageAttrInvalid: UInt64 = 0xC000_0B11_0000_0000
    static let fieldIDIncorrect: UInt64 = 0xC000_0C00_0000_0000
    static let fieldNotWritable: UInt64 = 0xC000_0C01_0000_0000
    static let fieldNotReadable: UInt64 = 0xC000_0C02_0000_0000
    static let fieldValueNotValid: UInt64 = 0xC000_0C03_0000_0000
    static let firstFieldIDInContext: UInt64 = 0x0000_0C0B_0000_0000
    /// From the module's error-code header, include/auto_gen/tdx_error_codes_defs.h.
    static let opStateIncorrect: UInt64 = 0xC000_0608_0000_0000
    /// Operand id SEPT_TREE (tdx_error_codes_defs.h).
    static let opSEPTTree: UInt64 = 146
}

/// TDCALL leaf numbers, tdx-module include/tdx_api_defs.h, enum tdcall_leaf_opcode_e.
enum TDG {
    static let vpInfo: UInt64 = 1
    static let accept: UInt64 = 6
    static let vmRd: UInt64 = 7
    static let vmWr: UInt64 = 8
    static let attrRd: UInt64 = 23
    static let attrWr: UInt64 = 24
    static let invept: UInt64 = 26
}

/// SEAMCALL leaf numbers, tdx-module include/tdx_api_defs.h, enum seamcall_leaf_opcode_e.
enum TDH {
    static let vpEnter: UInt64 = 0
    static let pageAdd: UInt64 = 2
    static let septAdd: UInt64 = 3
    static let aug: UInt64 = 6
    static let block: UInt64 = 7
    static let mngWr: UInt64 = 13
    static let finalize: UInt64 = 17
    static let remove: UInt64 = 29
    static let track: UInt64 = 38
    static let unblock: UInt64 = 39
    /// RAX version field (bits 23:16).
    static let v1: UInt64 = 1 << 16
    static let nullPA: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
    /// A TDR HPA for RDX (the model keeps one TD and does not check it).
    static let tdr: UInt64 = 0x7000_0000
}

/// Bit 62 of ATTR.RD/ATTR.WR output RCX: the page is PENDING (tdx-module tdg_mem_page_attr_rd.c,
/// tdg_mem_page_attr_wr.c).
let pendingBit: UInt64 = 1 << 62

/// Puts a 16-bit per-VM field into its slot (tdx-module include/tdx_api_defs.h gpa_attr_t: VM n = bits
/// 16n+15:16n).
func slot(_ vm: Int, _ value: UInt64) -> UInt64 { value << (16 * UInt64(vm)) }

/// The standard TD of these tests (GPAW 48, L2 SEPT pages supplied by the host unless told otherwise):
///
///     0x000000 – 0x007FFF   eight 4K MAPPED pages (L1 PT for 0–2M exists)
///     0x010000 – 0x013FFF   four 4K PENDING pages
///     0x200000              one 2M MAPPED leaf
///     0x400000              one 2M PENDING leaf
///     0x009000              FREE 4K entry inside an existing PT
///     0x600000              FREE PDE (no PT): a 4K walk stops at level 1
///     0x40000000            FREE PDPTE (no PD): a 4K walk stops at level 2
func standardConfig(
    numL2VMs: Int = 3, gpaw: GPAWidth = .gpaw48, l2SEPT: MachineConfig.L2SEPT = .supplied,
    vmCtls: [UInt64] = [0, 0, 0], vcpus: Int = 1
) -> MachineConfig {
    MachineConfig(
        numL2VMs: numL2VMs, vcpus: vcpus, gpaw: gpaw,
        memory: [
            .init(gpa: 0x0, size: 0x8000, state: .mapped),
            .init(gpa: 0x10000, size: 0x4000, state: .pending),
            .init(gpa: 0x200000, size: 0x200000, state: .mapped, pageLevel: .size2M),
            .init(gpa: 0x400000, size: 0x200000, state: .pending, pageLevel: .size2M),
        ],
        l2SEPT: l2SEPT, vmCtls: vmCtls)
}

func standardMachine(
    numL2VMs: Int = 3, gpaw: GPAWidth = .gpaw48, l2SEPT: MachineConfig.L2SEPT = .supplied,
    vmCtls: [UInt64] = [0, 0, 0], vcpus: Int = 1
) -> Machine {
    Machine(config: standardConfig(numL2VMs: numL2VMs, gpaw: gpaw, l2SEPT: l2SEPT, vmCtls: vmCtls, vcpus: vcpus))
}

/// Result of one TDCALL: the registers after the call and the outcome.
struct Call {
    var regs: RegisterFile
    var outcome: TDCallOutcome
    var exit: TDExit? {
        if case .tdExit(let e) = outcome { return e }
        return nil
    }
    var completed: Bool { outcome == .completed }
}

extension Machine {
    /// One TDCALL from L1 on vCPU 0 (or `vcpu`). After a fault-like TD exit the host re-enters the vCPU, so
    /// the next call finds L1 running (`reenterAfterFaultLikeExit`).
    mutating func td(
        _ rax: UInt64, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0,
        vcpu: Int = 0
    ) throws -> Call {
        var r = RegisterFile(rax: rax, rcx: rcx, rdx: rdx, r8: r8, r9: r9)
        let o = try tdcall(vcpu: vcpu, &r)
        if case .tdExit = o, vcpus[vcpu].pendingExit?.kind == .l1FaultLike { reenterAfterFaultLikeExit(vcpu: vcpu) }
        return Call(regs: r, outcome: o)
    }

    /// After a fault-like TD exit of an L1 TDCALL the vCPU waits for the host; the host's TDH.VP.ENTER
    /// resumes L1 with no registers to give it (L1 runs the TDCALL again).
    mutating func reenterAfterFaultLikeExit(vcpu: Int = 0) {
        #expect(vcpus[vcpu].location == .host, "a fault-like TD exit leaves the vCPU waiting for the host")
        #expect(vcpus[vcpu].pendingExit?.kind == .l1FaultLike)
        #expect(hostEnter(vcpu: vcpu, resumeL1: false, hostRegisters: RegisterFile()) == .resumedL1(registers: nil))
        #expect(vcpus[vcpu].location == .l1)
    }

    mutating func attrWr(_ rcx: UInt64, _ rdx: UInt64, _ r8: UInt64) throws -> Call {
        try td(TDG.attrWr, rcx: rcx, rdx: rdx, r8: r8)
    }

    mutating func attrRd(_ gpa: UInt64) throws -> Call { try td(TDG.attrRd, rcx: gpa) }

    mutating func accept(_ rcx: UInt64) throws -> Call { try td(TDG.accept, rcx: rcx) }

    /// `count` elements of a TD-scope field from element id `first` on, read with TDG.VM.RD; each must succeed.
    mutating func vmRdElements(_ first: UInt64, count: Int) throws -> [UInt64] {
        try (0..<UInt64(count)).map { k in
            let c = try td(TDG.vmRd, rdx: first + k)
            try #require(c.regs.rax == St.success)
            return c.regs.r8
        }
    }

    /// One host SEAMCALL.
    mutating func host(
        _ rax: UInt64, rcx: UInt64 = 0, rdx: UInt64 = TDH.tdr, r8: UInt64 = 0, r9: UInt64 = 0,
        r10: UInt64 = 0, r11: UInt64 = 0
    ) -> RegisterFile {
        var r = RegisterFile(rax: rax, rcx: rcx, rdx: rdx, r8: r8, r9: r9, r10: r10, r11: r11)
        seamcall(&r)
        return r
    }

    /// BLOCK then TRACK (tdx-module src/vmm_dispatcher/api_calls/tdh_mem_range_block.c, tdh_mem_track.c): both
    /// must succeed.
    mutating func blockAndTrack(_ pageInfo: UInt64) {
        let b = host(TDH.block, rcx: pageInfo)
        #expect(b.rax == St.success)
        let t = host(TDH.track, rcx: TDH.tdr, rdx: 0)
        #expect(t.rax == St.success)
    }
}

/// `machine.l2SEPTFlushes` as four numbers (VM0…VM3).
func flushes(_ m: Machine) -> [UInt64] { (0..<4).map { m.l2SEPTFlushes[$0] } }

/// `machine.vmCtls` as four numbers (VM0…VM3).
func vmCtls(_ m: Machine) -> [UInt64] { (0..<4).map { m.vmCtls[$0] } }

/// Runs a TDCALL expecting the fault-like EPT-violation TD exit that ACCEPT, ATTR.RD and ATTR.WR raise
/// (tdx-module src/td_dispatcher/vm_exits/td_other_exits.c, src/td_transitions/td_exit.c): RAX = 0x30 (exit
/// reason 48), R9 = 0, and L1's registers and the state untouched.
func expectFaultLikeEPTExit(_ m: inout Machine, _ input: RegisterFile) throws -> TDExit {
    let before = m.stateHash()
    var regs = input
    let o = try m.tdcall(vcpu: 0, &regs)
    #expect(regs == input)
    if case .tdExit = o { m.reenterAfterFaultLikeExit() }
    #expect(m.stateHash() == before, "nothing changed once the host re-entered L1")
    guard case .tdExit(let e) = o else {
        Issue.record("expected a TD exit, got \(o) rax \(hex64(regs.rax))")
        return TDExit(rax: 0)
    }
    #expect(e.rax == 0x30)
    #expect(e.r9 == 0)
    return e
}
