/// One thing an L2 guest does, as the model sees it (DESIGN.md, "The L2 side"). L2 code is not executed:
/// a scripted program, a callback or a CPU emulator supplies these events, and the model decides what each
/// one does — it completes inside L2, the module handles it, it exits to L1, or it exits to the host.
///
/// Instructions take their operands from L2's registers as the CPU would (CPUID from EAX/ECX, RDMSR and
/// WRMSR from ECX and EDX:EAX, TDCALL from RAX…); `setRegister` and `jump` stand for the straight-line
/// code that puts them there.
public enum L2Event: Hashable, Sendable {
    /// L2 code wrote a general-purpose register (0 = RAX … 15 = R15; 4 = RSP). Completes in L2.
    case setRegister(Int, UInt64)
    /// L2 code moved to `rip` (a branch). Completes in L2.
    case jump(rip: UInt64)
    /// CPUID (2 bytes).
    case cpuid
    /// HLT (1 byte).
    case hlt
    /// IN, OUT, INS or OUTS.
    case io(IOAccess)
    /// RDMSR of the MSR in ECX (2 bytes).
    case rdmsr
    /// WRMSR of EDX:EAX to the MSR in ECX (2 bytes).
    case wrmsr
    /// TDCALL with the leaf in RAX (4 bytes).
    case tdcall
    /// VMCALL (3 bytes).
    case vmcall
    /// MOV to CR0, CR3, CR4 or CR8 from a general-purpose register (3 bytes).
    case movToCR(cr: UInt8, gpr: UInt8)
    /// MOV from CR3 or CR8 to a general-purpose register (3 bytes).
    case movFromCR(cr: UInt8, gpr: UInt8)
    /// CLTS (2 bytes).
    case clts
    /// LMSW with a register operand (3 bytes).
    case lmsw(UInt16)
    /// A data read or write, or an instruction fetch, at a guest-physical address.
    case memory(MemoryAccess)
    /// An exception raised in L2 (vector 0–31 except 2, the NMI), with its error code if it has one.
    case exception(vector: UInt8, errorCode: UInt32?)
    /// An external interrupt arrives while L2 runs (asynchronous, from the host's platform).
    case externalInterrupt(vector: UInt8)
    /// An NMI arrives while L2 runs.
    case nmi
    /// Any other VM exit, given by its basic exit reason, exit qualification and instruction length
    /// (RDTSC, PAUSE, XSETBV, INVLPG, interrupt window, triple fault, …). Reason 52 (VMX-preemption timer
    /// expired) is routed as given and leaves the virtual TSC alone — an L2 source with a clock of its own
    /// may raise it; the model's own timer fires from `time`.
    case exit(ExitReason, qualification: UInt64, instructionLength: UInt32)
    /// `ticks` TSC ticks pass while L2 runs (the only way the model's virtual TSC advances): L2 goes on
    /// running, unless the VMX-preemption timer armed from the VM's TSC_DEADLINE expires inside the span —
    /// then the event ends at the deadline with exit 52 to L1 and the rest of the span does not pass.
    case time(ticks: UInt64)
    /// STI and the instruction after it (1 byte): RFLAGS.IF = 1 and blocking by STI over, so L2's interrupt
    /// window is open and the CPU takes a pending event now (an interrupt-window exit, a pending virtual
    /// interrupt). POPF setting IF is the same event.
    case sti
    /// WRMSR to the x2APIC EOI register (2 bytes): ECX = 0x80B and EDX:EAX = 0 are loaded first, then the
    /// WRMSR runs as `wrmsr` does — an exit to L1 where L1's MSR bitmap intercepts it, else the CPU's EOI
    /// virtualization (SDM Vol. 3C §30.1.4).
    case eoi
    /// IRET (1 byte) ending an interrupt or NMI handler: RFLAGS.IF = 1 (the flags the handler's entry saved,
    /// taken to have IF set) and virtual-NMI blocking cleared (SDM Vol. 3C §26.3 and §27.7.1).
    case iret
    /// `event` VM-exited while the CPU was delivering the event L2 was just given (the exit's IDT-vectoring
    /// information holds that event: SDM Vol. 3C §28.2.4). Only an event that can happen during event
    /// delivery: a memory access (the IDT, stack or handler page), an exception, an external interrupt, an
    /// NMI or another exit.
    indirect case duringDelivery(L2Event)
}

/// An I/O instruction (SDM exit-qualification layout for I/O instructions).
public struct IOAccess: Hashable, Sendable {
    /// Port number.
    public var port: UInt16
    /// Access size in bytes: 1, 2 or 4.
    public var size: UInt8
    /// IN/INS (true) or OUT/OUTS (false).
    public var isIn: Bool
    /// INS or OUTS.
    public var isString: Bool
    /// With a REP prefix.
    public var isRep: Bool
    /// Port given as an 8-bit immediate rather than in DX.
    public var isImmediate: Bool

    public init(
        port: UInt16, size: UInt8, isIn: Bool, isString: Bool = false, isRep: Bool = false, isImmediate: Bool = false
    ) {
        self.port = port
        self.size = size
        self.isIn = isIn
        self.isString = isString
        self.isRep = isRep
        self.isImmediate = isImmediate
    }

    /// The VM-exit qualification: size − 1 in bits 2:0, direction (1 = IN) in bit 3, string in bit 4, REP in
    /// bit 5, immediate operand in bit 6, port in bits 31:16.
    public var exitQualification: UInt64 {
        UInt64(size &- 1) & 7 | (isIn ? 1 << 3 : 0) | (isString ? 1 << 4 : 0) | (isRep ? 1 << 5 : 0)
            | (isImmediate ? 1 << 6 : 0) | UInt64(port) << 16
    }

    /// Instruction length: 1 for IN/OUT with DX and for INS/OUTS, 2 with an immediate port; one more for an
    /// operand-size prefix (2-byte access) and for REP.
    public var instructionLength: UInt32 {
        (isImmediate ? 2 : 1) + (size == 2 ? 1 : 0) + (isRep ? 1 : 0)
    }
}

/// A memory access by L2 at a guest-physical address.
public struct MemoryAccess: Hashable, Sendable {
    /// Read, write or instruction fetch.
    public enum Kind: UInt8, CaseIterable, Hashable, Sendable {
        case read = 0
        case write = 1
        case fetch = 2

        /// The scenario spelling: the key of the event's object (Traces/FORMAT.md).
        public var name: String {
            switch self {
            case .read: "read"
            case .write: "write"
            case .fetch: "fetch"
            }
        }
    }

    public var kind: Kind
    /// Made in user mode (CPL 3): a user fetch needs Xu when mode-based execute control is on.
    public var isUser: Bool
    /// The guest-physical address.
    public var gpa: UInt64
    /// The guest-linear address, when the access came from a linear-address translation.
    public var gla: UInt64?
    /// Bytes accessed (1…8, within one 4 KiB page).
    public var size: UInt8
    /// For a write, the little-endian value written. A permitted read loads the value into RAX.
    public var value: UInt64

    public init(kind: Kind, gpa: UInt64, size: UInt8 = 8, value: UInt64 = 0, isUser: Bool = false, gla: UInt64? = nil) {
        self.kind = kind
        self.isUser = isUser
        self.gpa = gpa
        self.gla = gla
        self.size = size
        self.value = value
    }
}
