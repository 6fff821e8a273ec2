import CSoftSEAM
import SEAMCore
import SEAMTypes

// MARK: The TD-partitioning SVSM's shared-IRTE ring

@c public func softseam_host_irte_push(
    _ m: OpaquePointer?, _ vcpu: UInt32, _ ringGPA: UInt64, _ irqType: UInt32, _ a: UInt32, _ b: UInt32,
    _ c: UInt32, _ refused: UnsafeMutablePointer<Int32>?
) -> Int32 {
    unsafe Handle.with(m, "softseam_host_irte_push", may: .host) { s throws(CallError) in
        let caller = "softseam_host_irte_push"
        let v = try Handle.vcpu(vcpu, s, caller)
        let event: IRTEEvent
        switch irqType {
        case UInt32(SOFTSEAM_IRQ_MSI):
            guard a <= 0xFF, b <= 0xFF, c <= 0xFF else {
                throw CallError(SOFTSEAM_EINVAL, "\(caller): an MSI's vector, dest_id and mode are bytes")
            }
            event = .msi(mode: UInt8(c), vector: UInt8(a), destID: UInt8(b))
        case UInt32(SOFTSEAM_IRQ_IOAPIC): event = .ioapic(pin: a, level: b, sourceID: c)
        default:
            throw CallError(
                SOFTSEAM_EINVAL,
                "\(caller): irq_type \(irqType) is neither SOFTSEAM_IRQ_IOAPIC (1) nor SOFTSEAM_IRQ_MSI (2)")
        }
        try s.checkPostedInterrupts(v, caller)
        try s.checkTraceRoom(caller)
        let o: StepOutcome
        do throws(MachineError) { o = try s.engine.pushIRTE(vcpu: v, gpa: ringGPA, event) } catch {
            throw CallError(error, caller: caller)
        }
        s.changed = true
        var why: Int32 = 0
        if case .refused(let p) = o.result { why = Int32(p.rawValue) }
        if let refused = unsafe refused { unsafe refused.pointee = why }
        return SOFTSEAM_OK
    }
}

@c public func softseam_irte_ring(_ m: OpaquePointer?, _ vm: UInt32, _ gpa: UnsafeMutablePointer<UInt64>?) -> Int32 {
    unsafe Handle.with(m, "softseam_irte_ring", may: .host) { s throws(CallError) in
        let caller = "softseam_irte_ring"
        guard vm >= 1, Int(vm) <= s.machine.numL2VMs else {
            throw CallError(SOFTSEAM_EINVAL, "\(caller): L2 VM \(vm) does not exist (the TD has \(s.machine.numL2VMs))")
        }
        guard let ring = s.builtInHost.sharedIRTEHeaders[Int(vm) - 1] else {
            throw CallError(
                SOFTSEAM_ESTATE, "\(caller): L1 registered no shared-IRTE ring for VM \(vm) (TDVMCALL 0x20001)")
        }
        if let gpa = unsafe gpa { unsafe gpa.pointee = ring.gpa }
        return SOFTSEAM_OK
    }
}
