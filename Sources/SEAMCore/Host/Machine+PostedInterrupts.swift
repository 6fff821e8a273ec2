import SEAMTypes

/// The host reaches L1 only through posted interrupts and PEND_NMI (module
/// `src/common/metadata_handlers/metadata_vp.c`, `src/td_dispatcher/vm_exits_l2/td_l2_interrupt.c`,
/// `src/td_transitions/tdh_vp_enter.c`, `src/td_dispatcher/tdx_td_dispatcher.c`,
/// `src/td_dispatcher/vm_exits/td_other_exits.c`; SDM Vol. 3C §30.6):
///
///     host post_interrupt ──▶ PID.PIR |= vectors, PID.ON = 1 ──notify──▶ IPI with L1's notification vector
///        vCPU runs L1   ──▶ the CPU's posted-interrupt processing: ON = 0, VIRR |= PIR, RVI = max(RVI, top)
///        vCPU runs L2   ──▶ external-interrupt exit with that vector ──▶ the module: ON = 0, EOI,
///                           VIRR |= PIR, RVI raised only by a vector ≥ 31; RVI[7:4] > PPR[7:4] ?
///                             yes ──▶ L2→L1 exit TDX_L2_EXIT_PENDING_INTERRUPT │ no ──▶ L2 resumes
///        vCPU at the host ──▶ taken when the host next enters it (as either of the above)
///     host TDH.VP.WR PEND_NMI ──▶ NMI injected into L1 at the next L1 entry the module makes:
///        TDH.VP.ENTER into L1 (RESUME_L1 included) │ end of an L1 TDCALL, CPUID, RDMSR or WRMSR it completes
///        — not on an L2→L1 exit
extension Machine {
    /// Whether the host enabled posted interrupts on `vcpu` (pin-based bit 7 of L1's TD VMCS).
    @inline(__always) func postedInterruptsEnabled(_ i: Int) -> Bool {
        vcpus[i].l1VMCS.pinBasedControls & 0x80 != 0
    }

    /// The host's `post_interrupt` step: it sets `vectors` in the PIR of the descriptor it gave `vcpu`, sets
    /// ON and, with `notify`, sends the notification IPI with L1's notification vector. Returns what L2 did
    /// when the IPI reached a vCPU running L2 (an L2→L1 exit, or `.moduleHandled(1)` when L2 resumed), else
    /// nil.
    ///
    /// While L1 runs, the CPU processes the descriptor at once (`processPostedInterrupts`). While the vCPU
    /// is out at the host the IPI is not taken: ON stays set, and the host's next TDH.VP.ENTER takes it
    /// (`hostEnter`): a host with posted interrupts sends itself the notification vector before it enters a
    /// vCPU whose ON is set, as Linux KVM's TDX entry path does when `pi_has_pending_interrupt`.
    /// - Throws: `.noSuchVCPU`; `.notFinalized` before TDH.MR.FINALIZE (no vCPU runs); `.invalidEvent` when
    ///   `notify` is given and the host has not enabled posted interrupts on the vCPU (pin-based bit 7): the
    ///   IPI would then be an ordinary external interrupt, whose TD exit from L1 SoftSEAM does not model.
    public mutating func postInterrupt(vcpu i: Int, vectors: [UInt8], notify: Bool) throws(MachineError)
        -> L2Outcome?
    {
        try checkVCPU(i)
        guard opState == .runnable else { throw .notFinalized }
        if notify && !postedInterruptsEnabled(i) {
            throw .invalidEvent(
                "post_interrupt: vCPU \(i) has no posted interrupts enabled (TDH.VP.WR of pin-based bit 7 first)")
        }
        for v in vectors { vcpus[i].l1Interrupts.pid.pir[v] = true }
        vcpus[i].l1Interrupts.pid.on = true
        guard notify else { return nil }
        switch vcpus[i].location {
        case .l1:
            processPostedInterrupts(i)
            return nil
        case .l2(let vm):
            return l2PostedInterrupt(i, vm)
        case .host:
            return nil
        }
    }

    /// The CPU's posted-interrupt processing while L1 runs (SDM §30.6): ON = 0, VIRR |= PIR, PIR = 0, RVI =
    /// max(RVI, highest PIR vector). No vector filter.
    mutating func processPostedInterrupts(_ i: Int) {
        var l = vcpus[i].l1Interrupts
        l.pid.on = false
        let pir = l.pid.pir
        l.pid.pir = VectorBits()
        l.apic.irr.formUnion(pir)
        if let top = pir.highest, top > l.apic.rvi { l.apic.rvi = top }
        vcpus[i].l1Interrupts = l
    }

    /// L1's notification vector arrived while L2 VM `vm` runs (module `td_l2_interrupt.c`,
    /// `handle_l2_posted_interrupt`): ON = 0 and EOI to the physical APIC (even with an empty PIR); the whole
    /// PIR into VIRR; RVI = max(RVI, highest posted vector) only when that vector is ≥ 31. Then RVI[7:4] >
    /// PPR[7:4] → L2→L1 exit with TDX_L2_EXIT_PENDING_INTERRUPT, exit reason 1 and R9 = the external-interrupt
    /// information with the notification vector; otherwise the module resumes L2 (`.moduleHandled(1)`).
    mutating func l2PostedInterrupt(_ i: Int, _ vm: Int) -> L2Outcome {
        var l = vcpus[i].l1Interrupts
        l.pid.on = false
        let pir = l.pid.pir
        l.pid.pir = VectorBits()
        l.apic.irr.formUnion(pir)
        if let top = pir.highest, top >= 31, top > l.apic.rvi { l.apic.rvi = top }
        vcpus[i].l1Interrupts = l
        // Resumed by the module: the timer re-armed (`resumeL2`); an event this exit interrupted is re-injected
        // by `l2DuringDelivery`.
        guard l.apic.hasDeliverable else { return resumeL2(i, vm, handled: .externalInterrupt) }
        let nv = UInt8(truncatingIfNeeded: vcpus[i].l1VMCS.postedInterruptVector)
        let info = L2ExitInfo(
            .externalInterrupt, interruptionInfo: InterruptionInfo(vector: nv, type: .externalInterrupt).rawValue)
        return .exitToL1(l2ToL1Exit(vcpu: i, vm: vm, info, status: .l2ExitPendingInterrupt))
    }

    /// An external interrupt with `vector` while L2 runs is L1's notification (the module's path) when the
    /// host enabled posted interrupts and `vector` is L1's notification vector.
    @inline(__always) func isL1Notification(_ i: Int, _ vector: UInt8) -> Bool {
        postedInterruptsEnabled(i) && vcpus[i].l1VMCS.postedInterruptVector == UInt16(vector)
    }

    /// After the host entered `vcpu` (`hostEnter`): a notification still owed (ON set, posted interrupts
    /// enabled) is taken, by the CPU in L1 or by the module in L2 (which may turn the entry into an L2→L1
    /// exit); entering L1, an armed PEND_NMI is delivered.
    mutating func afterHostEntry(_ i: Int, _ outcome: HostEntryOutcome) -> HostEntryOutcome {
        let l = vcpus[i].l1Interrupts
        guard l.pendNMI != 0 || l.pid.on else { return outcome }
        switch outcome {
        case .resumedL1:
            if l.pid.on && postedInterruptsEnabled(i) { processPostedInterrupts(i) }
            deliverPendingNMI(i)
        case .resumedL2(let vm):
            if l.pid.on && postedInterruptsEnabled(i), case .exitToL1(let r) = l2PostedInterrupt(i, vm) {
                return .resumedL1(registers: r)
            }
        default: break
        }
        return outcome
    }

    /// The module enters L1 with PEND_NMI set and no #VE pending (VE_INFO.VALID = 0): it arms NMI-window
    /// exiting in L1's VMCS, the window exit follows at once and `td_nmi_exit` injects the NMI (vector 2,
    /// type NMI) and clears PEND_NMI (`tdh_vp_enter.c`, `tdx_td_dispatcher.c`, `td_other_exits.c`).
    /// SoftSEAM does not model L1's NMI blocking, so the window is open.
    mutating func deliverPendingNMI(_ i: Int) {
        guard vcpus[i].l1Interrupts.pendNMI != 0, !vcpus[i].veInfo.isValid else { return }
        vcpus[i].l1Interrupts.pendNMI = 0
        lastDelivery = Delivery(
            vm: 0, info: InterruptionInfo(vector: ExceptionVector.nmi, type: .nmi), via: .pendingNMI)
    }
}
