import SEAMCore
import SEAMTypes
import Testing

// TDG.VP.INFO (leaf 1). Expected values from the module's handler, tdx-module
// src/td_dispatcher/vm_exits/tdg_vp_info.c.
@Suite struct VPInfoTests {

    @Test func reportsGPAWAttributesVCPUCountsIndexAndSysRdAvailable() throws {
        // RCX = 52 (GPAW 1); RDX = ATTRIBUTES; R8 = NUM_VCPUS | MAX_VCPUS << 32; R9 = VCPU_INDEX; R10 = 1;
        // R11 = 0. Never fails.
        var m = standardMachine(gpaw: .gpaw52, vcpus: 4)
        m.attributes = 0x1000_0000  // SEPT_VE_DISABLE (tdx_api_defs.h td_param_attributes_t bit 28)
        var regs = RegisterFile(rax: TDG.vpInfo, rcx: 0xAA, rdx: 0xBB, r8: 0xCC, r9: 0xDD, r10: 0xEE, r11: 0xFF)
        let o = try m.tdcall(vcpu: 2, &regs)
        #expect(o == .completed)
        #expect(regs.rax == 0)
        #expect(regs.rcx == 52)
        #expect(regs.rdx == 0x1000_0000)
        #expect(regs.r8 == 0x0000_0004_0000_0004)
        #expect(regs.r9 == 2)
        #expect(regs.r10 == 1)
        #expect(regs.r11 == 0)
    }

    @Test func gpaw48Reports48() throws {
        var m = standardMachine(gpaw: .gpaw48)
        let c = try m.td(TDG.vpInfo)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rcx == 48)
        #expect(c.regs.r8 == 0x0000_0001_0000_0001)
        #expect(c.regs.r9 == 0)
    }
}
