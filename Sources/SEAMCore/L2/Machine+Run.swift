import SEAMTypes

/// Where L2's behaviour comes from when L1 enters it: a scripted list, a callback, or (later) an emulator.
public protocol L2EventSource {
    /// The next event of L2 VM `vm` on `vcpu`, which `machine` shows as it is now; nil when there is none
    /// (the run stops with an error).
    mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) -> L2Event?
}

/// An L2 program as a list of events, one list per VM, consumed in order.
public struct ScriptedL2: L2EventSource, Sendable {
    public var events: [Int: [L2Event]]
    var positions: [Int: Int] = [:]
    public init(_ events: [Int: [L2Event]]) { self.events = events }
    public mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) -> L2Event? {
        let p = positions[vm, default: 0]
        guard let list = events[vm], p < list.count else { return nil }
        positions[vm] = p + 1
        return list[p]
    }
}

/// An L2 whose behaviour a callback supplies: on each step it gets the vCPU, the VM and the machine (L2's
/// registers are `machine.vcpus[vcpu].gprs`, its VMCS `machine.vcpus[vcpu].vmcs(vm, field)`) and returns the
/// next event, or nil to stop.
public struct CallbackL2: L2EventSource {
    public var next: (_ vcpu: Int, _ vm: Int, _ machine: Machine) -> L2Event?
    public init(_ next: @escaping (_ vcpu: Int, _ vm: Int, _ machine: Machine) -> L2Event?) { self.next = next }
    public func nextEvent(vcpu: Int, vm: Int, machine: Machine) -> L2Event? { next(vcpu, vm, machine) }
}

/// An L2 program that repeats one event for ever (benchmarks, stress tests).
public struct RepeatingL2: L2EventSource, Sendable {
    public var event: L2Event
    public init(_ event: L2Event) { self.event = event }
    public func nextEvent(vcpu: Int, vm: Int, machine: Machine) -> L2Event? { event }
}

extension Machine {
    /// Runs one L1 TDCALL to its end, the way L1 experiences it: a TDG.VP.ENTER runs L2 on events from
    /// `l2` until L2 exits to L1, and TD exits go to `host`, which re-enters the vCPU. Returns `.completed`
    /// with L1's registers in `regs`, or `.tdExit` for a fault-like exit after which L1 must re-execute the
    /// TDCALL (the host re-entered L1, or could not re-enter at all).
    /// - Throws: `MachineError` for API misuse, an event the model cannot carry out, or an L2 source that
    ///   ran out of events.
    public mutating func runTDCall<Source: L2EventSource, Host: TDExitHandler>(
        vcpu i: Int, _ regs: inout RegisterFile, l2: inout Source, host: inout Host
    ) throws(MachineError) -> TDCallOutcome {
        var outcome = try tdcall(vcpu: i, &regs)
        while true {
            switch outcome {
            case .completed:
                return .completed
            case .tdExit(let exit):
                if case .l1 = vcpus[i].location { return outcome }  // fault-like: L1 re-executes the TDCALL
                switch host.handle(exit, vcpu: i, machine: &self) {
                case .failed: return outcome
                case .resumedL1(let r):
                    guard let r else { return outcome }
                    regs = r
                    return .completed
                case .resumedL2(let vm): outcome = .enteredL2(vm: vm)
                }
            case .enteredL2(let vm):
                guard let event = l2.nextEvent(vcpu: i, vm: vm, machine: self) else {
                    throw .invalidEvent("L2 VM \(vm) has no further event")
                }
                switch try l2Event(vcpu: i, event) {
                case .continued, .moduleHandled: outcome = .enteredL2(vm: vm)
                case .exitToL1(let r):
                    regs = r
                    return .completed
                case .tdExit(let exit): outcome = .tdExit(exit)
                }
            }
        }
    }
}
