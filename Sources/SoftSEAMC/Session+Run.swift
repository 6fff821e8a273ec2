import CSoftSEAM
import SEAMCore
import SEAMTrace
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

extension Session {
    /// Carries out one step on the machine — an L1 TDCALL or store, an L2 event, a host SEAMCALL — and, while
    /// a trace is being recorded, appends it with its outcome and state hash. Marks the machine changed.
    func step(_ s: Scenario.Step, caller: String) throws(CallError) -> StepOutcome {
        var outcome: StepOutcome
        do { outcome = try machine.perform(s, file: caller) } catch {
            let code: Int32 =
                switch error.field {
                case "write.gpa": SOFTSEAM_EMEMORY
                case "event": SOFTSEAM_EL2
                default: SOFTSEAM_ESTATE
                }
            throw CallError(code, error.description)
        }
        changed = true
        if recorder != nil {
            outcome.hash = machine.cachedStateHash()
            recorder!.steps.append(s)
            recorder!.outcomes.append(outcome)
        }
        return outcome
    }

    /// Runs L1's TDCALL on `vcpu` to its end, the way L1 lives it: L2 runs on its VM's source until it exits to
    /// L1, TD exits go to the host (built-in or callback). Returns SOFTSEAM_OK with L1's registers in `regs`,
    /// or SOFTSEAM_TD_EXIT with the TD exit's registers when the host did not resume L1.
    func runTDCall(vcpu: Int, _ regs: inout RegisterFile) throws(CallError) -> Int32 {
        // A TDG.VP.ENTER runs L2, whose source can fail part-way (a callback's bad event, a used-up events
        // file): then the whole call is undone, so a negative result changes nothing and the vCPU is back in
        // L1. Copying the machine is O(1) (its storage is copy-on-write); the first change of each buffer
        // while the checkpoint lives copies that buffer.
        guard UInt16(truncatingIfNeeded: regs.rax) == Leaf.vpEnter.rawValue else {
            return try tdcall(vcpu: vcpu, &regs)
        }
        let saved = checkpoint()
        do { return try tdcall(vcpu: vcpu, &regs) } catch {
            restore(saved)
            throw error
        }
    }

    /// `runTDCall` without the checkpoint: the TDCALL, run again each time the host callback resolves a
    /// fault-like TD exit and re-enters L1, as L1 re-executes it on hardware.
    private func tdcall(vcpu: Int, _ regs: inout RegisterFile) throws(CallError) -> Int32 {
        let input = regs
        var result = try execute(vcpu: vcpu, &regs)
        if case .completed = result { return SOFTSEAM_OK }  // most leaves: no TD exit, no L2
        var reexecutions = 0
        while true {
            switch try follow(result, vcpu: vcpu, &regs) {
            case .done(let rc): return rc
            case .reexecute(let exit):
                guard reexecutions < Session.maxReexecutions else {
                    regs = exit  // the host re-entered as often as allowed without resolving the exit
                    return SOFTSEAM_TD_EXIT
                }
                reexecutions += 1
                regs = input
                result = try execute(vcpu: vcpu, &regs)
            }
        }
    }

    /// How often one `softseam_tdcall` runs a TDCALL again after fault-like TD exits the host callback
    /// re-entered without resolving (a host that never adds the page would otherwise loop for ever).
    static let maxReexecutions = 1000

    /// How following a TDCALL ended.
    enum End {
        case done(Int32)
        /// The host callback re-entered L1 after this fault-like TD exit: run the TDCALL again.
        case reexecute(exit: RegisterFile)
    }

    /// The TDCALL itself, once: what it did.
    private func execute(vcpu: Int, _ regs: inout RegisterFile) throws(CallError) -> StepResult {
        guard recorder == nil else {
            let first = try step(Scenario.Step(actor: .l1(vcpu: vcpu), registers: regs), caller: "softseam_tdcall")
            if let r = first.registers { regs = r }
            return first.result
        }
        // Not recording: the TDCALL straight on the machine, with `perform`'s checks and outcome mapping, so
        // a leaf that completes costs no step value (c_abi_tdcall: 1,822 → 437 instructions per call).
        guard machine.opState == .runnable else {
            throw CallError(
                SOFTSEAM_ESTATE,
                "softseam_tdcall: L1 cannot run before the host's TDH.MR.FINALIZE (the TD is INITIALIZED)")
        }
        let outcome: TDCallOutcome
        do { outcome = try machine.tdcall(vcpu: vcpu, &regs) } catch {
            throw CallError(SOFTSEAM_ESTATE, "softseam_tdcall: vcpu: \(error)")
        }
        changed = true
        switch outcome {
        case .completed: return .completed
        case .tdExit(let e): return .tdExit(e.registers)
        case .enteredL2(let vm): return .l2(vm: vm)
        }
    }

    /// Everything a TDCALL that runs L2 can change in the session.
    struct Checkpoint {
        var machine: Machine
        var builtInHost: BuiltInTDVMCallHost
        var l2Sources: [L2Source]
        var queued: [Int: (events: [L2Event], next: Int)]
        var programs: [Int: L2BootProgram]
        var recordedSteps: Int
        var changed: Bool
    }

    func checkpoint() -> Checkpoint {
        Checkpoint(
            machine: machine, builtInHost: builtInHost, l2Sources: l2Sources, queued: queued, programs: programs,
            recordedSteps: recorder?.steps.count ?? 0, changed: changed)
    }

    func restore(_ c: Checkpoint) {
        machine = c.machine
        builtInHost = c.builtInHost
        l2Sources = c.l2Sources
        queued = c.queued
        programs = c.programs
        if recorder != nil {
            recorder!.steps.removeSubrange(c.recordedSteps...)
            recorder!.outcomes.removeSubrange(c.recordedSteps...)
        }
        changed = c.changed
    }

    /// Follows a step's result until L1 runs again (or the host gives up on the vCPU).
    func follow(_ result: StepResult, vcpu: Int, _ regs: inout RegisterFile) throws(CallError) -> End {
        var result = result
        var running: Int?  // the L2 VM running, while one is
        while true {
            switch result {
            case .completed, .moduleHandled:
                // An L1 TDCALL that completed, or an L2 event that L2 (or the module for it) completed.
                guard let vm = running else { return .done(SOFTSEAM_OK) }
                result = try runL2(vcpu: vcpu, vm: vm)
            case .l1(let r):
                regs = r
                return .done(SOFTSEAM_OK)
            case .l2(let vm):
                running = vm
                enteredL2(vcpu: vcpu, vm: vm)
                result = try runL2(vcpu: vcpu, vm: vm)
            case .tdExit(let exit):
                running = nil
                let faultLike = machine.vcpus[vcpu].location == .l1
                let entry = try hostHandles(TDExit(registers: exit), vcpu: vcpu, faultLike: faultLike)
                switch entry {
                case .l1(let r)?: result = .l1(r)
                case .l2(let vm)?: result = .l2(vm: vm)
                case .reentered? where faultLike:
                    // L1's registers are untouched by a fault-like exit; re-entered, it runs the TDCALL again.
                    return .reexecute(exit: exit)
                default:
                    regs = exit
                    return .done(SOFTSEAM_TD_EXIT)
                }
            }
        }
    }

    /// One L2 event of `vm` on `vcpu`, from its source.
    func runL2(vcpu: Int, vm: Int) throws(CallError) -> StepResult {
        let event = try nextEvent(vcpu: vcpu, vm: vm)
        var s = Scenario.Step(actor: .l2(vm: vm, vcpu: vcpu), registers: RegisterFile())
        s.events = [event]
        return try step(s, caller: "L2 VM \(vm)").result
    }

    /// The host's answer to a TD exit: the built-in host's TDH.VP.ENTER, or what the host callback did — the
    /// first re-entry of the vCPU it made. Nil when nothing re-entered it. The built-in host leaves fault-like
    /// exits alone: it cannot add what L1's TDCALL missed, and re-entering would only repeat the exit.
    func hostHandles(_ exit: TDExit, vcpu: Int, faultLike: Bool) throws(CallError) -> HostEntry? {
        guard let (fn, ctx) = hostCallback else {
            guard !faultLike else { return nil }
            let entry = builtInHost.entry(after: exit, vcpu: vcpu)
            let o = try step(Scenario.Step(actor: .host, registers: entry), caller: "built-in host")
            return HostEntry(o)
        }
        var info = softseam_td_exit_t()
        info.vcpu = UInt32(vcpu)
        info.vm = UInt32(exit.vm)
        info.exit_reason = exit.exitReason.rawValue
        info.regs = CRegisters.c(exit.registers)
        // No callback runs inside another: from one, softseam_tdcall (the only call that runs callbacks) is refused.
        callback = .host(vcpu: vcpu)
        hostEntry = nil
        unsafe withUnsafePointer(to: &info) { p in unsafe fn(ctx, Handle.opaque(self), p) }
        callback = nil
        return hostEntry
    }

    /// L2 of `vm` starts running (TDG.VP.ENTER, or the host resumed it): events a callback gave for the last
    /// run are dropped and a built-in program restarts its instruction, since L1 or the host may have changed
    /// L2's state.
    func enteredL2(vcpu: Int, vm: Int) {
        let key = vcpu * 4 + vm
        queued[key] = nil
        programs[key]?.restart()
    }

    /// L2's next event from its source.
    func nextEvent(vcpu: Int, vm: Int) throws(CallError) -> L2Event {
        let key = vcpu * 4 + vm
        switch l2Sources[vm] {
        case .none:
            throw CallError(SOFTSEAM_EL2, "L2 VM \(vm) runs, but has no L2 source (softseam_set_l2_…)")
        case .events(let list, let next, let file):
            guard next < list.count else {
                throw CallError(SOFTSEAM_EL2, "L2 VM \(vm): \(file) has no further event (it had \(list.count))")
            }
            l2Sources[vm] = .events(list, next: next + 1, file: file)
            return list[next]
        case .program:
            var p = programs[key] ?? L2BootProgram()
            let event = p.nextEvent(vcpu: vcpu, vm: vm, machine: machine)
            programs[key] = p
            guard let event else {
                let rip = machine.vcpus[vcpu].vmcs(vm, .guestRIP) ?? 0
                throw CallError(
                    SOFTSEAM_EL2, "L2 VM \(vm): the built-in program has no instruction at RIP \(hexShort(rip))")
            }
            return event
        case .callback(let fn, let ctx):
            if let q = queued[key], q.next < q.events.count {
                queued[key] = (q.events, q.next + 1)
                return q.events[q.next]
            }
            let events = try unsafe askCallback(fn, ctx, vcpu: vcpu, vm: vm)
            queued[key] = (events, 1)
            return events[0]
        }
    }

    /// Calls an L2 callback for the next events and parses what it wrote.
    func askCallback(_ fn: softseam_l2_fn, _ ctx: UnsafeMutableRawPointer?, vcpu: Int, vm: Int) throws(CallError)
        -> [L2Event]
    {
        var state = l2State(vcpu: vcpu, vm: vm)
        var buffer = [CChar](repeating: 0, count: Session.eventBufferSize)
        callback = .l2
        let rc = unsafe withUnsafePointer(to: &state) { st in
            unsafe buffer.withUnsafeMutableBufferPointer { b in unsafe fn(ctx, st, b.baseAddress, b.count - 1) }
        }
        callback = nil
        let source = "L2 VM \(vm) callback"
        guard rc == 0 else {
            throw CallError(
                SOFTSEAM_EL2, rc == 1 ? "\(source): L2 has nothing more to do" : "\(source) failed with \(rc)")
        }
        buffer[buffer.count - 1] = 0
        let text = unsafe buffer.withUnsafeBufferPointer { unsafe String(cString: $0.baseAddress!) }
        do throws(InputError) {
            let node = try JSONParser.parse(text, file: source)
            var events: [L2Event] = []
            if case .array(let items) = node.value {
                for item in items { events += try L2EventJSON.parse(item, source) }
            } else {
                events = try L2EventJSON.parse(node, source)
            }
            guard !events.isEmpty else { throw InputError(file: source, field: "event", "no events") }
            return events
        } catch {
            throw CallError(SOFTSEAM_EL2, error.description)
        }
    }

    /// Bytes an L2 callback may write.
    static let eventBufferSize = 4096

    /// L2's state on `vcpu` as the CPU holds it for VM `vm`.
    func l2State(vcpu: Int, vm: Int) -> softseam_l2_state_t {
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
        return s
    }
}
