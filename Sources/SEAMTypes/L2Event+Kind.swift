/// The one definition of each L2 event's name, binary tag and operand rules, used by the scenario (JSON)
/// reader and writer, the binary trace reader and writer, the machine (`Machine.l2Event`) and the
/// exit-routing table runner, so that they cannot disagree on what an event is.
extension L2Event {
    /// The kinds of L2 event. The raw value is the tag byte of the binary trace form (Traces/FORMAT.md).
    public enum Kind: UInt8, CaseIterable, Hashable, Sendable {
        case setRegister = 0
        case jump = 1
        case cpuid = 2
        case hlt = 3
        case rdmsr = 4
        case wrmsr = 5
        case tdcall = 6
        case vmcall = 7
        case clts = 8
        case nmi = 9
        case io = 10
        case movToCR = 11
        case movFromCR = 12
        case lmsw = 13
        case memory = 14
        case exception = 15
        case externalInterrupt = 16
        case exit = 17
        case sti = 18
        case eoi = 19
        case duringDelivery = 20
        case time = 21
        case iret = 22

        /// The scenario spelling: the string of an event without operands, the key of the object for the
        /// others (a memory access is spelled by its access kind: `read`, `write` or `fetch`).
        public var name: String {
            switch self {
            case .setRegister: "set"
            case .jump: "jump"
            case .cpuid: "cpuid"
            case .hlt: "hlt"
            case .rdmsr: "rdmsr"
            case .wrmsr: "wrmsr"
            case .tdcall: "tdcall"
            case .vmcall: "vmcall"
            case .clts: "clts"
            case .nmi: "nmi"
            case .io: "io"
            case .movToCR: "mov_to_cr"
            case .movFromCR: "mov_from_cr"
            case .lmsw: "lmsw"
            case .memory: MemoryAccess.Kind.allCases.map(\.name).joined(separator: ", ")
            case .exception: "exception"
            case .externalInterrupt: "interrupt"
            case .exit: "exit"
            case .sti: "sti"
            case .eoi: "eoi"
            case .iret: "iret"
            case .duringDelivery: "during_delivery"
            case .time: "time"
            }
        }

        /// The event of this kind when it has no operands (CPUID, HLT, …), else nil.
        public var bare: L2Event? {
            switch self {
            case .cpuid: .cpuid
            case .hlt: .hlt
            case .rdmsr: .rdmsr
            case .wrmsr: .wrmsr
            case .tdcall: .tdcall
            case .vmcall: .vmcall
            case .clts: .clts
            case .nmi: .nmi
            case .sti: .sti
            case .eoi: .eoi
            case .iret: .iret
            default: nil
            }
        }

        /// The kinds without operands, in tag order.
        public static var bareKinds: [Kind] { allCases.filter { $0.bare != nil } }
    }

    /// The event's kind.
    public var kind: Kind {
        switch self {
        case .setRegister: .setRegister
        case .jump: .jump
        case .cpuid: .cpuid
        case .hlt: .hlt
        case .io: .io
        case .rdmsr: .rdmsr
        case .wrmsr: .wrmsr
        case .tdcall: .tdcall
        case .vmcall: .vmcall
        case .movToCR: .movToCR
        case .movFromCR: .movFromCR
        case .clts: .clts
        case .lmsw: .lmsw
        case .memory: .memory
        case .exception: .exception
        case .externalInterrupt: .externalInterrupt
        case .nmi: .nmi
        case .exit: .exit
        case .sti: .sti
        case .eoi: .eoi
        case .iret: .iret
        case .duringDelivery: .duringDelivery
        case .time: .time
        }
    }

    /// The events that can VM-exit while the CPU delivers an event through L2's IDT (`duringDelivery`).
    public static let duringDeliveryKinds: [Kind] = [.memory, .exception, .externalInterrupt, .nmi, .exit]

    /// The longest x86 instruction (SDM Vol. 2A §2.3.11): the bound on an `.exit` event's length.
    public static let maxInstructionLength: UInt32 = 15

    /// The control registers a MOV to or from CR names (SDM Vol. 3C §26.1.3, Table 28-3).
    public static let movCRRegisters: [UInt8] = [0, 3, 4, 8]

    /// Basic exit reasons an `.exit` event may not name, because the model needs the event's operands to
    /// route them, with the kinds that stand for them.
    public static let dedicatedExitReasons: [(reason: ExitReason, kinds: [Kind])] = [
        (.exceptionOrNMI, [.exception, .nmi]), (.externalInterrupt, [.externalInterrupt]), (.cpuid, [.cpuid]),
        (.hlt, [.hlt]), (.vmcall, [.vmcall]), (.crAccess, [.movToCR, .movFromCR, .clts, .lmsw]),
        (.ioInstruction, [.io]), (.rdmsr, [.rdmsr]), (.wrmsr, [.wrmsr]), (.eptViolation, [.memory]),
        (.tdcall, [.tdcall]),
    ]

    /// What makes the event one the model cannot carry out, as (operand, message), or nil when it is well
    /// formed: a register index 0…15, an I/O size of 1, 2 or 4, CR 0, 3, 4 or 8, a memory access of 1…8
    /// bytes within one 4 KiB page, an exception vector 0…31 other than 2 (the NMI has its own event), an
    /// instruction length of at most 15, and no `.exit` for a reason that has its own event.
    public var problem: (operand: String, message: String)? {
        switch self {
        case .setRegister(let r, _):
            return (0..<16).contains(r) ? nil : ("register", "register index \(r) is not 0…15")
        case .io(let a):
            return [1, 2, 4].contains(a.size) ? nil : ("size", "must be 1, 2 or 4")
        case .movToCR(let cr, let gpr), .movFromCR(let cr, let gpr):
            if !L2Event.movCRRegisters.contains(cr) { return ("cr", "must be 0, 3, 4 or 8") }
            return gpr < 16 ? nil : ("gpr", "register index \(gpr) is not 0…15")
        case .memory(let a):
            guard (1...8).contains(a.size) else { return ("size", "must be 1…8") }
            return a.gpa & 0xFFF + UInt64(a.size) <= 0x1000 ? nil : ("gpa", "the access crosses a 4 KiB page")
        case .exception(let vector, _):
            if vector == 2 { return ("vector", "vector 2 is the NMI: use \"nmi\"") }
            return vector < 32 ? nil : ("vector", "must be 0…31")
        case .exit(let reason, _, let length):
            if let d = L2Event.dedicatedExitReasons.first(where: { $0.reason == reason.basic }) {
                return (
                    "reason",
                    "exit reason \(d.reason.rawValue) has its own event: use \(d.kinds.map(\.name).joined(separator: ", "))"
                )
            }
            return length <= L2Event.maxInstructionLength ? nil : ("length", "must be 0…15")
        case .duringDelivery(let inner):
            guard L2Event.duringDeliveryKinds.contains(inner.kind) else {
                return (
                    "event",
                    "\(inner.kind.name) cannot happen while an event is delivered (one of: \(L2Event.duringDeliveryKinds.map(\.name).joined(separator: ", ")))"
                )
            }
            return inner.problem
        case .jump, .cpuid, .hlt, .rdmsr, .wrmsr, .tdcall, .vmcall, .clts, .lmsw, .externalInterrupt, .nmi, .sti, .eoi,
            .iret:
            return nil
        case .time:
            // Any count of ticks; one that would carry the virtual TSC past 2^64 − 1 is the machine's refusal.
            return nil

        }
    }
}
