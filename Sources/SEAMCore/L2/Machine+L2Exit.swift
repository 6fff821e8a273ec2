import SEAMTypes

/// The two ways control leaves L2: an L2→L1 exit, which completes L1's TDG.VP.ENTER, and a TD exit to the
/// host (module `src/td_transitions/td_exit.c`: `td_l2_to_l1_exit`, `write_l2_enter_outputs`,
/// `async_tdexit_to_vmm`).
extension Machine {
    /// Offsets in L2_ENTER_GUEST_STATE (the module's `l2_enter_guest_state_t` in `include/tdx_api_defs.h`): 16
    /// GPRs, RFLAGS, RIP, SSP, interrupt status.
    package enum GuestStateBuffer {
        package static let size = 0x9A
        package static let rflags = 0x80
        package static let rip = 0x88
        package static let ssp = 0x90
        package static let interruptStatus = 0x98
    }

    /// Records `info` in VM `vm`'s VMCS exit-information fields.
    mutating func recordExitInfo(vcpu i: Int, vm: Int, _ info: L2ExitInfo) {
        vcpus[i].setVMCS(vm, L2VMCSLayout.exitReason, UInt64(info.reason))
        vcpus[i].setVMCS(vm, L2VMCSLayout.exitQualification, info.qualification)
        vcpus[i].setVMCS(vm, L2VMCSLayout.guestLinearAddress, info.guestLinearAddress)
        vcpus[i].setVMCS(vm, L2VMCSLayout.guestPhysicalAddress, info.guestPhysicalAddress)
        vcpus[i].setVMCS(vm, L2VMCSLayout.exitInterruptionInfo, UInt64(info.interruptionInfo))
        vcpus[i].setVMCS(vm, L2VMCSLayout.exitInterruptionErrorCode, UInt64(info.interruptionErrorCode))
        vcpus[i].setVMCS(vm, L2VMCSLayout.idtVectoringInfo, UInt64(info.idtVectoringInfo))
        vcpus[i].setVMCS(vm, L2VMCSLayout.idtVectoringErrorCode, UInt64(info.idtVectoringErrorCode))
        vcpus[i].setVMCS(vm, L2VMCSLayout.exitInstructionLength, UInt64(info.instructionLength))
        vcpus[i].setVMCS(vm, L2VMCSLayout.exitInstructionInfo, UInt64(info.instructionInfo))
        // Every VM exit clears the valid bit of the VM-entry interruption information.
        let entryInfo = vcpus[i].vmcs(vm, L2VMCSLayout.entryInterruptionInfo)
        vcpus[i].setVMCS(vm, L2VMCSLayout.entryInterruptionInfo, entryInfo & ~UInt64(InterruptionInfo.validBit))
    }

    /// Writes L2's state back to the L2_ENTER_GUEST_STATE buffer: the GPR image (RSP from the VMCS), RFLAGS,
    /// RIP, SSP and interrupt status. Only the chunks that changed are rehashed.
    mutating func writeBackGuestState(vcpu i: Int, vm: Int) {
        let gpa = vcpus[i].guestStateGPA[vm]
        guard gpa != Machine.nullPA else { return }
        if vcpus[i].bufferClean && vcpus[i].bufferVersion == space.contentVersion && vcpus[i].bufferGPA == gpa {
            return  // nothing changed since the buffer was read or written, and no page changed since: it holds this
        }
        let g = vcpus[i].gprs
        var b = GuestStateWords()
        b.w = (
            g.rax, g.rcx, g.rdx, g.rbx, vcpus[i].vmcs(vm, L2VMCSLayout.guestRSP), g.rbp, g.rsi, g.rdi, g.r8, g.r9,
            g.r10,
            g.r11, g.r12, g.r13, g.r14, g.r15, vcpus[i].vmcs(vm, L2VMCSLayout.guestRFLAGS),
            vcpus[i].vmcs(vm, L2VMCSLayout.guestRIP), vcpus[i].vmcs(vm, L2VMCSLayout.guestSSP),
            vcpus[i].vmcs(vm, L2VMCSLayout.guestInterruptStatus)
        )
        space.write(gpa >> 12, offset: Int(gpa & 0xFFF), count: GuestStateBuffer.size, from: &b)
        vcpus[i].bufferWords = b
        vcpus[i].bufferGPA = gpa
        vcpus[i].bufferVersion = space.contentVersion
        vcpus[i].bufferClean = true
    }

    /// The L2→L1 exit: records the exit in the VMCS, writes L2's state back to the buffer and returns L1's
    /// registers as TDG.VP.ENTER leaves them — RAX = status | exit reason, RBX = 0, RCX = qualification,
    /// RDX = GLA, RSI = CS selector | AR << 16 | limit << 32, RDI = CS base, R8 = GPA, R9/R10 = interruption
    /// and IDT-vectoring information with their error codes, R11 = instruction information | length << 32,
    /// R12 = L2's CPL (SS.DPL), R13 = extended exit qualification, R14 = R15 = 0. RSP is L1's own; RBP is L2's
    /// (the two share one GPR image, the TDVPS `gpr_state`). CURR_VM becomes 0 and L1 runs again.
    mutating func l2ToL1Exit(vcpu i: Int, vm: Int, _ info: L2ExitInfo, status: TDXStatus = .success) -> RegisterFile {
        var info = info
        if let v = vectoringOverride { info.setVectoring(v) }
        recordExitInfo(vcpu: i, vm: vm, info)
        writeBackGuestState(vcpu: i, vm: vm)
        return completeL1Entry(vcpu: i, vm: vm, info, status: status)
    }

    /// Builds L1's registers from `info` and makes L1 current again.
    mutating func completeL1Entry(vcpu i: Int, vm: Int, _ info: L2ExitInfo, status: TDXStatus) -> RegisterFile {
        var r = vcpus[i].gprs
        r.rax = status.rawValue & ~0xFFFF_FFFF | UInt64(info.reason)
        r.rbx = 0
        r.rcx = info.qualification
        r.rdx = info.guestLinearAddress
        r.rsi =
            vcpus[i].vmcs(vm, L2VMCSLayout.csSelector) & 0xFFFF
            | (vcpus[i].vmcs(vm, L2VMCSLayout.csAccessRights) & 0xFFFF) << 16
            | vcpus[i].vmcs(vm, L2VMCSLayout.csLimit) << 32
        r.rdi = vcpus[i].vmcs(vm, L2VMCSLayout.csBase)
        r.r8 = info.guestPhysicalAddress
        r.r9 = UInt64(info.interruptionInfo) | UInt64(info.interruptionErrorCode) << 32
        r.r10 = UInt64(info.idtVectoringInfo) | UInt64(info.idtVectoringErrorCode) << 32
        r.r11 = UInt64(info.instructionInfo) | UInt64(info.instructionLength) << 32
        r.r12 = UInt64(SegmentAccessRights(truncatingIfNeeded: vcpus[i].vmcs(vm, L2VMCSLayout.ssAccessRights)).dpl)
        r.r13 = info.eeq
        r.r14 = 0
        r.r15 = 0
        r.rsp = vcpus[i].l1RSP
        vcpus[i].gprs = r
        vcpus[i].currentVM = 0
        vcpus[i].location = .l1
        vcpus[i].hostRouting = .none
        return r
    }

    /// A TD exit while L2 VM `vm` runs. Asynchronous exits record the exit in the VMCS (a later RESUME_L1
    /// reports it from there) and write L2's state back to the buffer at once (module `td_exit.c`,
    /// `async_tdexit_internal`).
    mutating func l2TDExit(vcpu i: Int, vm: Int, kind: VCPU.PendingTDExit.Kind, _ exit: TDExit, info: L2ExitInfo?)
        -> TDExit
    {
        if var info {
            if let v = vectoringOverride { info.setVectoring(v) }
            recordExitInfo(vcpu: i, vm: vm, info)
            writeBackGuestState(vcpu: i, vm: vm)
        }
        vcpus[i].pendingExit = .init(kind: kind, vm: vm, exit: exit)
        vcpus[i].location = .host
        return exit
    }
}
