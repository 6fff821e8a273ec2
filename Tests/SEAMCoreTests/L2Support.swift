import SEAMCore
import SEAMTypes
import Testing

// Helpers for the TD-partitioning leaf tests (TDG.VP.RD, TDG.VP.WR, TDG.VP.ENTER). Every constant is typed in
// from the TDX module's own definitions (tdx-module = intel/tdx-module, tag TDX_1.5.01: include/tdx_api_defs.h for
// leaf numbers, the l2_enter_guest_state_t buffer layout and md_field_id_t; include/auto_gen/tdx_error_codes_defs.h
// for statuses; include/auto_gen/tdvps_fields_lookup.h for TDVPS field ids), and VMCS encodings from the Intel SDM
// (Vol. 3D appendix B) — never taken from the model's own tables.

/// TDCALL leaf numbers for the partitioning leaves, tdx-module include/tdx_api_defs.h tdcall_leaf_opcode_e.
extension TDG {
    static let vpRd: UInt64 = 9
    static let vpWr: UInt64 = 10
    static let vpEnter: UInt64 = 25
}

/// Partitioning statuses, tdx-module include/auto_gen/tdx_error_codes_defs.h.
extension St {
    /// TDX_OPERAND_INVALID with operand L2_VAPIC_GPA (170 = 0xAA), check 3 of TDG.VP.ENTER (tdx-module
    /// src/td_transitions/tdg_vp_enter.c).
    static let operandInvalidL2VAPICGPA: UInt64 = 0xC000_0100_0000_00AA
    /// TDX_PENDING_INTERRUPT (TDG.VP.ENTER entered no L2: tdg_vp_enter.c).
    static let pendingInterrupt: UInt64 = 0x0000_1120_0000_0000
}

/// VMCS field encodings (SDM Vol. 3D appendix B) the tests name.
enum Enc {
    static let postedInterruptVector: UInt32 = 0x0002
    static let csSelector: UInt32 = 0x0802
    static let guestInterruptStatus: UInt32 = 0x0810
    static let virtualAPICAddress: UInt32 = 0x2012
    static let virtualAPICAddressHigh: UInt32 = 0x2013
    static let guestPAT: UInt32 = 0x2804
    static let guestEFER: UInt32 = 0x2806
    static let guestPDPTE0: UInt32 = 0x280A
    static let exceptionBitmap: UInt32 = 0x4004
    static let entryControls: UInt32 = 0x4012
    static let tprThreshold: UInt32 = 0x401C
    static let csLimit: UInt32 = 0x4802
    static let csAccessRights: UInt32 = 0x4816
    static let cr0GuestHostMask: UInt32 = 0x6000
    static let cr4GuestHostMask: UInt32 = 0x6002
    static let cr0ReadShadow: UInt32 = 0x6004
    static let cr4ReadShadow: UInt32 = 0x6006
    static let guestCR0: UInt32 = 0x6800
    static let guestCR3: UInt32 = 0x6802
    static let guestCR4: UInt32 = 0x6804
    static let csBase: UInt32 = 0x6808
    static let guestDR7: UInt32 = 0x681A
    static let guestRSP: UInt32 = 0x681C
    static let guestRIP: UInt32 = 0x681E
    static let guestRFLAGS: UInt32 = 0x6820
    static let guestSSP: UInt32 = 0x682A
    static let guestInterruptSSPTable: UInt32 = 0x682C
    static let hostCR0: UInt32 = 0x6C00
}

/// TDG.VP.RD/WR field ids, tdx-module include/tdx_api_defs.h md_field_id_t and include/auto_gen/tdvps_fields_lookup.h.
enum FID {
    /// L2 VMCS field `encoding` of VM `vm` (1…3): class 36/44/52, context VP (2), element size code `size`
    /// (3 = 64-bit, 2 = 32-bit, 1 = 16-bit; ignored on input: metadata_generic.c md_check_as_single_element_id).
    /// Guest CR0 of VM 1 = 0x2420000300006800.
    static func vmcs(_ vm: Int, _ encoding: UInt32, size: UInt64 = 3) -> UInt64 {
        UInt64(36 + 8 * (vm - 1)) << 56 | 2 << 52 | size << 32 | UInt64(encoding)
    }

    /// Word `word` (0…511) of L1's MSR bitmap for VM `vm` (class 37/45/53), tdvps_fields_lookup.h.
    static func msrBitmap(_ vm: Int, word: UInt64) -> UInt64 {
        UInt64(37 + 8 * (vm - 1)) << 56 | 2 << 52 | 3 << 32 | word
    }

    /// Class-32 (management) fields, tdvps_fields_lookup.h (bit 63 = non-arch, as the module reports them).
    static let vcpuIndex: UInt64 = 0xA020_0002_0000_0002
    static let cpuidSupervisorVE: UInt64 = 0xA020_0000_0000_0007
    static let currentVM: UInt64 = 0xA020_0001_0000_0041
    static func vmLaunched(_ vm: Int) -> UInt64 { 0xA020_0000_0000_0044 + UInt64(vm) }
    static func l2Ctls(_ vm: Int) -> UInt64 { 0xA020_0003_0000_0050 + UInt64(vm) }
    static func l2DebugCtls(_ vm: Int) -> UInt64 { 0xA020_0003_0000_0054 + UInt64(vm) }
    static func tscDeadline(_ vm: Int) -> UInt64 { 0xA020_0003_0000_0058 + UInt64(vm) }

    /// MD_FIELD_ID_NA / the null field id.
    static let null: UInt64 = 0xFFFF_FFFF_FFFF_FFFF
}

/// TDG.VP.ENTER RCX (tdx-module src/td_transitions/tdg_vp_enter.c): VM index in bits 53:52, INVD_TRANSLATIONS in
/// bits 1:0.
func enterRCX(vm: Int, invd: UInt64 = 0) -> UInt64 { UInt64(vm) << 52 | invd }

/// The L2_ENTER_GUEST_STATE buffer, tdx-module include/tdx_api_defs.h l2_enter_guest_state_t: 16 GPRs (RAX…R15)
/// at 0x00, RFLAGS 0x80, RIP 0x88, SSP 0x90, GUEST_INTERRUPT_STATUS (RVI low byte, SVI high byte) 0x98; 0x9A
/// bytes in all.
struct GuestState: Equatable {
    var gprs = RegisterFile()
    var rflags: UInt64 = 0x2
    var rip: UInt64 = 0
    var ssp: UInt64 = 0
    var interruptStatus: UInt16 = 0

    static let size = 0x9A

    init(
        gprs: RegisterFile = RegisterFile(), rflags: UInt64 = 0x2, rip: UInt64 = 0, ssp: UInt64 = 0,
        interruptStatus: UInt16 = 0
    ) {
        self.gprs = gprs
        self.rflags = rflags
        self.rip = rip
        self.ssp = ssp
        self.interruptStatus = interruptStatus
    }

    /// Decodes the 0x9A little-endian bytes.
    init(bytes b: [UInt8]) {
        precondition(b.count == GuestState.size)
        func word(_ offset: Int) -> UInt64 {
            (0..<8).reduce(0) { $0 | UInt64(b[offset + $1]) << (8 * UInt64($1)) }
        }
        for r in 0..<16 { gprs[r] = word(8 * r) }
        rflags = word(0x80)
        rip = word(0x88)
        ssp = word(0x90)
        interruptStatus = UInt16(b[0x98]) | UInt16(b[0x99]) << 8
    }

    /// The 0x9A little-endian bytes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        func put(_ v: UInt64) { out += (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        for r in 0..<16 { put(gprs[r]) }
        put(rflags)
        put(rip)
        put(ssp)
        out += [UInt8(truncatingIfNeeded: interruptStatus), UInt8(truncatingIfNeeded: interruptStatus >> 8)]
        return out
    }

    /// A recognisable GPR set: register r holds 0x1200_0000_0000_0000 + r·0x0101 (RSP = 0x7F00, a plain
    /// stack pointer).
    static func patterned(rip: UInt64 = 0x0010_0000) -> GuestState {
        var g = RegisterFile()
        for r in 0..<16 { g[r] = 0x1200_0000_0000_0000 + UInt64(r) * 0x0101 }
        g.rsp = 0x7F00
        return GuestState(gprs: g, rflags: 0x202, rip: rip, ssp: 0x7000, interruptStatus: 0x3000)
    }
}

extension Machine {
    /// TDG.VP.RD from L1.
    mutating func vpRd(_ id: UInt64, rcx: UInt64 = 0, vcpu: Int = 0) throws -> Call {
        try td(TDG.vpRd, rcx: rcx, rdx: id, r8: 0x5A5A_5A5A, vcpu: vcpu)
    }

    /// TDG.VP.WR from L1: RDX = id, R8 = value, R9 = write-request mask.
    mutating func vpWr(_ id: UInt64, _ value: UInt64, mask: UInt64, rcx: UInt64 = 0) throws -> Call {
        try td(TDG.vpWr, rcx: rcx, rdx: id, r8: value, r9: mask)
    }

    /// A TDG.VP.WR that must succeed (setting up a test, not testing the write).
    mutating func mustWrite(
        _ id: UInt64, _ value: UInt64, mask: UInt64 = ~0, sourceLocation: SourceLocation = #_sourceLocation
    )
        throws
    {
        let c = try vpWr(id, value, mask: mask)
        #expect(c.regs.rax == St.success, "TDG.VP.WR \(hex64(id)) = \(hex64(value))", sourceLocation: sourceLocation)
    }

    /// Reads a field that must be readable and returns R8.
    mutating func mustRead(_ id: UInt64, sourceLocation: SourceLocation = #_sourceLocation) throws -> UInt64 {
        let c = try vpRd(id)
        #expect(c.regs.rax == St.success, "TDG.VP.RD \(hex64(id))", sourceLocation: sourceLocation)
        return c.regs.r8
    }

    /// Writes an L2_ENTER_GUEST_STATE buffer into L1's private memory at `gpa`.
    /// VM 1 ready to enter in 64-bit mode on the standard TD: virtual-APIC page 0x2000, IA-32e mode guest,
    /// EFER 0xD01 (SCE, LME, LMA, NXE), CR0 0x80000021 (PE, NE, PG), CR4 0x2060 (PAE, MCE, VMXE), CS a 64-bit
    /// code segment (0xA09B), and the patterned L2_ENTER_GUEST_STATE buffer at 0x1000 with RIP 0x100000.
    mutating func prepareVM1In64BitMode() throws {
        try mustWrite(FID.vmcs(1, Enc.virtualAPICAddress), 0x2000)
        try mustWrite(FID.vmcs(1, Enc.entryControls), 0x200, mask: 0x200)
        try mustWrite(FID.vmcs(1, Enc.guestEFER), 0xD01)
        try mustWrite(FID.vmcs(1, Enc.guestCR0), 0x8000_0021)
        try mustWrite(FID.vmcs(1, Enc.guestCR4), 0x2060)
        try mustWrite(FID.vmcs(1, Enc.csAccessRights), 0xA09B)
        try writeGuestState(GuestState.patterned(rip: 0x10_0000), at: 0x1000)
    }

    mutating func writeGuestState(_ s: GuestState, at gpa: UInt64) throws {
        try writeMemory(gpa: gpa, s.bytes)
    }

    /// Reads the L2_ENTER_GUEST_STATE buffer at `gpa`.
    func guestState(at gpa: UInt64) throws -> GuestState {
        GuestState(bytes: try readMemory(gpa: gpa, count: GuestState.size))
    }

    /// Makes VM `vm` enterable and enters it: sets its virtual-APIC GPA with TDG.VP.WR (field 0x2012,
    /// TDG.VP.ENTER's check 3), writes `state` (by default a patterned GPR set and `rip`) at `buffer` and calls
    /// TDG.VP.ENTER with L1's RSP = `l1RSP`. The defaults use MAPPED pages of `standardMachine`.
    mutating func enterL2(
        vm: Int, rip: UInt64 = 0x0010_0000, state: GuestState? = nil, buffer: UInt64 = 0x1000,
        vapic: UInt64 = 0x2000, invd: UInt64 = 0, l1RSP: UInt64 = 0x5000
    ) throws -> Call {
        try mustWrite(FID.vmcs(vm, Enc.virtualAPICAddress), vapic)
        try writeGuestState(state ?? GuestState.patterned(rip: rip), at: buffer)
        var r = RegisterFile(rax: TDG.vpEnter, rcx: enterRCX(vm: vm, invd: invd), rdx: buffer)
        r.rsp = l1RSP
        let o = try tdcall(vcpu: 0, &r)
        return Call(regs: r, outcome: o)
    }
}
