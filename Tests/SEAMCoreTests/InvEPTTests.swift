import SEAMCore
import SEAMTypes
import Testing

// TDG.VP.INVEPT (leaf 26). Expected values from the module's handler, tdx-module
// src/td_dispatcher/vm_exits/tdg_vp_invept.c (it writes only RAX), and src/common/helpers/helpers.h flush_td_asid
// (one INVEPT single-context on that VM's L2 SEPT).
@Suite struct InvEPTTests {

    @Test func eachSetBitFlushesThatVMOnce() throws {
        var m = standardMachine(numL2VMs: 2)
        let c = try m.td(TDG.invept, rcx: 0b110)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 0b110)  // only RAX written
        #expect(flushes(m) == [0, 1, 1, 0])
        #expect(try m.td(TDG.invept, rcx: 0b010).regs.rax == 0)
        #expect(flushes(m) == [0, 2, 1, 0])
    }

    @Test func allThreeVMsWithNumL2VMs3() throws {
        var m = standardMachine(numL2VMs: 3)
        #expect(try m.td(TDG.invept, rcx: 0b1110).regs.rax == 0)
        #expect(flushes(m) == [0, 1, 1, 1])
    }

    @Test func emptyBitmapSucceedsWithoutFlushing() throws {
        var m = standardMachine()
        let before = m.stateHash()
        #expect(try m.td(TDG.invept, rcx: 0).regs.rax == 0)
        #expect(flushes(m) == [0, 0, 0, 0])
        #expect(m.stateHash() == before)
    }

    @Test(arguments: [UInt64(0b1), 0b111, 0b1000, 0b1_0000, 1 << 63])
    func bit0OrBitsAboveNumL2VMsAreOperandInvalidRCX(rcx: UInt64) throws {
        // tdg_vp_invept.c: bit 0 (L1) must be 0 and no bit above NUM_L2_VMS (= 2 here) may be set.
        var m = standardMachine(numL2VMs: 2)
        let c = try m.td(TDG.invept, rcx: rcx)
        #expect(c.regs.rax == 0xC000_0100_0000_0001)
        #expect(c.regs.rcx == rcx)
        #expect(flushes(m) == [0, 0, 0, 0])
    }

    @Test func anyL2BitIsInvalidWithoutL2VMs() throws {
        var m = Machine(config: MachineConfig(numL2VMs: 0, memory: []))
        #expect(try m.td(TDG.invept, rcx: 0b10).regs.rax == 0xC000_0100_0000_0001)
        #expect(try m.td(TDG.invept, rcx: 0).regs.rax == 0)
    }
}
