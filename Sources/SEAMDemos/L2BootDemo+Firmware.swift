import SEAMCore
import SEAMTypes

/// The L2 guest of `L2BootDemo`: a boot ROM and a small kernel image, as x86 bytes L1 loads into its own
/// private pages, and for each instruction what the CPU does with it as L2 events (`L2BootProgram`).
///
///     0xFFFFFFF0  reset vector (16-bit, CS base 0xFFFF0000)  → jmp 0xf000
///     0xFFFFF000  real mode: CPUID, serial OUT/IN, LGDT, MOV CR0 (PE) + far JMP to 0x08:0x100000
///     0xFFFFF100  GDT pointer; 0xFFFFF108 GDT: null, 0x08 32-bit code, 0x10 data, 0x18 64-bit code
///     0x00100000  protected mode: page tables at 0x9000/0xA000 (1 GiB identity page), CR4.PAE, CR3,
///                 EFER.LME (RDMSR/WRMSR), MOV CR0 (PG) + far JMP to 0x18:0x100100
///     0x00100100  long mode: a store to the pending heap page, CR0.WP, TDG.VP.VMCALL <IO>, the TSC-deadline
///                 timer armed (WRMSR IA32_TSC_DEADLINE), STI, a wait in which time passes, HLT
///     0x00100180  the timer's interrupt handler (vector 0xEC): x2APIC EOI (WRMSR 0x80B), IRETQ
///
/// Linear and guest-physical addresses are equal throughout: paging is off until long mode, whose page
/// tables map the first GiB one to one.
extension L2BootDemo {
    /// What one instruction does, as far as the model needs.
    enum Effect: Sendable {
        /// `mov reg, imm` on the low `bits` of register `reg` (32 zero-extends, 8 and 16 merge). Completes in L2.
        case set(Int, UInt64, bits: Int)
        /// `add`/`or` of an immediate to the low `bits` of register `reg`, read from the GPR image. Completes in L2.
        case add(Int, UInt64, bits: Int)
        case or(Int, UInt64, bits: Int)
        /// A store of an immediate: a data write that completes in L2 when VM1's alias allows it.
        case store(gpa: UInt64, size: UInt8, value: UInt64)
        /// A near jump to `rip`. Completes in L2.
        case branch(rip: UInt64)
        /// An instruction the CPU exits on: the module or L1 completes it (and moves RIP past it).
        case event(L2Event)
        /// A wait (`pause` in a spin loop): `ticks` TSC ticks pass (`L2Event.time`), then L2 goes on past it.
        /// When the armed VMX-preemption timer expires inside the wait, L2 exits to L1 (52) with RIP still on
        /// it and waits again when it returns there.
        case wait(ticks: UInt64)
        /// IRETQ at the end of the interrupt handler: the `iret` event, then a jump back to the RIP the
        /// interrupt came in at (what the CPU pushed on the handler's stack; `L2BootProgram` remembers it).
        case interruptReturn
        /// The far JMP the SDM requires right after a mode-switching MOV to CR0 (Vol. 3A 10.9.1, 10.8.5). L2
        /// never executes it: L1 emulates it together with the MOV, so reaching it in L2 is a bug.
        case emulatedByL1
    }

    /// One instruction of the L2 image: where it is, its bytes, its assembly text and its effect.
    public struct Instruction: Sendable {
        /// Linear address (= guest-physical).
        public var address: UInt64
        /// The instruction's x86 encoding, as loaded into L1's page.
        public var bytes: [UInt8]
        /// Intel-syntax assembly, for the log.
        public var text: String
        var effect: Effect
        /// Bytes: what L1 adds to RIP when it completes the instruction (R11[63:32] of the exit).
        public var length: Int { bytes.count }
    }

    /// CS base in real mode after reset: the reset vector 0xFFFFFFF0 is CS:IP 0xF000:0xFFF0.
    static let romCSBase: UInt64 = 0xFFFF_0000
    static let romPage: UInt64 = 0xFFFF_F000
    static let gdtPointer: UInt64 = 0xFFFF_F100
    static let gdt: UInt64 = 0xFFFF_F108
    static let kernelPage: UInt64 = 0x10_0000
    static let longModeEntry: UInt64 = 0x10_0100
    static let pml4: UInt64 = 0x9000
    static let pdpt: UInt64 = 0xA000
    static let heap: UInt64 = 0x10_4000
    static let serialPort: UInt16 = 0x3F8
    /// The interrupt handler of the L2 kernel and the one vector it serves: the local APIC timer's, 0xEC (the
    /// vector Linux gives its local timer). L2's IDT is not modelled (the model does not walk it): the
    /// program sends vector 0xEC here and has no handler for any other vector.
    static let timerHandler: UInt64 = 0x10_0180
    static let timerVector: UInt8 = 0xEC
    /// The TSC deadline L2 programs (IA32_TSC_DEADLINE, in TSC ticks from the TD's start) and the ticks its
    /// wait lets pass: the deadline falls inside the wait.
    static let timerDeadline: UInt64 = 0x1_0000
    static let waitTicks: UInt64 = 0x2_0000

    /// The GDT: null, 0x08 flat 32-bit code (AR 0xC09B), 0x10 flat data (0xC093), 0x18 64-bit code (0xA09B).
    static let gdtEntries: [UInt64] = [0, 0x00CF_9B00_0000_FFFF, 0x00CF_9300_0000_FFFF, 0x00AF_9B00_0000_FFFF]

    /// Lays instructions out from `start`, each after the previous one.
    static func block(_ start: UInt64, _ list: [(bytes: [UInt8], text: String, effect: Effect)]) -> [Instruction] {
        var a = start
        return list.map { i in
            defer { a += UInt64(i.bytes.count) }
            return Instruction(address: a, bytes: i.bytes, text: i.text, effect: i.effect)
        }
    }

    static func io(_ port: UInt16, isIn: Bool) -> Effect { .event(.io(IOAccess(port: port, size: 1, isIn: isIn))) }

    /// Every instruction of the image, in address order within each block.
    public static let firmware: [Instruction] =
        block(
            0xFFFF_FFF0,
            [
                ([0xE9, 0x0D, 0xF0], "jmp 0xf000", .branch(rip: 0xF000))
            ])
        + block(
            0xFFFF_F000,
            [
                ([0x66, 0x31, 0xC0], "xor eax, eax", .set(0, 0, bits: 32)),
                ([0x0F, 0xA2], "cpuid", .event(.cpuid)),
                ([0x66, 0xBA, 0xF8, 0x03, 0x00, 0x00], "mov edx, 0x3f8", .set(2, 0x3F8, bits: 32)),
                ([0xB0, 0x52], "mov al, 'R'", .set(0, 0x52, bits: 8)),
                ([0xEE], "out dx, al", io(serialPort, isIn: false)),
                ([0x83, 0xC2, 0x05], "add dx, 5", .add(2, 5, bits: 16)),
                ([0xEC], "in al, dx", io(serialPort + 5, isIn: true)),
                (
                    [0x66, 0x2E, 0x0F, 0x01, 0x16, 0x00, 0xF1], "lgdt cs:[0xf100]",
                    // Exit qualification: the displacement, sign-extended (SDM Vol. 3C 28.2.1).
                    .event(.exit(.gdtrIdtrAccess, qualification: 0xFFFF_FFFF_FFFF_F100, instructionLength: 7))
                ),
                ([0x66, 0xB8, 0x21, 0x00, 0x00, 0x00], "mov eax, 0x21", .set(0, 0x21, bits: 32)),
                ([0x0F, 0x22, 0xC0], "mov cr0, eax", .event(.movToCR(cr: 0, gpr: 0))),
                ([0x66, 0xEA, 0x00, 0x00, 0x10, 0x00, 0x08, 0x00], "jmp 0x8:0x100000", .emulatedByL1),
            ])
        + block(
            kernelPage,
            [
                (
                    [0xC7, 0x05, 0x00, 0x90, 0x00, 0x00, 0x03, 0xA0, 0x00, 0x00], "mov dword [0x9000], 0xa003",
                    .store(gpa: pml4, size: 4, value: 0xA003)
                ),
                (
                    [0xC7, 0x05, 0x00, 0xA0, 0x00, 0x00, 0x83, 0x00, 0x00, 0x00], "mov dword [0xa000], 0x83",
                    .store(gpa: pdpt, size: 4, value: 0x83)
                ),
                ([0xB8, 0x20, 0x00, 0x00, 0x00], "mov eax, 0x20", .set(0, 0x20, bits: 32)),
                ([0x0F, 0x22, 0xE0], "mov cr4, eax", .event(.movToCR(cr: 4, gpr: 0))),
                ([0xB8, 0x00, 0x90, 0x00, 0x00], "mov eax, 0x9000", .set(0, pml4, bits: 32)),
                ([0x0F, 0x22, 0xD8], "mov cr3, eax", .event(.movToCR(cr: 3, gpr: 0))),
                ([0xB9, 0x80, 0x00, 0x00, 0xC0], "mov ecx, 0xc0000080", .set(1, 0xC000_0080, bits: 32)),
                ([0x0F, 0x32], "rdmsr", .event(.rdmsr)),
                ([0x0D, 0x00, 0x01, 0x00, 0x00], "or eax, 0x100", .or(0, 0x100, bits: 32)),
                ([0x0F, 0x30], "wrmsr", .event(.wrmsr)),
                ([0xB8, 0x21, 0x00, 0x00, 0x80], "mov eax, 0x80000021", .set(0, 0x8000_0021, bits: 32)),
                ([0x0F, 0x22, 0xC0], "mov cr0, eax", .event(.movToCR(cr: 0, gpr: 0))),
                ([0xEA, 0x00, 0x01, 0x10, 0x00, 0x18, 0x00], "jmp 0x18:0x100100", .emulatedByL1),
            ])
        + block(
            longModeEntry,
            [
                (
                    [0x48, 0xC7, 0x04, 0x25, 0x00, 0x40, 0x10, 0x00, 0x2A, 0x00, 0x00, 0x00],
                    "mov qword [0x104000], 42", .store(gpa: heap, size: 8, value: 42)
                ),
                ([0xB8, 0x33, 0x00, 0x01, 0x80], "mov eax, 0x80010033", .set(0, 0x8001_0033, bits: 32)),
                ([0x0F, 0x22, 0xC0], "mov cr0, rax", .event(.movToCR(cr: 0, gpr: 0))),
                ([0x31, 0xC0], "xor eax, eax", .set(0, 0, bits: 32)),
                ([0xB9, 0x00, 0xFC, 0x00, 0x00], "mov ecx, 0xfc00", .set(1, 0xFC00, bits: 32)),
                ([0x45, 0x31, 0xD2], "xor r10d, r10d", .set(10, 0, bits: 32)),
                ([0x41, 0xBB, 0x1E, 0x00, 0x00, 0x00], "mov r11d, 30", .set(11, 30, bits: 32)),
                ([0x41, 0xBC, 0x01, 0x00, 0x00, 0x00], "mov r12d, 1", .set(12, 1, bits: 32)),
                ([0x41, 0xBD, 0x01, 0x00, 0x00, 0x00], "mov r13d, 1", .set(13, 1, bits: 32)),
                ([0x41, 0xBE, 0xF8, 0x03, 0x00, 0x00], "mov r14d, 0x3f8", .set(14, 0x3F8, bits: 32)),
                ([0x41, 0xBF, 0x4C, 0x00, 0x00, 0x00], "mov r15d, 'L'", .set(15, 0x4C, bits: 32)),
                ([0x66, 0x0F, 0x01, 0xCC], "tdcall", .event(.tdcall)),
                ([0xB9, 0xE0, 0x06, 0x00, 0x00], "mov ecx, 0x6e0", .set(1, 0x6E0, bits: 32)),
                ([0xB8, 0x00, 0x00, 0x01, 0x00], "mov eax, 0x10000", .set(0, timerDeadline, bits: 32)),
                ([0x31, 0xD2], "xor edx, edx", .set(2, 0, bits: 32)),
                ([0x0F, 0x30], "wrmsr", .event(.wrmsr)),
                ([0xFB], "sti", .event(.sti)),
                ([0xF3, 0x90], "pause", .wait(ticks: waitTicks)),
                ([0xF4], "hlt", .event(.hlt)),
            ])
        + block(
            timerHandler,
            [
                ([0xB9, 0x0B, 0x08, 0x00, 0x00], "mov ecx, 0x80b", .set(1, 0x80B, bits: 32)),
                ([0x31, 0xC0], "xor eax, eax", .set(0, 0, bits: 32)),
                ([0x31, 0xD2], "xor edx, edx", .set(2, 0, bits: 32)),
                ([0x0F, 0x30], "wrmsr", .event(.eoi)),
                ([0x48, 0xCF], "iretq", .interruptReturn),
            ])

    /// The instruction at each linear address.
    static let instructionAt: [UInt64: Int] = {
        var d: [UInt64: Int] = [:]
        for (i, ins) in firmware.enumerated() { d[ins.address] = i }
        return d
    }()

    /// The bytes L1 loads before it starts L2, as (GPA, bytes) runs: the code, the GDT pointer and the GDT.
    package static var image: [(gpa: UInt64, bytes: [UInt8])] {
        var runs = firmware.map { ($0.address, $0.bytes) }
        let limit = UInt16(gdtEntries.count * 8 - 1)
        runs.append((gdtPointer, le(UInt64(limit), 2) + le(gdt, 4)))
        runs.append((gdt, gdtEntries.flatMap { le($0, 8) }))
        return runs
    }

    /// The low `count` bytes of `value`, little-endian.
    static func le(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }
}
