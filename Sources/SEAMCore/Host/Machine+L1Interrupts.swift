import SEAMTypes

extension Machine {
    /// Sets what L1's virtual APIC shows TDG.VP.ENTER's pending-interrupt check (check 4 of its entry checks,
    /// tdx-module src/td_transitions/tdg_vp_enter.c): RVI, the requesting virtual interrupt in the low byte of L1's
    /// guest-interrupt status, and PPR, the processor priority in L1's virtual-APIC page. The host raises RVI by
    /// posting an interrupt to L1; the CPU delivers it to L1 (lowering RVI, raising PPR while it is serviced) without
    /// the module. SoftSEAM does not model that delivery yet, so callers set both values. Only the 4-bit priority
    /// classes (bits 7:4) are compared: an entry is refused with TDX_PENDING_INTERRUPT when RVI's class is above PPR's.
    /// - Throws: `MachineError.noSuchVCPU`.
    public mutating func setL1VirtualInterruptState(vcpu: Int, rvi: UInt8, ppr: UInt8) throws(MachineError) {
        try checkVCPU(vcpu)
        vcpus[vcpu].l1RVI = rvi
        vcpus[vcpu].l1PPR = ppr
    }
}
