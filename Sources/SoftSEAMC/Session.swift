import CSoftSEAM
import SEAMCore
import SEAMTrace
import SEAMTypes
import Synchronization

/// One `softseam_t`: a machine and everything the C ABI keeps beside it.
///
///     C call ──enter()──▶ Session ──step()──▶ Machine.perform ──▶ (recorder: step, outcome, hash)
///                           │  L2 entry ──▶ nextEvent(): callback │ events file │ built-in program
///                           │  TD exit  ──▶ built-in host, or the host callback (re-enters through C)
///                           └─ last error message, trace recorder, thread-ownership flag
///
/// The machine is a value inside this class; every access is short, so a callback called between two
/// accesses may call back into the session (the host callback's SEAMCALLs) without overlapping one.
@safe final class Session {
    /// The machine, in storage the session owns: reached through an address rather than a stored property, so
    /// the hot path pays no dynamic exclusivity check (two per call, a third of `c_abi_tdcall`'s cost); the
    /// ownership flag below already keeps two threads out, and callbacks run between accesses.
    private let storage: UnsafeMutablePointer<Machine>
    var machine: Machine {
        unsafeAddress { unsafe UnsafePointer(storage) }
        unsafeMutableAddress { unsafe storage }
    }
    let config: MachineConfig
    /// The built-in deterministic host, used while no host callback is set.
    var builtInHost = BuiltInTDVMCallHost()
    // The properties every call reads are `@exclusivity(unchecked)` for the same reason as `machine`: no
    // access to them spans a callback, and the ownership flag keeps other threads out.
    @safe @exclusivity(unchecked) var hostCallback: (fn: softseam_host_fn, ctx: UnsafeMutableRawPointer?)?
    /// Index 1…3: where each L2 VM's events come from.
    var l2Sources: [L2Source] = Array(repeating: .none, count: 4)
    /// Events a callback gave that are still to run, by `vcpu * 4 + vm`.
    var queued: [Int: (events: [L2Event], next: Int)] = [:]
    /// The state of built-in L2 programs, by `vcpu * 4 + vm`.
    var programs: [Int: L2BootProgram] = [:]
    /// The trace being written.
    @safe @exclusivity(unchecked) var recorder: Recorder?
    /// Whether any call has changed the machine since it was built (a trace must start before that).
    @safe @exclusivity(unchecked) var changed = false
    /// Set while a callback runs: which calls it may make.
    @safe @exclusivity(unchecked) var callback: CallbackKind?
    /// The first TDH.VP.ENTER of its vCPU that the running host callback made and that re-entered it.
    var hostEntry: HostEntry?
    /// The thread using the session, 0 when none: a second thread gets SOFTSEAM_EBUSY.
    let owner = Atomic<UInt>(0)

    enum CallbackKind {
        /// The host callback for `vcpu`: SEAMCALLs, memory, interrupts and facts.
        case host(vcpu: Int)
        /// An L2 callback: reads only.
        case l2
    }

    /// A TDH.VP.ENTER that re-entered the vCPU.
    enum HostEntry {
        /// L1 resumed with these registers (a completed TDG.VP.VMCALL, an L2 exit handed to L1).
        case l1(RegisterFile)
        case l2(vm: Int)
        /// The vCPU was in L1 already (after a fault-like exit): it resumes where it was.
        case reentered

        /// What a host step did, if it re-entered.
        init?(_ o: StepOutcome) {
            switch o.result {
            case .l1(let r): self = .l1(r)
            case .l2(let vm): self = .l2(vm: vm)
            case .completed where o.registers?.rax == 0: self = .reentered
            default: return nil
            }
        }
    }

    /// What a VM's L2 runs on.
    @safe enum L2Source {
        case none
        case callback(softseam_l2_fn, UnsafeMutableRawPointer?)
        /// Events from a file, consumed in order across entries.
        case events([L2Event], next: Int, file: String)
        /// The built-in program (`builtInPrograms` has one, "l2-boot").
        case program
    }

    /// A trace being recorded.
    struct Recorder {
        var path: String
        var binary: Bool
        var comment: String
        var steps: [Scenario.Step] = []
        var outcomes: [StepOutcome] = []
    }

    init(config: MachineConfig) {
        self.config = config
        unsafe storage = UnsafeMutablePointer<Machine>.allocate(capacity: 1)
        unsafe storage.initialize(to: Machine(config: config))
    }

    deinit {
        unsafe storage.deinitialize(count: 1)
        unsafe storage.deallocate()
    }
}
