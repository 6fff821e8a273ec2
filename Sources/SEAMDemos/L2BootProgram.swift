import SEAMCore
import SEAMTypes

/// The CPU side of `L2BootDemo`'s guest: turns the instruction at L2's CS.base + RIP into L2 events, the way
/// the CPU would execute it in VM1.
///
///     instruction at CS.base+RIP ──▶ fetch (checked against VM1's alias, Xs)
///                                ──▶ its effect: register write, store, branch, or an exiting event
///                                ──▶ `.jump` past it when it completed in L2
///
/// An instruction that faults or exits is executed again from its fetch when L2 next runs at the same RIP
/// (`restart()`), as the CPU re-executes it; one that L1 or the module completes has moved RIP on. The
/// source reads RIP, CS base and the GPR image from the machine as the CPU reads its own state; L1 uses
/// TDG.VP.RD instead.
public struct L2BootProgram: L2EventSource, Sendable {
    /// Where the current instruction is, and the index of its next event.
    var position: (linear: UInt64, next: Int)?
    /// RIP of the instruction the last event came from.
    public private(set) var lastRIP: UInt64 = 0
    /// Its index in `L2BootDemo.firmware`; nil when the last event was the CPU entering the interrupt handler.
    public private(set) var lastInstruction: Int?
    /// The RIP the interrupt being handled came in at (what the CPU pushed; IRETQ returns there), nil outside
    /// the handler.
    public private(set) var interruptedRIP: UInt64?

    public init() {}

    /// L2 left and runs again: the instruction at RIP starts over.
    public mutating func restart() { position = nil }

    public mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) throws(MachineError) -> L2Event {
        guard let event = next(vcpu: vcpu, vm: vm, machine: machine) else {
            let rip = machine.vcpus[vcpu].vmcs(vm, .guestRIP) ?? 0
            throw .l2Source("L2 VM \(vm): the built-in program has no instruction at RIP \(hexShort(rip))")
        }
        return event
    }

    /// L2 VM `vm` runs again: its instruction starts over.
    public mutating func entered(vcpu: Int, vm: Int, machine: Machine) { restart() }

    /// The next event, nil when there is no instruction at RIP.
    mutating func next(vcpu: Int, vm: Int, machine: Machine) -> L2Event? {
        let v = machine.vcpus[vcpu]
        guard let rip = v.vmcs(vm, .guestRIP), let csBase = v.vmcs(vm, .guestCSBase) else { return nil }
        // The CPU is delivering an event to L2 (virtual-interrupt delivery or injection at VM entry, reported
        // as the step's `Delivery`): L2 continues in the handler of the vector, whose first event completes the
        // delivery.
        let track = v.deliveryTracks[vm]
        if track.isDelivering {
            guard interruptedRIP == nil, UInt8(truncatingIfNeeded: track.info) == L2BootDemo.timerVector else {
                return nil
            }
            interruptedRIP = rip
            position = nil
            lastRIP = rip
            lastInstruction = nil
            return .jump(rip: L2BootDemo.timerHandler)
        }
        let linear = csBase &+ rip
        if position?.linear != linear { position = (linear, 0) }
        guard let index = L2BootDemo.instructionAt[linear] else { return nil }
        let ins = L2BootDemo.firmware[index]
        let events = L2BootProgram.events(ins, rip: rip, gprs: v.gprs, returnRIP: interruptedRIP ?? rip)
        guard let p = position, p.next < events.count else { return nil }
        position = (linear, p.next + 1)
        lastRIP = rip
        lastInstruction = index
        if case .interruptReturn = ins.effect, p.next + 1 == events.count { interruptedRIP = nil }
        return events[p.next]
    }

    /// The events one execution of `ins` makes: its fetch, then its effect, then a jump past it when the
    /// instruction completes in L2 (for IRETQ, a jump back to `returnRIP`).
    static func events(_ ins: L2BootDemo.Instruction, rip: UInt64, gprs: RegisterFile, returnRIP: UInt64) -> [L2Event] {
        let fetch = L2Event.memory(MemoryAccess(kind: .fetch, gpa: ins.address, size: 1, gla: ins.address))
        let next = L2Event.jump(rip: rip &+ UInt64(ins.length))
        switch ins.effect {
        case .set(let r, let value, let bits):
            return [fetch, .setRegister(r, merge(gprs[r], value, bits: bits)), next]
        case .add(let r, let value, let bits):
            return [fetch, .setRegister(r, merge(gprs[r], gprs[r] &+ value, bits: bits)), next]
        case .or(let r, let value, let bits):
            return [fetch, .setRegister(r, merge(gprs[r], gprs[r] | value, bits: bits)), next]
        case .store(let gpa, let size, let value):
            return [fetch, .memory(MemoryAccess(kind: .write, gpa: gpa, size: size, value: value, gla: gpa)), next]
        case .branch(let target):
            return [fetch, .jump(rip: target)]
        case .event(let e):
            return [fetch, e]
        case .wait(let ticks):
            return [fetch, .time(ticks: ticks), next]
        case .interruptReturn:
            return [fetch, .iret, .jump(rip: returnRIP)]
        case .emulatedByL1:
            return []
        }
    }

    /// `value` written to the low `bits` of `old`: 32-bit writes zero-extend, 8- and 16-bit ones merge.
    static func merge(_ old: UInt64, _ value: UInt64, bits: Int) -> UInt64 {
        switch bits {
        case 8, 16:
            let m: UInt64 = (1 << UInt64(bits)) - 1
            return old & ~m | value & m
        case 32: return value & 0xFFFF_FFFF
        default: return value
        }
    }
}
