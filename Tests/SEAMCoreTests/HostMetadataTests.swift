import SEAMCore
import SEAMTypes
import Testing

// TDH.MNG.RD (11) and TDH.SYS.RD (34), the host's metadata reads. Expected values worked out from tdx-module
// src/vmm_dispatcher/api_calls/tdh_mng_rd_wr.c (RDX = −1 at version 1 and R8 = 0 first; version > 1 →
// OPERAND_INVALID(RAX); null id at version 1; md_check_as_single_element_id; md_read_element with MD_HOST_RD and the
// DEBUG qualifier), src/vmm_dispatcher/tdx_vmm_dispatcher.c (TDH.MNG.RD takes versions), tdh_sys_rd.c,
// include/auto_gen/tdr_tdcs_fields_lookup.c (prod_rd_mask / dbg_rd_mask) and global_sys_fields_lookup.c.
@Suite struct HostMngRdTests {
    static let mngRd: UInt64 = 11
    static let numL2VMs: UInt64 = 0x9010_0001_0000_0005
    static let tdCtls: UInt64 = 0x1110_0003_0000_0017
    static let vmCtls1: UInt64 = 0x9110_0003_0000_0013
    static let fatal: UInt64 = 0x8010_0000_0000_0001
    static let na: UInt64 = ~0

    @Test func readsATDFieldAtVersion0WithoutTouchingRDX() {
        var m = standardMachine(numL2VMs: 2)
        let r = m.host(Self.mngRd, rcx: TDH.tdr, rdx: Self.numL2VMs, r8: 0x77)
        #expect(r.rax == St.success)
        #expect(r.r8 == 2)
        #expect(r.rdx == Self.numL2VMs)
    }

    @Test func vmCtlsAsTheHostWroteThem() {
        // TDH.MNG.WR VM_CTLS[1] bit 0, then TDH.MNG.RD gives it back; version 1 → next: VM_CTLS[2] (same field +1).
        var m = standardMachine(vmCtls: [1, 0, 0])
        let r = m.host(Self.mngRd | TDH.v1, rcx: TDH.tdr, rdx: Self.vmCtls1)
        #expect(r.rax == St.success)
        #expect(r.r8 == 1)
        #expect(r.rdx == Self.vmCtls1 + 1)
    }

    @Test func productionMaskHidesTDCtlsUntilDebug() {
        // TD_CTLS: prod_rd_mask 0, dbg_rd_mask all ones.
        var m = standardMachine()
        m.tdCtls = 1
        var r = m.host(Self.mngRd, rcx: TDH.tdr, rdx: Self.tdCtls, r8: 0x77)
        #expect(r.rax == St.fieldNotReadable)
        #expect(r.r8 == 0)
        m.attributes = 1  // DEBUG
        r = m.host(Self.mngRd, rcx: TDH.tdr, rdx: Self.tdCtls)
        #expect(r.rax == St.success)
        #expect(r.r8 == 1)
    }

    @Test func nullIDAtVersion1IsTheFirstField() {
        // FATAL (0x8010000000000001) is the table's first entry and host-readable.
        var m = standardMachine()
        let r = m.host(Self.mngRd | TDH.v1, rcx: TDH.tdr, rdx: Self.na, r8: 0x77)
        #expect(r.rax == St.firstFieldIDInContext)
        #expect(r.rdx == Self.fatal)
        #expect(r.r8 == 0)
        // At version 0 the null id is a malformed id.
        let r0 = m.host(Self.mngRd, rcx: TDH.tdr, rdx: Self.na)
        #expect(r0.rax == St.fieldIDIncorrect)
    }

    @Test func version2IsOperandInvalidRAXWithRDXAllOnes() {
        var m = standardMachine()
        let r = m.host(Self.mngRd | 2 << 16, rcx: TDH.tdr, rdx: Self.numL2VMs, r8: 0x77)
        #expect(r.rax == St.operandInvalidRAX)
        #expect(r.rdx == Self.na)
        #expect(r.r8 == 0)
    }

    @Test func unknownAndMalformedIDsAreFieldIDIncorrect() {
        var m = standardMachine(numL2VMs: 1)
        for id in [0x3F10_0003_0000_0000, Self.numL2VMs | 1 << 24, 0x2D10_0003_0000_0000] as [UInt64] {
            let r = m.host(Self.mngRd | TDH.v1, rcx: TDH.tdr, rdx: id, r8: 0x77)
            #expect(r.rax == St.fieldIDIncorrect)
            #expect(r.rdx == Self.na)
            #expect(r.r8 == 0)
        }
    }

    @Test func fatalAndEpochReadTheModelState() {
        var m = standardMachine()
        #expect(m.host(Self.mngRd, rcx: TDH.tdr, rdx: 0x9210_0003_0000_0000).r8 == 1)  // TD_EPOCH starts at 1
        #expect(m.host(Self.mngRd, rcx: TDH.tdr, rdx: Self.fatal).r8 == 0)
    }
}

@Suite struct HostSysRdTests {
    static let sysRd: UInt64 = 34
    static let na: UInt64 = ~0

    @Test func hostReadsHostOnlyFieldsToo() {
        // ATTRIBUTES_FIXED0 = DEBUG | SEPT_VE_DISABLE | MIGRATABLE | PKS | PERFMON; next: ATTRIBUTES_FIXED1.
        var m = standardMachine()
        var r = m.host(Self.sysRd, rdx: 0x1900_0003_0000_0000, r8: 0x77)
        #expect(r.rax == St.success)
        #expect(r.r8 == 0x8000_0000_7000_0001)  // bits 63, 30, 29, 28, 0
        #expect(r.rdx == 0x1900_0003_0000_0001)
        // CONFIG_FLAGS_FIXED0 = bits 2:0; VM_CTLS_FIXED0 = ALLOWED_VM_CTLS = bit 0.
        #expect(m.host(Self.sysRd, rdx: 0x9900_0003_0000_0006).r8 == 0x7)
        #expect(m.host(Self.sysRd, rdx: 0xA200_0003_0000_0001).r8 == 0x1)
        // A multi-element field steps inside itself: CMR_BASE[3] → CMR_BASE[4]; its value is not modelled (0).
        r = m.host(Self.sysRd, rdx: 0x9000_0003_0000_0083)
        #expect(r.rax == St.success)
        #expect(r.r8 == 0)
        #expect(r.rdx == 0x9000_0003_0000_0084)
        // The last field: VCPU_L2_DEBUG_CTLS_FIXED1 → RDX = −1.
        r = m.host(Self.sysRd, rdx: 0xA200_0003_0000_0006)
        #expect(r.rdx == Self.na)
    }

    @Test func nullIDGivesNumPkgs() {
        var m = standardMachine()
        let r = m.host(Self.sysRd, rdx: Self.na, r8: 0x77)
        #expect(r.rax == St.firstFieldIDInContext)
        #expect(r.rdx == 0x0000_0002_0000_0000)
        #expect(r.r8 == 0)
    }

    @Test func badIDsAreFieldIDIncorrect() {
        var m = standardMachine()
        for id in [0x0800_0002_0000_0007, 0x0800_0002_0100_0000] as [UInt64] {
            let r = m.host(Self.sysRd, rdx: id, r8: 0x77)
            #expect(r.rax == St.fieldIDIncorrect)
            #expect(r.rdx == Self.na)
            #expect(r.r8 == 0)
        }
    }

    @Test func sysRdTakesNoVersion() {
        // tdx_vmm_dispatcher.c: TDH.SYS.RD is not among the leaves with versions.
        var m = standardMachine()
        let r = m.host(Self.sysRd | TDH.v1, rdx: 0x0800_0002_0000_0000, r8: 0x77)
        #expect(r.rax == St.operandInvalidRAX)
        #expect(r.r8 == 0x77)
    }
}
