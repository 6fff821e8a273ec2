import SEAMTypes

extension Machine {
    /// Whether an interrupt is pending for L1 on `vcpu` while one of its interruptible TDCALLs runs: the test
    /// TDG.MEM.PAGE.ACCEPT makes after each 4K chunk of a 2M page but the last
    /// (`src/td_dispatcher/vm_exits/tdg_mem_page_accept.c`) and TDG.VP.INVVPID after each GLA list entry
    /// (`src/td_dispatcher/vm_exits/tdg_vp_invvpid.c`). Every interruptible leaf asks here and nowhere else.
    ///
    /// The module calls `is_interrupt_pending_guest_side` (`src/common/helpers/helpers.h`): IA32_INTR_PENDING
    /// (MSR 0x9A, readable in SEAM mode) is non-zero — a physical INTR, NMI, SMI or other event is waiting on the
    /// logical processor, which it would take as soon as the module resumed the TD. SoftSEAM has no physical
    /// events: the only interrupt that reaches L1 is the host's posted interrupt, which the model merges into
    /// L1's virtual APIC at once (`softseam_post_interrupt`). So the model stands in L1's virtual-interrupt state
    /// for the MSR: an interrupt is pending when RVI's priority class (bits 7:4) is above PPR's, i.e. L1's
    /// virtual APIC would deliver it (`setL1VirtualInterruptState`).
    ///
    /// TDG.VP.ENTER's TDX_PENDING_INTERRUPT check (`src/td_transitions/tdg_vp_enter.c`) is a different test in
    /// the module — it reads RVI from L1's guest-interrupt status and PPR from L1's virtual-APIC page, not the
    /// MSR — and stays in `tdgVPEnter`, even though today both compare the same two values.
    ///
    /// The model has no clock, so "an interrupt arrives between two chunks" means this is true when the leaf
    /// starts, and stays true for the whole call (nothing in the leaf changes L1's interrupt state).
    @inline(__always)
    public func l1InterruptPending(vcpu: Int) -> Bool {
        vcpus[vcpu].l1RVI >> 4 > vcpus[vcpu].l1PPR >> 4
    }
}
