import SEAMCore
import SEAMTypes

/// Turns bytes into a fuzz input: a TD shape and at most `maxOperations` operations.
///
/// Every byte string decodes (bytes past the end read as 0, so a short input is a valid one). The decoder
/// spends most bytes on choices among boundary values, the way NecoFuzz and the Arm RMM test suite build
/// their inputs rather than taking raw words: page info at every level, aligned and not; GPA_ATTR fields
/// with VALID on and off, W without R, PWA, SVE, reserved bits; attribute masks with INVEPT bits; fields of
/// L1 (VM 0) and of VMs the TD lacks; pages that are mapped, pending, free, shared or beyond GPAW. One
/// operation in twelve is a TDCALL or SEAMCALL of any leaf with a random register file.
///
///     byte 0        TD shape: bit 0 clear → 3 L2 VMs, set → 2
///     then, per operation: one kind byte (`Kind`), then the operands that kind reads
public struct FuzzDecoder {
    /// The most operations one input decodes to.
    public static let maxOperations = 32

    /// What the kind byte selects (its value modulo `Kind.count`).
    enum Kind: Int, CaseIterable {
        case attrWr, attrWr2, attrWr3, attrWr4, attrRd, attrRd2, accept, accept2
        case aug, add, septAdd, block, unblock, track, remove
        case invept, vpEnter, access, access2, access3, access4
        case anyTDCall, anySEAMCall, blockTrackRemove
        static let count = 24
    }

    var bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Decodes `data`: the shape index into `FuzzWorld.shapes` and the operations.
    public static func decode(_ data: UnsafeRawBufferPointer) -> (shape: Int, ops: [FuzzOp]) {
        var d = FuzzDecoder(data)
        let shape = Int(d.u8() & 1)
        let vms = FuzzWorld.shapes[shape].numL2VMs
        var ops: [FuzzOp] = []
        ops.reserveCapacity(maxOperations)  // grown from 8 it was reallocated and copied twice (callgrind)
        while d.position < data.count && ops.count < maxOperations {
            d.operation(vms: vms, into: &ops)
        }
        return (shape, ops)
    }

    /// `decode` of an array.
    public static func decode(_ data: [UInt8]) -> (shape: Int, ops: [FuzzOp]) {
        data.withUnsafeBytes { decode($0) }
    }

    // MARK: Bytes

    @inline(__always)
    mutating func u8() -> UInt8 {
        guard position < bytes.count else { return 0 }
        let b = bytes.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return b
    }

    mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }

    mutating func u64() -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(u8()) << (8 * UInt64(i)) }
        return v
    }

    // MARK: Boundary values

    /// A GPA: mostly a pool page, sometimes a shared GPA, one beyond GPAW, an unaligned one, the last
    /// private page, or any 64-bit value.
    mutating func gpa() -> UInt64 {
        let b = u8()
        if b < 232 { return FuzzWorld.pool[Int(b) % FuzzWorld.pool.count] }
        switch b % 6 {
        case 0: return FuzzWorld.sharedGPA
        case 1: return 1 << 48 | FuzzWorld.pool[0]
        case 2: return FuzzWorld.pool[0] | 0x800
        case 3: return (1 << 47) - 0x1000
        case 4: return 0x4000_0000  // 1G: no table below
        default: return u64()
        }
    }

    /// A level for page info: mostly 4K, then 2M and 1G, rarely a reserved level (3…7).
    mutating func level() -> UInt64 {
        let b = u8() % 16
        switch b {
        case 0..<9: return 0
        case 9..<13: return 1
        case 13..<15: return 2
        default: return 3 + UInt64(u8() % 5)
        }
    }

    /// Page info (RCX of AUG, BLOCK, ACCEPT, ATTR.WR…): a GPA, its level in bits 2:0, the GPA aligned down to
    /// the level half the time.
    mutating func pageInfo() -> UInt64 {
        let g = gpa()
        let l = level()
        let align = u8()
        var gpa = g & ~0x7
        if l > 0 && l < 3 && align & 1 == 0 { gpa &= ~((1 << (12 + 9 * l)) - 1) }
        if align & 0xF0 == 0xF0 { gpa |= UInt64(align & 0x7) << 3 }  // reserved bits 11:3
        return gpa | l
    }

    static let attrFields: [UInt16] = [
        0x8001, 0x8003, 0x8005, 0x800F, 0x8007, 0x8009, 0x8000, 0x8002, 0x8004, 0x8008, 0x8006,
        0x8021, 0x8020, 0x8041, 0x8011, 0x8081, 0x8101, 0xFFFF, 0x0001, 0x0000, 0xFFFF,
    ]
    static let attrMasks: [UInt16] = [0x7FFF, 0xF, 0x3, 0x1, 0x0, 0xC, 0x4, 0x7F]

    /// One 16-bit GPA_ATTR field: legal combinations, the illegal ones the module rejects, removal (VALID
    /// alone), no VALID, reserved bits, or any value.
    mutating func attrField() -> UInt16 {
        let b = u8()
        return b < 240 ? Self.attrFields[Int(b) % Self.attrFields.count] : u16()
    }

    /// RDX of ATTR.WR: the fields of the L2 VMs a byte names (VM 0 rarely; VM 3 also when the TD lacks it).
    mutating func attrRDX(vms: Int) -> UInt64 {
        let which = u8()
        var rdx: UInt64 = 0
        for vm in 1...3 where which >> vm & 1 != 0 || (which & 0xE == 0 && vm == 1) {
            rdx |= UInt64(attrField()) << (16 * UInt64(vm))
        }
        if which & 0xF1 == 0xF1 { rdx |= UInt64(attrField()) }  // L1's own field: always invalid
        return rdx
    }

    /// R8 of ATTR.WR: each L2 VM's mask (all, RWX, RW, R, none, X, or any) and INVEPT bit.
    mutating func attrR8(vms: Int) -> UInt64 {
        var r8: UInt64 = 0
        let invept = u8()
        for vm in 1...3 {
            let b = u8()
            var field = b < 248 ? Self.attrMasks[Int(b) % Self.attrMasks.count] : u16() & 0x7FFF
            if vm > vms && invept & 0x80 == 0 { field = 0 }  // a lacking VM's mask mostly left clear
            if invept >> vm & 1 != 0 { field |= 0x8000 }
            r8 |= UInt64(field) << (16 * UInt64(vm))
        }
        if invept & 0x71 == 0x71 { r8 |= UInt64(u16()) }  // L1's field: always invalid
        return r8
    }

    /// A host physical address for AUG, ADD, SEPT.ADD: page-aligned, sometimes not, sometimes NULL_PA.
    mutating func hpa() -> UInt64 {
        let b = u8()
        switch b {
        case 0..<240: return 0x3000_0000 | UInt64(b) << 12
        case 240..<248: return ~0
        default: return 0x3000_0000 | UInt64(b)
        }
    }

    /// A register value: 0, 1, all ones, bit 63, a pool GPA, a small number, or any value.
    mutating func register() -> UInt64 {
        let b = u8()
        switch b % 8 {
        case 0: return 0
        case 1: return 1
        case 2: return ~0
        case 3: return 1 << 63
        case 4: return gpa()
        case 5: return UInt64(u8())
        case 6: return pageInfo()
        default: return u64()
        }
    }

    /// A register file of random values (RAX set by the caller).
    mutating func registers(rax: UInt64) -> RegisterFile {
        var r = RegisterFile()
        r.rax = rax
        let used = u16()  // which registers get a value (the rest stay 0)
        for i in 1..<16 where used >> i & 1 != 0 { r[i] = register() }
        return r
    }

    // MARK: Operations

    mutating func operation(vms: Int, into ops: inout [FuzzOp]) {
        let kind = Kind(rawValue: Int(u8()) % Kind.count)!
        switch kind {
        case .attrWr, .attrWr2, .attrWr3, .attrWr4:
            let rcx = pageInfo()
            let rdx = attrRDX(vms: vms)
            let r8 = attrR8(vms: vms)
            ops.append(.tdcall(RegisterFile(rax: UInt64(Leaf.memPageAttrWr.rawValue), rcx: rcx, rdx: rdx, r8: r8)))
        case .attrRd, .attrRd2:
            let g = gpa()
            let low = u8()
            let rcx = low & 0xF0 == 0xF0 ? g | UInt64(low & 0xF) << 8 : g
            ops.append(.tdcall(RegisterFile(rax: UInt64(Leaf.memPageAttrRd.rawValue), rcx: rcx)))
        case .accept, .accept2:
            ops.append(.tdcall(RegisterFile(rax: UInt64(Leaf.memPageAccept.rawValue), rcx: pageInfo())))
        case .aug:
            let rcx = pageInfo()
            ops.append(.seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memPageAug.rawValue), rcx: rcx, r8: hpa())))
        case .add:
            let rcx = pageInfo()
            let r8 = hpa()
            ops.append(
                .seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memPageAdd.rawValue), rcx: rcx, r8: r8, r9: hpa())))
        case .septAdd:
            let version = UInt64(u8() % 3 == 0 ? 0 : 1)
            var rcx = pageInfo()
            if rcx & 7 == 0 { rcx |= 1 }  // a paging page sits under a level-1…root entry
            let flags = u8()
            let rdx: UInt64 = flags & 1 != 0 ? 1 : (flags & 0xF0 == 0xF0 ? UInt64(flags) << 1 : 0)
            var r = RegisterFile(
                rax: version << 16 | UInt64(SEAMCallLeaf.memSEPTAdd.rawValue), rcx: rcx, rdx: rdx, r8: hpa())
            if version == 1 {
                r.r9 = hpa()
                r.r10 = hpa()
                r.r11 = hpa()
            }
            ops.append(.seamcall(r))
        case .block:
            ops.append(.seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memRangeBlock.rawValue), rcx: pageInfo())))
        case .unblock:
            ops.append(.seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memRangeUnblock.rawValue), rcx: pageInfo())))
        case .track:
            ops.append(.seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memTrack.rawValue))))
        case .remove:
            ops.append(.seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memPageRemove.rawValue), rcx: pageInfo())))
        case .blockTrackRemove:
            // The host's whole removal sequence on one page, which a random walk rarely strings together.
            let rcx = pageInfo()
            ops.append(.seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memRangeBlock.rawValue), rcx: rcx)))
            ops.append(.seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memTrack.rawValue))))
            let last = u8() & 1 == 0 ? SEAMCallLeaf.memPageRemove : .memRangeUnblock
            if ops.count < Self.maxOperations {
                ops.append(.seamcall(RegisterFile(rax: UInt64(last.rawValue), rcx: rcx)))
            }
            if ops.count > Self.maxOperations { ops.removeLast(ops.count - Self.maxOperations) }
        case .invept:
            let b = u8()
            let rcx: UInt64 = b < 240 ? UInt64(b & 0xE) | (b & 0xF0 == 0xE0 ? 1 : 0) : u64()
            ops.append(.tdcall(RegisterFile(rax: UInt64(Leaf.vpInvEPT.rawValue), rcx: rcx)))
        case .vpEnter:
            let b = u8()
            let vm = 1 + Int(b % 3)
            var rcx = UInt64(vm) << 52 | UInt64(b >> 2 & 3)
            var rdx = FuzzWorld.buffer(vm: vm)
            if b >= 0xF0 {
                rcx |= register() & ~(3 << 52)
                rdx = register()
            }
            ops.append(.tdcall(RegisterFile(rax: UInt64(Leaf.vpEnter.rawValue), rcx: rcx, rdx: rdx)))
        case .access, .access2, .access3, .access4:
            let b = u8()
            let vm = 1 + Int(b % 3)
            let kind: MemoryAccess.Kind = b >> 2 & 3 == 0 ? .read : b >> 2 & 3 == 1 ? .write : .fetch
            let user = kind == .fetch && b >> 2 & 3 == 3
            let offset = UInt64(u8() & 0xF8) << 4
            let size: UInt8 = [8, 4, 2, 1][Int(b >> 4 & 3)]
            let gpa = gpa() | offset
            let value = kind == .write ? u64() : 0
            let gla: UInt64? = user || b >> 6 == 3 ? 0x7FFF_0000 | offset : nil
            ops.append(
                .access(vm: vm, MemoryAccess(kind: kind, gpa: gpa, size: size, value: value, isUser: user, gla: gla)))
        case .anyTDCall:
            let b = u8()
            let leaf: UInt64 = b < 224 ? UInt64(b % 32) : UInt64(u16())
            ops.append(.tdcall(registers(rax: leaf)))
        case .anySEAMCall:
            let b = u8()
            let leaf: UInt64 = b < 224 ? UInt64(b % 48) | UInt64(b >> 7) << 16 : UInt64(u16())
            ops.append(.seamcall(registers(rax: leaf)))
        }
    }
}
