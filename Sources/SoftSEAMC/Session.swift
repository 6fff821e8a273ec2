import CSoftSEAM
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes
import Synchronization

/// One `softseam_t`: a machine in the step engine, and everything the C ABI keeps beside it.
///
///     C call ──▶ Handle.with ──▶ Session ──▶ Engine (runTDCall, seamcall, store) ──▶ Machine
///                                  │  L2 source ─▶ SessionL2: callback │ events file │ built-in program
///                                  │  TD exits  ─▶ SessionHost: built-in host, or the host callback (which
///                                  │               re-enters through softseam_seamcall)
///                                  └─ observer: the trace being recorded (a StepRecorder), or none
///
/// The engine is a value inside this class. A host callback runs inside `Engine.runTDCall`; its SEAMCALLs
/// reach that call's engine through `running`, the pointer the call handed its TD-exit handler.
@safe final class Session {
    /// The engine, in storage the session owns: reached through an address rather than a stored property, so
    /// the hot path pays no dynamic exclusivity check (two per call, a third of `c_abi_tdcall`'s cost); the
    /// ownership flag below already keeps two threads out.
    let storage: UnsafeMutablePointer<Engine<StepRecorder?>>
    /// While the host callback runs inside `Engine.runTDCall`: the engine that call works on, through the
    /// pointer its `inout` gave the handler. The callback's SEAMCALLs and reads go through it, never around the
    /// running call's exclusive access to `storage`.
    @safe @exclusivity(unchecked) var running: UnsafeMutablePointer<Engine<StepRecorder?>>?
    var engine: Engine<StepRecorder?> {
        unsafeAddress { unsafe UnsafePointer(running ?? storage) }
        unsafeMutableAddress { unsafe running ?? storage }
    }
    /// The machine as a read call sees it: while an L2 callback runs, the machine the engine showed the L2
    /// source; otherwise the engine's. Addressed, not copied: a copy of a `Machine` retains every buffer it
    /// holds (c_abi_tdcall: 437 → 1,278 instructions when `Handle.vcpu` read it through a copying getter).
    var machine: Machine {
        unsafeAddress { unsafe l2View ?? UnsafePointer(storage).pointer(to: \.machine)! }
    }
    @safe @exclusivity(unchecked) var l2View: UnsafePointer<Machine>?
    let config: MachineConfig
    /// The built-in deterministic host, used while no host callback is set.
    var builtInHost = BuiltInTDVMCallHost()
    // The properties every call reads are `@exclusivity(unchecked)` for the same reason as `engine`: no
    // access to them spans a callback, and the ownership flag keeps other threads out.
    @safe @exclusivity(unchecked) var hostCallback: (fn: softseam_host_fn, ctx: UnsafeMutableRawPointer?)?
    /// Index 1…3: where each L2 VM's events come from.
    var l2Sources: [L2Source] = Array(repeating: .none, count: 4)
    /// Events a callback gave that are still to run, by `vcpu * 4 + vm`.
    var queued: [Int: (events: [L2Event], next: Int)] = [:]
    /// The state of built-in L2 programs, by `vcpu * 4 + vm`.
    var programs: [Int: L2BootProgram] = [:]
    /// Where the trace being recorded goes (the engine's observer records it).
    @safe @exclusivity(unchecked) var traceFile: TraceFile?
    /// The most steps a trace recorded in memory keeps (`softseam_set_trace_limit`); the recorder of a trace
    /// being recorded has it as its `limit`.
    var traceLimit = Session.defaultTraceLimit
    /// Whether any call has changed the machine since it was built (a trace must start before that).
    @safe @exclusivity(unchecked) var changed = false
    /// Set while a callback runs: which calls it may make.
    @safe @exclusivity(unchecked) var callback: CallbackKind?
    /// The first TDH.VP.ENTER of its vCPU that the running host callback made and that re-entered it.
    var hostEntry: HostEntryOutcome?
    /// The thread using the session, 0 when none: a second thread gets SOFTSEAM_EBUSY.
    let owner = Atomic<UInt>(0)

    enum CallbackKind {
        /// The host callback for `vcpu`: SEAMCALLs, memory, interrupts and facts.
        case host(vcpu: Int)
        /// An L2 callback: reads only.
        case l2
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

    /// Where a trace being recorded is written when it stops.
    struct TraceFile {
        var path: String
        var binary: Bool
        var comment: String
    }

    /// The default `traceLimit`: 500,000 steps. A recorded step holds about 490 bytes (an L1 TDCALL) to 570
    /// (an L2 event) of the process's memory, the step arrays' growth slack included (resident set over
    /// 200,000 recorded steps, release build). 500,000 TDG.VP.INFO steps: 0.25 GB resident, a peak of 0.43 GB
    /// while the stop writes JSON Lines (0.32 GB binary).
    static let defaultTraceLimit = 500_000

    init(config: MachineConfig) {
        self.config = config
        unsafe storage = UnsafeMutablePointer<Engine<StepRecorder?>>.allocate(capacity: 1)
        unsafe storage.initialize(to: Engine(machine: Machine(config: config), observer: nil))
    }

    deinit {
        unsafe storage.deinitialize(count: 1)
        unsafe storage.deallocate()
    }
}
