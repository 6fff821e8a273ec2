import SEAMCore
import SEAMTypes
import Testing

// TDG.MR.RTMR.EXTEND (2). Check order from tdx-module src/td_dispatcher/vm_exits/tdg_mr_rtmr_extend.c: RCX 64-byte
// aligned, then check_walk_and_map_guest_side_gpa (PRIVATE_ONLY, read: an invalid GPA → OPERAND_INVALID(RCX), a PENDING
// page → #VE unless TD_CTLS.PENDING_VE_DISABLE, otherwise an EPT-violation TD exit with qualification 1), the 48 bytes
// copied, then RDX < NUM_RTMRS (4) → else OPERAND_INVALID(RDX), then RTMR[RDX] = SHA-384(RTMR[RDX] ‖ data).
//
// The expected registers are SHA-384 values computed outside SoftSEAM (Python's hashlib):
//   first     = sha384(48 zero bytes ‖ bytes 0…47)
//   second    = sha384(first ‖ 48 bytes of 0xFF)
//   separator = sha384(four zero bytes), the digest L1 extends for a TCG SEPARATOR event
//   sepRTMR   = sha384(48 zero bytes ‖ separator)
// each as the six little-endian 64-bit words TDG.VM.RD reads (field RTMR 0x1310000300000040, element 6·i + k).
@Suite struct RTMRExtendTests {
    static let extend: UInt64 = 2
    static let rtmrField: UInt64 = 0x1310_0003_0000_0040
    static let data: UInt64 = 0x3040  // in page 0x3000, mapped in standardMachine

    static let first: [UInt64] = [
        0xC7B5_CAD1_42F7_83FE, 0xFB31_9872_24C4_A009, 0x8F61_8A74_B95B_9BFF, 0xD5E4_FDE1_4FA0_6E0B,
        0x7B58_C97F_0E04_F446, 0xB041_C9A6_ADAD_6B2E,
    ]
    static let second: [UInt64] = [
        0x8CF6_1824_FB72_3D05, 0x6E5B_66CA_3792_6FC7, 0xE466_0552_3033_B577, 0x5ACC_5AC6_248A_0D44,
        0x6898_6079_8978_88AF, 0xB406_3D9B_EABA_6017,
    ]
    static let separator: [UInt64] = [
        0x27D2_2C18_B741_4339, 0xDF0C_00F8_7EB0_C6C5, 0x578E_2B29_C436_61D8, 0x0141_AED9_7EAD_7365,
        0xEFC9_71B9_B418_589F, 0xF089_129F_ADE1_60FC,
    ]
    static let sepRTMR: [UInt64] = [
        0x8DD0_55F9_B023_8951, 0xB922_A5AB_6AC9_77A0, 0xA6CE_99C5_61DE_CEDE, 0x4DAE_A4BE_CF89_18C4,
        0xFD1A_4DFE_969D_5250, 0xC423_BF95_7F5E_B6AF,
    ]

    /// RTMR[index] as L1 reads it with TDG.VM.RD, six elements.
    static func read(_ m: inout Machine, _ index: Int) throws -> [UInt64] {
        try m.vmRdElements(rtmrField + UInt64(6 * index), count: 6)
    }

    static func bytes(_ words: [UInt64]) -> [UInt8] {
        words.flatMap { w in (0..<8).map { UInt8(truncatingIfNeeded: w >> (8 * UInt64($0))) } }
    }

    @Test func extendHashesTheOldValueWithTheData() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: Self.data, (0..<48).map { UInt8($0) })
        for i in 0..<4 { #expect(try Self.read(&m, i) == Array(repeating: 0, count: 6)) }
        let c = try m.td(Self.extend, rcx: Self.data, rdx: 2)
        #expect(c.regs.rax == St.success)
        #expect(c.regs.rcx == Self.data && c.regs.rdx == 2)  // only RAX is written
        #expect(try Self.read(&m, 2) == Self.first)
        for i in [0, 1, 3] { #expect(try Self.read(&m, i) == Array(repeating: 0, count: 6)) }
        try m.writeMemory(gpa: 0x3080, Array(repeating: 0xFF, count: 48))
        #expect(try m.td(Self.extend, rcx: 0x3080, rdx: 2).regs.rax == St.success)
        #expect(try Self.read(&m, 2) == Self.second)
        #expect(m.rtmr.register(2) == Self.bytes(Self.second))
    }

    @Test func aSeparatorIsExtendedAsItsDigest() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: Self.data, Self.bytes(Self.separator))
        for i in 0..<4 { #expect(try m.td(Self.extend, rcx: Self.data, rdx: UInt64(i)).regs.rax == St.success) }
        for i in 0..<4 { #expect(try Self.read(&m, i) == Self.sepRTMR) }
    }

    @Test func alignmentAndPrivacyAreCheckedBeforeTheIndex() throws {
        var m = standardMachine()
        let before = m.stateHash()
        // Unaligned (by 32), SHARED (GPAW 48) and beyond GPAW, each with a bad index too: RCX wins.
        for gpa: UInt64 in [Self.data + 0x20, Self.data | 1 << 47, 1 << 48] {
            let c = try m.td(Self.extend, rcx: gpa, rdx: 9)
            #expect(c.regs.rax == St.operandInvalidRCX, "\(hex64(gpa))")
        }
        #expect(try m.td(Self.extend, rcx: Self.data, rdx: 4).regs.rax == St.operandInvalidRDX)
        #expect(try m.td(Self.extend, rcx: Self.data, rdx: ~0).regs.rax == St.operandInvalidRDX)
        #expect(m.stateHash() == before, "a rejected extend changes nothing")
    }

    @Test func thePageIsReadBeforeTheIndexIsChecked() throws {
        // A PENDING page is a #VE even with index 9: the data is copied before the index check.
        var m = standardMachine()
        let c = try m.td(Self.extend, rcx: 0x10040, rdx: 9)
        #expect(c.outcome == .completed)
        #expect(c.regs.rax == Self.extend)  // not completed: L1 is at its #VE handler
        #expect(m.vcpus[0].veInfo.exitReason == 48)
        #expect(m.vcpus[0].veInfo.exitQualification == 1)  // data read
        #expect(m.vcpus[0].veInfo.gpa == 0x10040)
        // With PENDING_VE_DISABLE, an EPT-violation TD exit (EEQ type 6); an unmapped page, a plain one.
        var n = standardMachine()
        n.tdCtls = 1
        let e = try #require(try n.td(Self.extend, rcx: 0x10040, rdx: 0).exit)
        #expect(e.rax == 48 && e.rcx == 1 && e.rdx == 6 && e.r8 == 0x10000)  // R8: the page (td_exit.c)
        var u = standardMachine()
        let f = try #require(try u.td(Self.extend, rcx: 0x9000, rdx: 0).exit)
        #expect(f.rax == 48 && f.rcx == 1 && f.rdx == 0 && f.r8 == 0x9000)
        #expect(u.rtmr.register(0) == Array(repeating: 0, count: 48))
    }

    @Test func registersAreStateHashedIncrementally() throws {
        var m = standardMachine()
        let fresh = m.stateHash()
        #expect(m.recomputedStateHash() == fresh)
        try m.writeMemory(gpa: Self.data, (0..<48).map { UInt8($0) })
        let written = m.stateHash()
        #expect(try m.td(Self.extend, rcx: Self.data, rdx: 1).regs.rax == St.success)
        #expect(m.stateHash() != written)
        #expect(m.recomputedStateHash() == m.stateHash())
        var other = standardMachine()
        try other.writeMemory(gpa: Self.data, (0..<48).map { UInt8($0) })
        #expect(try other.td(Self.extend, rcx: Self.data, rdx: 2).regs.rax == St.success)
        #expect(other.stateHash() != m.stateHash(), "the same value in another register is another state")
    }

    @Test func l2CannotExtendOrTakeReports() throws {
        // Leaves 2, 4 and 22 from L2 are TDCALLs with a leaf other than 0: an L2→L1 exit with reason 77.
        for leaf: UInt64 in [2, 4, 22] {
            var m = standardMachine()
            #expect(try m.enterL2(vm: 1).outcome == .enteredL2(vm: 1))
            #expect(try m.l2Event(vcpu: 0, .setRegister(1, Self.data)) == .continued)
            #expect(try m.l2Event(vcpu: 0, .setRegister(0, leaf)) == .continued)
            guard case .exitToL1(let out) = try m.l2Event(vcpu: 0, .tdcall) else {
                Issue.record("leaf \(leaf) from L2 did not exit to L1")
                continue
            }
            #expect(out.rax == 77, "leaf \(leaf)")
            #expect(m.vcpus[0].location == .l1)
            #expect(m.rtmr.register(0) == Array(repeating: 0, count: 48))
        }
    }
}
