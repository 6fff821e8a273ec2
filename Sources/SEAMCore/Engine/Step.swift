import SEAMTypes

/// One step of the model: a host SEAMCALL, a host operation on its shared memory, an L1 TDCALL, an L1 store
/// to its memory, or one L2 event.
/// Scenarios and traces are lists of steps (Traces/FORMAT.md); `Engine.perform` carries one out.
public struct Step: Hashable, Sendable {
    /// Who performs a step.
    public enum Actor: Hashable, Sendable {
        case host
        case l1(vcpu: Int)
        /// L2 VM `vm` running on `vcpu`: the step is an L2 event.
        case l2(vm: Int, vcpu: Int)
    }

    /// A store of `bytes` at `gpa` in L1's private memory.
    public struct MemoryWrite: Hashable, Sendable {
        public var gpa: UInt64
        public var bytes: [UInt8]
        public init(gpa: UInt64, bytes: [UInt8]) {
            self.gpa = gpa
            self.bytes = bytes
        }
        /// A little-endian store of the low `size` bytes (1…8) of `value`.
        public init(gpa: UInt64, size: Int, value: UInt64) {
            self.init(gpa: gpa, bytes: (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) })
        }
        /// The bytes as a little-endian value (stores of 1…8 bytes).
        public var value: UInt64 {
            bytes.prefix(8).enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
    }

    /// What the host does to its own shared EPT and memory (no SEAMCALL: the module never sees it).
    public enum SharedMemoryOp: Hashable, Sendable {
        /// Map `size` bytes of shared GPAs from `gpa` (`Machine.mapShared`).
        case map(gpa: UInt64, size: UInt64)
        /// Unmap them (`Machine.unmapShared`).
        case unmap(gpa: UInt64, size: UInt64)
        /// Store `bytes` at `gpa` in mapped shared memory (`Machine.writeShared`).
        case write(MemoryWrite)
        /// Not shared memory, but likewise outside any SEAMCALL: set L1's virtual-interrupt state on `vcpu`
        /// (`Machine.setL1VirtualInterruptState`), e.g. an interrupt pending for L1 while it runs an
        /// interruptible TDCALL (`Machine.l1InterruptPending`), or cleared once L1 has taken it.
        case l1InterruptState(vcpu: Int, rvi: UInt8, ppr: UInt8)
        /// Post `vectors` in the posted-interrupt descriptor of `vcpu` (PIR bits and ON) and, with `notify`,
        /// send the notification IPI (`Machine.postInterrupt`).
        case postInterrupt(vcpu: Int, vectors: [UInt8], notify: Bool)
        /// Push `event` into the shared-IRTE ring L1 registered at `gpa` and signal L1 of `vcpu` with the
        /// ring's vector (`Machine.pushIRTE`); a ring L1 set up wrongly is refused (`StepResult.refused`).
        case irtePush(vcpu: Int, gpa: UInt64, event: IRTEEvent)
    }

    /// An L1 instruction other than TDCALL that the module may turn into a #VE: a load from L1's memory, or
    /// CPUID / RDMSR / WRMSR (module `src/td_dispatcher/vm_exits/td_ept_violation.c`, `td_cpuid.c`,
    /// `tdx_td_dispatcher.c`). Its outcome: the bytes read, or L1's registers after it, or the fault L1 took.
    public enum L1Instruction: Hashable, Sendable {
        /// A load of `size` bytes at `gpa` (`Machine.l1Read`).
        case read(gpa: UInt64, size: Int)
        /// CPUID with EAX = `leaf`, ECX = `subleaf` (`Machine.executeL1CPUID`): out RAX, RBX, RCX, RDX.
        case cpuid(leaf: UInt32, subleaf: UInt32)
        /// RDMSR of `msr` (`Machine.executeL1RDMSR`): out EDX:EAX in RDX and RAX.
        case rdmsr(msr: UInt32)
        /// WRMSR of `value` to `msr` (`Machine.executeL1WRMSR`).
        case wrmsr(msr: UInt32, value: UInt64)
        /// L1 is interruptible now (e.g. STI, or IRET to IF = 1): the CPU delivers L1's pending virtual
        /// interrupt, if one is deliverable (`Machine.l1Interruptible`; the outcome's `delivery`).
        case interruptible
    }

    public var actor: Actor
    /// The caller's input registers (a SEAMCALL's or a TDCALL's); zero for an L2 event and a store.
    public var registers: RegisterFile
    /// The L2 event of an `.l2` step (a scenario may name several, which `singleEvents()` splits); for an
    /// l1-observed trace's TDG.VP.ENTER, the L2 events it ran.
    public var events: [L2Event] = []
    /// An L1 step that stores to L1's private memory instead of a TDCALL (e.g. filling the
    /// L2_ENTER_GUEST_STATE buffer).
    public var write: MemoryWrite?
    /// An L1 step that executes this instruction instead of a TDCALL.
    public var instruction: L1Instruction?
    /// A host step that edits the host's shared memory instead of a SEAMCALL.
    public var shared: SharedMemoryOp?
    public var comment: String?
    /// Line in the source file (0 for steps built in code).
    public var line: Int

    public init(actor: Actor, registers: RegisterFile, comment: String? = nil, line: Int = 0) {
        self.actor = actor
        self.registers = registers
        self.comment = comment
        self.line = line
    }

    /// An L2 event of VM `vm` on `vcpu`.
    public static func l2(vm: Int, vcpu: Int, _ event: L2Event, comment: String? = nil) -> Step {
        var s = Step(actor: .l2(vm: vm, vcpu: vcpu), registers: RegisterFile(), comment: comment)
        s.events = [event]
        return s
    }

    /// A store by L1 on `vcpu`.
    public static func store(vcpu: Int, _ write: MemoryWrite, comment: String? = nil) -> Step {
        var s = Step(actor: .l1(vcpu: vcpu), registers: RegisterFile(), comment: comment)
        s.write = write
        return s
    }

    /// An L1 instruction on `vcpu` other than a TDCALL.
    public static func l1(vcpu: Int, _ instruction: L1Instruction, comment: String? = nil) -> Step {
        var s = Step(actor: .l1(vcpu: vcpu), registers: RegisterFile(), comment: comment)
        s.instruction = instruction
        return s
    }

    /// A host operation on its shared memory.
    public static func host(_ op: SharedMemoryOp, comment: String? = nil) -> Step {
        var s = Step(actor: .host, registers: RegisterFile(), comment: comment)
        s.shared = op
        return s
    }

    /// This step as one step per L2 event (itself for the other actors); the comment goes with the last.
    public func singleEvents() -> [Step] {
        guard case .l2 = actor, events.count > 1 else { return [self] }
        return events.enumerated().map { n, e in
            var s = self
            s.events = [e]
            if n + 1 < events.count { s.comment = nil }
            return s
        }
    }
}
