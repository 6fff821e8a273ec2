import SEAMCore
import SEAMTypes

/// The TD every fuzz execution starts from, built once and copied: a `Machine` is a value with copy-on-write
/// storage, so a fresh TD per execution costs a copy of a few references until a step changes something.
///
///     GPA       page          state at start
///     0x100000  VAPIC1        mapped (VM1's virtual-APIC page)
///     0x101000  BUF           mapped (guest-state buffers: VM v at BUF + 0x100 · (v − 1))
///     0x102000  VAPIC2        mapped
///     0x103000  VAPIC3        mapped
///     0x104000  A … 0x107000 D  mapped, no alias
///     0x108000  E, 0x109000 F   pending (AUGed, not accepted)
///     0x10A000  G             free, under the 2M table (host AUG/ADD target)
///     0x200000  H             free 2M region, no table below it (2M AUG, or SEPT.ADD then 4K)
///
/// Two shapes, chosen by the input's first byte: a TD with 3 L2 VMs and one with 2 (so that VM3's fields
/// name a VM the TD lacks). Each VM's virtual-APIC GPA and guest-state buffer (RFLAGS 0x2, RIP, RSP) are set
/// by L1 steps, so TDG.VP.ENTER of any VM enters L2.
public struct FuzzWorld: Sendable {
    /// The TD's config (what a finding's trace header holds).
    public let config: MachineConfig
    /// The L1 steps that set the VMs up after the config is built; a finding's trace starts with them.
    public let setup: [Step]
    /// The machine after `setup`.
    public let machine: Machine
    /// The oracle's account of `machine`, built once: building it per execution cost about 2,600 instructions
    /// (fuzz_execs, callgrind).
    public let oracle: IsolationOracle
    /// NUM_L2_VMS of this shape.
    public var numL2VMs: Int { config.numL2VMs }

    public static let vapic: [UInt64] = [0, 0x10_0000, 0x10_2000, 0x10_3000]
    public static let buffer: UInt64 = 0x10_1000
    /// The pages the decoder aims at, most-used first (see the table above).
    public static let pool: [UInt64] = [
        0x10_4000, 0x10_5000, 0x10_6000, 0x10_7000, 0x10_8000, 0x10_9000, 0x10_A000, 0x20_0000, 0x20_1000,
        0x10_1000, 0x10_0000, 0x0,
    ]
    /// A shared GPA (SHARED bit of GPAW 48) over page A: the SEPTs must never map it.
    public static let sharedGPA: UInt64 = 1 << 47 | 0x10_4000
    /// The mapped and pending regions of the config.
    public static let mappedRegion: (gpa: UInt64, size: UInt64) = (0x10_0000, 0x8000)
    public static let pendingRegion: (gpa: UInt64, size: UInt64) = (0x10_8000, 0x2000)

    /// Guest-state buffer of VM `vm`.
    public static func buffer(vm: Int) -> UInt64 { buffer + 0x100 * UInt64(vm - 1) }

    /// TDG.VP.WR's field id of VM `vm`'s virtual-APIC address (L2 VMCS field 0x2012, class 36 + 8 · (vm − 1)).
    static func vapicFieldID(vm: Int) -> UInt64 {
        UInt64(0x24 + 8 * (vm - 1)) << 56 | 0x0020_0003_0000_2012
    }

    public init(numL2VMs: Int) {
        var config = MachineConfig(
            numL2VMs: numL2VMs,
            memory: [
                .init(gpa: Self.mappedRegion.gpa, size: Self.mappedRegion.size, state: .mapped),
                .init(gpa: Self.pendingRegion.gpa, size: Self.pendingRegion.size, state: .pending),
            ])
        config.vmCtls = Array(repeating: 0, count: numL2VMs)
        var steps: [Step] = []
        for vm in 1...numL2VMs {
            steps.append(
                Step(
                    actor: .l1(vcpu: 0),
                    registers: RegisterFile(
                        rax: UInt64(Leaf.vpWr.rawValue), rdx: Self.vapicFieldID(vm: vm), r8: Self.vapic[vm],
                        r9: ~0xFFF),
                    comment: "TDG.VP.WR VM\(vm) virtual-APIC GPA"))
            let b = Self.buffer(vm: vm)
            steps.append(.store(vcpu: 0, .init(gpa: b + 0x80, size: 8, value: 0x2), comment: "VM\(vm) RFLAGS"))
            steps.append(.store(vcpu: 0, .init(gpa: b + 0x88, size: 8, value: 0x8000), comment: "VM\(vm) RIP"))
            steps.append(.store(vcpu: 0, .init(gpa: b + 0x20, size: 8, value: 0x7F00), comment: "VM\(vm) RSP"))
        }
        // Each VM entered once and halted: its guest state has passed the VM-entry checks, which a later
        // entry with the same buffer does not repeat (about a third of an execution's cost otherwise).
        for vm in 1...numL2VMs {
            steps.append(
                Step(
                    actor: .l1(vcpu: 0),
                    registers: RegisterFile(
                        rax: UInt64(Leaf.vpEnter.rawValue), rcx: UInt64(vm) << 52, rdx: Self.buffer(vm: vm)),
                    comment: "TDG.VP.ENTER VM\(vm)"))
            steps.append(.l2(vm: vm, vcpu: 0, .hlt, comment: "VM\(vm) halts: exit to L1"))
        }
        var engine = Engine(machine: Machine(config: config))
        for s in steps {
            let outcome = try? engine.perform(s)
            precondition(outcome != nil, "fuzz TD set-up: \(s)")
        }
        precondition(engine.machine.vcpus[0].location == .l1, "fuzz TD set-up ends in L1")
        self.config = config
        setup = steps
        // Its page hashes settled once here: every execution starts from a copy, and a copy's first settle of
        // hashes deferred by the set-up (the guest-state buffers written back) copied the whole page map
        // (fuzz_execs, callgrind).
        var built = engine.machine
        _ = built.cachedStateHash()
        machine = built
        oracle = IsolationOracle(config: config)
    }

    /// The two shapes, built on first use.
    public static let shapes: [FuzzWorld] = [FuzzWorld(numL2VMs: 3), FuzzWorld(numL2VMs: 2)]
}
