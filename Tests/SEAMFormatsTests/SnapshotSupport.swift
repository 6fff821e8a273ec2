import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

// Helpers for the snapshot and diff tests. Leaf numbers, field ids and buffer offsets are typed in from the
// TDX module's definitions (tdx-module include/tdx_api_defs.h: tdcall_leaf_opcode_e for the leaf numbers,
// l2_enter_guest_state_t for the L2_ENTER_GUEST_STATE buffer, md_field_id_t; include/auto_gen/tdvps_fields_lookup.h
// for the TDG.VP.RD/WR field ids), not taken from SEAMCore's tables.

/// TDCALL leaf numbers (tdx-module include/tdx_api_defs.h, enum tdcall_leaf_opcode_e).
enum Leaf1 {
    static let vpRd: UInt64 = 9
    static let vpWr: UInt64 = 10
    static let attrRd: UInt64 = 23
    static let attrWr: UInt64 = 24
    static let vpEnter: UInt64 = 25
}

/// TDG.VP.RD/WR id of L2 VMCS field `encoding` in VM `vm`: class 36/44/52, context VP (2), 64-bit (3).
func vmcsFieldID(_ vm: Int, _ encoding: UInt32) -> UInt64 {
    UInt64(36 + 8 * (vm - 1)) << 56 | 2 << 52 | 3 << 32 | UInt64(encoding)
}

let guestRIP: UInt32 = 0x681E
let virtualAPICAddress: UInt32 = 0x2012

/// A 16-bit per-VM field in its RDX/R8 slot (VM n = bits 16n+15:16n).
func vmSlot(_ vm: Int, _ value: UInt64) -> UInt64 { value << (16 * UInt64(vm)) }

/// A TD with 3 L2 VMs and one vCPU: 4K MAPPED pages 0x0…0x7FFF, 4K PENDING pages 0x10000…0x13FFF, L2 SEPT
/// paging pages supplied by the host.
func snapshotTestMachine(vcpus: Int = 1) -> Machine {
    Machine(
        config: MachineConfig(
            numL2VMs: 3, vcpus: vcpus, gpaw: .gpaw48,
            memory: [
                .init(gpa: 0x0, size: 0x8000, state: .mapped),
                .init(gpa: 0x10000, size: 0x4000, state: .pending),
            ],
            l2SEPT: .supplied, vmCtls: [0, 0, 0]))
}

/// Everything one operation returned, as text, to compare two runs.
typealias Output = String

extension Machine {
    /// One TDCALL from L1 on vCPU 0; returns the outcome and output registers as text.
    @discardableResult
    mutating func call(_ rax: UInt64, rcx: UInt64 = 0, rdx: UInt64 = 0, r8: UInt64 = 0, r9: UInt64 = 0) throws
        -> Output
    {
        var r = RegisterFile(rax: rax, rcx: rcx, rdx: rdx, r8: r8, r9: r9)
        let o = try tdcall(vcpu: 0, &r)
        return "\(o) \(r)"
    }

    /// A TDG.VP.WR with a full write mask.
    @discardableResult
    mutating func vpWrite(_ id: UInt64, _ value: UInt64) throws -> Output {
        try call(Leaf1.vpWr, rdx: id, r8: value, r9: ~0)
    }

    /// Makes VM `vm` enterable (virtual-APIC page 0x2000) and enters it with an L2_ENTER_GUEST_STATE buffer at
    /// 0x1000: RAX…R15 = 0x1000 + register number, RFLAGS 0x2 (bit 1 reserved-one), RIP `rip`.
    @discardableResult
    mutating func enter(vm: Int, rip: UInt64) throws -> Output {
        try vpWrite(vmcsFieldID(vm, virtualAPICAddress), 0x2000)
        var buffer: [UInt8] = []
        func put(_ v: UInt64) { buffer += (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        for r in 0..<16 { put(0x1000 + UInt64(r)) }
        put(0x2)  // RFLAGS, offset 0x80
        put(rip)  // RIP, 0x88
        put(0)  // SSP, 0x90
        buffer += [0, 0]  // GUEST_INTERRUPT_STATUS, 0x98
        try writeMemory(gpa: 0x1000, buffer)
        return try call(Leaf1.vpEnter, rcx: UInt64(vm) << 52, rdx: 0x1000)
    }

    /// The machine through a restore from snapshot bytes.
    func restored(file: String = "test.snapshot") throws -> Machine {
        try Snapshot(fileBytes: Snapshot(machine: self).fileBytes(), file: file).machine
    }
}

/// The state the round-trip tests start from: aliases made with ATTR.WR, a TDG.VP.WR of GUEST_RIP, L1 memory
/// written, VM1 entered (the vCPU is in L2) and an L2 register set.
func machineInL2() throws -> Machine {
    var m = snapshotTestMachine()
    try m.call(Leaf1.attrWr, rcx: 0x3000, rdx: vmSlot(1, 0x8007) | vmSlot(2, 0x8001), r8: vmSlot(1, 7) | vmSlot(2, 1))
    try m.call(Leaf1.attrWr, rcx: 0x4000, rdx: vmSlot(1, 0x800F), r8: vmSlot(1, 0xF))
    try m.vpWrite(vmcsFieldID(2, guestRIP), 0x5000)
    try m.writeMemory(gpa: 0x6010, [1, 2, 3, 4])
    try m.enter(vm: 1, rip: 0x3000)
    #expect(m.vcpus[0].location == .l2(vm: 1), "setup: VM1 entered")
    _ = try m.l2Event(vcpu: 0, .setRegister(3, 0xBEEF))
    return m
}
