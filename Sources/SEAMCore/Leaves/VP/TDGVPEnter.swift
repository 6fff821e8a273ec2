import SEAMTypes

extension Machine {
    /// TDG.VP.ENTER (leaf 25): enters L2 VM RCX[53:52] with the guest state at GPA RDX (reference §4).
    ///
    /// Checks in the module's order (§4.2, §13 B1–B3): RDX 256-byte aligned and a valid private GPA, else
    /// OPERAND_INVALID(RDX); RCX reserved bits 51:2 and 63:54 clear and a VM index 1…NUM_L2_VMS, else
    /// OPERAND_INVALID(RCX); the VM's virtual-APIC GPA set, else OPERAND_INVALID(L2_VAPIC_GPA); L1's RVI
    /// priority class above its PPR class → TDX_PENDING_INTERRUPT (only RAX written, L2 not entered). Then the
    /// buffer GPA is recorded and, unless cached, the buffer and the virtual-APIC page are translated through
    /// the L1 SEPT: a page that is not a guest-accessible leaf is an EPT-violation TD exit (qualification 0,
    /// GPA bits 11:0 clear, VM index 0) after which the TDCALL re-executes. Last, the INVD_TRANSLATIONS flush,
    /// the guest state from the buffer, and the CPU's VM-entry checks: a failure is an L2→L1 exit with
    /// reason 0x80000021 that leaves VM_LAUNCHED alone (§13 B4).
    mutating func tdgVPEnter(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
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

        // Record the buffer GPA (it stays recorded even if translation fails), then translate.
        let bufferBit: UInt8 = 1 << UInt8(vm)
        let vapicBit: UInt8 = 1 << UInt8(vm + 4)
        if vcpus[i].translationEpoch != tdEpoch {
            vcpus[i].translationsCached = 0
            vcpus[i].translationEpoch = tdEpoch
        }
        if vcpus[i].guestStateGPA[vm] != gpa {
            vcpus[i].guestStateGPA[vm] = gpa
            vcpus[i].translationsCached &= ~bufferBit
        }
        if let exit = translate(vcpu: i, bufferBit, gpa) ?? translate(vcpu: i, vapicBit, vapic) { return .tdExit(exit) }

        switch rcx & 3 {
        case 1: l2SEPTFlushes[vm] &+= 1  // INVEPT single-context on the VM's SEPT
        case 2, 3: vcpus[i].vpidFlushes[vm] &+= 1  // INVVPID single-context (3: retaining globals)
        default: break
        }
        loadGuestState(vcpu: i, vm: vm, from: gpa)
        vcpus[i].l1RSP = regs.rsp
        vcpus[i].currentVM = vm

        if vcpus[i].guestStateChecked & bufferBit == 0 {
            if let failure = VMEntryChecks.check(l2GuestState(vcpu: i, vm: vm)) {
                let info = L2ExitInfo(.invalidGuestStateEntryFailure, qualification: failure.qualification)
                regs = l2ToL1Exit(vcpu: i, vm: vm, info)
                return .completed
            }
            vcpus[i].guestStateChecked |= bufferBit
        }
        vcpus[i].vmLaunched |= bufferBit
        vcpus[i].location = .l2(vm: vm)
        return .enteredL2(vm: vm)
    }

    /// Translates a soft-translated GPA through the L1 SEPT unless `bit` says it is cached: it must be a
    /// guest-accessible leaf, else the vCPU TD-exits with an EPT violation on it (fault-like, like the other
    /// L1 TDCALL exits: L1 stays current and re-executes the TDCALL).
    mutating func translate(vcpu i: Int, _ bit: UInt8, _ target: UInt64) -> TDExit? {
        guard vcpus[i].translationsCached & bit == 0 else { return nil }
        guard let r = space.leaf(containing: target), r.state.isGuestAccessibleLeaf else {
            return TDExit.eptViolation(gpa: target, vm: 0)
        }
        vcpus[i].translationsCached |= bit
        return nil
    }

    /// Copies the L2_ENTER_GUEST_STATE buffer at `gpa` into the GPR image and VM `vm`'s VMCS.
    mutating func loadGuestState(vcpu i: Int, vm: Int, from gpa: UInt64) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 20) { w in
            w[19] = 0
            space.read(
                gpa >> 12, offset: Int(gpa & 0xFFF),
                into: UnsafeMutableRawBufferPointer(start: w.baseAddress, count: GuestStateBuffer.size))
            var g = RegisterFile()
            for r in 0..<16 { g[r] = UInt64(littleEndian: w[r]) }
            vcpus[i].gprs = g
            vcpus[i].setVMCS(vm, L2VMCSLayout.guestRSP, g.rsp)
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestRFLAGS, UInt64(littleEndian: w[16]))
            vcpus[i].setGuestState(vm, L2VMCSLayout.guestRIP, UInt64(littleEndian: w[17]))
            vcpus[i].setVMCS(vm, L2VMCSLayout.guestSSP, UInt64(littleEndian: w[18]))
            vcpus[i].setVMCS(vm, L2VMCSLayout.guestInterruptStatus, UInt64(littleEndian: w[19]) & 0xFFFF)
        }
    }
}
