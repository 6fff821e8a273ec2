import SEAMTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Machine {
    /// TDG.VP.ENTER (leaf 25): enters L2 VM RCX[53:52] with the guest state at GPA RDX (module
    /// `src/td_transitions/tdg_vp_enter.c`).
    ///
    /// Checks in the module's order (`tdg_vp_enter`; `translate_l2_enter_guest_state_gpa` and `translate_gpas`
    /// in `src/common/helpers/helpers.c`): RDX 256-byte aligned and a valid private GPA, else
    /// OPERAND_INVALID(RDX); RCX reserved bits 51:2 and 63:54 clear and a VM index 1…NUM_L2_VMS, else
    /// OPERAND_INVALID(RCX); the VM's virtual-APIC GPA set, else OPERAND_INVALID(L2_VAPIC_GPA); L1's RVI
    /// priority class above its PPR class → TDX_PENDING_INTERRUPT (only RAX written, L2 not entered). Then the
    /// buffer GPA is recorded and, unless cached, the buffer and the virtual-APIC page are translated through
    /// the L1 SEPT: a page that is not a guest-accessible leaf is an EPT-violation TD exit (qualification 0,
    /// GPA bits 11:0 clear, VM index 0) after which the TDCALL re-executes. Last, the INVD_TRANSLATIONS flush,
    /// the guest state from the buffer, and the CPU's VM-entry checks: a failure is an L2→L1 exit with
    /// reason 0x80000021 that leaves VM_LAUNCHED alone (`handle_l2_vm_entry_failures` in
    /// `src/td_dispatcher/tdx_td_l2_dispatcher.c`).
    ///
    /// An invalid VM-entry interruption information stops the module at the VM entry (`MachineError
    /// .moduleStopped`, `checkEntryInjection`): checked here, after the module's checks and before this call
    /// changes anything, when both soft-translated pages would translate.
    mutating func tdgVPEnter(vcpu i: Int, _ regs: inout RegisterFile) throws(MachineError) -> TDCallOutcome {
        let gpa = regs.rdx
        guard gpa & 0xFF == 0, width.isValidPrivate(gpa) else { return complete(&regs, .operandInvalid.with(.rdx)) }
        let rcx = regs.rcx
        let vm = Int(rcx.bits(53, 52))
        guard rcx & (.mask(51, 2) | .mask(63, 54)) == 0, vm >= 1, vm <= numL2VMs else {
            return complete(&regs, .operandInvalid.with(.rcx))
        }
        let vapic = vcpus[i].vmcs(vm, L2VMCSLayout.virtualAPICAddress)
        guard vapic != Machine.nullPA else { return complete(&regs, .operandInvalid.with(.l2VAPICGPA)) }
        guard vcpus[i].l1RVI >> 4 <= vcpus[i].l1PPR >> 4 else { return complete(&regs, .pendingInterrupt) }
        // One load and test on the common entry (no injection).
        if vcpus[i].vmcs(vm, L2VMCSLayout.entryInterruptionInfo) & UInt64(InterruptionInfo.validBit) != 0 {
            try checkEntryInjection(vcpu: i, vm: vm, buffer: gpa, vapic: vapic)
        }

        // Record the buffer GPA (it stays recorded even if translation fails), then translate. No TD-epoch check
        // here: TDH.VP.ENTER drops the cached translations when the epoch moved (`hostEnter`). L1 starts running
        // at TDH.MR.FINALIZE without a modelled TDH.VP.ENTER, so the epoch that first entry samples is taken
        // here, before anything is cached (epoch 0 = never sampled; TD_EPOCH starts at 1).
        if vcpus[i].translationEpoch == 0 { vcpus[i].translationEpoch = tdEpoch }
        let bufferBit: UInt8 = 1 << UInt8(vm)
        let vapicBit: UInt8 = 1 << UInt8(vm + 4)
        if vcpus[i].guestStateGPA[vm] != gpa {
            vcpus[i].guestStateGPA[vm] = gpa
            vcpus[i].translationsCached &= ~bufferBit
        }
        // (Booleans, not an optional TDExit: a 128-byte optional costs a copy per call on every entry.)
        guard translate(vcpu: i, bufferBit, gpa) else { return .tdExit(.eptViolation(gpa: gpa, vm: 0)) }
        guard translate(vcpu: i, vapicBit, vapic) else { return .tdExit(.eptViolation(gpa: vapic, vm: 0)) }

        switch rcx & 3 {
        case 1: l2SEPTFlushes[vm] &+= 1  // INVEPT single-context on the VM's SEPT
        case 2, 3: vcpus[i].vpidFlushes[vm] &+= 1  // INVVPID single-context (3: retaining globals)
        default: break
        }
        loadGuestState(vcpu: i, vm: vm, from: gpa)
        vcpus[i].l1RSP = regs.rsp
        vcpus[i].currentVM = vm

        let checked = vcpus[i].guestStateChecked & ~vcpus[i].ripChanged & ~vcpus[i].eventStateChanged & bufferBit != 0
        if !checked, let failure = entryCheckFailure(vcpu: i, vm: vm) {
            // The module armed the timer before VMRESUME (`set_vmx_preemption_timer`): pin-based bit 6 and the
            // timer value stay in the VMCS although the entry fails and the timer never runs.
            _ = preemptionTimerExit(vcpu: i, vm: vm)
            let info = L2ExitInfo(.invalidGuestStateEntryFailure, qualification: failure.qualification)
            regs = l2ToL1Exit(vcpu: i, vm: vm, info)
            return .completed
        }
        vcpus[i].vmLaunched |= bufferBit
        vcpus[i].location = .l2(vm: vm)
        // Event injection and pending events (Machine+L2Interrupts.swift): an exit before L2's first
        // instruction ends the TDCALL as any L2→L1 exit does.
        if entryEventsPending(i, vm) {
            if case .exitToL1(let r)? = eventsAtEntry(i, vm, reinjecting: nil) {
                regs = r
                return .completed
            }
        } else if let timer = preemptionTimerExit(vcpu: i, vm: vm) {
            regs = l2ToL1Exit(vcpu: i, vm: vm, timer)
            return .completed
        }
        return .enteredL2(vm: vm)
    }

    /// The CPU's VM-entry checks on VM `vm`'s guest state, all of them after any change but RIP, the RIP ones
    /// after a change of RIP alone, none when nothing changed since they passed.
    mutating func entryCheckFailure(vcpu i: Int, vm: Int) -> VMEntryFailure? {
        let bit: UInt8 = 1 << UInt8(vm)
        if vcpus[i].eventStateChanged & bit != 0 {
            vcpus[i].eventStateChanged &= ~bit
            let entryInfo = UInt32(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSLayout.entryInterruptionInfo))
            if InterruptionInfo(entryInfo).isValid { vcpus[i].guestStateChecked &= ~bit }
        }
        if vcpus[i].guestStateChecked & bit == 0 {
            if let failure = VMEntryChecks.check(l2GuestState(vcpu: i, vm: vm)) { return failure }
        } else if vcpus[i].ripChanged & bit != 0 {
            let failure = VMEntryChecks.checkRIP(
                vcpus[i].vmcs(vm, L2VMCSLayout.guestRIP),
                entryControls: UInt32(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSLayout.entryControls)),
                csAccessRights: UInt32(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSLayout.csAccessRights)))
            if let failure { return failure }
        }
        vcpus[i].guestStateChecked |= bit
        vcpus[i].ripChanged &= ~bit
        return nil
    }

    /// Translates a soft-translated GPA through the L1 SEPT unless `bit` says it is cached: it must be a
    /// guest-accessible leaf, else (false) the vCPU TD-exits with an EPT violation on it (fault-like, like the
    /// other L1 TDCALL exits: CURR_VM stays 0, the vCPU waits for the host, and once re-entered L1 runs the
    /// TDCALL again).
    mutating func translate(vcpu i: Int, _ bit: UInt8, _ target: UInt64) -> Bool {
        guard vcpus[i].translationsCached & bit == 0 else { return true }
        guard translates(target) else { return false }
        vcpus[i].translationsCached |= bit
        return true
    }

    /// Whether `target` is a guest-accessible L1 SEPT leaf (what `translate` needs when nothing is cached).
    func translates(_ target: UInt64) -> Bool {
        space.leaf(containing: target)?.state.isGuestAccessibleLeaf ?? false
    }

    /// Copies the L2_ENTER_GUEST_STATE buffer at `gpa` into the GPR image and VM `vm`'s VMCS.
    mutating func loadGuestState(vcpu i: Int, vm: Int, from gpa: UInt64) {
        var b = GuestStateWords()
        if vcpus[i].bufferVersion == space.contentVersion && vcpus[i].bufferGPA == gpa {
            b = vcpus[i].bufferWords
        } else {
            space.read(gpa >> 12, offset: Int(gpa & 0xFFF), count: GuestStateBuffer.size, into: &b)
            b.w.19 &= 0xFFFF
            vcpus[i].bufferWords = b
            vcpus[i].bufferGPA = gpa
            vcpus[i].bufferVersion = space.contentVersion
        }
        vcpus[i].gprs = RegisterFile(
            rax: b.w.0, rcx: b.w.1, rdx: b.w.2, rbx: b.w.3, rsp: b.w.4, rbp: b.w.5, rsi: b.w.6, rdi: b.w.7,
            r8: b.w.8, r9: b.w.9, r10: b.w.10, r11: b.w.11, r12: b.w.12, r13: b.w.13, r14: b.w.14, r15: b.w.15)
        vcpus[i].setVMCS(vm, L2VMCSLayout.guestRSP, b.w.4)
        vcpus[i].setGuestState(vm, L2VMCSLayout.guestRFLAGS, b.w.16)
        vcpus[i].setGuestState(vm, L2VMCSLayout.guestRIP, b.w.17)
        vcpus[i].setVMCS(vm, L2VMCSLayout.guestSSP, b.w.18)
        vcpus[i].setVMCS(vm, L2VMCSLayout.guestInterruptStatus, b.w.19)
        vcpus[i].bufferClean = true
    }
}

/// The L2_ENTER_GUEST_STATE buffer as 20 words in host order (the last holds the 16-bit interrupt status);
/// a tuple, so reading and writing it needs neither an allocation nor a closure.
struct GuestStateWords: Sendable {

    var w:
        (
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
            UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
        ) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
}

/// Encoded as an array of its 20 words: synthesis cannot see into a tuple.
extension GuestStateWords: Codable {
    init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        self.init()
        var words: [UInt64] = []
        while !c.isAtEnd && words.count <= GuestStateWords.count { words.append(try c.decode(UInt64.self)) }
        guard words.count == GuestStateWords.count, c.isAtEnd else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected \(GuestStateWords.count) words")
        }
        withUnsafeMutableBytes(of: &w) { raw in
            for (i, v) in words.enumerated() { raw.storeBytes(of: v, toByteOffset: i * 8, as: UInt64.self) }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        var copy = w
        let words = withUnsafeBytes(of: &copy) { raw in
            (0..<GuestStateWords.count).map { raw.load(fromByteOffset: $0 * 8, as: UInt64.self) }
        }
        try c.encode(contentsOf: words)
    }

    static let count = 20
}
