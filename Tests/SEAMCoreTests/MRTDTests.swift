import SEAMCore
import SEAMTypes
import Testing

// MRTD (tdx-module src/vmm_dispatcher/api_calls/tdh_mem_page_add.c, tdh_mr_extend.c, tdh_mr_finalize.c): SHA-384 of a
// 128-byte block per TDH.MEM.PAGE.ADD ("MEM.PAGE.ADD" zero-padded to 16 bytes, the GPA as 8 little-endian bytes, 104
// zeros) and per TDH.MR.EXTEND (the same with "MR.EXTEND", then the chunk's 256 bytes), in call order, closed by
// TDH.MR.FINALIZE. The expected values were computed outside SoftSEAM (Python's hashlib) from those blocks:
//   standard  = sha384(PAGE.ADD blocks of 0x0, 0x1000, … 0x7000)            (standardMachine: 8 added pages)
//   built     = sha384(PAGE.ADD 0x100000, PAGE.ADD 0x101000, MR.EXTEND 0x101000 + 256 zero bytes,
//                      MR.EXTEND 0x101100 + 256 zero bytes)   (an added page starts zeroed: SoftSEAM has no
//                                                               source page to copy, TDHMemPageAdd.swift)
//   empty     = sha384 of nothing (a TD with no added page)
// each as the six little-endian words TDG.VM.RD reads (field MRTD 0x1310000300000000, elements 0…5).
@Suite struct MRTDTests {
    static let mrtdField: UInt64 = 0x1310_0003_0000_0000
    static let mrExtend: UInt64 = 16

    static let standard: [UInt64] = [
        0x7848_CD5B_189E_30ED, 0x6501_1921_7475_48D3, 0x466D_5A41_CA08_A496, 0x2A73_CFD6_AE50_B16C,
        0xF290_5AD1_A54D_97EA, 0x1FA9_41D4_1EDB_D838,
    ]
    static let built: [UInt64] = [
        0x66F2_9856_3D93_8569, 0xF255_5FBC_1EA6_2694, 0xA6E8_990F_44C6_3CF1, 0x50C0_B8B2_BB6B_F8A7,
        0x2477_2747_BB56_AB13, 0xB7AF_8C48_92EC_BB9E,
    ]
    static let empty: [UInt64] = [
        0x3896_AC51_A760_B038, 0x6AE3_B1B1_7E32_D94C, 0x4307_BE14_11B7_FD21, 0xDAE1_F663_BFC7_0C4C,
        0xFB65_6FE7_BFDE_4E27, 0x5BB9_9848_F1D2_1AD5,
    ]

    static func read(_ m: inout Machine) throws -> [UInt64] { try m.vmRdElements(mrtdField, count: 6) }

    /// A TD with two added pages at 0x100000 and a FREE entry at 0x102000 below the same table, not finalized.
    static func unfinalized() -> Machine {
        var config = MachineConfig(
            numL2VMs: 1,
            memory: [
                .init(gpa: 0x10_0000, size: 0x2000, state: .mapped),
                .init(gpa: 0x10_4000, size: 0x1000, state: .pending),
            ])
        config.finalize = false
        return Machine(config: config)
    }

    @Test func pageAddMeasuresGPAsNotContents() throws {
        var m = standardMachine()
        #expect(try Self.read(&m) == Self.standard)
        var written = standardMachine()
        try written.writeMemory(gpa: 0x1000, [1, 2, 3])
        #expect(try Self.read(&written) == Self.standard, "contents written after PAGE.ADD are not measured")
        var bare = Machine(config: MachineConfig(numL2VMs: 1, memory: []))
        #expect(try Self.read(&bare) == Self.empty)
    }

    @Test func mrExtendMeasuresTheChunkAndFinalizeClosesIt() throws {
        var m = Self.unfinalized()
        #expect(m.mrtd == Array(repeating: 0, count: 48), "MRTD is zero until TDH.MR.FINALIZE")
        let e = m.host(Self.mrExtend, rcx: 0x10_1000, rdx: TDH.tdr)
        #expect(e.rax == St.success && e.rcx == 0 && e.rdx == 0)
        #expect(m.host(Self.mrExtend, rcx: 0x10_1100).rax == St.success)
        #expect(m.host(TDH.finalize).rax == St.success)
        #expect(try Self.read(&m) == Self.built)
        try m.writeMemory(gpa: 0x10_1000, [0xFF])
        #expect(try Self.read(&m) == Self.built, "the chunk was measured when it was extended")
    }

    @Test func mrExtendChecksInTheModulesOrder() throws {
        var m = Self.unfinalized()
        let before = m.stateHash()
        // Unaligned (by 128), SHARED (bit 47 of GPAW 48), beyond GPAW: OPERAND_INVALID(RCX), RCX and RDX zeroed.
        for gpa: UInt64 in [0x10_1080, 0x10_1000 | 1 << 47, 1 << 48] {
            let r = m.host(Self.mrExtend, rcx: gpa)
            #expect(r.rax == St.operandInvalidRCX, "\(hex64(gpa))")
            #expect(r.rcx == 0 && r.rdx == 0)
        }
        // A FREE 4K entry: EPT_ENTRY_NOT_PRESENT(RCX) with the entry's details (SVE alone; level 0, state FREE 0).
        let free = m.host(Self.mrExtend, rcx: 0x10_2000)
        #expect(free.rax == 0xC000_0B03_0000_0001)
        #expect(free.rcx == 1 << 63 && free.rdx == 0)
        // A PENDING leaf: EPT_ENTRY_NOT_PRESENT without operand or details.
        let pending = m.host(Self.mrExtend, rcx: 0x10_4000)
        #expect(pending.rax == 0xC000_0B03_0000_0000 && pending.rcx == 0 && pending.rdx == 0)
        #expect(m.stateHash() == before, "a refused extend measures nothing")
        // After finalize: OP_STATE_INCORRECT, before any operand check.
        #expect(m.host(TDH.finalize).rax == St.success)
        #expect(m.host(Self.mrExtend, rcx: 0x10_1080).rax == St.opStateIncorrect)
    }

    @Test func theLogIsStateAndTheBulkBuildKeepsItAsTheSEAMCallsDo() throws {
        // Two TDs with the same pages added in another order hold the same leaves but another MRTD.
        var a = Self.unfinalized()
        var b = Self.unfinalized()
        #expect(a.host(Self.mrExtend, rcx: 0x10_1000).rax == St.success)
        #expect(a.host(Self.mrExtend, rcx: 0x10_0000).rax == St.success)
        #expect(b.host(Self.mrExtend, rcx: 0x10_0000).rax == St.success)
        #expect(b.host(Self.mrExtend, rcx: 0x10_1000).rax == St.success)
        #expect(a.stateHash() != b.stateHash())
        #expect(a.recomputedStateHash() == a.stateHash() && b.recomputedStateHash() == b.stateHash())
        // The bulk build (one log entry per region) and the SEAMCALL-by-SEAMCALL build give one state.
        let config = standardConfig()
        var bySEAMCalls = Machine(
            numL2VMs: config.numL2VMs, vcpus: config.vcpus, width: config.gpaw, profile: config.profile)
        BuiltInHost.setUpBySEAMCalls(&bySEAMCalls, config)
        #expect(bySEAMCalls.mrtdLog == standardMachine().mrtdLog)
        #expect(bySEAMCalls.mrtd == standardMachine().mrtd)
    }

    /// A config's L1 image: 300 bytes ((7·i) & 0xFF) copied into the first page of a 2-page mapped region that is
    /// measured — each page PAGE.ADDed, then its 16 chunks MR.EXTENDed. MRTD worked out with Python's hashlib:
    ///   sha384(for page in 0x100000, 0x101000: PAGE.ADD block, then for each chunk: MR.EXTEND block ‖ its bytes)
    static let image: [UInt64] = [
        0x7F4D_725D_B3BE_EA4E, 0xAB1A_42FC_CCFF_2D88, 0x88E9_ACBE_BA8F_031F, 0x94C5_30E6_1368_42D4,
        0x130C_0DE9_1FB8_49B4, 0x5A78_D744_0A35_D790,
    ]

    @Test func aMeasuredImageIdentifiesTheL1() throws {
        let contents = (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }
        let config = MachineConfig(
            numL2VMs: 1,
            memory: [.init(gpa: 0x10_0000, size: 0x2000, state: .mapped, contents: contents, measured: true)])
        var m = Machine(config: config)
        #expect(try Self.read(&m) == Self.image)
        #expect(try m.readMemory(gpa: 0x10_0000, count: 300) == contents, "PAGE.ADD copied the image")
        // The SEAMCALL-by-SEAMCALL build (PAGE.ADD, 16 × MR.EXTEND per page) reaches the same state.
        var bySEAMCalls = Machine(numL2VMs: 1, vcpus: 1, width: .gpaw48, profile: config.profile)
        BuiltInHost.setUpBySEAMCalls(&bySEAMCalls, config)
        #expect(bySEAMCalls.mrtdLog == m.mrtdLog)
        #expect(bySEAMCalls.stateHash() == Machine(config: config).stateHash())
        // Another image, or the same one unmeasured, is another MRTD.
        var other = contents
        other[299] ^= 1
        var changed = Machine(
            config: MachineConfig(
                numL2VMs: 1,
                memory: [.init(gpa: 0x10_0000, size: 0x2000, state: .mapped, contents: other, measured: true)]))
        #expect(try Self.read(&changed) != Self.image)
        var unmeasured = Machine(
            config: MachineConfig(
                numL2VMs: 1, memory: [.init(gpa: 0x10_0000, size: 0x2000, state: .mapped, contents: contents)]))
        #expect(try Self.read(&unmeasured) != Self.image)
    }
}
