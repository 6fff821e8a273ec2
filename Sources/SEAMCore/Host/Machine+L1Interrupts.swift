import SEAMTypes

extension Machine {
    /// Sets what L1's virtual APIC shows TDG.VP.ENTER's pending-interrupt check (check 4 of its entry checks,
    /// tdx-module src/td_transitions/tdg_vp_enter.c): RVI, the requesting virtual interrupt in the low byte of L1's
    /// guest-interrupt status, and PPR, the processor priority in L1's virtual-APIC page. Only the 4-bit priority
    /// classes (bits 7:4) are compared: an entry is refused with TDX_PENDING_INTERRUPT when RVI's class is above PPR's.
    ///
    /// An override, as software writing L1's guest interrupt status and virtual-APIC page would make: VIRR,
    /// VISR, VTPR and SVI stay as they are, and the next TPR write, EOI or delivery recomputes PPR from VTPR
    /// and SVI (SDM Vol. 3C §30.1.3). The host's posted interrupts (`postInterrupt`) and L1's interrupt
    /// acceptance (`l1Interruptible`) move RVI and PPR the way the CPU does.
    /// - Throws: `MachineError.noSuchVCPU`.
    public mutating func setL1VirtualInterruptState(vcpu: Int, rvi: UInt8, ppr: UInt8) throws(MachineError) {
        try checkVCPU(vcpu)
        vcpus[vcpu].l1Interrupts.apic.rvi = rvi
        vcpus[vcpu].l1Interrupts.apic.ppr = ppr
    }
}
