import CSoftSEAM
import Glibc
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes

// What softseam.h adds to the contract: machine facts, L2 sources, the host, traces, built-in images.

@c public func softseam_vcpu_count(_ m: OpaquePointer?) -> UInt32 {
    unsafe Handle.value(m, "softseam_vcpu_count") { s throws(CallError) in UInt32(s.machine.vcpuCount) }
}

@c public func softseam_num_l2_vms(_ m: OpaquePointer?) -> UInt32 {
    unsafe Handle.value(m, "softseam_num_l2_vms") { s throws(CallError) in UInt32(s.config.numL2VMs) }
}

@c public func softseam_tdvpr(_ m: OpaquePointer?, _ vcpu: UInt32) -> UInt64 {
    unsafe Handle.value(m, "softseam_tdvpr") { s throws(CallError) in
        Machine.tdvpr(vcpu: try Handle.vcpu(vcpu, s, "softseam_tdvpr"))
    }
}

@c public func softseam_vcpu_location(_ m: OpaquePointer?, _ vcpu: UInt32) -> Int32 {
    unsafe Handle.with(m, "softseam_vcpu_location", may: .reads) { s throws(CallError) in
        switch s.machine.vcpus[try Handle.vcpu(vcpu, s, "softseam_vcpu_location")].location {
        case .l1: 0
        case .l2(let vm): Int32(vm)
        case .host: SOFTSEAM_WAITS_FOR_HOST
        }
    }
}

/// A VM index 1…num_l2_vms, or SOFTSEAM_EINVAL.
private func l2VM(_ vm: UInt32, _ s: Session, _ name: String) throws(CallError) -> Int {
    guard vm >= 1, Int(vm) <= s.config.numL2VMs else {
        throw CallError(SOFTSEAM_EINVAL, "\(name): the TD has L2 VMs 1…\(s.config.numL2VMs), not \(vm)")
    }
    return Int(vm)
}

@c public func softseam_set_l2_callback(
    _ m: OpaquePointer?, _ vm: UInt32, _ fn: softseam_l2_fn?, _ ctx: UnsafeMutableRawPointer?
) -> Int32 {
    unsafe Handle.with(m, "softseam_set_l2_callback") { s throws(CallError) in
        let v = try l2VM(vm, s, "softseam_set_l2_callback")
        s.l2Sources[v] = unsafe fn.map { unsafe .callback($0, ctx) } ?? .none
        return SOFTSEAM_OK
    }
}

@c public func softseam_set_l2_events_file(_ m: OpaquePointer?, _ vm: UInt32, _ path: UnsafePointer<CChar>?) -> Int32 {
    unsafe Handle.with(m, "softseam_set_l2_events_file") { s throws(CallError) in
        let v = try l2VM(vm, s, "softseam_set_l2_events_file")
        guard let path = unsafe path.map({ unsafe String(cString: $0) }) else {
            throw CallError(SOFTSEAM_EINVAL, "softseam_set_l2_events_file: path is NULL")
        }
        let inputs: (variant: Trace.Variant, scenario: Scenario)
        do throws(InputError) { inputs = try Trace.inputs(ofFile: path) } catch {
            throw CallError(SOFTSEAM_EFILE, error.description)
        }
        let (variant, scenario) = inputs
        var events: [L2Event] = []
        for step in scenario.steps {
            switch step.actor {
            case .l2(let stepVM, _) where stepVM == v:
                events += step.events
            case .l1 where variant == .l1Observed && step.events.count > 0 && step.registers.rcx >> 52 & 3 == UInt64(v):
                events += step.events  // the L2 events of a TDG.VP.ENTER of VM v (RCX bits 53:52)
            default:
                break
            }
        }
        guard !events.isEmpty else {
            throw CallError(SOFTSEAM_EFILE, "softseam_set_l2_events_file: \(path) has no L2 events for VM \(v)")
        }
        s.l2Sources[v] = .events(events, next: 0, file: path)
        return SOFTSEAM_OK
    }
}

/// The built-in L2 programs, by the name `softseam_set_l2_program` and `softseam_builtin_image` take.
let builtInPrograms = ["l2-boot"]

@c public func softseam_set_l2_program(_ m: OpaquePointer?, _ vm: UInt32, _ name: UnsafePointer<CChar>?) -> Int32 {
    unsafe Handle.with(m, "softseam_set_l2_program") { s throws(CallError) in
        let v = try l2VM(vm, s, "softseam_set_l2_program")
        let n = unsafe name.map { unsafe String(cString: $0) } ?? "(NULL)"
        guard builtInPrograms.contains(n) else {
            throw CallError(
                SOFTSEAM_EINVAL,
                "softseam_set_l2_program: no built-in program \"\(n)\" (there is \(builtInPrograms.joined(separator: ", ")))"
            )
        }
        s.l2Sources[v] = .program
        for key in s.programs.keys where key % 4 == v { s.programs[key] = nil }
        return SOFTSEAM_OK
    }
}

@c public func softseam_builtin_image(
    _ name: UnsafePointer<CChar>?, _ index: UInt32, _ gpa: UnsafeMutablePointer<UInt64>?,
    _ buf: UnsafeMutableRawPointer?, _ bufLength: UInt
) -> Int64 {
    let n = unsafe name.map { unsafe String(cString: $0) } ?? "(NULL)"
    guard builtInPrograms.contains(n) else {
        return Int64(ThreadState.fail(SOFTSEAM_EINVAL, "softseam_builtin_image: no built-in image \"\(n)\""))
    }
    let image = L2BootDemo.image
    guard Int(index) < image.count else { return 0 }
    let run = image[Int(index)]
    if let gpa = unsafe gpa { unsafe gpa.pointee = run.gpa }
    if let buf = unsafe buf {
        guard bufLength >= UInt(run.bytes.count) else {
            return Int64(
                ThreadState.fail(
                    SOFTSEAM_EINVAL,
                    "softseam_builtin_image: run \(index) has \(run.bytes.count) bytes, buf \(bufLength)"))
        }
        unsafe run.bytes.withUnsafeBytes { unsafe buf.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
    return Int64(run.bytes.count)
}

@c public func softseam_set_host_callback(_ m: OpaquePointer?, _ fn: softseam_host_fn?, _ ctx: UnsafeMutableRawPointer?)
    -> Int32
{
    unsafe Handle.with(m, "softseam_set_host_callback") { s throws(CallError) in
        s.hostCallback = unsafe fn.map { unsafe ($0, ctx) }
        return SOFTSEAM_OK
    }
}

@c public func softseam_resume_l1(_ m: OpaquePointer?, _ vcpu: UInt32, _ status: UnsafeMutablePointer<UInt64>?)
    -> Int32
{
    unsafe Handle.with(m, "softseam_resume_l1", may: .host) { s throws(CallError) in
        let v = try Handle.vcpu(vcpu, s, "softseam_resume_l1")
        let out = try s.hostCall(
            RegisterFile(rax: UInt64(SEAMCallLeaf.vpEnter.rawValue), rcx: Machine.tdvpr(vcpu: v) | Machine.resumeL1),
            caller: "softseam_resume_l1")
        if let status = unsafe status { unsafe status.pointee = out.rax }
        return SOFTSEAM_OK
    }
}

@c public func softseam_set_l1_interrupt_state(_ m: OpaquePointer?, _ vcpu: UInt32, _ rvi: UInt8, _ ppr: UInt8) -> Int32
{
    unsafe Handle.with(m, "softseam_set_l1_interrupt_state", may: .host) { s throws(CallError) in
        let v = try Handle.vcpu(vcpu, s, "softseam_set_l1_interrupt_state")
        // A host step of the trace being recorded (l1_interrupt_state, Traces/FORMAT.md).
        return try hostShared(s, .l1InterruptState(vcpu: v, rvi: rvi, ppr: ppr), "softseam_set_l1_interrupt_state")
    }
}

@c public func softseam_trace_start(
    _ m: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ format: Int32, _ comment: UnsafePointer<CChar>?
) -> Int32 {
    unsafe Handle.with(m, "softseam_trace_start") { s throws(CallError) in
        guard let path = unsafe path.map({ unsafe String(cString: $0) }), !path.isEmpty else {
            throw CallError(SOFTSEAM_EINVAL, "softseam_trace_start: path is NULL or empty")
        }
        guard format == SOFTSEAM_TRACE_JSON || format == SOFTSEAM_TRACE_BINARY else {
            throw CallError(
                SOFTSEAM_EINVAL, "softseam_trace_start: format \(format) is neither JSON (0) nor binary (1)")
        }
        guard s.traceFile == nil else {
            throw CallError(SOFTSEAM_ESTATE, "softseam_trace_start: a trace is already being recorded")
        }
        // The one rule of `softseam record`: a name ending in .bin is binary, .jsonl or .json JSON Lines.
        let requested: Trace.FileFormat = format == SOFTSEAM_TRACE_BINARY ? .binary : .json
        do throws(InputError) { _ = try Trace.format(for: path, requested: requested, fallback: requested) } catch {
            throw CallError(SOFTSEAM_EINVAL, "softseam_trace_start: \(error.description)")
        }
        // Refused now rather than lost at softseam_trace_stop: a directory, or one this process cannot write in.
        do throws(InputError) { try FileIO.checkWritable(path) } catch {
            throw CallError(SOFTSEAM_EFILE, "softseam_trace_start: \(error.description)")
        }
        guard !s.changed else {
            throw CallError(
                SOFTSEAM_ESTATE,
                "softseam_trace_start: a trace starts from the TD the config builds; start it before the first call "
                    + "that changes the machine")
        }
        s.traceFile = Session.TraceFile(
            path: path, binary: format == SOFTSEAM_TRACE_BINARY,
            comment: unsafe comment.map { unsafe String(cString: $0) } ?? "")
        s.engine.observer = StepRecorder(limit: s.traceLimit)
        return SOFTSEAM_OK
    }
}

@c public func softseam_trace_stop(_ m: OpaquePointer?) -> Int64 {
    var count: Int64 = 0
    let rc = unsafe Handle.with(m, "softseam_trace_stop") { s throws(CallError) in
        count = Int64(try s.finishTrace())
        return SOFTSEAM_OK
    }
    return rc < 0 ? Int64(rc) : count
}

extension Session {
    /// Sets L1's RVI and PPR on `vcpu` (a valid index). L1 interrupt state has no trace step yet: while
    /// recording this is refused rather than leaving a trace that does not replay.
    func setL1Interrupts(vcpu: Int, rvi: UInt8, ppr: UInt8, caller: String) throws(CallError) {
        guard traceFile == nil else {
            throw CallError(
                SOFTSEAM_ESTATE,
                "\(caller): the trace format has no step for L1's interrupt state yet; stop the trace first")
        }
        do { try engine.machine.setL1VirtualInterruptState(vcpu: vcpu, rvi: rvi, ppr: ppr) } catch {
            throw CallError(SOFTSEAM_ENOVCPU, "\(caller): \(error)")
        }
        changed = true
    }
}

// MARK: The host's shared memory

/// The host's edit of its own shared EPT or memory, through the engine (a host step in a trace).
private func hostShared(_ s: Session, _ op: Step.SharedMemoryOp, _ caller: String) throws(CallError) -> Int32 {
    try s.checkTraceRoom(caller)
    do throws(MachineError) { try s.engine.host(op) } catch { throw CallError(error, caller: caller) }
    s.changed = true
    return SOFTSEAM_OK
}

@c public func softseam_host_map_shared(_ m: OpaquePointer?, _ gpa: UInt64, _ len: UInt64) -> Int32 {
    unsafe Handle.with(m, "softseam_host_map_shared", may: .host) { s throws(CallError) in
        try hostShared(s, .map(gpa: gpa, size: len), "softseam_host_map_shared")
    }
}

@c public func softseam_host_unmap_shared(_ m: OpaquePointer?, _ gpa: UInt64, _ len: UInt64) -> Int32 {
    unsafe Handle.with(m, "softseam_host_unmap_shared", may: .host) { s throws(CallError) in
        try hostShared(s, .unmap(gpa: gpa, size: len), "softseam_host_unmap_shared")
    }
}

@c public func softseam_host_write_shared(_ m: OpaquePointer?, _ gpa: UInt64, _ buf: UnsafeRawPointer?, _ len: UInt)
    -> Int32
{
    unsafe Handle.with(m, "softseam_host_write_shared", may: .host) { s throws(CallError) in
        guard len > 0 else { return SOFTSEAM_OK }
        guard let buf = unsafe buf else { throw CallError(SOFTSEAM_EINVAL, "softseam_host_write_shared: buf is NULL") }
        guard len <= UInt(Int32.max) else {
            throw CallError(
                SOFTSEAM_EMEMORY, "softseam_host_write_shared: \(len) bytes is more than shared memory holds")
        }
        let bytes = unsafe Array(UnsafeRawBufferPointer(start: buf, count: Int(len)))
        return try hostShared(s, .write(Step.MemoryWrite(gpa: gpa, bytes: bytes)), "softseam_host_write_shared")
    }
}

@c public func softseam_host_read_shared(
    _ m: OpaquePointer?, _ gpa: UInt64, _ buf: UnsafeMutableRawPointer?, _ len: UInt
)
    -> Int32
{
    unsafe Handle.with(m, "softseam_host_read_shared", may: .reads) { s throws(CallError) in
        guard len > 0 else { return SOFTSEAM_OK }
        guard let buf = unsafe buf else { throw CallError(SOFTSEAM_EINVAL, "softseam_host_read_shared: buf is NULL") }
        guard len <= UInt(Int32.max) else {
            throw CallError(
                SOFTSEAM_EMEMORY, "softseam_host_read_shared: \(len) bytes is more than shared memory holds")
        }
        let bytes: [UInt8]
        do { bytes = try s.machine.readShared(gpa: gpa, count: Int(len)) } catch {
            throw CallError(SOFTSEAM_EMEMORY, "softseam_host_read_shared: \(error)")
        }
        unsafe bytes.withUnsafeBytes { unsafe buf.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return SOFTSEAM_OK
    }
}
