import SEAMCore
import SEAMTypes
import Testing

// #VE for L1 and the small TDCALL leaves around it. Expected values worked out from the module:
// src/td_dispatcher/vm_exits/tdg_vp_veinfo_get.c (leaf 3), tdg_vp_cpuidve_set.c (leaf 5), tdg_vp_invvpid.c
// (leaf 27), src/td_dispatcher/vm_exits/td_other_exits.c tdx_inject_ve (VALID = 0xFFFFFFFF; a second #VE
// before VEINFO.GET is a #DF), src/common/data_structures/tdx_tdvps.h (tdvps_ve_info_t).
@Suite struct VEInfoTests {
    static let veinfoGet: UInt64 = 3
    static let cpuidveSet: UInt64 = 5
    static let invvpid: UInt64 = 27
    static let noValidVEInfo: UInt64 = 0xC000_0704_0000_0000
    static let operandInvalidRCX: UInt64 = 0xC000_0100_0000_0001
    static let operandInvalidRDX: UInt64 = 0xC000_0100_0000_0002
    static let glaNotCanonical: UInt64 = 0xC000_1160_0000_0000

    // MARK: TDG.VP.VEINFO.GET

    @Test func getWithoutVEZeroesOutputsAndFails() throws {
        var m = standardMachine()
        var r = RegisterFile(rax: Self.veinfoGet, rcx: 1, rdx: 2, r8: 3, r9: 4)
        r.r10 = 5
        r.r11 = 6
        #expect(try m.tdcall(vcpu: 0, &r) == .completed)
        #expect(r.rax == Self.noValidVEInfo)
        #expect([r.rcx, r.rdx, r.r8, r.r9, r.r10] == [0, 0, 0, 0, 0])
        #expect(r.r11 == 6)  // not written
    }

    @Test func cpuidVEFillsVEInfoAndGetReadsAndClearsIt() throws {
        var m = standardMachine()
        let before = m.stateHash()
        // CPUID leaf 0x40000000 is not in the TD's table: #VE, exit reason 10 (CPUID), qualification 0,
        // instruction length 2 (0F A2).
        let c = try m.executeL1CPUID(vcpu: 0, leaf: 0x4000_0000, subleaf: 0)
        #expect(c.fault == .ve)
        #expect(m.vcpus[0].veInfo.valid == 0xFFFF_FFFF)
        #expect(m.stateHash() != before)
        var r = RegisterFile(rax: Self.veinfoGet)
        #expect(try m.tdcall(vcpu: 0, &r) == .completed)
        #expect(r.rax == 0)
        #expect([r.rcx, r.rdx, r.r8, r.r9, r.r10] == [10, 0, 0, 0, 2])
        #expect(m.vcpus[0].veInfo.valid == 0)
        #expect(m.vcpus[0].veInfo.exitReason == 10)  // the other fields stay
        var again = RegisterFile(rax: Self.veinfoGet)
        _ = try m.tdcall(vcpu: 0, &again)
        #expect(again.rax == Self.noValidVEInfo)
    }

    @Test func secondVEBeforeGetIsDoubleFault() throws {
        var m = standardMachine()
        #expect(try m.executeL1WRMSR(vcpu: 0, msr: 0x10, value: 0) == .ve)  // IA32_TIME_STAMP_COUNTER write
        #expect(m.vcpus[0].veInfo.exitReason == 32)
        // The second #VE finds VALID set: #DF, VE_INFO keeps the first one.
        #expect(try m.executeL1RDMSR(vcpu: 0, msr: 0x3A).fault == .df)
        #expect(m.vcpus[0].veInfo.exitReason == 32)
        var r = RegisterFile(rax: Self.veinfoGet)
        _ = try m.tdcall(vcpu: 0, &r)
        #expect(r.rcx == 32)
        // Freed: the next #VE is delivered (RDMSR, exit reason 31).
        #expect(try m.executeL1RDMSR(vcpu: 0, msr: 0x3A).fault == .ve)
        #expect(m.vcpus[0].veInfo.exitReason == 31)
        #expect(m.vcpus[0].veInfo.instructionLength == 2)
    }

    @Test func gpAndCompletedAccessesLeaveVEInfoAlone() throws {
        var m = standardMachine()
        let before = m.stateHash()
        #expect(try m.executeL1RDMSR(vcpu: 0, msr: 0x8C).fault == .gp)
        #expect(try m.executeL1RDMSR(vcpu: 0, msr: 0xBD) == (1, .none))
        #expect(try m.executeL1CPUID(vcpu: 0, leaf: 0, subleaf: 0).fault == .none)
        #expect(m.vcpus[0].veInfo == VEInfo())
        #expect(m.stateHash() == before)
    }

    // MARK: TDG.VP.CPUIDVE.SET

    @Test func cpuidveSetSetsBothFieldsAndSupervisorVEMakesCPUIDAVE() throws {
        var m = standardMachine()
        #expect(try m.td(Self.cpuidveSet, rcx: 0b11).regs.rax == 0)
        #expect(m.vcpus[0].cpuidVE == 0x0101)
        // L1 runs at CPL 0: CPUID_SUPERVISOR_VE turns every CPUID into a #VE.
        #expect(try m.executeL1CPUID(vcpu: 0, leaf: 0, subleaf: 0).fault == .ve)
        #expect(try m.td(Self.cpuidveSet, rcx: 0b10).regs.rax == 0)
        #expect(m.vcpus[0].cpuidVE == 0x0100)
        #expect(try m.l1CPUID(vcpu: 0, leaf: 0, subleaf: 0).fault == .none)
        #expect(try m.td(Self.cpuidveSet, rcx: 0).regs.rax == 0)
        #expect(m.vcpus[0].cpuidVE == 0)
    }

    @Test(arguments: [UInt64(0b100), UInt64(1) << 63, UInt64(0b111)])
    func cpuidveSetReservedBitsAreOperandInvalidRCX(rcx: UInt64) throws {
        var m = standardMachine()
        #expect(try m.td(Self.cpuidveSet, rcx: 0b01).regs.rax == 0)
        let c = try m.td(Self.cpuidveSet, rcx: rcx)
        #expect(c.regs.rax == Self.operandInvalidRCX)
        #expect(c.regs.rcx == rcx)
        #expect(m.vcpus[0].cpuidVE == 0x0001)  // unchanged
    }

    // MARK: TDG.VP.INVVPID

    /// RCX with VM index `vm` in bits 53:52 and LIST in bit 0.
    static func flags(vm: UInt64, list: Bool = false) -> UInt64 { vm << 52 | (list ? 1 : 0) }

    @Test(arguments: [
        flags(vm: 0), flags(vm: 3), flags(vm: 1) | 0b10, flags(vm: 1) | 1 << 51, flags(vm: 1) | 1 << 54,
        flags(vm: 1) | 1 << 63,
    ])
    func invvpidRCXChecks(rcx: UInt64) throws {
        var m = standardMachine(numL2VMs: 2)
        let c = try m.td(Self.invvpid, rcx: rcx, rdx: 0x1000)
        #expect(c.regs.rax == Self.operandInvalidRCX)
        #expect(c.regs.rdx == 0x1000)
        #expect((0..<4).map { m.vcpus[0].vpidFlushes[$0] } == [0, 0, 0, 0])
    }

    @Test func invvpidSingleEntryFlushesEachPageAndLeavesRDX() throws {
        var m = standardMachine(numL2VMs: 2)
        // Base GLA 0x7000_0000, last index 3: four pages.
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 2), rdx: 0x7000_0003)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x7000_0003)
        #expect((0..<4).map { m.vcpus[0].vpidFlushes[$0] } == [0, 0, 4, 0])
    }

    @Test func invvpidNonCanonicalStopsAfterTheCanonicalPages() throws {
        var m = standardMachine(numL2VMs: 1)
        // 0x7FFF_FFFF_E000 and 0x7FFF_FFFF_F000 are canonical; 0x8000_0000_0000 is not (48-bit linear).
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1), rdx: 0x7FFF_FFFF_E000 | 2)
        #expect(c.regs.rax == Self.glaNotCanonical)
        #expect(m.vcpus[0].vpidFlushes[1] == 2)
        // Upper-half canonical addresses are fine.
        #expect(try m.td(Self.invvpid, rcx: Self.flags(vm: 1), rdx: 0xFFFF_8000_0000_0000).regs.rax == 0)
    }

    @Test(arguments: [UInt64(1) << 9, UInt64(1) << 11, UInt64(1) << 62, UInt64(1) << 63, UInt64(511) | UInt64(2) << 52])
    func invvpidListInfoChecksAreOperandInvalidRDX(bad: UInt64) throws {
        var m = standardMachine(numL2VMs: 1)
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1, list: true), rdx: 0x1000 | bad)
        #expect(c.regs.rax == Self.operandInvalidRDX)
        #expect(c.regs.rdx == 0x1000 | bad)
    }

    @Test func invvpidListWithSharedGPAIsOperandInvalidRDX() throws {
        var m = standardMachine(numL2VMs: 1)
        // GPAW 48: bit 47 is the shared bit.
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1, list: true), rdx: 1 << 47 | 1 << 52)
        #expect(c.regs.rax == Self.operandInvalidRDX)
    }

    @Test func invvpidListProcessesEntriesAndRewritesRDX() throws {
        var m = standardMachine(numL2VMs: 1)
        // Entries 2 and 3 of the list page at 0x3000: 2 pages and 1 page.
        var list = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: UInt64(0x5000_0001).littleEndian) { list.replaceSubrange(16..<24, with: $0) }
        withUnsafeBytes(of: UInt64(0x6000_0000).littleEndian) { list.replaceSubrange(24..<32, with: $0) }
        try m.writeMemory(gpa: 0x3000, list)
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1, list: true), rdx: 0x3000 | 2 | 2 << 52)
        #expect(c.regs.rax == 0)
        #expect(c.regs.rdx == 0x3000 | 4)  // FIRST_ENTRY 4, NUM_ENTRIES 0
        #expect(m.vcpus[0].vpidFlushes[1] == 3)
    }

    @Test func invvpidListEndAt512WrapsFirstEntryToZero() throws {
        var m = standardMachine(numL2VMs: 1)
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1, list: true), rdx: 0x3000 | 511 | 1 << 52)
        #expect(c.regs.rax == 0)  // entry 511 is 0: one page, GLA 0
        #expect(c.regs.rdx == 0x3000)
        #expect(m.vcpus[0].vpidFlushes[1] == 1)
    }

    @Test func invvpidListNotCanonicalLeavesRDX() throws {
        var m = standardMachine(numL2VMs: 1)
        var list = [UInt8](repeating: 0, count: 8)
        withUnsafeBytes(of: UInt64(0x8000_0000_0000).littleEndian) { list.replaceSubrange(0..<8, with: $0) }
        try m.writeMemory(gpa: 0x3000, list)
        let rdx: UInt64 = 0x3000 | 1 << 52
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1, list: true), rdx: rdx)
        #expect(c.regs.rax == Self.glaNotCanonical)
        #expect(c.regs.rdx == rdx)
    }

    @Test func invvpidPendingListPageIsVEWithVEInfo() throws {
        var m = standardMachine(numL2VMs: 1)
        let rdx: UInt64 = 0x11000 | 1 << 52  // 0x11000 is PENDING
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1, list: true), rdx: rdx)
        #expect(c.outcome == .completed)
        #expect(c.regs.rax == Self.invvpid)  // not completed: RAX untouched, L1 is at its #VE handler
        #expect(c.regs.rdx == rdx)
        let ve = m.vcpus[0].veInfo
        #expect(ve.valid == 0xFFFF_FFFF)
        #expect(ve.exitReason == 48)
        #expect(ve.exitQualification == 1)  // data read, no permissions
        #expect(ve.gpa == 0x11000)
        #expect(ve.gla == 0)
    }

    @Test func invvpidPendingListPageWithPendingVEDisableIsTDExitType6() throws {
        var m = standardMachine(numL2VMs: 1)
        m.tdCtls = 1
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1, list: true), rdx: 0x11000 | 1 << 52)
        let e = try #require(c.exit)
        #expect(e.rax == 48)
        #expect(e.rcx == 1)
        #expect(e.rdx == 6)
        #expect(e.r8 == 0x11000)
        #expect(m.vcpus[0].veInfo == VEInfo())
    }

    @Test func invvpidFreeListPageIsTDExit() throws {
        var m = standardMachine(numL2VMs: 1)
        let c = try m.td(Self.invvpid, rcx: Self.flags(vm: 1, list: true), rdx: 0x9000 | 1 << 52)
        let e = try #require(c.exit)
        #expect(e.rax == 48)
        #expect(e.rdx == 0)
        #expect(e.r8 == 0x9000)
    }
}

// L1 data accesses to PENDING pages (module src/td_dispatcher/vm_exits/td_ept_violation.c: #VE when
// TD_CTLS.PENDING_VE_DISABLE = 0, with VE_INFO from tdx_inject_ve).
@Suite struct PendingAccessVETests {
    @Test func readOfAPendingPageIsAVEWithItsGPA() throws {
        var m = standardMachine()  // 0x10000–0x13FFF PENDING
        #expect(try m.l1Access(vcpu: 0, gpa: 0x10008, count: 8, write: false) == .ve)
        let ve = m.vcpus[0].veInfo
        #expect(ve.valid == 0xFFFF_FFFF)
        #expect(ve.exitReason == 48)
        #expect(ve.exitQualification == 1)  // data read
        #expect(ve.gpa == 0x10008)
        #expect(ve.gla == 0)
        #expect(ve.instructionLength == 0)
        var r = RegisterFile(rax: 3)
        _ = try m.tdcall(vcpu: 0, &r)
        #expect([r.rax, r.rcx, r.rdx, r.r8, r.r9, r.r10] == [0, 48, 1, 0, 0x10008, 0])
    }

    @Test func writeCrossingIntoAPendingPageReportsTheFirstPendingByte() throws {
        var m = standardMachine()
        // 0x7FFC–0x8003: the first four bytes are on MAPPED 0x7000, the rest on 0x8000, which is FREE.
        #expect(throws: MachineError.notL1Accessible(gpa: 0x8000)) {
            try m.l1Access(vcpu: 0, gpa: 0x7FFC, count: 8, write: true)
        }
        // 0xFFFC–0x10003: 0xF000 is not mapped either; start on the pending page itself.
        #expect(try m.l1Access(vcpu: 0, gpa: 0x13FFC, count: 4, write: true) == .ve)
        #expect(m.vcpus[0].veInfo.exitQualification == 2)  // data write
        #expect(m.vcpus[0].veInfo.gpa == 0x13FFC)
        // Not yet read: the next one is a #DF.
        #expect(try m.l1Access(vcpu: 0, gpa: 0x10000, count: 1, write: false) == .df)
        #expect(m.vcpus[0].veInfo.gpa == 0x13FFC)
    }

    @Test func accessibleMemoryTakesNoVEAndChangesNothing() throws {
        var m = standardMachine()
        let before = m.stateHash()
        #expect(try m.l1Access(vcpu: 0, gpa: 0x1000, count: 0x2000, write: true) == .none)
        #expect(m.stateHash() == before)
    }

    @Test func pendingVEDisableMakesItNotAVE() throws {
        var m = standardMachine()
        m.tdCtls = 1  // PENDING_VE_DISABLE: the module TD-exits (EEQ type 6) instead
        #expect(throws: MachineError.notL1Accessible(gpa: 0x10000)) {
            try m.l1Access(vcpu: 0, gpa: 0x10000, count: 8, write: false)
        }
        #expect(m.vcpus[0].veInfo == VEInfo())
    }
}
