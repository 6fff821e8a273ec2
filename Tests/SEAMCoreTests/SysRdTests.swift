import SEAMCore
import SEAMTypes
import Testing

// TDG.SYS.RD (leaf 11). Expected values worked out from tdx-module src/td_dispatcher/vm_exits/tdg_sys_rd.c (RDX = −1
// and R8 = 0 first, context forced to SYS, the null id, md_check_as_single_element_id, then md_read_element),
// src/common/metadata_handlers/metadata_sys.c (values; NOT_READABLE when the guest read mask is 0, before the value),
// include/auto_gen/global_sys_fields_lookup.c (ids, order and guest masks) and include/tdx_api_defs.h
// (tdx_features_enum0_t bits, GUEST_L2_GPA_ATTR_MASK = BITS(6,0) | BIT(15)).
@Suite struct SysRdTests {
    static let vendorID: UInt64 = 0x0800_0002_0000_0000
    static let minorVersion: UInt64 = 0x0800_0001_0000_0003
    static let majorVersion: UInt64 = 0x0800_0001_0000_0004
    static let sysAttributes: UInt64 = 0x0A00_0002_0000_0000
    static let numTDXFeatures: UInt64 = 0x0A00_0000_0000_0001
    static let tdxFeatures0: UInt64 = 0x0A00_0003_0000_0008
    static let migAttributes: UInt64 = 0xA000_0003_0000_0000
    static let l2GPAAttrMask: UInt64 = 0xA200_0001_0000_0000
    static let na: UInt64 = ~0
    static let sysRd: UInt64 = 11

    /// Bits 0-5 (migration, preserving, service TD, VP.RD/WR, relaxed concurrency, CPUID guest control), 7 (TD
    /// partitioning), 8 (local attestation), 9-11 (entry enhancements, host-priority locks, ARCH_CAP config),
    /// 16-19 (pending EPT violation v2, FMS config, NO_RBP_MOD, L2 TLB invalidation optimisation).
    static let features0: UInt64 = 0b1111 << 16 | 0b111 << 9 | 1 << 8 | 1 << 7 | 0b11_1111

    @Test func tdxFeatures0ReportsPartitioningAndTheRest() throws {
        var m = standardMachine()
        let c = try m.td(Self.sysRd, rdx: Self.tdxFeatures0, r8: 0x77)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == Self.features0)
        #expect(c.regs.r8 == 0xF_0FBF)
        #expect(c.regs.r8 & 1 << 7 != 0)  // TD_PARTITIONING
        // Next guest-readable field in the table after TDX_FEATURES0: MIG_ATTRIBUTES (CMR/TDMR/… are host-only).
        #expect(c.regs.rdx == Self.migAttributes)
    }

    @Test func anotherPlatformClearsLocalAttestation() throws {
        // tdh_sys_init.c: LOCAL_ATTESTATION = SEAMVERIFYREPORT available; the no-seamverifyreport profile lacks it.
        var m = standardMachine()
        m.platform = try #require(GlobalPlatform.named("no-seamverifyreport"))
        let c = try m.td(Self.sysRd, rdx: Self.tdxFeatures0)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == Self.features0 & ~(1 << 8))
    }

    @Test func versionFieldsAndTheirNextIDs() throws {
        // VENDOR_ID 0x8086 → next guest-readable is MINOR_VERSION (BUILD_DATE/BUILD_NUM are host-only);
        // MINOR 5 → MAJOR; MAJOR 1 → SYS_ATTRIBUTES (UPDATE/INTERNAL_VERSION and the handoff class are host-only).
        var m = standardMachine()
        var c = try m.td(Self.sysRd, rdx: Self.vendorID)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0x8086)
        #expect(c.regs.rdx == Self.minorVersion)
        c = try m.td(Self.sysRd, rdx: Self.minorVersion)
        #expect(c.regs.r8 == 5)
        #expect(c.regs.rdx == Self.majorVersion)
        c = try m.td(Self.sysRd, rdx: Self.majorVersion)
        #expect(c.regs.r8 == 1)
        #expect(c.regs.rdx == Self.sysAttributes)
        c = try m.td(Self.sysRd, rdx: Self.numTDXFeatures)
        #expect(c.regs.r8 == 1)
        #expect(c.regs.rdx == Self.tdxFeatures0)
    }

    @Test func l2GPAAttrMaskIsTheLastReadableField() throws {
        var m = standardMachine()
        let c = try m.td(Self.sysRd, rdx: Self.l2GPAAttrMask)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 0x807F)
        #expect(c.regs.rdx == Self.na)
    }

    @Test func nullFieldIDGivesTheFirstReadableField() throws {
        // First guest-readable entry: VENDOR_ID (NUM_PKGS and PKG_FMS are host-only); R8 = 0. The context bits
        // are ignored, so all ones with context 0 is null too.
        var m = standardMachine()
        for id in [Self.na, 0xFF8F_FFFF_FFFF_FFFF] as [UInt64] {
            let c = try m.td(Self.sysRd, rdx: id, r8: 0x77)
            #expect(c.regs.rax == St.firstFieldIDInContext)
            #expect(c.regs.rdx == Self.vendorID)
            #expect(c.regs.r8 == 0)
        }
    }

    @Test(arguments: [
        UInt64(0x0800_0002_0100_0000),  // reserved bit 24
        0x0800_0006_0000_0000,  // LAST_ELEMENT (bit 34)
        0x0800_0042_0000_0000,  // LAST_FIELD (bit 38)
        0x0800_0002_0000_0007,  // class 8, code 7: no such field
        0x3F00_0003_0000_0000,  // class 63
    ])
    func malformedOrUnknownIsFieldIDIncorrect(id: UInt64) throws {
        var m = standardMachine()
        let c = try m.td(Self.sysRd, rdx: id, r8: 0x77)
        #expect(c.regs.rax == St.fieldIDIncorrect)
        #expect(c.regs.rdx == Self.na)
        #expect(c.regs.r8 == 0)
    }

    @Test(arguments: [
        UInt64(0x0000_0002_0000_0000),  // NUM_PKGS
        0x0800_0001_0000_0005,  // UPDATE_VERSION
        0x9000_0003_0000_009F,  // CMR_BASE[31]
        0x1900_0003_0000_0000,  // ATTRIBUTES_FIXED0
        0xA200_0003_0000_0001,  // VM_CTLS_FIXED0
    ])
    func hostOnlyFieldsAreNotReadable(id: UInt64) throws {
        var m = standardMachine()
        let c = try m.td(Self.sysRd, rdx: id, r8: 0x77)
        #expect(c.regs.rax == St.fieldNotReadable)
        #expect(c.regs.rdx == Self.na)
        #expect(c.regs.r8 == 0)
    }

    @Test func contextAndSizeBitsAreIgnored() throws {
        // Context forced to SYS; the value has the table's size: MAJOR_VERSION asked with context TD and size 64.
        var m = standardMachine()
        let c = try m.td(Self.sysRd, rdx: 0x0810_0003_0000_0004)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == 1)
    }

    @Test func sysRdChangesNoState() throws {
        var m = standardMachine()
        let before = m.stateHash()
        _ = try m.td(Self.sysRd, rdx: Self.tdxFeatures0)
        _ = try m.td(Self.sysRd, rdx: 0x0000_0002_0000_0000)
        #expect(m.stateHash() == before)
    }
}
