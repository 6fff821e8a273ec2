import SEAMCore
import SEAMTypes
import Testing

/// L1 RDMSR, WRMSR and CPUID on the TD's virtual CPU (tdx-module src/td_dispatcher/vm_exits/td_msr_access.c
/// rdmsr_l1_only_special_msrs, src/common/helpers/virt_msr_helpers.h, include/auto_gen/msr_config_lookup.c,
/// src/td_dispatcher/vm_exits/td_cpuid.c, include/auto_gen/cpuid_configurations.c).
/// Every expected value is worked out by hand below from Specs/l2-vmcs-fields.tsv rows and module facts.
@Suite struct L1CPUTests {
    /// RDMSR that must complete.
    func read(_ m: Machine, _ msr: UInt32, vcpu: Int = 0, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> UInt64
    {
        let r = try m.l1RDMSR(vcpu: vcpu, msr: msr)
        #expect(r.fault == .none, "RDMSR \(hex64(UInt64(msr)))", sourceLocation: sourceLocation)
        return r.value
    }

    // MARK: - Virtualized IA32_VMX_* MSRs, default TD (ATTRIBUTES 0, XFAM 0x3)

    @Test func vmxBasicAdvertisesOnlyInsOutsInfoTrueCtlsAndNoErrorCodeInjection() throws {
        // Bits 54 (INS/OUTS exit info), 55 (TRUE_* MSRs), 56 (inject without error code); revision id 0.
        #expect(try read(standardMachine(), 0x480) == 1 << 54 | 1 << 55 | 1 << 56)
        #expect(try read(standardMachine(), 0x480) == 0x01C0_0000_0000_0000)
    }

    @Test func vmxMiscAdvertisesUnrestrictedGuestActivityStatesPTFourCR3TargetsVmwriteAnyAndZeroLength() throws {
        // 5 unrestricted guest 0x20, 6 HLT 0x40, 7 shutdown 0x80, 14 PT 0x4000, 24:16 = 4 → 0x40000,
        // 29 VMWRITE any field 0x2000_0000, 30 zero-length injection 0x4000_0000; timer rate 0.
        #expect(try read(standardMachine(), 0x485) == 0x6004_40E0)
    }

    @Test func truePinBasedControlsAreFixedToTheL2Init() throws {
        // PIN_BASED_CONTROLS row: reset 0x3F (0x29 | platform allowed-0 0x16), L1 write mask 0:
        // allowed-0 = 0x3F & ~0 = 0x3F, allowed-1 = 0x3F | 0 = 0x3F.
        #expect(try read(standardMachine(), 0x48D) == 0x0000_003F_0000_003F)
    }

    @Test func trueProcBasedControlsKeepRDPMCExitingWithoutPerfmon() throws {
        // PRIMARY_PROC_BASED_CONTROLS row: reset 0xB5226DFA, write mask 0x48D99A04. Without PERFMON the module
        // drops RDPMC exiting (bit 11, 0x800) from the mask: 0x48D99204.
        // allowed-0 = 0xB5226DFA & ~0x48D99204 = 0xB5226DFA (no common bit);
        // allowed-1 = 0xB5226DFA | 0x48D99204 = 0xFDFBFFFE.
        #expect(try read(standardMachine(), 0x48E) == 0xFDFB_FFFE_B522_6DFA)
    }

    @Test func trueProcBasedControlsWithPerfmonLetL1ChooseRDPMCExiting() throws {
        // PERFMON (ATTRIBUTES bit 63): init RDPMC exiting 0 → 0xB5226DFA & ~0x800 = 0xB52265FA; mask keeps bit 11.
        // allowed-0 = 0xB52265FA & ~0x48D99A04 = 0xB52265FA; allowed-1 = 0xB52265FA | 0x48D99A04 = 0xFDFBFFFE.
        var m = standardMachine()
        m.attributes = 1 << 63
        #expect(try read(m, 0x48E) == 0xFDFB_FFFE_B522_65FA)
    }

    @Test func procBasedControls2LeaveOutWaitPauseAndPCONFIG() throws {
        // SECONDARY_PROC_BASED_CONTROLS row: reset 0x1338B3FA, write mask 0x0C513E0C; the TD has neither WAITPKG
        // nor PCONFIG, so bits 26, 27 leave the mask: 0x00513E0C.
        // allowed-0 = 0x1338B3FA & ~0x00513E0C = 0x132881F2; allowed-1 = 0x1338B3FA | 0x00513E0C = 0x1379BFFE.
        #expect(try read(standardMachine(), 0x48B) == 0x1379_BFFE_1328_81F2)
    }

    @Test func procBasedControls3IsTheAllowed1MaskOnly() throws {
        // TERTIARY_PROC_BASED_CONTROLS row: reset 0x80 (GPAW 48, so bit 5 clear), write mask 0xE → 0x8E.
        #expect(try read(standardMachine(), 0x492) == 0x8E)
        // GPAW 52 sets bit 5 in the L2 VMCS but not in the global init the MSR is built from.
        #expect(try read(standardMachine(gpaw: .gpaw52), 0x492) == 0x8E)
    }

    @Test func trueExitControlsAreFixedAndFollowPerfmonOrDebug() throws {
        // VM_EXIT_CONTROLS row: reset 0x1F3FEFFF, write mask 0 → both halves the init.
        #expect(try read(standardMachine(), 0x48F) == 0x1F3F_EFFF_1F3F_EFFF)
        // DEBUG (bit 0): load/save IA32_PERF_GLOBAL_CTRL (bits 12, 30) fixed 1: 0x1F3FEFFF | 0x4000_1000.
        var m = standardMachine()
        m.attributes = 1
        #expect(try read(m, 0x48F) == 0x5F3F_FFFF_5F3F_FFFF)
    }

    @Test func trueEntryControlsLetL1ChooseOnlyIA32eMode() throws {
        // VM_ENTRY_CONTROLS row: reset 0x3ED1FF, write mask 0x200 (IA-32e mode guest).
        // allowed-0 = 0x3ED1FF & ~0x200 = 0x3ED1FF; allowed-1 = 0x3ED1FF | 0x200 = 0x3ED3FF.
        #expect(try read(standardMachine(), 0x490) == 0x003E_D3FF_003E_D1FF)
        // PERFMON: load IA32_PERF_GLOBAL_CTRL (bit 13) fixed 1 → 0x3EF1FF / 0x3EF3FF.
        var perfmon = standardMachine()
        perfmon.attributes = 1 << 63
        #expect(try read(perfmon, 0x490) == 0x003E_F3FF_003E_F1FF)
        // PKS (bit 30): load PKRS (bit 22) fixed 1 → 0x7ED1FF / 0x7ED3FF.
        var pks = standardMachine()
        pks.attributes = 1 << 30
        #expect(try read(pks, 0x490) == 0x007E_D3FF_007E_D1FF)
    }

    @Test func cr0Fixed0HasOnlyNEAndFixed1AddsTheWritableBits() throws {
        // GUEST_CR0 row: reset 0x21 (PE|NE), write mask 0x8005001F (PE MP EM TS ET WP AM PG).
        // FIXED0 = 0x21 & ~0x8005001F = 0x20: only NE is fixed, not PE or PG (virt_msr_helpers.h
        // calc_virt_ia32_vmx_cr0_fixed).
        // FIXED1 = 0x21 | 0x8005001F = 0x8005003F.
        let m = standardMachine()
        #expect(try read(m, 0x486) == 0x20)
        #expect(try read(m, 0x487) == 0x8005_003F)
    }

    @Test func cr4FixedFollowTheBaseL2CR4WriteMask() throws {
        // GUEST_CR4 row: reset 0x2040 (MCE|VMXE), write mask 0x03FF1FBF. SoftSEAM's platform CR4_FIXED1
        // 0x03FF6FFF lacks LA57 (bit 12) → 0x03FF0FBF; the default TD also loses KL (19), PKE (22, no
        // XFAM.PK), CET (23), PKS (24), UINTR (25) → 0x00370FBF.
        // FIXED0 = 0x2040 & ~0x00370FBF = 0x2040; FIXED1 = 0x2040 | 0x00370FBF = 0x00372FFF.
        let m = standardMachine()
        #expect(try read(m, 0x488) == 0x2040)
        #expect(try read(m, 0x489) == 0x0037_2FFF)
        // XFAM.PK (bit 9) gives L1 PKE (bit 22): FIXED1 0x00772FFF.
        var pk = standardMachine()
        pk.xfam = 0x203
        #expect(try read(pk, 0x489) == 0x0077_2FFF)
    }

    @Test func eptVPIDCapHasNoINVEPTNorINVVPIDAndSSSOnlyWithCETS() throws {
        // Bits 0 (execute-only), 16 (2M), 17 (1G), 22 (advanced exit info) = 0x430001; INVEPT (20) and
        // INVVPID (32) absent (virt_msr_helpers.h calc_virt_ia32_vmx_ept_vpid_cap); HLAT prefix size 0 on
        // SoftSEAM's platform.
        #expect(try read(standardMachine(), 0x48C) == 0x43_0001)
        // XFAM.CET_S (bit 12): SSS (bit 23) → 0xC30001.
        var m = standardMachine()
        m.xfam = 0x1003
        #expect(try read(m, 0x48C) == 0xC3_0001)
    }

    @Test func vmfuncIsZero() throws {
        #expect(try read(standardMachine(), 0x491) == 0)
    }

    @Test func nonTrueControlMSRsAndVMCSEnumGiveVE() throws {
        // msr_config_lookup rows 46–49 and 55: read action #VE (the module virtualizes only the TRUE_* MSRs).
        let m = standardMachine()
        for msr: UInt32 in [0x481, 0x482, 0x483, 0x484, 0x48A] {
            #expect(try m.l1RDMSR(vcpu: 0, msr: msr).fault == .ve, "\(msr)")
        }
    }

    @Test(arguments: Array(UInt32(0x480)...0x492))
    func writingAVMXCapabilityMSRGivesGP(msr: UInt32) throws {
        // msr_config_lookup rows 45–63: write action #GP (read-only MSRs).
        #expect(try standardMachine().l1WRMSR(vcpu: 0, msr: msr, value: 0) == .gp)
    }

    // MARK: - Other MSRs

    @Test func xapicDisableStatusReadsLegacyXAPICDisabled() throws {
        #expect(try read(standardMachine(), 0xBD) == 1)
    }

    @Test func perfCapabilitiesReadZeroWithoutPerfmon() throws {
        #expect(try read(standardMachine(), 0x345) == 0)
    }

    @Test func msrsTheModuleDoesNotListGiveVE() throws {
        let m = standardMachine()
        // IA32_FEATURE_CONTROL (0x3A): in the bitmap range, in no spreadsheet row → exits, #VE.
        #expect(try m.l1RDMSR(vcpu: 0, msr: 0x3A) == (0, .ve))
        #expect(try m.l1WRMSR(vcpu: 0, msr: 0x3A, value: 1) == .ve)
        // Outside both bitmap ranges (0…0x1FFF, 0xC0000000…0xC0001FFF) → #VE.
        for msr: UInt32 in [0x2000, 0x4000_0000, 0xC000_2000, 0xFFFF_FFFF] {
            #expect(try m.l1RDMSR(vcpu: 0, msr: msr).fault == .ve, "\(msr)")
            #expect(try m.l1WRMSR(vcpu: 0, msr: msr, value: 0) == .ve, "\(msr)")
        }
    }

    @Test func spreadsheetActionsGiveGPOrVE() throws {
        let m = standardMachine()
        // IA32_SGXLEPUBKEYHASH0 (0x8C): #GP both ways.
        #expect(try m.l1RDMSR(vcpu: 0, msr: 0x8C).fault == .gp)
        #expect(try m.l1WRMSR(vcpu: 0, msr: 0x8C, value: 0) == .gp)
        // IA32_TIME_STAMP_COUNTER (0x10) write and IA32_MISC_ENABLE (0x1A0) write: #VE.
        #expect(try m.l1WRMSR(vcpu: 0, msr: 0x10, value: 0) == .ve)
        #expect(try m.l1WRMSR(vcpu: 0, msr: 0x1A0, value: 0) == .ve)
        // IA32_TSC_DEADLINE (0x6E0): #GP because the TD's CPUID 1 ECX bit 24 is 0; IA32_TME_CAPABILITY (0x981)
        // #GP because CPUID 7 is not defined (no TME).
        #expect(try m.l1RDMSR(vcpu: 0, msr: 0x6E0).fault == .gp)
        #expect(try m.l1WRMSR(vcpu: 0, msr: 0x981, value: 0) == .gp)
    }

    @Test func featureMSRsGiveGPOnlyWithoutTheFeature() throws {
        // IA32_PMC0 (0xC1): bitmap bit set unless PERFMON → #GP; with PERFMON the CPU reads it natively,
        // which SoftSEAM does not model (#VE).
        var m = standardMachine()
        #expect(try m.l1RDMSR(vcpu: 0, msr: 0xC1).fault == .gp)
        m.attributes = 1 << 63
        #expect(try m.l1RDMSR(vcpu: 0, msr: 0xC1).fault == .ve)
        // IA32_U_CET (0x6A0): #GP without XFAM.CET_U/CET_S (bits 11, 12).
        #expect(try standardMachine().l1WRMSR(vcpu: 0, msr: 0x6A0, value: 0) == .gp)
    }

    // MARK: - CPUID

    /// The 12 bytes of three registers, little-endian each.
    func text(_ regs: UInt32...) -> String {
        String(decoding: regs.flatMap { r in (0..<4).map { UInt8(truncatingIfNeeded: r >> (8 * $0)) } }, as: UTF8.self)
    }

    @Test func leaf0GivesMaxLeaf0x23AndGenuineIntel() throws {
        let r = try standardMachine().l1CPUID(vcpu: 0, leaf: 0, subleaf: 7)
        #expect(r.fault == .none)
        #expect(r.eax == 0x23)
        #expect(text(r.ebx, r.edx, r.ecx) == "GenuineIntel")
    }

    @Test func leaf1SetsTheHypervisorBitAndTheVCPUsAPICID() throws {
        let r = try standardMachine(vcpus: 4).l1CPUID(vcpu: 2, leaf: 1, subleaf: 0)
        #expect(r.fault == .none)
        #expect(r.ebx >> 24 == 2)  // initial APIC id = VCPU_INDEX
        #expect(r.ebx >> 8 & 0xFF == 8)  // CLFLUSH line size 8 × 8 bytes
        #expect(r.ecx >> 31 == 1)  // hypervisor present (fixed 1)
        #expect(r.edx >> 9 & 1 == 1)  // APIC (fixed 1)
    }

    @Test func leaf0x21Subleaf0IsTheTDXVendorString() throws {
        let r = try standardMachine().l1CPUID(vcpu: 0, leaf: 0x21, subleaf: 0)
        #expect(r.fault == .none)
        #expect(r.eax == 0)
        #expect(text(r.ebx, r.edx, r.ecx) == "IntelTDX    ")
    }

    @Test func undefinedLeavesGiveVE() throws {
        let m = standardMachine()
        // 0x21 lists subleaf 0 only; 2 and 0x23 SoftSEAM does not define; 0x24 is answered as 0x23;
        // 0x40000000 (hypervisor range) and 0x80000009 (past the last extended leaf) too.
        for (leaf, subleaf): (UInt32, UInt32) in [
            (0x21, 1), (2, 0), (0x23, 0), (0x24, 0), (0x4000_0000, 0), (0x8000_0009, 0),
        ] {
            let r = try m.l1CPUID(vcpu: 0, leaf: leaf, subleaf: subleaf)
            #expect(r.fault == .ve, "leaf \(leaf) subleaf \(subleaf)")
            #expect(r.eax == 0 && r.ebx == 0 && r.ecx == 0 && r.edx == 0)
        }
    }

    @Test func cpuidSupervisorVEMakesEveryLeafGiveVE() throws {
        var m = standardMachine()
        try m.mustWrite(FID.cpuidSupervisorVE, 1, mask: 0xFF)
        #expect(try m.l1CPUID(vcpu: 0, leaf: 0, subleaf: 0).fault == .ve)
    }

    // MARK: - Misuse

    @Test func badVCPUThrows() {
        let m = standardMachine(vcpus: 2)
        #expect(throws: MachineError.noSuchVCPU(2, count: 2)) { try m.l1RDMSR(vcpu: 2, msr: 0x480) }
        #expect(throws: MachineError.noSuchVCPU(-1, count: 2)) { try m.l1WRMSR(vcpu: -1, msr: 0x480, value: 0) }
        #expect(throws: MachineError.noSuchVCPU(5, count: 2)) { try m.l1CPUID(vcpu: 5, leaf: 0, subleaf: 0) }
    }

    @Test func vcpuInL2Throws() throws {
        var m = standardMachine(numL2VMs: 1)
        guard case .enteredL2 = try m.enterL2(vm: 1).outcome else {
            Issue.record("VM 1 was not entered")
            return
        }
        let notThere = MachineError.vcpuNotThere(0, needs: "running L1", location: "l2(vm: 1)")
        #expect(throws: notThere) { try m.l1RDMSR(vcpu: 0, msr: 0x480) }
        #expect(throws: notThere) { try m.l1WRMSR(vcpu: 0, msr: 0x480, value: 0) }
        #expect(throws: notThere) { try m.l1CPUID(vcpu: 0, leaf: 0, subleaf: 0) }
    }

    @Test func l1FaultDescriptionsUseTheExceptionNames() {
        #expect(L1Fault.gp.rawValue == 13 && L1Fault.ve.rawValue == 20 && L1Fault.none.rawValue == 0)
        #expect("\(L1Fault.gp)" == "#GP(0)")
        #expect("\(L1Fault.ve)" == "#VE")
        #expect("\(L1Fault(rawValue: 6))" == "vector 6")
    }
}
