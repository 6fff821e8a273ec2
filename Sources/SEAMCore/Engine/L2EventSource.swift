import SEAMTypes

/// Where L2's behaviour comes from while L1 runs it: a scripted list, a callback, a built-in program, or
/// (later) a CPU emulator. `Engine.runTDCall` asks it for each event.
public protocol L2EventSource {
    /// The next event of L2 VM `vm` on `vcpu`, which `machine` shows as it is now.
    /// - Throws: `MachineError.l2Source` when there is none (the run stops with that error).
    mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) throws(MachineError) -> L2Event
    /// L2 VM `vm` starts running on `vcpu` (TDG.VP.ENTER, or the host resumed it): L1 or the host may have
    /// changed its state since the last event.
    mutating func entered(vcpu: Int, vm: Int, machine: Machine)
    /// A note on the event last given, for observers (the demo's instruction text); nil by default.
    var comment: String? { get }
}

extension L2EventSource {
    public mutating func entered(vcpu: Int, vm: Int, machine: Machine) {}
    public var comment: String? { nil }
}

/// An L2 program as a list of events, one list per VM, consumed in order.
public struct ScriptedL2: L2EventSource, Sendable {
    public var events: [Int: [L2Event]]
    var positions: [Int: Int] = [:]
    public init(_ events: [Int: [L2Event]]) { self.events = events }
    public mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) throws(MachineError) -> L2Event {
        let p = positions[vm, default: 0]
        guard let list = events[vm], p < list.count else { throw .l2Source("L2 VM \(vm) has no further event") }
        positions[vm] = p + 1
        return list[p]
    }
}

/// The L2 events of one TDG.VP.ENTER, in order, whichever VM it entered (an l1-observed trace's step).
public struct EventList: L2EventSource, Sendable {
    public var events: [L2Event]
    /// How many were given.
    public private(set) var used = 0
    public init(_ events: [L2Event]) { self.events = events }
    public mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) throws(MachineError) -> L2Event {
        guard used < events.count else {
            throw .l2Source("L2 VM \(vm) ran all \(events.count) of its events without exiting to L1")
        }
        defer { used += 1 }
        return events[used]
    }
}

/// An L2 whose behaviour a callback supplies: on each step it gets the vCPU, the VM and the machine (L2's
/// registers are `machine.vcpus[vcpu].gprs`, its VMCS `machine.vcpus[vcpu].vmcs(vm, field)`) and returns the
/// next event, or nil to stop.
public struct CallbackL2: L2EventSource {
    public var next: (_ vcpu: Int, _ vm: Int, _ machine: Machine) -> L2Event?
    public init(_ next: @escaping (_ vcpu: Int, _ vm: Int, _ machine: Machine) -> L2Event?) { self.next = next }
    public func nextEvent(vcpu: Int, vm: Int, machine: Machine) throws(MachineError) -> L2Event {
        guard let e = next(vcpu, vm, machine) else { throw .l2Source("L2 VM \(vm): the callback stopped") }
        return e
    }
}
