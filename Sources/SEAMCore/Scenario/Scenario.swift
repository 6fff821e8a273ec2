import SEAMTypes

/// A scripted run: a TD config, then TDCALLs from L1 and SEAMCALLs from the host, in order.
///
/// JSON Lines. The first line is the header, each further non-empty line one step:
///
///     {"softseam": "scenario", "version": 1, "comment": "…", "config": {…config JSON…}, "labels": {"A": "0x100000"}}
///     {"actor": "l1", "vcpu": 0, "tdcall": {"rax": "0x18", "rcx": "0x100000", "rdx": "0x80010000", "r8": "0xf0000"}}
///     {"actor": "host", "seamcall": {"rax": "0x7", "rcx": "0x103000"}, "comment": "block D"}
///
/// Registers not named are 0. This is the minimal form the trace work builds on (Traces/FORMAT.md will be
/// the normative description); every key is checked, and an error names the file, line and key.
public struct Scenario: Sendable {
    /// Who performs a step.
    public enum Actor: Hashable, Sendable {
        case host
        case l1(vcpu: Int)
        /// L2 VM `vm` running on `vcpu`: the step is an L2 event.
        case l2(vm: Int, vcpu: Int)
    }

    /// One call.
    public struct Step: Hashable, Sendable {
        public var actor: Actor
        public var registers: RegisterFile
        /// The L2 events of an `.l2` step, in order (empty for the other actors).
        public var events: [L2Event] = []
        /// An L1 step that stores to L1's private memory instead of a TDCALL (e.g. filling the
        /// L2_ENTER_GUEST_STATE buffer).
        public var write: MemoryWrite?
        public var comment: String?
        /// Line in the source file (0 for steps built in code).
        public var line: Int
        public init(actor: Actor, registers: RegisterFile, comment: String? = nil, line: Int = 0) {
            self.actor = actor
            self.registers = registers
            self.comment = comment
            self.line = line
        }
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

    public static let formatVersion = 1

    public var config: MachineConfig
    /// Names for pages, in the order given (alias maps show them).
    public var labels: [(label: String, gpa: UInt64)]
    /// The header's "comment": what the file is for, what it covers.
    public var comment: String?
    public var steps: [Step]

    public init(
        config: MachineConfig, labels: [(label: String, gpa: UInt64)] = [], comment: String? = nil,
        steps: [Step] = []
    ) {
        self.config = config
        self.labels = labels
        self.comment = comment
        self.steps = steps
    }

    /// Runs every step on a machine built from the config. A step the machine cannot take where it is — a
    /// vCPU the TD lacks, an L1 TDCALL while the vCPU runs L2, an L2 event for a VM that is not running — is
    /// an error with its line; architectural failures are outcomes, not errors.
    public func run(file: String = "<scenario>") throws(InputError) -> Machine {
        var m = Machine(config: config)
        for step in steps {
            var regs = step.registers
            switch step.actor {
            case .host: m.seamcall(&regs)
            case .l1(let vcpu):
                if let w = step.write {
                    do { try m.writeMemory(gpa: w.gpa, w.bytes) } catch {
                        throw InputError(file: file, line: step.line, field: "write.gpa", error.description)
                    }
                    continue
                }
                do { _ = try m.tdcall(vcpu: vcpu, &regs) } catch {
                    throw InputError(file: file, line: step.line, field: "vcpu", error.description)
                }
            case .l2(let vm, let vcpu):
                guard vcpu >= 0 && vcpu < m.vcpuCount else {
                    throw InputError(file: file, line: step.line, field: "vcpu", "vCPU \(vcpu) does not exist")
                }
                guard case .l2(vm) = m.vcpus[vcpu].location else {
                    throw InputError(
                        file: file, line: step.line, field: "vm",
                        "L2 VM \(vm) is not running on vCPU \(vcpu) (it is \(m.vcpus[vcpu].location))")
                }
                for e in step.events {
                    do { _ = try m.l2Event(vcpu: vcpu, e) } catch {
                        throw InputError(file: file, line: step.line, field: "event", error.description)
                    }
                }
            }
        }
        return m
    }
}
