import SEAMTypes

/// A TD under SoftSEAM: its TD-scope control state (TDCS), its vCPUs and its GPA space.
///
///     L1 registers ──tdcall(vcpu:)──▶ leaf handler (Leaves/…) ──▶ GPASpace / TD fields ──▶ status + outputs
///     host registers ──seamcall()──▶ host handler (Host/…)     ──▶ GPASpace               ──▶ status + outputs
///                                                     every change ──▶ GPASpace.digest ──▶ stateHash()
///
/// A value type: copying a `Machine` is a snapshot. Every public operation is a function of the state and
/// its inputs; nothing reads a clock, a random source or an unordered collection's order.
public struct Machine: Sendable, Codable {
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

    /// The TD's build state (TDCS OP_STATE) as far as the modelled leaves care.
    public enum OpState: UInt8, Sendable, Codable {
        /// After TDH.MNG.INIT: the host may TDH.MEM.PAGE.ADD; removing pages needs no TLB tracking.
        case initialized = 0
        /// After TDH.MR.FINALIZE: PAGE.ADD is refused; REMOVE and UNBLOCK need BLOCK and TRACK first.
        case runnable = 1
    }

    /// OP_STATE: `initialized` until the host calls TDH.MR.FINALIZE.
    public internal(set) var opState = OpState.initialized

    /// The TD became fatal (NON_RECOVERABLE_TD…): no vCPU enters it again.
    public internal(set) var isFatal = false

    /// TD_EPOCH, advanced by TDH.MEM.TRACK.
    public internal(set) var tdEpoch: UInt64 = 1

    /// The GPA space: L1 SEPT, L2 aliases, contents.
    public internal(set) var space: GPASpace

    /// The vCPUs' TDVPS: location, GPR image, per-VM controls and L2 VMCSs.
    public internal(set) var vcpus: [VCPU]

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
        self.vcpus = (0..<vcpus).map { VCPU(index: $0, numL2VMs: numL2VMs) }
    }

    /// Builds the TD a config describes, with the built-in host's SEAMCALLs (see `BuiltInHost`); the TD is
    /// finalized (RUNNABLE) when it returns.
    public init(config: MachineConfig) {
        self.init(numL2VMs: config.numL2VMs, vcpus: config.vcpus, width: config.gpaw, profile: config.profile)
        BuiltInHost.setUp(&self, config)
    }

    /// Whether VM_CTLS[vm] asks for an EPT-violation TD exit when an L2 SEPT walk fails.
    func eptViolationOnL2SEPTWalkFailure(vm: Int) -> Bool { vmCtls[vm] & 1 != 0 }

    // MARK: State hash

    /// Number of TD-scope words at the start of `hashWords()`.
    static let hashWordCount = 24

    /// The words the state hash covers, in order: format version, module, TD-scope fields, VM_CTLS, flush
    /// counts, TD epoch, record counts and the GPA-space digest (`digest`), then each vCPU's TDVPS words
    /// (`VCPU.hashWords`). See `StateHash`.
    public func hashWords(digest: UInt64? = nil, vcpuDigests: [UInt64]? = nil) -> [UInt64] {
        [UInt64](unsafeUninitializedCapacity: totalHashWords) { buffer, count in
            fillAllHashWords(buffer, digest: digest ?? space.digest, vcpuDigests: vcpuDigests)
            count = totalHashWords
        }
    }

    var totalHashWords: Int { Machine.hashWordCount + vcpus.count * VCPU.hashWordCount }

    func fillAllHashWords(_ w: UnsafeMutableBufferPointer<UInt64>, digest: UInt64, vcpuDigests: [UInt64]?) {
        fillHashWords(w, digest: digest)
        for i in vcpus.indices {  // by index: `for v in vcpus` would copy each TDVPS (its arrays retained)
            vcpus[i].fillHashWords(
                w, at: Machine.hashWordCount + i * VCPU.hashWordCount, digest: vcpuDigests?[i] ?? vcpus[i].digest)
        }
    }

    /// Writes the hashed words, in host order, into `w` (at least `hashWordCount` words).
    func fillHashWords(_ w: UnsafeMutableBufferPointer<UInt64>, digest: UInt64) {
        let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (
            StateHash.formatVersion, profile.hashID, UInt64(numL2VMs), UInt64(width.bits), UInt64(vcpuCount),
            attributes, xfam, tscFrequency, tdCtls, notifyEnables, vmCtls.vm0
        )
        w[0] = words.0; w[1] = words.1; w[2] = words.2; w[3] = words.3; w[4] = words.4; w[5] = words.5
        w[6] = words.6; w[7] = words.7; w[8] = words.8; w[9] = words.9; w[10] = words.10
        w[11] = vmCtls.vm1; w[12] = vmCtls.vm2; w[13] = vmCtls.vm3
        w[14] = l2SEPTFlushes.vm1; w[15] = l2SEPTFlushes.vm2; w[16] = l2SEPTFlushes.vm3
        w[17] = tdEpoch
        w[18] = UInt64(space.leaves.count) | UInt64(space.blocks.count) << 32
        w[19] = UInt64(space.tables.count)
        w[20] = UInt64(space.contents.count)
        w[21] = UInt64(opState.rawValue)
        w[22] = isFatal ? 1 : 0
        w[23] = digest
    }

    /// XXH3-64 of the whole machine state, from the incrementally kept digests: O(vCPUs), independent of
    /// the number of pages.
    public func stateHash() -> UInt64 {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: totalHashWords) { buffer in
            fillAllHashWords(buffer, digest: space.digest, vcpuDigests: nil)
            for i in 0..<buffer.count { buffer[i] = buffer[i].littleEndian }  // canonical byte order
            return XXH3.hash(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The same hash computed from scratch over every record; equals `stateHash()` unless there is a bug.
    public func recomputedStateHash() -> UInt64 {
        XXH3.hash(words: hashWords(digest: space.recomputedDigest(), vcpuDigests: vcpus.map { $0.recomputedDigest() }))
    }
}
