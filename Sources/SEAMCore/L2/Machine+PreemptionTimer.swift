import SEAMTypes

/// The L2 TSC-deadline timer and the TD's virtual TSC.
///
/// **Virtual time.** `virtualTSC` starts at 0 when the TD is built and advances only by an explicit L2 event,
/// `time` (`L2Event.time(ticks:)`): that many ticks pass while L2 runs. Nothing else moves it — not a TDCALL,
/// not a host SEAMCALL, not another L2 event — so a run is a function of its steps and every trace without
/// `time` events behaves as it did before the clock existed. The model's native TSC equals the virtual TSC
/// (TSC_FREQUENCY is the platform's, so the TSC multiplier is 1.0 and the offset 0).
///
/// **TSC_DEADLINE[vm]** (TDVPS, written by L1 with TDG.VP.WR; module `src/common/metadata_handlers/metadata_vp.c`,
/// the TSC_DEADLINE cases of `md_vp_element_tdvps_wr_handle`): all ones disables the timer; a value at or before
/// the current virtual TSC is kept as written and fires at once on the next entry (the module's native shadow
/// is then "now", which fires the same way); a later value converts to native TSC — with the model's
/// multiplier of 1.0 the division cannot overflow and the result cannot be 0, but a deadline 2^63 or more
/// ticks after now wraps the module's signed check and fails with plain TDX_OPERAND_INVALID (no operand id),
/// leaving the field as it was. A write for VM 0 or for a VM the TD does not have is stored and ignored.
///
/// **Arming** (module `src/common/helpers/helpers.c`, `set_vmx_preemption_timer`): every entry into L2 —
/// TDG.VP.ENTER (`src/td_transitions/tdg_vp_enter.c`), the module resuming L2 after an exit it handled
/// (`src/td_dispatcher/tdx_td_l2_dispatcher.c`, before `tdx_return_to_td`) and the host's TDH.VP.ENTER back
/// into L2 (`src/td_transitions/tdh_vp_enter.c`, when CURR_VM ≠ 0) — arms the VMX-preemption timer from the
/// stored deadline: pin-based control bit 6 (activate VMX-preemption timer) set and the timer value =
/// deadline − now, 0 for a deadline not after now, at most 2^32 − 1 (the timer is 32 bits; the model's CPU
/// reports a preemption-timer rate of 0 in IA32_VMX_MISC, so the timer counts every TSC tick), or bit 6
/// cleared for a deadline of all ones. L1 sees bit 6 with TDG.VP.RD of the pin-based controls from that entry
/// on (a failed TDG.VP.ENTER included: the module arms before VMRESUME). A timer value of 0 makes the first thing after the entry a VM exit 52 (SDM Vol. 3C §26.6.4, "VMX-
/// Preemption Timer": the exit comes before any guest instruction, with its normal priority after any event
/// injection), which the L2 dispatcher sends to L1. The deadline is not one-shot: the module never clears it,
/// so every later entry exits again until L1 writes all ones or a later deadline.
///
/// **Expiry inside a span.** The timer value field (hidden from L1) holds the running count while L2 runs. A
/// `time` event of n ticks on a vCPU whose timer is armed ends early when the timer expires within it — after
/// c ticks, c being the smaller of the count (less than deadline − now only when the 32-bit cap shortened it)
/// and deadline − now (smaller than the count when another vCPU's time events moved the TD-wide TSC): the
/// TSC advances by c, L2 exits to L1 with reason 52 and the rest of the span does not pass. Otherwise the TSC
/// advances by n and the count drops by n.
extension Machine {
    /// Pin-based VM-execution control bit 6, "activate VMX-preemption timer".
    static let activatePreemptionTimer: UInt64 = 1 << 6
    /// The largest VMX-preemption timer value (the timer is 32 bits).
    static let maxPreemptionTimerValue: UInt64 = 0xFFFF_FFFF
    /// Record key of the virtual TSC in the state hash (added to the digest word while the TSC is not 0).
    static let virtualTSCRecordKey: UInt64 = 0x54 << 56

    /// The virtual TSC's part of the state hash: 0 (no record) while the TSC is 0, so a TD whose clock never
    /// ran hashes as it did before the clock existed.
    var timeRecordHash: UInt64 {
        virtualTSC == 0 ? 0 : StateHash.vcpuRecordHash(Machine.virtualTSCRecordKey, virtualTSC)
    }

    /// Arms VM `vm`'s VMX-preemption timer from TSC_DEADLINE[vm] as every entry into L2 does, and returns the
    /// exit 52 that ends the entry at once when the deadline is not after the virtual TSC, else nil. Called last
    /// on each path into L2, after the VM entry succeeded (and after any event injection); also when
    /// TDG.VP.ENTER's VM entry fails, with the exit dropped, because the module arms before VMRESUME. Inlined: with no
    /// deadline and the timer not armed by an earlier entry (every entry of an L1 that never programs one) it
    /// is two loads and compares and builds no optional.
    @inline(__always)
    public mutating func preemptionTimerExit(vcpu i: Int, vm: Int) -> L2ExitInfo? {
        if vcpus[i].tscDeadline[vm] == ~0
            && vcpus[i].vmcs(vm, L2VMCSRow.pinBasedControls) & Machine.activatePreemptionTimer == 0
        {
            return nil
        }
        return armPreemptionTimer(vcpu: i, vm: vm)
    }

    /// `preemptionTimerExit` past its fast path: bit 6 cleared for a deadline of all ones, else set with the
    /// timer value, and the immediate exit 52 when that value is 0.
    @inline(never)
    mutating func armPreemptionTimer(vcpu i: Int, vm: Int) -> L2ExitInfo? {
        let deadline = vcpus[i].tscDeadline[vm]
        let pin = vcpus[i].vmcs(vm, L2VMCSRow.pinBasedControls)
        if deadline == ~0 {
            vcpus[i].setVMCS(vm, L2VMCSRow.pinBasedControls, pin & ~Machine.activatePreemptionTimer)
            return nil
        }
        vcpus[i].setVMCS(vm, L2VMCSRow.pinBasedControls, pin | Machine.activatePreemptionTimer)
        let count = deadline <= virtualTSC ? 0 : min(deadline - virtualTSC, Machine.maxPreemptionTimerValue)
        vcpus[i].setVMCS(vm, L2VMCSRow.vmxPreemptionTimerValue, count)
        return count == 0 ? L2ExitInfo(.preemptionTimer) : nil
    }

    /// Ends an entry into L2 the module made after handling an exit itself: L2 resumes (`moduleHandled`), or
    /// the armed timer has already expired and L2 exits to L1 with reason 52 at once.
    mutating func resumeL2(_ i: Int, _ vm: Int, handled reason: ExitReason) -> L2Outcome {
        guard let timer = preemptionTimerExit(vcpu: i, vm: vm) else { return .moduleHandled(reason) }
        return exitToL1(i, vm, timer)
    }

    /// An L2 `time` event: `ticks` TSC ticks pass while VM `vm` runs, or fewer when its armed timer expires
    /// first (then exit 52 to L1 at that tick). The timer expires when its count runs out (the 32-bit cap) or
    /// when the TD-wide TSC reaches the deadline, whichever comes first: another vCPU's `time` events move the
    /// TSC too, and a deadline they passed expires at this vCPU's next event, with no time passing.
    /// - Throws: `.invalidEvent` when the span would carry the virtual TSC past 2^64 − 1 (the TD's TSC starts
    ///   at 0 and does not wrap).
    mutating func timePasses(_ i: Int, _ vm: Int, ticks: UInt64) throws(MachineError) -> L2Outcome {
        let armed = vcpus[i].vmcs(vm, L2VMCSRow.pinBasedControls) & Machine.activatePreemptionTimer != 0
        var left = UInt64.max  // ticks until the timer expires
        if armed {
            let deadline = vcpus[i].tscDeadline[vm]
            left = min(
                vcpus[i].vmcs(vm, L2VMCSRow.vmxPreemptionTimerValue), deadline <= virtualTSC ? 0 : deadline - virtualTSC
            )
        }
        let passing = min(ticks, left)
        guard virtualTSC <= UInt64.max - passing else {
            throw .invalidEvent(
                "time.ticks: \(hexShort(ticks)) ticks would carry the virtual TSC \(hexShort(virtualTSC)) past 2^64 − 1"
            )
        }
        virtualTSC += passing
        guard armed else { return .continued }
        let count = vcpus[i].vmcs(vm, L2VMCSRow.vmxPreemptionTimerValue)
        vcpus[i].setVMCS(vm, L2VMCSRow.vmxPreemptionTimerValue, count - min(count, passing))
        guard passing == left else { return .continued }
        return exitToL1(i, vm, L2ExitInfo(.preemptionTimer))
    }
}

extension Machine {
    /// Whether TDG.VP.WR may store `deadline` in TSC_DEADLINE[vm] (module `metadata_vp.c`, the TSC_DEADLINE
    /// cases of `md_vp_element_tdvps_wr_handle`): always for VM 0 or a VM the TD lacks (stored and ignored),
    /// for all ones (disabled) and for a deadline at or before the virtual TSC (kept as written; the native
    /// shadow is "now"). A later deadline converts to native TSC with the model's multiplier of 1.0 — no
    /// division overflow, never 0 — and is refused only when native − now is negative as a signed 64-bit value
    /// (2^63 ticks or more ahead: the module's wrap-around check).
    func tscDeadlineConverts(_ deadline: UInt64, vm: Int) -> Bool {
        guard vm >= 1, vm <= numL2VMs, deadline != ~0, deadline > virtualTSC else { return true }
        return Int64(bitPattern: deadline &- virtualTSC) >= 0
    }
}
