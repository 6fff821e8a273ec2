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
    /// The platform the module runs on, as far as global metadata (TDG.SYS.RD) shows it: a profile of
    /// Specs/global-metadata.tsv. Hashed beside the module profile only when it is not `default`.
    public var platform: GlobalPlatform = .default
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

    /// The TD's virtual TSC (the value RDTSC returns in the TD), in ticks since the TD was built. Only an L2
    /// `time` event advances it (`Machine+PreemptionTimer.swift`); hashed as a record absent while 0.
    public internal(set) var virtualTSC: UInt64 = 0

    /// RTMR[0…3], extended by TDG.MR.RTMR.EXTEND; hashed as records absent while zero.
    public internal(set) var rtmr = RTMRegisters()
    /// What MRTD measures: the TDH.MEM.PAGE.ADD and TDH.MR.EXTEND steps of the build (`mrtd` is its hash).
    public internal(set) var mrtdLog = MRTDLog()
    /// MRCONFIGID, MROWNER and MROWNERCONFIG from TD_PARAMS; hashed as records absent while zero.
    public internal(set) var tdParams = TDParamsMeasurements()

    /// The GPA space: L1 SEPT, L2 aliases, contents.
    public internal(set) var space: GPASpace

    /// The vCPUs' TDVPS: location, GPR image, per-VM controls and L2 VMCSs.
    public internal(set) var vcpus: [VCPU] {
        didSet { vcpusHashMemo = nil }  // in place: a didSet that does not read oldValue copies nothing
    }

    /// The vCPUs' part of the state hash, kept by `cachedStateHash()` until a vCPU changes. A memo of a
    /// pure function of `vcpus`, not state.
    var vcpusHashMemo: UInt64?
    /// The event the last step delivered to a guest (`Delivery`), for that step's outcome: a report, not
    /// state (not hashed, not compared). Set where a delivery happens; the engine copies it into the outcome
    /// of each observed step and clears it before each step it performs.
    public internal(set) var lastDelivery: Delivery?
    /// While a `during_delivery` event runs: the IDT-vectoring information (bits 31:0) and error code
    /// (63:32) its exit records. Not state: set and cleared within the one event.
    var vectoringOverride: UInt64?

    /// `lastDelivery`, cleared.
    public mutating func takeDelivery() -> Delivery? {
        defer { lastDelivery = nil }
        return lastDelivery
    }

    /// CONFIG_FLAGS bits above GPAW, fixed at TDH.MNG.INIT: bit 1 FLEXIBLE_PENDING_VE (L1 may change
    /// TD_CTLS.PENDING_VE_DISABLE), bit 2 NO_RBP_MOD (tdx-module include/tdx_api_defs.h, config_flags_t).
    /// Hashed above GPAW's width, so 0 adds nothing to the state hash.
    public var extraConfigFlags: UInt64 = 0

    /// CONFIG_FLAGS.FLEXIBLE_PENDING_VE.
    public static let flexiblePendingVE: UInt64 = 1 << 1
    /// CONFIG_FLAGS.NO_RBP_MOD.
    public static let noRBPMod: UInt64 = 1 << 2

    /// CONFIG_FLAGS: bit 0 is the GPAW control, the others `extraConfigFlags`.
    public var configFlags: UInt64 { width.control | extraConfigFlags }

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
        // TDH.MNG.INIT (tdh_mng_init.c): TD_CTLS.PENDING_VE_DISABLE starts as ATTRIBUTES.SEPT_VE_DISABLE.
        attributes = config.attributes
        xfam = config.xfam
        extraConfigFlags = config.configFlags & ~1
        tdCtls = config.attributes >> 28 & 1
        platform = config.platform
        tdParams = config.measurements
        BuiltInHost.setUp(&self, config)
    }

    /// Whether VM_CTLS[vm] asks for an EPT-violation TD exit when an L2 SEPT walk fails.
    func eptViolationOnL2SEPTWalkFailure(vm: Int) -> Bool { vmCtls[vm] & 1 != 0 }

    // MARK: State hash

    /// Number of TD-scope words at the start of `hashWords()`; the vCPUs' hash follows them.
    static let hashWordCount = 24

    /// The words the state hash covers, in order: format version, module, TD-scope fields, VM_CTLS, flush
    /// counts, TD epoch, record counts and the GPA-space digest (`digest`), then one word for all vCPUs:
    /// XXH3-64 of every vCPU's TDVPS words (`VCPU.fillHashWords`) in index order. See `StateHash`.
    public func hashWords(digest: UInt64? = nil, vcpuDigests: [UInt64]? = nil) -> [UInt64] {
        var w = HashWords(repeating: 0)
        fillHashWords(&w, digest: digest ?? space.digest, vcpus: Self.vcpusHash(vcpus, vcpuDigests: vcpuDigests))
        return (0..<w.count).map { w[$0] }
    }

    /// The words of `hashWords()`, in place.
    typealias HashWords = InlineArray<25, UInt64>

    /// XXH3-64 of the little-endian TDVPS words of every vCPU, in index order. Static over the array: as a
    /// method, `cachedStateHash()` first copied the 528-byte `Machine` to call it (fuzz_execs, callgrind).
    static func vcpusHash(_ vcpus: [VCPU], vcpuDigests: [UInt64]?) -> UInt64 {
        let total = vcpus.count * VCPU.hashWordCount
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: total) { buffer in
            vcpus.withUnsafeBufferPointer { v in
                for i in v.indices {
                    let p = v.baseAddress! + i
                    VCPU.fillHashWords(
                        p, buffer, at: i * VCPU.hashWordCount, digest: vcpuDigests?[i] ?? p.pointee.digest)
                }
            }
            for i in 0..<total { buffer[i] = buffer[i].littleEndian }  // canonical byte order
            return XXH3.hash(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[0..<total])))
        }
    }
    /// Writes the hashed words, in host order.
    @inline(__always)
    func fillHashWords(_ w: inout HashWords, digest: UInt64, vcpus v: UInt64) {
        w[0] = StateHash.formatVersion
        w[1] = profile.hashID | UInt64(platform.index) << 56  // hashID uses bits 35:0
        w[2] = UInt64(numL2VMs)
        w[3] = UInt64(width.bits) | extraConfigFlags << 8  // GPAW ≤ 52 fits in bits 7:0
        w[4] = UInt64(vcpuCount)
        w[5] = attributes
        w[6] = xfam
        w[7] = tscFrequency
        w[8] = tdCtls
        w[9] = notifyEnables
        w[10] = vmCtls.vm0
        w[11] = vmCtls.vm1
        w[12] = vmCtls.vm2
        w[13] = vmCtls.vm3
        w[14] = l2SEPTFlushes.vm1
        w[15] = l2SEPTFlushes.vm2
        w[16] = l2SEPTFlushes.vm3
        w[17] = tdEpoch
        w[18] = UInt64(space.leaves.count) | UInt64(space.blocks.count) << 32
        w[19] = UInt64(space.tables.count)
        w[20] = UInt64(space.contents.count)
        w[21] = UInt64(opState.rawValue)
        w[22] = isFatal ? 1 : 0
        w[23] = digest &+ timeRecordHash &+ rtmr.recordHash &+ mrtdLog.digest &+ tdParams.recordHash
        w[24] = v
    }

    /// XXH3-64 of the whole machine state, from the incrementally kept digests: O(vCPUs), independent of
    /// the number of pages.
    public func stateHash() -> UInt64 {
        stateHash(digest: space.digest, vcpus: vcpusHashMemo ?? Self.vcpusHash(vcpus, vcpuDigests: nil))
    }

    /// `stateHash()`, keeping the vCPUs' part until a vCPU changes: a caller that hashes after every step
    /// (recorder, replayer) pays only for the TD-scope words while the step left every TDVPS alone.
    /// It also settles the GPA space's deferred page hashes, so that hashing every step rehashes each written
    /// chunk once.
    public mutating func cachedStateHash() -> UInt64 {
        if !space.deferred.isEmpty { space.settleDeferredHashes() }
        // `settledDigest`, equal to `space.digest` once settled: the getter was handed a copy of the GPA space
        // (248 bytes) on each call (fuzz_execs, callgrind).
        if let v = vcpusHashMemo { return stateHash(digest: space.settledDigest, vcpus: v) }
        let v = Self.vcpusHash(vcpus, vcpuDigests: nil)
        vcpusHashMemo = v
        return stateHash(digest: space.settledDigest, vcpus: v)
    }

    @inline(__always)
    func stateHash(digest: UInt64, vcpus v: UInt64) -> UInt64 {
        var w = HashWords(repeating: 0)
        fillHashWords(&w, digest: digest, vcpus: v)
        for i in 0..<w.count { w[i] = w[i].littleEndian }  // canonical byte order
        return withUnsafeBytes(of: &w) { XXH3.hash($0) }
    }

    /// The same hash computed from scratch over every record; equals `stateHash()` unless there is a bug.
    public func recomputedStateHash() -> UInt64 {
        XXH3.hash(words: hashWords(digest: space.recomputedDigest(), vcpuDigests: vcpus.map { $0.recomputedDigest() }))
    }
}
