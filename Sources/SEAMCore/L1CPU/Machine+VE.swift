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
        guard count > 0 else { return .none }
        let (last, overflow) = gpa.addingReportingOverflow(UInt64(count - 1))
        guard !overflow else { throw .notL1Accessible(gpa: gpa) }
        var page = gpa & ~0xFFF
        while page <= last {
            let first = max(page, gpa)
            guard width.isValidPrivate(page), let r = space.leaf(containing: page) else {
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
