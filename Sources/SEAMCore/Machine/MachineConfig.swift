import SEAMTypes

/// What a TD looks like when SoftSEAM starts: the config JSON of DESIGN.md as a value.
///
///     {"num_l2_vms": 3, "vcpus": 1, "gpaw": 48, "module": "1.5.01",
///      "memory": [{"gpa": "0x0", "size": "0x200000", "state": "mapped"}],
///      "l2_sept": "supplied", "vm_ctls": [0, 0, 0], "finalize": true}
public struct MachineConfig: Hashable, Sendable {
    /// Upper bound on vCPUs a TD may have (MAX_VCPUS is a 16-bit field).
    public static let maxVCPUs = 0xFFFF

    /// One memory region the built-in host has added (`mapped`) or AUGed (`pending`) before L1 runs.
    public struct Region: Hashable, Sendable {
        public enum State: String, Sendable { case mapped, pending }
        public var gpa: UInt64
        public var size: UInt64
        public var state: State
        /// Leaf size the host maps the region with: 4K, or 2M when the region asks (`"page_size": "2M"`).
        public var pageLevel: PageLevel
        /// The bytes TDH.MEM.PAGE.ADD copies into the region's first pages (`"contents"`, a mapped 4K region
        /// only: an L1 image); the rest of the region is zero.
        public var contents: [UInt8] = []
        /// Whether the host measures the region into MRTD (`"measure": true`): after each page's PAGE.ADD, a
        /// TDH.MR.EXTEND of each of its 16 chunks of 256 bytes, as a VMM measures a TD's firmware.
        public var measured = false
        public init(
            gpa: UInt64, size: UInt64, state: State, pageLevel: PageLevel = .size4K, contents: [UInt8] = [],
            measured: Bool = false
        ) {
            precondition(pageLevel <= .size2M, "the built-in host maps regions with 4K or 2M pages")
            self.gpa = gpa
            self.size = size
            self.state = state
            self.pageLevel = pageLevel
            self.contents = contents
            self.measured = measured
        }
    }

    /// How the host supplies L2 SEPT paging pages.
    public enum L2SEPT: String, Sendable {
        /// With every L1 SEPT page it adds (TDH.MEM.SEPT.ADD version 1, R9–R11), so aliases can always be
        /// created.
        case supplied
        /// Not at set-up; an alias then needs the host to add them later (L2_SEPT_WALK_FAILED or a TD exit).
        case onDemand = "on-demand"
    }

    /// NUM_L2_VMS, 0…3.
    public var numL2VMs: Int
    /// Number of vCPUs (≥ 1).
    public var vcpus: Int
    public var gpaw: GPAWidth
    public var profile: ModuleProfile
    public var memory: [Region]
    public var l2SEPT: L2SEPT
    /// VM_CTLS for VM1…3 as the host wrote them (bit 0: EPT violation TD exit on L2 SEPT walk failure).
    public var vmCtls: [UInt64]
    /// Whether the host calls TDH.MR.FINALIZE after adding the memory (`"finalize": false` leaves the TD
    /// INITIALIZED, for scenarios whose host steps build it: PAGE.ADD, then MR.FINALIZE).
    public var finalize = true
    /// TD ATTRIBUTES (`"attributes"`): DEBUG, SEPT_VE_DISABLE, MIGRATABLE, PKS, PERFMON (`TDParams`).
    public var attributes: UInt64 = 0
    /// XFAM (`"xfam"`): x87 and SSE by default.
    public var xfam: UInt64 = 0x3
    /// CONFIG_FLAGS above GPAW (`"config_flags"`: FLEXIBLE_PENDING_VE, NO_RBP_MOD); bit 0 (GPAW) is `gpaw`'s.
    public var configFlags: UInt64 = 0
    /// The platform profile of Specs/global-metadata.tsv (`"platform"`).
    public var platform: GlobalPlatform = .default
    /// MRCONFIGID, MROWNER, MROWNERCONFIG of TD_PARAMS (`"mrconfigid"`, `"mrowner"`, `"mrownerconfig"`: 48
    /// bytes each as 96 hex digits); zero when not given.
    public var measurements = TDParamsMeasurements()

    public init(
        numL2VMs: Int = 3, vcpus: Int = 1, gpaw: GPAWidth = .gpaw48, profile: ModuleProfile = .default,
        memory: [Region] = [], l2SEPT: L2SEPT = .supplied, vmCtls: [UInt64] = [0, 0, 0]
    ) {
        self.numL2VMs = numL2VMs
        self.vcpus = vcpus
        self.gpaw = gpaw
        self.profile = profile
        self.memory = memory
        self.l2SEPT = l2SEPT
        self.vmCtls = vmCtls
    }
}
