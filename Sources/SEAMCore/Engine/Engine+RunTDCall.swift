import SEAMTypes

extension Engine {
    /// How often one `runTDCall` runs a TDCALL again after fault-like TD exits that the host re-entered
    /// without resolving (a host that never adds the page would otherwise loop for ever).
    public static var maxReexecutions: Int { 1000 }

    /// The default `l2EventLimit`: 100,000 L2 events in one TDG.VP.ENTER. A real L2 does not run that long
    /// without exiting to L1: an L1 that keeps its scheduler tick gets the CPU back at each tick (every 1 to
    /// 10 ms at HZ 1000 to 100), and at about a microsecond per VM exit an L2 cannot make more than some
    /// 10,000 exits the module sees in 10 ms. Ten times that still ends a runaway source (a callback that
    /// never exits) within about a second, and bounds what a trace being recorded holds for one TDCALL.
    public static var defaultL2EventLimit: Int { 100_000 }

    /// Runs one L1 TDCALL to its end, the way L1 lives it: a TDG.VP.ENTER runs L2 on events from `l2` until
    /// L2 exits to L1, at most `l2EventLimit` of them (counted across TD exits the host resumed L2 from);
    /// TD exits go to `host`. After a fault-like exit that the host re-entered, the TDCALL runs again (L1's
    /// registers are untouched by such an exit), at most `maxReexecutions` times: the exit after the last one
    /// is not handed to the host.
    ///
    /// Returns `.completed` with L1's registers in `regs` — the TDCALL's outputs, L2's exit to L1, or the
    /// host's completion of a TDG.VP.VMCALL or RESUME_L1 — or `.tdExit` when the host did not re-enter L1
    /// (the vCPU then waits for the host; `regs` are L1's, untouched), or `.interrupted` when an interruptible
    /// leaf stopped for an interrupt pending for L1 (`Machine.l1InterruptPending`): RAX is not written (only
    /// INVVPID's RDX is), the call is not complete, and it is not re-executed here — on hardware L1 takes the
    /// interrupt first, so the caller (L1) handles it and executes the same TDCALL again, which continues.
    /// `comment` goes with the TDCALL's steps.
    /// - Throws: what the machine's entry points throw, the L2 source's `.l2Source`, and `.l2EventLimit` when
    ///   L2 ran `l2EventLimit` events without exiting to L1. The machine is then as the events left it: a
    ///   caller that wants the call undone keeps a copy from before (the C ABI does).
    @inlinable
    public mutating func runTDCall<Source: L2EventSource, Host: TDExitHandler>(
        vcpu: Int, _ regs: inout RegisterFile, l2: inout Source, host: inout Host, comment: String? = nil
    ) throws(MachineError) -> TDCallOutcome {
        var outcome = try tdcall(vcpu: vcpu, &regs, comment: comment)
        if case .completed = outcome { return .completed }  // most leaves: no TD exit, no L2
        var reexecutions = 0
        var l2Events = 0
        while true {
            switch outcome {
            case .completed:
                return .completed
            case .interrupted:
                return .interrupted  // L1 takes its interrupt, then executes the TDCALL again itself
            case .enteredL2(let vm):
                l2.entered(vcpu: vcpu, vm: vm, machine: machine)
                outcome = try runL2(vcpu: vcpu, vm: vm, &regs, l2: &l2, events: &l2Events)
            case .tdExit(let exit):
                // Decided by the exit, not by what the handler reports: only after a fault-like exit does a
                // re-entry without registers mean "run the TDCALL again". The exit after the last allowed
                // re-execution goes back to the caller unanswered, the vCPU waiting for the host.
                let faultLike = machine.vcpus[vcpu].pendingExit?.kind == .l1FaultLike
                if faultLike && reexecutions == Self.maxReexecutions { return outcome }
                switch host.handle(exit, vcpu: vcpu, engine: &self) {
                case .resumedL1(let r?)?:
                    regs = r
                    return .completed
                case .resumedL1(nil)? where faultLike:
                    reexecutions += 1
                    outcome = try tdcall(vcpu: vcpu, &regs, comment: comment)
                case nil, .failed?, .resumedL1(nil)?:
                    return outcome
                case .resumedL2(let vm)?:
                    outcome = .enteredL2(vm: vm)
                case .tdExit(let again)?:
                    return .tdExit(again)  // the entry TD-exited at once: back to the caller, the vCPU waiting
                }
            }
        }
    }

    /// L2 VM `vm` runs on `vcpu` until it exits to L1 (`.completed`, L1's registers in `regs`) or TD-exits;
    /// `events` counts the L2 events of the whole TDCALL against `l2EventLimit`.
    @inlinable
    mutating func runL2<Source: L2EventSource>(
        vcpu: Int, vm: Int, _ regs: inout RegisterFile, l2: inout Source, events: inout Int
    ) throws(MachineError) -> TDCallOutcome {
        while true {
            guard events < l2EventLimit else {
                throw .l2EventLimit(
                    vcpu: vcpu, vm: vm, rip: machine.vcpus[vcpu].vmcs(vm, .guestRIP) ?? 0, count: events)
            }
            events += 1
            let event = try l2.nextEvent(vcpu: vcpu, vm: vm, machine: machine)
            switch try l2Event(vcpu: vcpu, vm: vm, event, comment: observer.isObserving ? l2.comment : nil) {
            case .continued, .moduleHandled: continue
            case .exitToL1(let r):
                regs = r
                return .completed
            case .tdExit(let exit):
                return .tdExit(exit)
            }
        }
    }
}
