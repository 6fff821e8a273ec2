import SEAMCore
import SEAMTypes
import Testing

// TDH.VP.RD (26) and TDH.VP.WR (43) for the L1 TD VMCS fields the host writes. Expected values worked out from
// tdx-module src/vmm_dispatcher/api_calls/tdh_vp_rd_wr.c (R8 = 0 first, TDVPR in RCX, context forced to VP,
// md_check_as_single_element_id), src/common/metadata_handlers/metadata_vp.c (md_vp_write_element: write mask
// & R9, NULL_PA adjusted to the write mask, forbidden bits, shared_hpa_check, the special writes of the
// pin-based controls and the notification vector), include/auto_gen/td_vmcs_fields_lookup.c (host masks) and
// src/common/x86_defs/vmcs_defs.h (PINBASED_CTLS_INIT 0x29, vector INIT 0xFFFF, range 0…255).
@Suite struct HostVPRdWrTests {
    static let rd: UInt64 = 26
    static let wr: UInt64 = 43
    static let tdvpr0: UInt64 = 0x20_0000_0000
    static let vector: UInt64 = 0x0024_0001_0000_0002
    static let pid: UInt64 = 0x0024_0003_0000_2016
    static let pin: UInt64 = 0x0024_0002_0000_4000
    static let notInitialized: UInt64 = 0xC000_0730_0000_0000

    @Test func resetValuesWithHostReadMasks() {
        var m = standardMachine()
        var r = m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.vector, r8: 0x77)
        #expect(r.rax == St.success)
        #expect(r.r8 == 0xFFFF)
        #expect(r.rdx == Self.vector)  // version 0: RDX untouched
        r = m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pid)
        #expect(r.rax == St.success)
        #expect(r.r8 == ~0)
        // Pin-based: 0x29, production read mask 0x80 → 0; debug read mask 0xFFFFFFFF → 0x29.
        r = m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pin)
        #expect(r.rax == St.success)
        #expect(r.r8 == 0)
        m.attributes = 1
        r = m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pin)
        #expect(r.r8 == 0x29)
    }

    @Test func rcxMustBeAVCPUsTDVPR() {
        var m = standardMachine()
        for rcx: UInt64 in [Self.tdvpr0 | 1, Self.tdvpr0 + 0x1000 * 8, 0x1000] {
            let r = m.host(Self.rd, rcx: rcx, rdx: Self.vector, r8: 0x77)
            #expect(r.rax == St.operandInvalidRCX, "\(hex64(rcx))")
            #expect(r.r8 == 0)
            let w = m.host(Self.wr, rcx: rcx, rdx: Self.vector, r8: 0x30, r9: 0xFFFF)
            #expect(w.rax == St.operandInvalidRCX)
            #expect(w.r8 == 0)
        }
    }

    @Test func malformedOrUnmodelledIDsAreFieldIDIncorrect() {
        var m = standardMachine()
        // Reserved bit 62, LAST_ELEMENT_IN_FIELD bit 34, and class 0 encoding 0x7776, which the module's TD VMCS
        // table does not have.
        for id: UInt64 in [Self.vector | 1 << 62, Self.vector | 1 << 34, 0x0024_0001_0000_7776] {
            let r = m.host(Self.rd, rcx: Self.tdvpr0, rdx: id, r8: 0x77)
            #expect(r.rax == St.fieldIDIncorrect, "\(hex64(id))")
            #expect(r.r8 == 0)
            let w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: id, r8: 0, r9: ~0)
            #expect(w.rax == St.fieldIDIncorrect)
        }
        // The context bits are forced to VP: context TD in the id still names the field.
        let r = m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.vector & ~(7 << 52) | 1 << 52)
        #expect(r.rax == St.success)
    }

    @Test func emptyWriteMaskIsNotWritable() {
        var m = standardMachine()
        // R9 = 0, and R9 outside the pin-based write mask (0x80) alone.
        var w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.vector, r8: 0x30, r9: 0)
        #expect(w.rax == St.fieldNotWritable)
        #expect(w.r8 == 0)
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pin, r8: 0x29, r9: 0x7F)
        #expect(w.rax == St.fieldNotWritable)
    }

    @Test func vectorRangeAndOldValue() {
        var m = standardMachine()
        var w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.vector, r8: 0x100, r9: 0xFFFF)
        #expect(w.rax == St.fieldValueNotValid)
        #expect(w.r8 == 0)
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.vector, r8: 0xF2, r9: 0xFFFF)
        #expect(w.rax == St.success)
        #expect(w.r8 == 0xFFFF)  // old value
        #expect(w.rdx == Self.vector)
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.vector, r8: 0xF3, r9: 0xFFFF)
        #expect(w.r8 == 0xF2)
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.vector).r8 == 0xF3)
    }

    @Test func pidAddressLowBitsDroppedOrRefusedPerR9() {
        var m = standardMachine()
        // R9 all ones: bits 5:0 are outside the write mask 0xFFFFFFFFFFFFFFC0, so they must equal the current
        // value's, which is NULL_PA & write mask = …C0 (bits 5:0 = 0); R8 bits 5:0 = 5 → FIELD_VALUE_NOT_VALID.
        var w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pid, r8: 0x1234_5678_9AC5, r9: ~0)
        #expect(w.rax == St.fieldValueNotValid)
        #expect(w.r8 == 0)
        // R9 = write mask: bits 5:0 come from the (adjusted) current value, 0 → 0x123456789AC0.
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pid, r8: 0x1234_5678_9AC5, r9: 0xFFFF_FFFF_FFFF_FFC0)
        #expect(w.rax == St.success)
        #expect(w.r8 == ~0)
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pid).r8 == 0x1234_5678_9AC0)
        // Now R9 all ones with bits 5:0 = 0 matches the current bits: success.
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pid, r8: 0x2000, r9: ~0)
        #expect(w.rax == St.success)
        #expect(w.r8 == 0x1234_5678_9AC0)
    }

    @Test func pidAddressMustBeASharedHPA() {
        var m = standardMachine()
        // Bit 52 set: not below MAX_PA (52) → FIELD_VALUE_NOT_VALID, nothing written.
        let w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pid, r8: 1 << 52, r9: 0xFFFF_FFFF_FFFF_FFC0)
        #expect(w.rax == St.fieldValueNotValid)
        #expect(w.r8 == 0)
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pid).r8 == ~0)
    }

    @Test func postedInterruptsNeedVectorThenPIDAddress() {
        var m = standardMachine()
        var w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pin, r8: 0x80, r9: 0x80)
        #expect(w.rax == Self.notInitialized | 0x0002)
        #expect(w.r8 == 0)
        _ = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.vector, r8: 0xF2, r9: 0xFFFF)
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pin, r8: 0x80, r9: 0x80)
        #expect(w.rax == Self.notInitialized | 0x2016)
        _ = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pid, r8: 0x5000, r9: ~0)
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pin, r8: 0x80, r9: 0x80)
        #expect(w.rax == St.success)
        #expect(w.r8 == 0)  // old 0x29 & production read mask 0x80
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pin).r8 == 0x80)
        m.attributes = 1
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.pin).r8 == 0xA9)  // 0x29 | 0x80
        // Clearing bit 7 needs nothing: old value (debug mask) 0xA9.
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pin, r8: 0, r9: 0x80)
        #expect(w.rax == St.success)
        #expect(w.r8 == 0xA9)
    }

    @Test func pinBasedForbiddenBitsCheckedBeforeTheInitialisationCheck() {
        var m = standardMachine()
        // R9 = 0xFFFFFFFF: bits other than 7 must stay 0x29; R8 = 0x80 changes them → FIELD_VALUE_NOT_VALID
        // (not TD_VMCS_FIELD_NOT_INITIALIZED, which comes later).
        var w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pin, r8: 0x80, r9: 0xFFFF_FFFF)
        #expect(w.rax == St.fieldValueNotValid)
        // R8 = 0xA9 keeps them: the special write's check answers.
        w = m.host(Self.wr, rcx: Self.tdvpr0, rdx: Self.pin, r8: 0xA9, r9: 0xFFFF_FFFF)
        #expect(w.rax == Self.notInitialized | 0x0002)
    }

    @Test func eachVCPUHasItsOwnFieldsAndTheHashSeesThem() {
        var m = standardMachine(vcpus: 2)
        let before = m.stateHash()
        let w = m.host(Self.wr, rcx: Self.tdvpr0 + 0x1000, rdx: Self.vector, r8: 0xF2, r9: 0xFFFF)
        #expect(w.rax == St.success)
        #expect(m.host(Self.rd, rcx: Self.tdvpr0, rdx: Self.vector).r8 == 0xFFFF)
        #expect(m.host(Self.rd, rcx: Self.tdvpr0 + 0x1000, rdx: Self.vector).r8 == 0xF2)
        #expect(m.stateHash() != before)
    }

    // Version 1 (tdh_vp_rd_wr.c: RDX = MD_FIELD_ID_NA first, version above 1 → OPERAND_INVALID(RAX), the TDVPR
    // check, the null id → FIRST_FIELD_ID_IN_CONTEXT, RDX = next element after a read). The ids are the module's
    // table ids: td_vmcs_fields_lookup.c has 0x0024000100000002 (vector, 2 bytes), 0x0024000300002016 (PID
    // address, 8 bytes), 0x0024000200004000 (pin-based, 4 bytes) and 0x00240002000040{16,18,1A}; PEND_NMI is
    // 0x202000000000000B in tdvps_fields_lookup.c. Without DEBUG the three entry fields read nothing (masks 0).
    static let v1: UInt64 = 1 << 16
    static let pendNMI: UInt64 = 0x2020_0000_0000_000B

    @Test func version1WalksTheReadableFields() {
        var m = standardMachine()
        var r = m.host(Self.rd | Self.v1, rcx: Self.tdvpr0, rdx: ~0, r8: 0x77)
        #expect(r.rax == St.firstFieldIDInContext)
        #expect(r.rdx == Self.vector)
        #expect(r.r8 == 0)
        var walk: [UInt64] = []
        var id = r.rdx
        while id != ~0, walk.count < 10 {
            walk.append(id)
            r = m.host(Self.rd | Self.v1, rcx: Self.tdvpr0, rdx: id)
            #expect(r.rax == St.success, "\(hex64(id))")
            id = r.rdx
        }
        #expect(walk == [Self.vector, Self.pid, Self.pin, Self.pendNMI])
        // With DEBUG the entry fields are readable and come after the pin-based controls.
        m.attributes = 1
        r = m.host(Self.rd | Self.v1, rcx: Self.tdvpr0, rdx: Self.pin)
        #expect(r.rdx == 0x0024_0002_0000_4016)
        r = m.host(Self.rd | Self.v1, rcx: Self.tdvpr0, rdx: 0x0024_0002_0000_401A)
        #expect(r.rax == St.success)
        #expect(r.rdx == Self.pendNMI)
        r = m.host(Self.rd | Self.v1, rcx: Self.tdvpr0, rdx: Self.pendNMI)
        #expect(r.rdx == ~0)
    }

    @Test func version1FailuresLeaveRDXAllOnes() {
        var m = standardMachine()
        // Version 2 before the TDVPR check; a bad TDVPR before the null id; a malformed id; an unreadable one.
        var r = m.host(Self.rd | 2 << 16, rcx: 0x1000, rdx: Self.vector, r8: 0x77)
        #expect(r.rax == St.operandInvalidRAX)
        #expect(r.rdx == ~0)
        #expect(r.r8 == 0)
        r = m.host(Self.rd | Self.v1, rcx: 0x1000, rdx: ~0)
        #expect(r.rax == St.operandInvalidRCX)
        #expect(r.rdx == ~0)
        r = m.host(Self.rd | Self.v1, rcx: Self.tdvpr0, rdx: Self.vector | 1 << 62)
        #expect(r.rax == St.fieldIDIncorrect)
        #expect(r.rdx == ~0)
        r = m.host(Self.rd | Self.v1, rcx: Self.tdvpr0, rdx: 0x0024_0002_0000_4016)
        #expect(r.rax == St.fieldNotReadable)
        #expect(r.rdx == ~0)
        // Version 0 leaves RDX as it was.
        r = m.host(Self.rd, rcx: 0x1000, rdx: Self.vector)
        #expect(r.rdx == Self.vector)
    }
}
