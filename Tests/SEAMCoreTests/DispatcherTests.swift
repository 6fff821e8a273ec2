import SEAMCore
import SEAMTypes
import Testing

// TDCALL and SEAMCALL dispatchers: RAX layout and leaf/version checks. tdx-module include/tdx_api_defs.h
// (tdx_leaf_and_version_t, tdcall_leaf_opcode_e, seamcall_leaf_opcode_e), src/td_dispatcher/tdx_td_dispatcher.c
// (td_call) and src/vmm_dispatcher/tdx_vmm_dispatcher.c.
@Suite struct DispatcherTests {

    @Test(arguments: [UInt64(13), 14, 15, 16, 17, 19, 21, 28, 29, 30, 100, 0xFFFF])
    func undefinedTDCallLeafIsOperandInvalidRAX(leaf: UInt64) throws {
        // tdcall_leaf_opcode_e: 1.5.01 defines no other leaves; td_call: an unknown leaf → OPERAND_INVALID(RAX) =
        // 0xC000010000000000.
        var m = standardMachine()
        let before = m.stateHash()
        let c = try m.td(leaf, rcx: 0x1000, rdx: 0x2222, r8: 0x3333)
        #expect(c.completed)
        #expect(c.regs.rax == 0xC000_0100_0000_0000)
        #expect(c.regs.rcx == 0x1000)
        #expect(c.regs.rdx == 0x2222)
        #expect(c.regs.r8 == 0x3333)
        #expect(m.stateHash() == before)
    }

    @Test func everyLeafTheModuleDefinesIsImplemented() {
        // tdcall_leaf_opcode_e of 1.5.01 defines leaves 0–12, 18, 20 and 22–27 (§1.1); with TDG.MR.REPORT and
        // VERIFYREPORT SoftSEAM carries out every one of them (README, "Implemented, leaf by leaf").
        let defined = Array(0...12) + [18, 20] + Array(22...27)
        #expect(Set(defined.map { Leaf(UInt16($0)) }) == Machine.implementedLeaves)
    }

    @Test(arguments: [UInt64(1) << 24, 1 << 31, 1 << 40, 1 << 63])
    func raxReservedBitsAreOperandInvalidRAX(bit: UInt64) throws {
        // td_call: bits 63:24 reserved → OPERAND_INVALID(RAX); checked before the leaf (valid leaves here).
        var m = standardMachine()
        #expect(try m.td(TDG.vpInfo | bit).regs.rax == 0xC000_0100_0000_0000)
        #expect(try m.td(TDG.vmRd | bit, rdx: 0x9010_0001_0000_0005).regs.rax == 0xC000_0100_0000_0000)
        #expect(try m.td(TDG.attrWr | bit, rcx: 0x1000).regs.rax == 0xC000_0100_0000_0000)
    }

    @Test func versionAboveZeroIsOnlyAcceptedForVMRd() throws {
        // td_call: only TDG.VM.RD accepts a version above 0.
        var m = standardMachine()
        let before = m.stateHash()
        for leaf in [TDG.vpInfo, TDG.accept, TDG.attrRd, TDG.attrWr, TDG.invept] {
            let c = try m.td(leaf | 1 << 16, rcx: 0x1_0000)
            #expect(c.regs.rax == 0xC000_0100_0000_0000, "leaf \(leaf)")
        }
        #expect(m.stateHash() == before)
        #expect(try m.td(TDG.vmRd | 1 << 16, rdx: 0x9010_0001_0000_0005).regs.rax == 0)
        // Undefined leaf with a version: still OPERAND_INVALID(RAX).
        #expect(try m.td(13 | 1 << 16).regs.rax == 0xC000_0100_0000_0000)
    }

    @Test func seamcallRAXChecks() {
        // tdx_vmm_dispatcher.c: reserved bits 63:24 → OPERAND_INVALID(RAX); version > 0 only for SEPT.ADD among
        // the modelled leaves (and > 1 rejected by it); unknown leaf → OPERAND_INVALID(RAX).
        var m = standardMachine()
        let before = m.stateHash()
        #expect(m.host(TDH.aug | 1 << 24, rcx: 0x9000, r8: 0x3000_0000).rax == 0xC000_0100_0000_0000)
        #expect(m.host(TDH.aug | TDH.v1, rcx: 0x9000, r8: 0x3000_0000).rax == 0xC000_0100_0000_0000)
        #expect(m.host(TDH.block | TDH.v1, rcx: 0x1000).rax == 0xC000_0100_0000_0000)
        #expect(m.host(TDH.track | TDH.v1).rax == 0xC000_0100_0000_0000)
        #expect(m.host(TDH.septAdd | 2 << 16, rcx: 0x60_0001, r8: 0x3000_0000).rax == 0xC000_0100_0000_0000)
        #expect(m.host(99).rax == 0xC000_0100_0000_0000)
        #expect(m.stateHash() == before)
    }
}
