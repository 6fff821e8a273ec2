import SEAMCore
import SEAMTypes

extension L2BootDemo {
    /// What the demo's L2 source and its observer share: the instruction L2 last ran. A class, because the
    /// engine holds the source and the observer apart.
    final class L2Trail {
        var rip: UInt64 = 0
        var instruction = ""
    }

    /// The built-in L2 program, noting each instruction in the trail for the exit log and the steps' comments.
    struct DemoL2: L2EventSource {
        var program = L2BootProgram()
        let trail: L2Trail

        init(trail: L2Trail) { self.trail = trail }

        mutating func nextEvent(vcpu: Int, vm: Int, machine: Machine) throws(MachineError) -> L2Event {
            let event = try program.nextEvent(vcpu: vcpu, vm: vm, machine: machine)
            trail.rip = program.lastRIP
            trail.instruction =
                program.lastInstruction.map { L2BootDemo.firmware[$0].text }
                ?? "(interrupt: to the handler at \(hexShort(L2BootDemo.timerHandler)))"
            return event
        }

        mutating func entered(vcpu: Int, vm: Int, machine: Machine) { program.restart() }

        var comment: String? { trail.instruction }
    }

    /// Sees every step of the demo: keeps them (replaying them rebuilds the machine), counts L1's and L2's
    /// (the log's step numbers), and logs what L1 does not see — the exits the module handled, TD exits from
    /// L2, the events delivered to L2 (the step's `Delivery`) and the EOIs the CPU virtualized.
    struct DemoObserver: StepObserver {
        let trail: L2Trail
        var inputs: [Step] = []
        var steps = 0
        var log: [LogEntry] = []

        var isObserving: Bool { true }

        mutating func observe(_ step: Step, _ outcome: StepOutcome, machine: Machine) {
            inputs.append(step)
            guard step.actor != .host else { return }
            steps += 1
            if let d = outcome.delivery, d.vm >= 1 {
                log.append(
                    LogEntry(
                        step: steps, vm: d.vm, reason: nil, route: .cpu,
                        rip: machine.vcpus[0].vmcs(d.vm, .guestRIP),  // the demo has one vCPU
                        instruction: "(event delivery)", note: DemoObserver.deliveryNote(d)))
            }
            guard case .l2(let vm, let vcpu) = step.actor, let event = step.events.first else { return }
            if event == .eoi, case .completed = outcome.result {
                log.append(
                    LogEntry(
                        step: steps, vm: vm, reason: nil, route: .cpu, rip: trail.rip, instruction: trail.instruction,
                        note: "x2APIC EOI: the CPU virtualizes it (VISR, SVI, VPPR), no exit"))
            }
            switch outcome.result {
            case .moduleHandled(let reason):
                let value = DemoObserver.writtenValue(event, machine.vcpus[vcpu].gprs)
                log.append(
                    LogEntry(
                        step: steps, vm: vm, reason: ExitReason(reason), route: .module, rip: trail.rip,
                        instruction: trail.instruction, note: "the module applies \(hexShort(value)), resumes L2"))
            case .tdExit(let registers):
                let exit = TDExit(registers: registers)
                log.append(
                    LogEntry(
                        step: steps, vm: exit.vm, reason: exit.exitReason, route: .host, rip: trail.rip,
                        instruction: trail.instruction, note: DemoObserver.hostNote(exit)))
            default:
                break
            }
        }

        /// The value a module-handled instruction writes: the CR source register, or EDX:EAX for WRMSR (the
        /// module leaves L2's GPRs as they were).
        static func writtenValue(_ event: L2Event, _ g: RegisterFile) -> UInt64 {
            switch event {
            case .movToCR(_, let gpr): g[Int(gpr)]
            case .wrmsr: g.rdx << 32 | g.rax & 0xFFFF_FFFF
            default: 0
            }
        }

        /// `vector 0xec (external) delivered to L2 by virtual-interrupt delivery (RVI), 1st time`.
        static func deliveryNote(_ d: Delivery) -> String {
            let how =
                switch d.via {
                case .virtualInterrupt: "virtual-interrupt delivery (RVI)"
                case .entryInjection: "VM-entry injection (0x4016)"
                case .reinjection: "the module's re-injection (IDT vectoring)"
                case .pendingNMI: "PEND_NMI"
                }
            return "vector \(hexShort(UInt64(d.vector))) (\(d.info.type.name)) delivered to L2 by \(how), "
                + "delivery #\(d.count)"
        }

        static func hostNote(_ exit: TDExit) -> String {
            let r = exit.registers
            guard exit.exitReason == .tdcall, r.r11 == 30, r.r13 == 1 else { return "\(exit)" }
            return
                "TDVMCALL <IO>: the host writes \(L2BootDemo.printable(r.r15)) to port \(hexShort(r.r14)), resumes L2"
        }
    }
}
