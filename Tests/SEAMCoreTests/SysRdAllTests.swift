import SEAMCore
import SEAMTypes
import Testing

// TDG.SYS.RDALL (12). Expected values worked out from tdx-module src/td_dispatcher/vm_exits/tdg_sys_rdall.c (R8 = −1
// first; RDX 4 KB aligned, then check_walk_and_map_guest_side_gpa PRIVATE_ONLY for read and write: invalid GPA →
// OPERAND_INVALID(RDX), a PENDING page → #VE unless TD_CTLS.PENDING_VE_DISABLE, otherwise an EPT-violation TD exit
// with qualification 3), src/common/metadata_handlers/metadata_generic.c (md_dump_list, md_dump_sequence,
// md_check_field_and_get_entry, is_sequential_field_id, md_set_sequence_header) and the guest-readable rows of the
// module's global table (include/auto_gen/global_sys_fields_lookup.c) on the default platform.
@Suite struct SysRdAllTests {
    static let rdall: UInt64 = 12
    static let page: UInt64 = 0x3000  // mapped in standardMachine

    /// The list from the first field, worked out by hand: 12 guest-readable fields in 8 sequences.
    ///   VENDOR_ID (class 8, code 0, 32-bit)                      alone: the next readable code is 3
    ///   MINOR_VERSION, MAJOR_VERSION (class 8, codes 3–4, 16-bit) LAST_FIELD_IN_SEQUENCE 1 (bit 38)
    ///   SYS_ATTRIBUTES (class 10, code 0, 32-bit)                alone: NUM_TDX_FEATURES is 8-bit
    ///   NUM_TDX_FEATURES (class 10, code 1, 8-bit)               alone: the next code is 8
    ///   TDX_FEATURES0 (class 10, code 8) = 0xF0FBF               alone: the class changes
    ///   MIG_ATTRIBUTES (class 32, code 0, 64-bit)                alone: MIN_EXPORT_VERSION is 16-bit
    ///   MIN/MAX_EXPORT_VERSION, MIN/MAX_IMPORT_VERSION (class 32, codes 1–4, 16-bit) LAST_FIELD 3
    ///   GUEST_L2_GPA_ATTR_MASK (class 34, code 0) = 0x807F       then the context ends
    /// List header: size 8 + 8 × 8 + 12 × 8 = 168 = 0xA8, 8 sequences.
    static let fullList: [UInt64] = [
        0x0008_00A8,
        0x0800_0002_0000_0000, 0x8086,
        0x0800_0041_0000_0003, 5, 1,
        0x0A00_0002_0000_0000, 0,
        0x0A00_0000_0000_0001, 1,
        0x0A00_0003_0000_0008, 0xF_0FBF,
        0xA000_0003_0000_0000, 0,
        0x2000_00C1_0000_0001, 0, 0, 0, 0,
        0xA200_0001_0000_0000, 0x807F,
    ]

    static func words(_ m: Machine, _ gpa: UInt64, _ n: Int) throws -> [UInt64] {
        let b = try m.readMemory(gpa: gpa, count: n * 8)
        return (0..<n).map { i in (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[i * 8 + $1]) << (8 * UInt64($1)) } }
    }

    @Test func nullIDDumpsTheWholeContext() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: Self.page + 168, [0xAA])
        let c = try m.td(Self.rdall, rdx: Self.page, r8: ~0)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == ~0)  // the context is done
        #expect(c.regs.rdx == Self.page)
        #expect(try Self.words(m, Self.page, Self.fullList.count) == Self.fullList)
        #expect(try m.readMemory(gpa: Self.page + 168, count: 1) == [0xAA])  // nothing past the list
    }

    @Test func startingMidwayDumpsTheRest() throws {
        var m = standardMachine()
        // From MAX_EXPORT_VERSION 0x2000000100000002: [MAX_EXPORT, MIN_IMPORT, MAX_IMPORT] (LAST_FIELD 2 →
        // 0x2000008100000002), then GUEST_L2_GPA_ATTR_MASK; 8 + 8 + 24 + 8 + 8 = 56 = 0x38, 2 sequences.
        let c = try m.td(Self.rdall, rdx: Self.page, r8: 0x2000_0001_0000_0002)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.r8 == ~0)
        #expect(
            try Self.words(m, Self.page, 7) == [
                0x0002_0038, 0x2000_0081_0000_0002, 0, 0, 0, 0xA200_0001_0000_0000, 0x807F,
            ])
    }

    @Test func startingOnAHostOnlyFieldSkipsIt() throws {
        var m = standardMachine()
        // BUILD_NUM 0x8800000100000002 is not guest-readable: an empty sequence, then from MINOR_VERSION on:
        // the full list without VENDOR_ID's sequence, 168 − 16 = 152 = 0x98, 7 sequences.
        let c = try m.td(Self.rdall, rdx: Self.page, r8: 0x8800_0001_0000_0002)
        #expect(c.regs.rax == St.success)
        #expect(try Self.words(m, Self.page, 19) == [0x0007_0098] + Self.fullList[3...])
    }

    @Test func contextBitsAreIgnored() throws {
        var m = standardMachine()
        let c = try m.td(Self.rdall, rdx: Self.page, r8: 0x2000_0001_0000_0002 | 2 << 52)
        #expect(c.regs.rax == St.success)
        #expect(try Self.words(m, Self.page, 1) == [0x0002_0038])
    }

    @Test func unknownOrMisshapenStartIDIsFieldIDIncorrect() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: Self.page, [0x55])
        // No entry (class 8 code 0x77); VENDOR_ID with a 16-bit size code; CPUID_CONFIG_VALUES' second element
        // (0x9900000300000501: its fields have 2 elements, so it does not start a field).
        for id: UInt64 in [0x0800_0002_0000_0077, 0x0800_0001_0000_0000, 0x9900_0003_0000_0501] {
            let c = try m.td(Self.rdall, rdx: Self.page, r8: id)
            #expect(c.regs.rax == St.fieldIDIncorrect, "\(hex64(id))")
            #expect(c.regs.r8 == ~0)
        }
        #expect(try m.readMemory(gpa: Self.page, count: 1) == [0x55])  // nothing written
    }

    @Test func pageMustBeAlignedAndPrivate() throws {
        var m = standardMachine()
        for gpa: UInt64 in [Self.page + 8, Self.page | 1 << 47, 1 << 48] {  // unaligned; SHARED (GPAW 48); above
            let c = try m.td(Self.rdall, rdx: gpa, r8: ~0)
            #expect(c.regs.rax == St.operandInvalidRDX, "\(hex64(gpa))")
            #expect(c.regs.r8 == ~0)
        }
    }

    @Test func pendingPageIsAVEWithR8AllOnes() throws {
        var m = standardMachine()  // 0x10000 is PENDING
        let c = try m.td(Self.rdall, rdx: 0x10000, r8: 0x2000_0001_0000_0002)
        #expect(c.outcome == .completed)
        #expect(c.regs.rax == Self.rdall)  // not completed: L1 is at its #VE handler
        #expect(c.regs.r8 == ~0)  // written before the page check
        let ve = m.vcpus[0].veInfo
        #expect(ve.exitReason == 48)
        #expect(ve.exitQualification == 3)  // data read | data write
        #expect(ve.gpa == 0x10000)
    }

    @Test func pendingPageWithPendingVEDisableIsATDExit() throws {
        var m = standardMachine()
        m.tdCtls = 1
        let c = try m.td(Self.rdall, rdx: 0x10000, r8: ~0)
        let e = try #require(c.exit)
        #expect(e.rax == 48)
        #expect(e.rcx == 3)
        #expect(e.rdx == 6)  // EEQ: pending EPT violation
        #expect(e.r8 == 0x10000)
        #expect(c.regs.r8 == ~0)
    }

    @Test func unmappedPageIsATDExit() throws {
        var m = standardMachine()
        let c = try m.td(Self.rdall, rdx: 0x9000, r8: ~0)
        let e = try #require(c.exit)
        #expect(e.rax == 48)
        #expect(e.rcx == 3)
        #expect(e.rdx == 0)
        #expect(e.r8 == 0x9000)
    }

    @Test func anotherPlatformShowsItsFeatures() throws {
        var config = standardConfig()
        config.platform = try #require(GlobalPlatform.named("no-seamverifyreport"))
        var m = Machine(config: config)
        _ = try m.td(Self.rdall, rdx: Self.page, r8: ~0)
        #expect(try Self.words(m, Self.page, 12)[11] == 0xF_0EBF)
    }
}
