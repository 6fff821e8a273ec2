import SEAMTypes

/// What the CPU's APIC virtualization does for L1 (SDM Vol. 3C chapter 30): L1's TD VMCS has virtual-interrupt
/// delivery, x2APIC virtualization and APIC-register virtualization, and the TD's MSR bitmap lets L1's x2APIC
/// TPR, PPR, EOI, ISR and IRR accesses through (Specs: bitmap bit 0), so the CPU answers them from L1's virtual
/// APIC (`L1Interrupts.apic`) without the module.
///
///     L1 "interruptible" step ──▶ RVI[7:4] > VPPR[7:4] ? ──▶ virtual-interrupt delivery (§30.2.2), Delivery(vm 0)
///     L1 WRMSR 0x80B (EOI) ──▶ EOI virtualization (§30.1.4)      L1 WRMSR 0x808 (TPR) ──▶ TPR virtualization (§30.1.2)
///     L1 RDMSR 0x808 / 0x80A / 0x810…0x817 / 0x820…0x827 ──▶ VTPR / VPPR / VISR / VIRR (§30.5)
extension Machine {
    /// L1 on `vcpu` is interruptible (RFLAGS.IF = 1, no STI or MOV-SS blocking): the CPU delivers the pending
    /// virtual interrupt when RVI[7:4] > VPPR[7:4] — VISR[RVI] = 1, SVI = RVI, PPR virtualization,
    /// VIRR[RVI] = 0, RVI = the highest vector left in VIRR — and L1 takes vector RVI through its IDT. Returns
    /// the delivery (also `lastDelivery`), or nil when nothing is deliverable.
    /// - Throws: `.noSuchVCPU`, `.vcpuNotThere` when the vCPU is not running L1.
    @discardableResult
    public mutating func l1Interruptible(vcpu i: Int) throws(MachineError) -> Delivery? {
        try checkRunsL1(i)
        guard let v = vcpus[i].l1Interrupts.apic.deliver() else { return nil }
        let d = Delivery(vm: 0, info: InterruptionInfo(vector: v, type: .externalInterrupt), via: .virtualInterrupt)
        lastDelivery = d
        return d
    }

    /// L1's RDMSR of an x2APIC register the CPU reads from the virtual-APIC page (SDM §30.5, APIC-register
    /// virtualization): TPR 0x808, PPR 0x80A, ISR 0x810…0x817 and IRR 0x820…0x827 (32 vectors each, EDX = 0);
    /// nil for every other MSR.
    func l1VirtualAPICRead(_ i: Int, _ msr: UInt32) -> UInt64? {
        let apic = vcpus[i].l1Interrupts.apic
        func dword(_ bits: VectorBits, _ n: UInt32) -> UInt64 {
            bits.word(Int(n / 2)) >> (UInt64(n % 2) * 32) & 0xFFFF_FFFF
        }
        switch msr {
        case 0x808: return UInt64(apic.tpr)
        case 0x80A: return UInt64(apic.ppr)
        case 0x810...0x817: return dword(apic.isr, msr - 0x810)
        case 0x820...0x827: return dword(apic.irr, msr - 0x820)
        default: return nil
        }
    }

    /// L1's WRMSR of the x2APIC TPR (0x808) or EOI (0x80B), which the CPU virtualizes (SDM §30.5): #GP(0) when
    /// TPR's bits 63:8 or any EOI bit is set, else `.none`; nil for every other MSR. Changes nothing (see
    /// `executeL1VirtualAPICWrite`).
    func l1VirtualAPICWriteFault(_ msr: UInt32, _ value: UInt64) -> L1Fault? {
        switch msr {
        case 0x808: value >> 8 == 0 ? L1Fault.none : .gp
        case 0x80B: value == 0 ? L1Fault.none : .gp
        default: nil
        }
    }

    /// The write `l1VirtualAPICWriteFault` allows, carried out: TPR virtualization or EOI virtualization.
    mutating func executeL1VirtualAPICWrite(_ i: Int, _ msr: UInt32, _ value: UInt64) {
        if msr == 0x808 {
            vcpus[i].l1Interrupts.apic.writeTPR(UInt8(truncatingIfNeeded: value))
        } else {
            vcpus[i].l1Interrupts.apic.eoi()
        }
    }
}
