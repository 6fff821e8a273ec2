import SEAMTypes

extension Machine {
    /// Injects a #VE into L1 of `vcpu` the way the module does (`src/td_dispatcher/vm_exits/td_other_exits.c`
    /// `tdx_inject_ve`): when VE_INFO is not valid, fills it (exit reason, qualification, GLA, GPA, EPTP index
    /// 0, instruction length, instruction information 0), sets VALID to 0xFFFFFFFF and answers `.ve`; when it
    /// is still valid (L1 has not run TDG.VP.VEINFO.GET since the last #VE), leaves it and answers `.df`.
    mutating func injectVE(
        vcpu i: Int, exitReason: UInt32, qualification: UInt64 = 0, gla: UInt64 = 0, gpa: UInt64 = 0,
        instructionLength: UInt32 = 0
    ) -> L1Fault {
        guard !vcpus[i].veInfo.isValid else { return .df }
        var info = VEInfo()
        info.exitReason = exitReason
        info.exitQualification = qualification
        info.gla = gla
        info.gpa = gpa
        info.instructionLength = instructionLength
        info.valid = VEInfo.validContents
        vcpus[i].veInfo = info
        return .ve
    }
}

extension Machine {
    /// L1 executes RDMSR of `msr` on `vcpu`: `l1RDMSR`'s answer, delivered. A #VE fills VE_INFO (exit
    /// reason 31, qualification 0, instruction length 2; module `src/td_dispatcher/tdx_td_dispatcher.c`,
    /// `td_generic_ve_exit`), or is a #DF (`.df`) while VE_INFO still holds an unread #VE.
    /// - Throws: what `l1RDMSR` throws.
    public mutating func executeL1RDMSR(vcpu: Int, msr: UInt32) throws(MachineError) -> (value: UInt64, fault: L1Fault)
    {
        let r = try l1RDMSR(vcpu: vcpu, msr: msr)
        guard r.fault == .ve else { return r }
        return (0, injectVE(vcpu: vcpu, exitReason: ExitReason.rdmsr.rawValue, instructionLength: 2))
    }

    /// L1 executes WRMSR on `vcpu`: `l1WRMSR`'s answer, delivered; a #VE fills VE_INFO with exit reason 32
    /// (or is a #DF, as `executeL1RDMSR`).
    /// - Throws: what `l1WRMSR` throws.
    public mutating func executeL1WRMSR(vcpu: Int, msr: UInt32, value: UInt64) throws(MachineError) -> L1Fault {
        let f = try l1WRMSR(vcpu: vcpu, msr: msr, value: value)
        if f == .none && (msr == 0x808 || msr == 0x80B) { executeL1VirtualAPICWrite(vcpu, msr, value) }
        guard f == .ve else { return f }
        return injectVE(vcpu: vcpu, exitReason: ExitReason.wrmsr.rawValue, instructionLength: 2)
    }

    /// L1 executes CPUID on `vcpu`: `l1CPUID`'s answer, delivered; a #VE fills VE_INFO with exit reason 10
    /// (module `src/td_dispatcher/vm_exits/td_cpuid.c`), or is a #DF, as `executeL1RDMSR`.
    /// - Throws: what `l1CPUID` throws.
    public mutating func executeL1CPUID(
        vcpu: Int, leaf: UInt32, subleaf: UInt32
    ) throws(MachineError) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32, fault: L1Fault) {
        let r = try l1CPUID(vcpu: vcpu, leaf: leaf, subleaf: subleaf)
        guard r.fault == .ve else { return r }
        return (0, 0, 0, 0, injectVE(vcpu: vcpu, exitReason: ExitReason.cpuid.rawValue, instructionLength: 2))
    }
}

extension Machine {
    /// L1 on `vcpu` touches `count` bytes at `gpa` (a read, or a write when `write`): whether the access can
    /// complete, or the #VE it takes. The module's EPT-violation handler (`src/td_dispatcher/vm_exits/
    /// td_ept_violation.c`) turns an access to a private page in a PENDING state into a #VE when TD_CTLS
    /// PENDING_VE_DISABLE is 0 (its reset value is ATTRIBUTES.SEPT_VE_DISABLE): VE_INFO gets exit reason 48,
    /// the exit qualification (bit 0 data read or bit 1 data write; the page grants nothing, so bits 5:3 are 0;
    /// SoftSEAM has no linear address, so GLA valid, bit 7, is 0 and the GLA 0) and the GPA of the first byte
    /// on the PENDING page; a second #VE before TDG.VP.VEINFO.GET is a #DF (`injectVE`). The access itself does
    /// not happen: nothing is read or written.
    ///
    /// `.none` when every page touched is L1-accessible (then `readMemory` / `store` carry the access out).
    /// - Throws: what `checkRunsL1` throws; `.notL1Accessible` for a page that is neither accessible nor a
    ///   PENDING page that takes a #VE (with PENDING_VE_DISABLE = 1 the module TD-exits with EEQ type 6; a
    ///   FREE or BLOCKED page is an EPT-violation TD exit: SoftSEAM's memory API does not model those exits).
    public mutating func l1Access(vcpu: Int, gpa: UInt64, count: Int, write: Bool) throws(MachineError) -> L1Fault {
        try checkRunsL1(vcpu)
        guard count >= 0 else { throw .notL1Accessible(gpa: gpa) }
        guard count > 0 else { return .none }
        let (last, overflow) = gpa.addingReportingOverflow(UInt64(count - 1))
        guard !overflow else { throw .notL1Accessible(gpa: gpa) }
        var page = gpa & ~0xFFF
        while page <= last {
            let first = max(page, gpa)
            if !width.isValidPrivate(page) {
                // A shared GPA: the host's shared EPT, never a #VE here.
                guard isSharedMapped(page) else { throw .notL1Accessible(gpa: first) }
                page += 0x1000
                continue
            }
            guard let r = space.leaf(containing: page) else {
                throw .notL1Accessible(gpa: first)
            }
            if !r.state.isGuestAccessibleLeaf {
                guard r.state == .pending || r.state == .pendingExportedDirty, tdCtls & 1 == 0 else {
                    throw .notL1Accessible(gpa: first)
                }
                return injectVE(
                    vcpu: vcpu, exitReason: ExitReason.eptViolation.rawValue, qualification: write ? 0x2 : 0x1,
                    gpa: first)
            }
            page += 0x1000
        }
        return .none
    }
}

extension Machine {
    /// What a TDCALL's access to an operand page (TDG.VP.INVVPID's GLA list, TDG.SYS.RDALL's output page) gives
    /// when L1 cannot reach the private page at `gpa`, as the module's EPT-violation handling does
    /// (`src/td_dispatcher/vm_exits/td_ept_violation.c`): nil when the page is mapped for L1; a #VE into
    /// VE_INFO (exit reason 48, `qualification`, the GPA) and `.completed` for a PENDING page while TD_CTLS
    /// PENDING_VE_DISABLE is 0; otherwise an EPT-violation TD exit (EEQ type 6 for a PENDING page).
    mutating func operandPageFault(vcpu i: Int, gpa: UInt64, qualification: UInt64) -> TDCallOutcome? {
        let record = space.leaf(containing: gpa)
        if let record, record.state.isGuestAccessibleLeaf { return nil }
        let pending = record.map { $0.state == .pending || $0.state == .pendingExportedDirty } ?? false
        if pending && tdCtls & 1 == 0 {
            _ = injectVE(vcpu: i, exitReason: ExitReason.eptViolation.rawValue, qualification: qualification, gpa: gpa)
            return .completed
        }
        let eeq =
            pending ? ExtendedExitQualification(kind: .pendingEPTViolation) : ExtendedExitQualification(rawValue: 0)
        return .tdExit(.eptViolation(gpa: gpa, qualification: qualification, eeq: eeq))
    }

    /// Where check_walk_and_map_guest_side_gpa leaves a TDCALL's operand at `gpa` (tdx-module
    /// `src/common/helpers/helpers.c`): usable; OPERAND_INVALID (a GPA beyond GPAW, or shared where only private
    /// is allowed); or the fault an unreachable page gives (`operandPageFault` for a private GPA, an
    /// EPT-violation TD exit for a shared one the host has not mapped).
    enum GuestOperand {
        case ok
        case invalid
        case fault(TDCallOutcome)
    }

    mutating func guestOperand(vcpu i: Int, gpa: UInt64, write: Bool, privateOnly: Bool) -> GuestOperand {
        let shared = gpa & width.sharedMask != 0
        guard width.isValidPrivate(gpa & ~width.sharedMask), !(shared && privateOnly) else { return .invalid }
        let qualification: UInt64 = write ? 3 : 1
        if shared {
            guard isSharedMapped(gpa) else {
                return .fault(.tdExit(.eptViolation(gpa: gpa, qualification: qualification)))
            }
            return .ok
        }
        if let fault = operandPageFault(vcpu: i, gpa: gpa, qualification: qualification) { return .fault(fault) }
        return .ok
    }
}

extension Machine {
    /// L1's store on `vcpu` of `source` at `gpa`: the vCPU runs L1 (`checkRunsL1`), then `l1Access` — a store
    /// touching a PENDING page takes its #VE (or #DF) and writes nothing — then `writeMemory`'s rules.
    /// - Throws: what `l1Access` and `writeMemory` throw; on error nothing is written.
    public mutating func l1Store(vcpu: Int, gpa: UInt64, from source: UnsafeRawBufferPointer) throws(MachineError)
        -> L1Fault
    {
        let fault = try l1Access(vcpu: vcpu, gpa: gpa, count: source.count, write: true)
        guard fault == .none else { return fault }
        try writeMemory(gpa: gpa, from: source)
        return .none
    }

    /// `l1Store(vcpu:gpa:from:)` of an array.
    public mutating func l1Store(vcpu: Int, gpa: UInt64, _ bytes: [UInt8]) throws(MachineError) -> L1Fault {
        var result: Result<L1Fault, MachineError> = .success(.none)
        bytes.withUnsafeBytes { b in
            do throws(MachineError) { result = .success(try l1Store(vcpu: vcpu, gpa: gpa, from: b)) } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }

    /// L1's load on `vcpu` of `count` bytes at `gpa`: `l1Access`, then the bytes (`readMemory`); a load
    /// touching a PENDING page reads nothing and takes its #VE (or #DF): `bytes` is empty then.
    /// - Throws: what `l1Access` and `readMemory` throw.
    public mutating func l1Read(vcpu: Int, gpa: UInt64, count: Int) throws(MachineError)
        -> (bytes: [UInt8], fault: L1Fault)
    {
        let fault = try l1Access(vcpu: vcpu, gpa: gpa, count: count, write: false)
        guard fault == .none else { return ([], fault) }
        return (try readMemory(gpa: gpa, count: count), .none)
    }

    /// L1 on `vcpu` executes `instruction`; the step engine's L1 instruction step. The outcome holds the
    /// bytes a read read, CPUID's RAX/RBX/RCX/RDX or RDMSR's RDX:RAX as out registers, or `.fault` with the
    /// exception L1 took instead (then nothing but VE_INFO changed).
    /// - Throws: what `l1Read`, `executeL1CPUID`, `executeL1RDMSR` and `executeL1WRMSR` throw.
    ///
    /// A CPUID, RDMSR or WRMSR the module completed (it exited to the module, which resumed L1 with no event
    /// injected) delivers an armed PEND_NMI (`src/td_dispatcher/tdx_td_dispatcher.c`; `deliverPendingNMI`);
    /// the x2APIC registers the CPU virtualizes do not exit.
    public mutating func execute(vcpu: Int, _ instruction: Step.L1Instruction) throws(MachineError) -> StepOutcome {
        let outcome = try executeInstruction(vcpu: vcpu, instruction)
        if vcpus[vcpu].l1Interrupts.pendNMI != 0, outcome.result == .completed {
            switch instruction {
            case .cpuid: deliverPendingNMI(vcpu)
            case .rdmsr(let msr), .wrmsr(let msr, _):
                if l1VirtualAPICRead(vcpu, msr) == nil && msr != 0x80B { deliverPendingNMI(vcpu) }
            case .read, .interruptible: break
            }
        }
        return outcome
    }

    mutating func executeInstruction(vcpu: Int, _ instruction: Step.L1Instruction) throws(MachineError) -> StepOutcome {
        switch instruction {
        case .read(let gpa, let size):
            let r = try l1Read(vcpu: vcpu, gpa: gpa, count: size)
            return StepOutcome(fault: r.fault, bytes: r.bytes)
        case .cpuid(let leaf, let subleaf):
            let r = try executeL1CPUID(vcpu: vcpu, leaf: leaf, subleaf: subleaf)
            var regs = RegisterFile()
            (regs.rax, regs.rbx, regs.rcx, regs.rdx) = (UInt64(r.eax), UInt64(r.ebx), UInt64(r.ecx), UInt64(r.edx))
            return StepOutcome(fault: r.fault, registers: regs)
        case .rdmsr(let msr):
            let r = try executeL1RDMSR(vcpu: vcpu, msr: msr)
            var regs = RegisterFile()
            (regs.rax, regs.rdx) = (r.value & 0xFFFF_FFFF, r.value >> 32)
            return StepOutcome(fault: r.fault, registers: regs)
        case .wrmsr(let msr, let value):
            return StepOutcome(fault: try executeL1WRMSR(vcpu: vcpu, msr: msr, value: value))
        case .interruptible:
            try l1Interruptible(vcpu: vcpu)
            return StepOutcome()
        }
    }
}

extension Machine {
    /// Whether L1 can reach [gpa, gpa + count): `checkL1Accessible`, except that a private page in a
    /// PENDING state passes while TD_CTLS.PENDING_VE_DISABLE is 0 (an access to it is a #VE, `l1Access`).
    /// Changes nothing; the C ABI checks a range with it before it builds a step.
    package func checkL1Reachable(gpa: UInt64, count: Int) throws(MachineError) {
        try checkL1Accessible(gpa: gpa, count: count, pendingTakesVE: tdCtls & 1 == 0)
    }
}
