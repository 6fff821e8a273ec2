import CSoftSEAM
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes

/// A failed C call: its `SOFTSEAM_E…` code and message.
struct CallError: Error {
    var code: Int32
    var message: String
    init(_ code: Int32, _ message: String) {
        self.code = code
        self.message = message
    }
}

extension CallError {
    /// The machine's refusal of a call made through `caller`: SOFTSEAM_EMEMORY for memory L1 cannot reach,
    /// SOFTSEAM_EL2 for an L2 event or source that failed, SOFTSEAM_ELIMIT for an L2 that reached the event
    /// limit, SOFTSEAM_ESTOPPED where the TDX module would stop, SOFTSEAM_ENOVCPU, else SOFTSEAM_ESTATE.
    init(_ error: MachineError, caller: String) {
        let code: Int32 =
            switch error {
            case .notL1Accessible, .notSharedMemory: SOFTSEAM_EMEMORY
            case .invalidEvent, .l2Source: SOFTSEAM_EL2
            case .l2EventLimit: SOFTSEAM_ELIMIT
            case .moduleStopped: SOFTSEAM_ESTOPPED
            case .noSuchVCPU: SOFTSEAM_ENOVCPU
            case .notFinalized, .vcpuNotThere: SOFTSEAM_ESTATE
            }
        self.init(code, "\(caller): \(error)")
    }
}

extension Session {
    /// Runs L1's TDCALL on `vcpu` to its end through the engine (`Engine.runTDCall`): L2 runs on its VM's
    /// source until it exits to L1, TD exits go to the host (built-in or callback). Returns SOFTSEAM_OK with
    /// L1's registers in `regs`, SOFTSEAM_TD_EXIT with the TD exit's registers when the host did not
    /// resume L1, or SOFTSEAM_INTERRUPTED with L1's registers (RAX unwritten) when an interruptible leaf
    /// stopped for an interrupt pending for L1.
    func runTDCall(vcpu: Int, _ regs: inout RegisterFile) throws(CallError) -> Int32 {
        // A TDG.VP.ENTER runs L2, whose source can fail part-way (a callback's bad event, a used-up events
        // file) or run into the L2 event limit; while a trace is recorded, another TDCALL can pass the trace's
        // limit part-way (`mayFillTrace`). Then the whole call is undone, so a negative result changes nothing
        // and the vCPU is back in L1. Copying the engine is O(1) (its storage is copy-on-write); the first
        // change of each buffer while the checkpoint lives copies that buffer.
        guard UInt16(truncatingIfNeeded: regs.rax) == Leaf.vpEnter.rawValue || traceFile != nil && mayFillTrace
        else { return try run(vcpu: vcpu, &regs) }
        return try runUndoable(vcpu: vcpu, &regs)
    }

    /// `run` with a checkpoint that a failure, or a trace that overflowed, restores. Out of line, so that
    /// `runTDCall` stays small enough to be inlined into `softseam_tdcall` (c_abi_tdcall, callgrind: 407
    /// instructions a call while this was part of it and it was not inlined, 385 now).
    @inline(never)
    private func runUndoable(vcpu: Int, _ regs: inout RegisterFile) throws(CallError) -> Int32 {
        let saved = checkpoint()
        do throws(CallError) {
            let rc = try run(vcpu: vcpu, &regs)
            if engine.observer?.overflowed == true { throw traceFull("softseam_tdcall") }
            return rc
        } catch {
            restore(saved)
            throw error
        }
    }

    /// The trace being recorded is full (`StepRecorder.limit`), as SOFTSEAM_ELIMIT from `caller`.
    func traceFull(_ caller: String) -> CallError {
        CallError(
            SOFTSEAM_ELIMIT,
            "\(caller): the trace being recorded holds its limit of \(traceLimit) steps and the call would add more; "
                + "nothing was done (stop the trace, or raise the limit with softseam_set_trace_limit)")
    }

    /// Whether a TDCALL other than TDG.VP.ENTER may record more steps than the trace being recorded has room
    /// for. With the built-in host it records at most two — the TDCALL, and the host's TDH.VP.ENTER after a
    /// TDG.VP.VMCALL (the host leaves fault-like exits alone) — so it needs no checkpoint while two fit; a host
    /// callback may re-enter a fault-like exit up to `Engine.maxReexecutions` times, each a step more.
    var mayFillTrace: Bool {
        guard unsafe hostCallback == nil, let r = engine.observer else { return true }
        return r.limit.map { $0 - r.steps.count < 2 } ?? false
    }

    /// Refuses a host interrupt for vCPU `v` (a posted interrupt, an IRTE push) while the host has not enabled
    /// posted interrupts for it (pin-based bit 7): SOFTSEAM_ESTATE, naming the three TDH.VP.WR writes it needs.
    func checkPostedInterrupts(_ v: Int, _ caller: String) throws(CallError) {
        guard machine.vcpus[v].l1VMCS.pinBasedControls & 0x80 != 0 else {
            throw CallError(
                SOFTSEAM_ESTATE,
                "\(caller): vCPU \(v) has no posted interrupts: write the notification vector (0x0024000100000002), "
                    + "the PID address (0x0024000300002016) and pin-based bit 7 (0x0024000200004000) with TDH.VP.WR first"
            )
        }
    }

    /// Refuses a call that records one step when the trace being recorded is full: nothing is done.
    func checkTraceRoom(_ caller: String) throws(CallError) {
        if engine.observer?.isFull == true { throw traceFull(caller) }
    }

    /// The TDCALL through the engine. Not recording and not TD-exiting, it costs the engine's fast path: the
    /// machine's call and nothing else (c_abi_tdcall).
    private func run(vcpu: Int, _ regs: inout RegisterFile) throws(CallError) -> Int32 {
        var l2 = SessionL2(session: self)
        var host = SessionHost(session: self)
        let outcome: TDCallOutcome
        do { outcome = try engine.runTDCall(vcpu: vcpu, &regs, l2: &l2, host: &host) } catch {
            throw CallError(error, caller: "softseam_tdcall")
        }
        changed = true
        guard case .tdExit(let exit) = outcome else {
            if case .interrupted = outcome { return SOFTSEAM_INTERRUPTED }
            return SOFTSEAM_OK
        }
        regs = exit.registers
        return SOFTSEAM_TD_EXIT
    }

    /// Everything a TDCALL that runs L2 can change in the session. Of the trace being recorded only its length
    /// is kept: holding the recorder's arrays would make the next step's append copy them (O(steps) per
    /// TDG.VP.ENTER while recording).
    struct Checkpoint {
        var machine: Machine
        var recordedSteps: Int?
        var builtInHost: BuiltInTDVMCallHost
        var l2Sources: [L2Source]
        var queued: [Int: (events: [L2Event], next: Int)]
        var programs: [Int: L2BootProgram]
        var changed: Bool
    }

    func checkpoint() -> Checkpoint {
        Checkpoint(
            machine: engine.machine, recordedSteps: engine.observer?.steps.count, builtInHost: builtInHost,
            l2Sources: l2Sources, queued: queued, programs: programs, changed: changed)
    }

    func restore(_ c: Checkpoint) {
        engine.machine = c.machine
        if let n = c.recordedSteps { engine.observer?.truncate(to: n) }
        builtInHost = c.builtInHost
        l2Sources = c.l2Sources
        queued = c.queued
        programs = c.programs
        changed = c.changed
    }

    /// L2 of `vm` starts running (TDG.VP.ENTER, or the host resumed it): events a callback gave for the last
    /// run are dropped and a built-in program restarts its instruction, since L1 or the host may have changed
    /// L2's state.
    func enteredL2(vcpu: Int, vm: Int) {
        let key = vcpu * 4 + vm
        queued[key] = nil
        programs[key]?.restart()
    }

    /// L2's next event from its source; `machine` is what the engine shows the source (an L2 callback reads it).
    func nextEvent(vcpu: Int, vm: Int, machine: Machine) throws(MachineError) -> L2Event {
        let key = vcpu * 4 + vm
        switch l2Sources[vm] {
        case .none:
            throw .l2Source("L2 VM \(vm) runs, but has no L2 source (softseam_set_l2_…)")
        case .events(let list, let next, let file):
            guard next < list.count else {
                throw .l2Source("L2 VM \(vm): \(file) has no further event (it had \(list.count))")
            }
            l2Sources[vm] = .events(list, next: next + 1, file: file)
            return list[next]
        case .program:
            var p = programs[key] ?? L2BootProgram()
            defer { programs[key] = p }
            return try p.nextEvent(vcpu: vcpu, vm: vm, machine: machine)
        case .callback(let fn, let ctx):
            if let q = queued[key], q.next < q.events.count {
                queued[key] = (q.events, q.next + 1)
                return q.events[q.next]
            }
            let events = try unsafe askCallback(fn, ctx, vcpu: vcpu, vm: vm, machine: machine)
            queued[key] = (events, 1)
            return events[0]
        }
    }

    /// Calls an L2 callback for the next events and parses what it wrote.
    /// While it runs, the read calls it may make see `machine`.
    func askCallback(
        _ fn: softseam_l2_fn, _ ctx: UnsafeMutableRawPointer?, vcpu: Int, vm: Int, machine: Machine
    ) throws(MachineError) -> [L2Event] {
        var state = Session.l2State(machine, vcpu: vcpu, vm: vm)
        var buffer = [CChar](repeating: 0, count: Session.eventBufferSize)
        callback = .l2
        let rc = unsafe withUnsafePointer(to: machine) { view in
            unsafe l2View = view
            defer { l2View = nil }
            return unsafe withUnsafePointer(to: &state) { st in
                unsafe buffer.withUnsafeMutableBufferPointer { b in unsafe fn(ctx, st, b.baseAddress, b.count - 1) }
            }
        }
        callback = nil
        let source = "L2 VM \(vm) callback"
        guard rc == 0 else {
            throw .l2Source(rc == 1 ? "\(source): L2 has nothing more to do" : "\(source) failed with \(rc)")
        }
        buffer[buffer.count - 1] = 0
        let text = unsafe buffer.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) }
        let node: JSONNode
        do throws(InputError) { node = try JSONParser.parse(text, file: source) } catch {
            // Most often a name written without its quotes (hlt for "hlt"): say what an event looks like.
            let shown = text.count > 40 ? "\(text.prefix(40))…" : text
            throw .l2Source(
                "\(error.description) in \"\(shown)\"; L2 events are JSON strings (\"hlt\"), objects "
                    + "({\"io\":{\"port\":\"0x3f8\",\"size\":1,\"dir\":\"out\"}}) or an array of them")
        }
        do throws(InputError) {
            var events: [L2Event] = []
            if case .array(let items) = node.value {
                for item in items { events += try L2EventJSON.parse(item, source) }
            } else {
                events = try L2EventJSON.parse(node, source)
            }
            guard !events.isEmpty else { throw InputError(file: source, field: "event", "no events") }
            return events
        } catch {
            throw .l2Source(error.description)
        }
    }

    /// Bytes an L2 callback may write.
    static let eventBufferSize = 4096

    /// L2's state on `vcpu` as the CPU holds it for VM `vm`.
    static func l2State(_ machine: Machine, vcpu: Int, vm: Int) -> softseam_l2_state_t {
        let v = machine.vcpus[vcpu]
        func f(_ field: VMCSField) -> UInt64 { v.vmcs(vm, field) ?? 0 }
        var s = softseam_l2_state_t()
        s.vcpu = UInt32(vcpu)
        s.vm = UInt32(vm)
        var g = v.gprs
        g.rsp = f(.guestRSP)
        s.gprs = CRegisters.c(g)
        s.rip = f(.guestRIP)
        s.rflags = f(.guestRFLAGS)
        s.cr0 = f(.guestCR0)
        s.cr3 = f(.guestCR3)
        s.cr4 = f(.guestCR4)
        s.efer = f(.guestEFER)
        s.cs_selector = f(.guestCSSelector)
        s.cs_base = f(.guestCSBase)
        s.cs_limit = f(.segmentLimit(1))
        s.cs_access_rights = f(.guestCSAccessRights)
        if let d = Session.delivering(machine, vcpu: vcpu, vm: vm) {
            s.delivering = 1
            s.delivery = d
        }
        return s
    }

    /// The event the CPU is delivering to L2 VM `vm` on `vcpu` now (its `DeliveryTrack`: delivered by the last
    /// step, completed by L2's next event), or nil. How it got there is the machine's last delivery when that
    /// is this event (the engine leaves the last step's delivery there), else `SOFTSEAM_VIA_UNKNOWN`.
    static func delivering(_ machine: Machine, vcpu: Int, vm: Int) -> softseam_delivery_t? {
        guard vm >= 1, vm <= 3 else { return nil }
        let track = machine.vcpus[vcpu].deliveryTracks[vm]
        guard track.isDelivering else { return nil }
        let info = InterruptionInfo(track.info)
        var d = softseam_delivery_t()
        d.vm = UInt32(vm)
        d.vector = UInt8(truncatingIfNeeded: info.vector)
        d.type = UInt8(truncatingIfNeeded: info.type.rawValue)
        d.has_error_code = info.hasErrorCode ? 1 : 0
        d.error_code = d.has_error_code == 1 ? track.errorCode : 0
        d.count = track.deliveries
        d.via = UInt8(SOFTSEAM_VIA_UNKNOWN)
        if let last = machine.lastDelivery, last.vm == vm, last.info.rawValue & 0xFFF == track.info & 0xFFF,
            last.count == track.deliveries
        {
            let code: Int32 =
                switch last.via {
                case .virtualInterrupt: SOFTSEAM_VIA_VIRTUAL_INTERRUPT
                case .entryInjection: SOFTSEAM_VIA_ENTRY_INJECTION
                case .reinjection: SOFTSEAM_VIA_REINJECTION
                case .pendingNMI: SOFTSEAM_VIA_PENDING_NMI
                }
            d.via = UInt8(code)
        }
        return d
    }
}

/// The L2 source the engine runs a session's L2 on: each VM's callback, events file or built-in program.
struct SessionL2: L2EventSource {
    @safe unowned(unsafe) let session: Session

    mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) throws(MachineError) -> L2Event {
        try session.nextEvent(vcpu: vcpu, vm: vm, machine: machine)
    }

    mutating func entered(vcpu: Int, vm: Int, machine: Machine) { session.enteredL2(vcpu: vcpu, vm: vm) }
}

/// The TD-exit handler of a session: the host callback when one is set, else the built-in host. The
/// callback gets every TD exit, fault-like exits of L1's TDCALLs included; what it does with the vCPU is its
/// first TDH.VP.ENTER that re-entered it (`Session.hostCall`).
struct SessionHost: TDExitHandler {
    @safe unowned(unsafe) let session: Session

    mutating func handle<O: StepObserver>(_ exit: TDExit, vcpu: Int, engine: inout Engine<O>) -> HostEntryOutcome? {
        guard let (fn, ctx) = session.hostCallback else {
            return session.builtInHost.handle(exit, vcpu: vcpu, engine: &engine)
        }
        var info = softseam_td_exit_t()
        info.vcpu = UInt32(vcpu)
        info.vm = UInt32(exit.vm)
        info.exit_reason = exit.exitReason.rawValue
        info.regs = CRegisters.c(exit.registers)
        // No callback runs inside another: from one, softseam_tdcall (the only call that runs callbacks) is refused.
        session.callback = .host(vcpu: vcpu)
        session.hostEntry = nil
        unsafe withUnsafeMutablePointer(to: &engine) { running in
            // The session's engine is the only one a session runs (`O` is its observer type).
            precondition(O.self == StepRecorder?.self, "a session runs Engine<StepRecorder?>")
            unsafe session.running = UnsafeMutableRawPointer(running).assumingMemoryBound(
                to: Engine<StepRecorder?>.self)
            defer { session.running = nil }
            unsafe withUnsafePointer(to: &info) { p in unsafe fn(ctx, Handle.opaque(session), p) }
        }
        session.callback = nil
        return session.hostEntry
    }
}
