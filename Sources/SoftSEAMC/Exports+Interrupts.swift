import CSoftSEAM
import SEAMCore
import SEAMTypes

// MARK: Interrupts: the host's posted interrupts and PEND_NMI, L1's virtual APIC

extension Step.L1Instruction {
    /// An L1 instruction that changes L1's virtual APIC (x2APIC TPR or EOI write, accepting an interrupt):
    /// always a step of a trace, unlike the queries.
    var changesL1Interrupts: Bool {
        switch self {
        case .interruptible: true
        case .wrmsr(let msr, _): msr == 0x808 || msr == 0x80B
        default: false
        }
    }
}

extension Session {
    /// An L1 instruction that changes L1's interrupt state, as a recorded step.
    func l1InterruptStep(vcpu: Int, _ op: Step.L1Instruction, _ caller: String) throws(CallError) -> StepOutcome {
        try checkTraceRoom(caller)
        let o: StepOutcome
        do throws(MachineError) { o = try engine.l1(vcpu: vcpu, op) } catch { throw CallError(error, caller: caller) }
        changed = true
        return o
    }
}

@c public func softseam_post_interrupt(_ m: OpaquePointer?, _ vcpu: UInt32, _ vector: UInt8) -> Int32 {
    unsafe Handle.with(m, "softseam_post_interrupt", may: .host) { s throws(CallError) in
        let caller = "softseam_post_interrupt"
        let v = try Handle.vcpu(vcpu, s, caller)
        try s.checkPostedInterrupts(v, caller)
        try s.checkTraceRoom(caller)
        do throws(MachineError) { try s.engine.host(.postInterrupt(vcpu: v, vectors: [vector], notify: true)) } catch {
            throw CallError(error, caller: caller)
        }
        s.changed = true
        return SOFTSEAM_OK
    }
}

@c public func softseam_pend_nmi(_ m: OpaquePointer?, _ vcpu: UInt32, _ status: UnsafeMutablePointer<UInt64>?) -> Int32
{
    unsafe Handle.with(m, "softseam_pend_nmi", may: .host) { s throws(CallError) in
        let v = try Handle.vcpu(vcpu, s, "softseam_pend_nmi")
        let out = try s.hostCall(
            RegisterFile(
                rax: UInt64(SEAMCallLeaf.vpWr.rawValue), rcx: Machine.tdvpr(vcpu: v), rdx: 0x2020_0000_0000_000B,
                r8: 1, r9: 0xFF),
            caller: "softseam_pend_nmi")
        if let status = unsafe status { unsafe status.pointee = out.rax }
        return SOFTSEAM_OK
    }
}

@c public func softseam_l1_interruptible(_ m: OpaquePointer?, _ vcpu: UInt32, _ vector: UnsafeMutablePointer<Int32>?)
    -> Int32
{
    unsafe Handle.with(m, "softseam_l1_interruptible") { s throws(CallError) in
        let v = try Handle.vcpu(vcpu, s, "softseam_l1_interruptible")
        let o = try s.l1InterruptStep(vcpu: v, .interruptible, "softseam_l1_interruptible")
        // Observed, the engine moved the delivery into the outcome; not observed, the machine still holds it.
        let d = o.delivery ?? s.engine.machine.takeDelivery()
        if let vector = unsafe vector { unsafe vector.pointee = d.map { Int32($0.vector) } ?? -1 }
        return SOFTSEAM_OK
    }
}
