import SEAMTypes

/// A TD under SoftSEAM: its TD-scope control state (TDCS), its vCPUs and its GPA space.
///
///     L1 registers ──tdcall(vcpu:)──▶ leaf handler (Leaves/…) ──▶ GPASpace / TD fields ──▶ status + outputs
///     host registers ──seamcall()──▶ host handler (Host/…)     ──▶ GPASpace               ──▶ status + outputs
///                                                     every change ──▶ GPASpace.digest ──▶ stateHash()
///
/// A value type: copying a `Machine` is a snapshot. Every public operation is a function of the state and
/// its inputs; nothing reads a clock, a random source or an unordered collection's order.
public struct Machine: Sendable {
    /// The module release this machine follows.
    public let profile: ModuleProfile
    /// NUM_L2_VMS (0…3), fixed at TDH.MNG.INIT.
    public let numL2VMs: Int
    /// GPAW, fixed at TDH.MNG.INIT.
    public let width: GPAWidth
    /// NUM_VCPUS = MAX_VCPUS.
    public let vcpuCount: Int

    /// TD ATTRIBUTES (DEBUG, SEPT_VE_DISABLE…); 0 for the default TD.
    public var attributes: UInt64 = 0
    /// XFAM: x87 and SSE state.
    public var xfam: UInt64 = 0x3
    /// TSC_FREQUENCY in units of 25 MHz (100 = 2.5 GHz).
    public var tscFrequency: UInt64 = 100
    /// TD_CTLS (bit 0 PENDING_VE_DISABLE).
    public var tdCtls: UInt64 = 0
    /// NOTIFY_ENABLES.
    public var notifyEnables: UInt64 = 0
    /// VM_CTLS per VM index 0…3 (index 0 unused); bit 0 = EPT_VIOLATION_ON_L2_SEPT_WALK_FAILURE.
    public internal(set) var vmCtls = PerVM()
    /// Number of INVEPT single-context flushes of each VM's L2 SEPT (index 0 unused): the model's record of
    /// the TLB flushes L1 asked for, so a missing flush shows up in the state hash.
    public internal(set) var l2SEPTFlushes = PerVM()

    /// TD_EPOCH, advanced by TDH.MEM.TRACK.
    public internal(set) var tdEpoch: UInt64 = 1

    /// The GPA space: L1 SEPT, L2 aliases, contents.
    public internal(set) var space: GPASpace

    /// CONFIG_FLAGS: bit 0 is the GPAW control.
    public var configFlags: UInt64 { width.control }

    /// An empty TD: no memory, no vCPU has run.
    public init(numL2VMs: Int, vcpus: Int = 1, width: GPAWidth = .gpaw48, profile: ModuleProfile = .default) {
        precondition((0...profile.maxL2VMs).contains(numL2VMs), "NUM_L2_VMS \(numL2VMs)")
        precondition(vcpus >= 1)
        self.profile = profile
        self.numL2VMs = numL2VMs
        self.width = width
        vcpuCount = vcpus
        space = GPASpace(width: width)
    }

    /// Builds the TD a config describes, with the built-in host's SEAMCALLs (see `BuiltInHost`).
    public init(config: MachineConfig) {
        self.init(numL2VMs: config.numL2VMs, vcpus: config.vcpus, width: config.gpaw, profile: config.profile)
        BuiltInHost.setUp(&self, config)
    }

    /// Whether VM_CTLS[vm] asks for an EPT-violation TD exit when an L2 SEPT walk fails.
    func eptViolationOnL2SEPTWalkFailure(vm: Int) -> Bool { vmCtls[vm] & 1 != 0 }

    // MARK: State hash

    /// The words the state hash covers, in order: format version, module, TD-scope fields, record counts
    /// and the GPA-space digest. See `StateHash`.
    public func hashWords() -> [UInt64] {
        var w: [UInt64] = [
            StateHash.formatVersion, profile.hashID, UInt64(numL2VMs), UInt64(width.bits),
            UInt64(vcpuCount), attributes, xfam, tscFrequency, tdCtls, notifyEnables,
        ]
        w += vmCtls.array
        w += l2SEPTFlushes.array[1...3]
        w += [
            tdEpoch, UInt64(space.leaves.count), UInt64(space.tables.count), UInt64(space.contents.count),
            UInt64(space.blocks.count),
        ]
        return w
    }

    /// XXH3-64 of the whole machine state, from the incrementally kept digest: O(1) in the number of pages.
    public func stateHash() -> UInt64 {
        XXH3.hash(words: hashWords() + [space.digest])
    }

    /// The same hash computed from scratch over every record; equals `stateHash()` unless there is a bug.
    public func recomputedStateHash() -> UInt64 {
        XXH3.hash(words: hashWords() + [space.recomputedDigest()])
    }
}

extension ModuleProfile {
    /// The version as one word for the state hash: major << 32 | minor << 16 | update (1.5.01 → 0x1_0005_0001).
    public var hashID: UInt64 {
        let parts = version.split(separator: ".").compactMap { UInt64($0) }
        return parts.reduce(0) { $0 << 16 | $1 }
    }
}
