import SEAMCore
import SEAMTypes
import Testing

/// The MSR values the module emulates, which L1 and L2 read alike (tdx-module
/// src/td_dispatcher/vm_exits/td_msr_access.c td_rdmsr_exit; src/common/helpers/virt_msr_helpers.c
/// init_virt_ia32_arch_capabilities). The L2 side of each is a row of Specs/exit-routing.tsv
/// (rdmsr-arch-capabilities-emulated, rdmsr-misc-enable-emulated, …).
@Suite struct TDMSRPolicyTests {
    @Test func archCapabilitiesIsThePlatformValueLessTheBitsTheTDDoesNotConfigure() throws {
        // SoftSEAM's platform IA32_ARCH_CAPABILITIES = 0x0112E1FB (bits 0, 1, 3–8, 13–15, 17, 20, 24). TD_PARAMS
        // configure nothing: SSB_NO (4), BHI_NO (20), PBRSB_NO (24) forced 0; no TSX in the TD's CPUID: TSX_CTRL
        // (7) 0; FB_CLEAR (17) is fixed 0. Left: bits 0, 1, 3, 5, 6, 8, 13, 14, 15 = 0xE16B.
        let r = try standardMachine().l1RDMSR(vcpu: 0, msr: 0x10A)
        #expect(r.fault == .none)
        #expect(r.value == 0xE16B)
    }

    @Test func miscEnableWithoutPerfmonHasPEBSUnavailableAndNoPerfmon() throws {
        // Without ATTRIBUTES.PERFMON the read exits (dynamic bit); native value 0, bit 7 cleared, bit 12 set.
        let r = try standardMachine().l1RDMSR(vcpu: 0, msr: 0x1A0)
        #expect(r.fault == .none)
        #expect(r.value == 0x1000)
    }

    @Test func xssAndTSCWritesStayTheL1Answers() throws {
        // L1's side is unchanged: the TSC write is a #VE row, a XSS write a handler SoftSEAM answers #VE.
        let m = standardMachine()
        #expect(try m.l1WRMSR(vcpu: 0, msr: 0x10, value: 1) == .ve)
        #expect(try m.l1WRMSR(vcpu: 0, msr: 0xDA0, value: 0x100) == .ve)
    }
}
