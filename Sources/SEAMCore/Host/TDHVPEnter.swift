import SEAMTypes

/// What a host TDH.VP.ENTER did.
public enum HostEntryOutcome: Hashable, Sendable {
    /// The SEAMCALL failed with this status; the vCPU did not run.
    case failed(TDXStatus)
    /// L1 runs again. `registers` completes the TDCALL L1 was waiting in — its TDG.VP.VMCALL, or its
    /// TDG.VP.ENTER after a RESUME_L1 — and is nil when L1 runs again with its own registers: after a
    /// fault-like exit (it re-executes the TDCALL), or when the vCPU never left L1.
    case resumedL1(registers: RegisterFile?)
    /// L2 VM `vm` runs again.
    case resumedL2(vm: Int)
    /// The entry TD-exited again before the vCPU ran: re-entering L2 found the guest-state buffer or the
    /// virtual-APIC page no longer translatable (an EPT violation, module `tdh_vp_enter.c`,
    /// `emulate_ept_violation_td_exit`). TDH.VP.ENTER returns these registers; the vCPU still waits for the host.
    case tdExit(TDExit)
}

extension Machine {
    /// TDH.VP.ENTER's RCX bit 53, RESUME_L1: after an L2 TD exit, resume L1 (its TDG.VP.ENTER returns) instead
    /// of L2.
    public static let resumeL1: UInt64 = 1 << 53
    /// TDH.VP.ENTER's RCX bit 52, HOST_RECOVERABILITY_HINT.
    public static let hostRecoverabilityHint: UInt64 = 1 << 52

    /// The TDVPR HPA SoftSEAM gives vCPU `vcpu`: what the host passes in TDH.VP.ENTER's RCX bits 51:12.
    public static func tdvpr(vcpu: Int) -> UInt64 { 0x20_0000_0000 + UInt64(vcpu) << 12 }

    /// The vCPU whose TDVPR HPA is in bits 51:12 of `rcx` (TDH.VP.ENTER's operand) in a TD of `vcpuCount`
    /// vCPUs, or nil when it is no vCPU's.
    public static func vcpu(tdvpr rcx: UInt64, vcpuCount: Int) -> Int? {
        let hpa = rcx & .mask(51, 12)
        guard hpa >= tdvpr(vcpu: 0), hpa < tdvpr(vcpu: vcpuCount) else { return nil }
        return Int((hpa - Machine.tdvpr(vcpu: 0)) >> 12)
    }

    /// TDH.VP.ENTER (SEAMCALL 0) from registers: RCX = TDVPR HPA | HOST_RECOVERABILITY_HINT (bit 52) |
    /// RESUME_L1 (bit 53); reserved bits 11:0 and 63:54 → OPERAND_INVALID(RCX), as is an HPA that is no
    /// vCPU's TDVPR. On entry RAX = TDX_SUCCESS: the vCPU runs until its next TD exit, which the call that
    /// causes it reports.
    mutating func tdhVPEnter(_ regs: inout RegisterFile) -> HostEntryOutcome? {
        let rcx = regs.rcx
        guard rcx & (.mask(11, 0) | .mask(63, 54)) == 0, let vcpu = Machine.vcpu(tdvpr: rcx, vcpuCount: vcpuCount)
        else {
            hostStatus(&regs, .operandInvalid.with(.rcx))
            return nil
        }
        let outcome = hostEnter(
            vcpu: vcpu, resumeL1: rcx & Machine.resumeL1 != 0, hostRegisters: regs,
            recoverabilityHint: rcx & Machine.hostRecoverabilityHint != 0)
        switch outcome {
        case .failed(let status): hostStatus(&regs, status)
        case .resumedL1, .resumedL2: hostStatus(&regs, .success)
        case .tdExit(let exit): regs = exit.registers
        }
        return outcome
    }

    /// The host re-enters `vcpu` (tdx-module src/td_transitions/tdh_vp_enter.c: tdh_vp_enter, handle_l2_entry,
    /// set_l2_to_l1_async_exit_gprs, save_regs_after_tdvmcall; src/td_transitions/td_exit.c async_tdexit_internal).
    ///
    /// After a TDG.VP.VMCALL from L1, the GPRs its mask selected are copied from `hostRegisters` into L1's
    /// and the call completes with RAX = 0. After a TD exit from L2: without `resumeL1`, L2 resumes (a routed
    /// TDVMCALL gets the selected GPRs, RAX = 0 and its RCX back); with it, L1's TDG.VP.ENTER returns
    /// TDX_L2_EXIT_HOST_ROUTED_ASYNC or _TDVMCALL with the exit information the VMCS holds (R13 = 0), L2's
    /// state written to its buffer. After a fault-like exit of an L1 TDCALL, L1 resumes and runs that TDCALL
    /// again. RESUME_L1 while L1 is current → OPERAND_INVALID(RCX). A vCPU that never left L1 simply goes on
    /// running it.
    ///
    /// A fatal TD: TD_FATAL. Before TDH.MR.FINALIZE no vCPU may run: OP_STATE_INCORRECT.
    /// HOST_RECOVERABILITY_HINT is valid only after an ASYNC_TRAP TD exit (a host-priority lock timeout,
    /// tdx-module src/td_transitions/tdh_vp_enter.c), which SoftSEAM never raises: with the hint the call fails
    /// with OPERAND_INVALID(RCX), checked after the TD's state and before RESUME_L1.
    ///
    /// Once the vCPU runs again, a posted-interrupt notification still owed is taken and an armed PEND_NMI
    /// delivered (`afterHostEntry`).
    public mutating func hostEnter(
        vcpu i: Int, resumeL1: Bool, hostRegisters h: RegisterFile, recoverabilityHint: Bool = false
    ) -> HostEntryOutcome {
        guard i >= 0 && i < vcpuCount else { return .failed(.operandInvalid.with(.rcx)) }
        let outcome = enterVCPU(i, resumeL1: resumeL1, hostRegisters: h, recoverabilityHint: recoverabilityHint)
        return afterHostEntry(i, outcome)
    }

    /// `hostEnter` up to the vCPU running again.
    mutating func enterVCPU(_ i: Int, resumeL1: Bool, hostRegisters h: RegisterFile, recoverabilityHint: Bool)
        -> HostEntryOutcome
    {
        guard !isFatal else { return .failed(.tdFatal) }
        guard opState == .runnable else { return .failed(.opStateIncorrect) }  // not finalized yet
        guard !recoverabilityHint else { return .failed(.operandInvalid.with(.rcx)) }
        if case .l2 = vcpus[i].location { return .failed(.vcpuStateIncorrect) }  // running: the host cannot enter it
        // RESUME_L1 is only for an exit from L2 (CURR_VM ≠ 0), and the module checks it before it adjusts the TLB
        // tracking state below: that failure changes nothing (tdx-module src/td_transitions/tdh_vp_enter.c, the
        // resume_l1 check ahead of adjust_tlb_tracking_state). Past it, RESUME_L1 means a pending exit from L2:
        // the L1 cases below never see it.
        if resumeL1, vcpus[i].pendingExit.map({ $0.vm == 0 }) ?? true { return .failed(.operandInvalid.with(.rcx)) }
        // The TD epoch (module `tdh_vp_enter.c`, `adjust_tlb_tracking_state`): a vCPU whose last entry was in an
        // older epoch drops every soft-translated GPA (buffer and virtual-APIC pages of all VMs). Epoch 0 = not
        // sampled yet: nothing is cached before the vCPU's first TDG.VP.ENTER, which samples it (SoftSEAM does
        // not model the TDH.VP.ENTER that first starts L1; a TRACK between a host entry and that first
        // TDG.VP.ENTER is therefore not seen by the next host entry).
        if vcpus[i].translationEpoch != tdEpoch && vcpus[i].translationEpoch != 0 {
            vcpus[i].translationsCached = 0
            vcpus[i].translationEpoch = tdEpoch
        }
        let pending: VCPU.PendingTDExit
        switch vcpus[i].location {
        case .l1:
            return .resumedL1(registers: nil)
        case .l2:
            return .failed(.vcpuStateIncorrect)
        case .host:
            pending = vcpus[i].pendingExit!
        }
        let vm = pending.vm
        // Re-entering L2 (no RESUME_L1) translates the buffer and virtual-APIC GPAs again if the epoch check
        // dropped them (`translate_gpas`); completing an L2 TDVMCALL into L1 (RESUME_L1) translates the buffer
        // (`translate_l2_enter_guest_state_gpa`). A page that is no longer a guest-accessible leaf: an emulated
        // EPT-violation TD exit — RAX 48, RCX = write (bit 1) | VM << 32, R8 = the page, the rest 0 — and the
        // vCPU keeps waiting with its exit pending. (The module has copied an L2 TDVMCALL's outputs before
        // translating; SoftSEAM copies them on the entry that succeeds.)
        if let failed = untranslatableGPA(vcpu: i, vm: vm, pending.kind, resumeL1: resumeL1) {
            return .tdExit(.eptViolation(gpa: failed, qualification: 2, vm: vm))
        }
        switch pending.kind {
        case .l1FaultLike:
            vcpus[i].location = .l1
            return .resumedL1(registers: nil)
        case .l1CrossTDTrap:
            vcpus[i].location = .l1
            return .resumedL1(registers: vcpus[i].gprs)
        case .l1TDVMCall:
            var r = vcpus[i].gprs
            Machine.copySelected(from: h, into: &r, mask: pending.exit.rcx)
            r.rax = TDXStatus.success.rawValue
            vcpus[i].gprs = r
            vcpus[i].location = .l1
            return .resumedL1(registers: r)
        case .l2TDVMCall:
            var g = vcpus[i].gprs
            Machine.copySelected(from: h, into: &g, mask: pending.exit.rcx)
            g.rax = TDXStatus.success.rawValue
            g.rcx = pending.exit.rcx & 0xFFFF_FFFF
            vcpus[i].gprs = g
            return reenterAfterL2Exit(vcpu: i, vm: vm, resumeL1: resumeL1, routing: .tdvmcall)
        case .l2Async:
            return reenterAfterL2Exit(vcpu: i, vm: vm, resumeL1: resumeL1, routing: .async)
        }
    }

    /// After a TD exit from L2: resume L2, or with RESUME_L1 end L1's TDG.VP.ENTER with
    /// TDX_L2_EXIT_HOST_ROUTED_TDVMCALL or _ASYNC and the exit information the VMCS holds.
    mutating func reenterAfterL2Exit(vcpu i: Int, vm: Int, resumeL1: Bool, routing: VCPU.HostRouting)
        -> HostEntryOutcome
    {
        guard resumeL1 else {
            vcpus[i].location = .l2(vm: vm)
            if case .exitToL1(let r)? = hostResumesL2(i, vm, routing: routing) { return .resumedL1(registers: r) }
            return .resumedL2(vm: vm)
        }
        vcpus[i].hostRouting = routing
        writeBackGuestState(vcpu: i, vm: vm)
        let status: TDXStatus = routing == .tdvmcall ? .l2ExitHostRoutedTDVMCall : .l2ExitHostRoutedAsync
        return .resumedL1(registers: completeL1Entry(vcpu: i, vm: vm, exitInfoFromVMCS(i, vm), status: status))
    }

    /// The GPA whose translation fails when the host re-enters a vCPU that TD-exited from VM `vm`, or nil:
    /// without RESUME_L1 the buffer then the virtual-APIC page, with it (after an L2 TDVMCALL) the buffer.
    mutating func untranslatableGPA(vcpu i: Int, vm: Int, _ kind: VCPU.PendingTDExit.Kind, resumeL1: Bool) -> UInt64? {
        guard kind == .l2Async || kind == .l2TDVMCall, !resumeL1 || kind == .l2TDVMCall else { return nil }
        let buffer = vcpus[i].guestStateGPA[vm]
        guard translate(vcpu: i, 1 << UInt8(vm), buffer) else { return buffer }
        guard !resumeL1 else { return nil }
        let vapic = vcpus[i].vmcs(vm, L2VMCSLayout.virtualAPICAddress)
        guard translate(vcpu: i, 1 << UInt8(vm + 4), vapic) else { return vapic }
        return nil
    }

    /// Copies the GPRs a TDVMCALL select mask names (bits 2…15) from `source`.
    static func copySelected(from source: RegisterFile, into target: inout RegisterFile, mask: UInt64) {
        for n in 2..<16 where mask >> UInt64(n) & 1 != 0 { target[n] = source[n] }
    }

    /// The exit information VM `vm`'s VMCS holds, as the RESUME_L1 path reports it (unsanitised; R13 = 0).
    func exitInfoFromVMCS(_ i: Int, _ vm: Int) -> L2ExitInfo {
        let v = vcpus[i]
        var info = L2ExitInfo(ExitReason(UInt32(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.exitReason))))
        info.qualification = v.vmcs(vm, L2VMCSLayout.exitQualification)
        info.guestLinearAddress = v.vmcs(vm, L2VMCSLayout.guestLinearAddress)
        info.guestPhysicalAddress = v.vmcs(vm, L2VMCSLayout.guestPhysicalAddress)
        info.interruptionInfo = UInt32(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.exitInterruptionInfo))
        info.interruptionErrorCode = UInt32(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.exitInterruptionErrorCode))
        info.idtVectoringInfo = UInt32(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.idtVectoringInfo))
        info.idtVectoringErrorCode = UInt32(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.idtVectoringErrorCode))
        info.instructionLength = UInt32(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.exitInstructionLength))
        info.instructionInfo = UInt32(truncatingIfNeeded: v.vmcs(vm, L2VMCSLayout.exitInstructionInfo))
        return info
    }
}
