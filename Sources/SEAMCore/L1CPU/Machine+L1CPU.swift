import SEAMTypes

/// What L1 gets from its virtual CPU for RDMSR, WRMSR and CPUID: the module's answers when these
/// instructions exit from the TD (module `src/td_dispatcher/vm_exits/td_msr_access.c`, `td_cpuid.c`), behind
/// the C ABI's `softseam_rdmsr`, `softseam_wrmsr` and `softseam_cpuid`.
///
///     L1 RDMSR/WRMSR ──▶ bitmap range? ──no──▶ #VE
///                        │yes
///                        ▼
///                   RDMSR of a virtual IA32_VMX_* MSR ──▶ VirtualVMXMSRs
///                   other special MSR ──▶ its handler (modelled ones) ──▶ value, #GP or #VE
///                   otherwise ──▶ L1MSRRule.table row: bitmap bit, exit action ──▶ #GP or #VE
///     L1 CPUID ──▶ CPUID_VE for CPL 0 ──▶ #VE;  TDCPUID.values ──▶ EAX…EDX, or #VE when not defined
///
/// None of these change the machine: SoftSEAM does not model the MSR state an L1 WRMSR would change (the
/// handled writes to IA32_EFER, IA32_XSS and IA32_DEBUGCTL), nor native MSR values. Where the module would
/// complete such an access, or where the CPU would execute it natively without exiting, SoftSEAM answers
/// #VE: a model gap, not the module's behaviour (see `l1RDMSR` and `l1WRMSR` for the list).
extension Machine {
    /// L1 RDMSR of `msr` on `vcpu`: the value in EDX:EAX, or the fault the instruction raises.
    ///
    /// Modelled, as the module answers for L1 (VM 0):
    /// * the virtualized IA32_VMX_* MSRs — BASIC, MISC, CR0/CR4_FIXED0/1, PROCBASED_CTLS2, EPT_VPID_CAP,
    ///   TRUE_PINBASED/PROCBASED/EXIT/ENTRY_CTLS, VMFUNC, PROCBASED_CTLS3 — from `VirtualVMXMSRs`;
    /// * the values the module emulates (`moduleMSRValue`, the same an L2 VM reads): IA32_XAPIC_DISABLE_STATUS
    ///   (0xBD) 1 (legacy xAPIC disabled); IA32_ARCH_CAPABILITIES (0x10A) the TD's virtual value (0xE16B on
    ///   SoftSEAM's platform); IA32_MISC_ENABLE (0x1A0) without ATTRIBUTES.PERFMON 0x1000; IA32_PERF_CAPABILITIES
    ///   (0x345) 0 (without PERFMON; with PERFMON but not XFAM.PT the platform's value, 0);
    /// * the x2APIC TPR, PPR, ISR and IRR, which the CPU reads from L1's virtual APIC (`l1VirtualAPICRead`);
    /// * every MSR the module answers with #GP or #VE: outside the bitmap ranges, not in the spreadsheet,
    ///   a row whose exit action is #VE or #GP (e.g. IA32_VMX_PINBASED_CTLS 0x481 and the other non-TRUE
    ///   controls, IA32_VMX_VMCS_ENUM 0x48A → #VE), a feature-dependent row when the TD lacks the feature
    ///   (the perfmon, CET, PT, ULI, LBR, PKS, WAITPKG, TSX, XFD MSRs → #GP), and the DCA/TME/MKTME/TSC
    ///   deadline MSRs, which `TDCPUID` does not enumerate (#GP).
    ///
    /// Not modelled, answered #VE by SoftSEAM although the module or the CPU completes them: MSRs the CPU
    /// reads natively (bitmap bit 0, e.g. IA32_EFER, IA32_PAT, IA32_SPEC_CTRL, the other x2APIC registers, or a
    /// feature MSR when the TD has the feature), and the module's value handlers that need native or L1
    /// state: IA32_DEBUGCTL.
    /// - Throws: `MachineError.noSuchVCPU` for a vCPU index the TD does not have, `.vcpuNotThere` when the
    ///   vCPU is not running L1.
    public func l1RDMSR(vcpu: Int, msr: UInt32) throws(MachineError) -> (value: UInt64, fault: L1Fault) {
        try checkRunsL1(vcpu)
        if let value = l1VirtualAPICRead(vcpu, msr) { return (value, .none) }
        guard L1MSRRule.isCoveredByBitmap(msr) else { return (0, .ve) }
        // The module's emulated values, the same L2 gets (`moduleMSRValue`), when the TD's bitmap makes the read exit.
        if tdInterceptsMSR(msr, write: false), let value = moduleMSRValue(msr) { return (value, .none) }
        if let value = virtualVMXMSRs.value(of: msr) { return (value, .none) }
        return (0, genericMSRFault(msr, write: false))
    }

    /// L1 WRMSR of `value` to `msr` on `vcpu`: the fault the instruction raises, `.none` when it completes.
    ///
    /// Modelled: the x2APIC TPR (0x808) and EOI (0x80B), which the CPU virtualizes (`executeL1WRMSR` carries
    /// them out; #GP(0) for a TPR above 255 or a non-zero EOI); writes the module refuses — the IA32_VMX_* capability MSRs 0x480…0x492 (read-only,
    /// #GP), outside the bitmap ranges or not in the spreadsheet (#VE), rows whose exit action is #VE or #GP
    /// (e.g. IA32_TIME_STAMP_COUNTER, IA32_MISC_ENABLE → #VE), feature-dependent rows when the TD lacks the
    /// feature (#GP), the DCA/TME/MKTME/TSC deadline MSRs (#GP, `TDCPUID` enumerates none of them).
    ///
    /// Not modelled, answered #VE by SoftSEAM: writes the CPU executes natively (bitmap bit 0), and the
    /// module's IA32_EFER, IA32_XSS and IA32_DEBUGCTL handlers, which change L1 state SoftSEAM does not hold
    /// (they also refuse some values with #GP or #VE; SoftSEAM does not tell those apart). A WRMSR never
    /// changes the machine here; `value` affects only the TPR and EOI answers.
    /// - Throws: `MachineError.noSuchVCPU` for a vCPU index the TD does not have, `.vcpuNotThere` when the
    ///   vCPU is not running L1.
    public func l1WRMSR(vcpu: Int, msr: UInt32, value: UInt64) throws(MachineError) -> L1Fault {
        try checkRunsL1(vcpu)
        if let fault = l1VirtualAPICWriteFault(msr, value) { return fault }
        guard L1MSRRule.isCoveredByBitmap(msr) else { return .ve }
        return genericMSRFault(msr, write: true)
    }

    /// L1 CPUID of (`leaf`, `subleaf`) on `vcpu`: EAX…EDX, or #VE (module `td_cpuid.c` `td_cpuid_exit`).
    ///
    /// A leaf above the last of its range is answered as the last base leaf (0x23); a leaf `TDCPUID` does
    /// not define gets #VE, as one missing from the module's CPUID table does; so does every leaf while the
    /// vCPU's CPUID_SUPERVISOR_VE (TDVPS, set by TDG.VP.WR) is non-zero, L1 being taken to run at CPL 0 (the
    /// module's per-leaf CPUID_CONTROL bits are not modelled). The registers are 0 with a fault.
    /// - Throws: `MachineError.noSuchVCPU` for a vCPU index the TD does not have, `.vcpuNotThere` when the
    ///   vCPU is not running L1.
    public func l1CPUID(
        vcpu: Int, leaf: UInt32, subleaf: UInt32
    ) throws(MachineError) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32, fault: L1Fault) {
        try checkRunsL1(vcpu)
        let effective = TDCPUID.effectiveLeaf(leaf)
        guard let v = TDCPUID.values(leaf: effective, subleaf: subleaf, vcpuIndex: vcpus[vcpu].index),
            vcpus[vcpu].cpuidVE & 0xFF == 0
        else { return (0, 0, 0, 0, .ve) }
        return (v.eax, v.ebx, v.ecx, v.edx, .none)
    }

    /// The virtual IA32_VMX_* MSRs of this TD (the module computes them once, at TDH.MNG.INIT; they depend
    /// only on ATTRIBUTES and XFAM, which do not change after it).
    var virtualVMXMSRs: VirtualVMXMSRs {
        VirtualVMXMSRs(attributes: attributes, xfam: xfam, cr4WriteMask: ~baseCR4Mask)
    }

    /// The checks every L1 entry point makes first — `tdcall(vcpu:_:)` and the L1 CPU queries: the vCPU exists,
    /// the TD is finalized (no vCPU runs before TDH.MR.FINALIZE) and the vCPU runs L1 (after any TD exit it
    /// waits for the host's TDH.VP.ENTER). Always inlined: as a call it added about 100 instructions to every
    /// TDCALL (callgrind: c_abi_tdcall 437 → 537, attr_wr 604 → 701 per call).
    @inline(__always)
    func checkRunsL1(_ vcpu: Int) throws(MachineError) {
        try checkVCPU(vcpu)
        guard opState == .runnable else { throw .notFinalized }
        guard case .l1 = vcpus[vcpu].location else {
            throw .vcpuNotThere(vcpu, needs: "running L1", location: "\(vcpus[vcpu].location)")
        }
    }

    /// The fault of an access inside the bitmap ranges that no modelled handler answered: the spreadsheet
    /// row's bitmap bit and exit action (module `rd_wr_msr_generic_case`). A native access (bitmap bit 0)
    /// and a module handler SoftSEAM does not model answer #VE (a model gap, see `l1RDMSR`).
    func genericMSRFault(_ msr: UInt32, write: Bool) -> L1Fault {
        guard let row = L1MSRRule.row(for: msr) else { return .ve }
        let (bit, action) = write ? row.write : row.read
        guard exits(bit, msr) else { return .ve }
        switch action {
        case .ve: return .ve
        case .gp: return .gp
        case .gpOrVE: return tdHasFeature(of: msr) ? .ve : .gp
        case .none, .special: return .ve
        }
    }

    /// Whether an access whose bitmap bit is `bit` exits to the module in this TD (module `helpers.c`
    /// `is_msr_dynamic_bit_cleared`): a dynamic bit is 0 when the TD has the feature — ATTRIBUTES.PERFMON
    /// or PKS; XFAM.PT, CET_U or CET_S, ULI, LBR; CPUID WAITPKG, TSX (HLE), XFD, none of which `TDCPUID`
    /// enumerates. IA32_PERF_CAPABILITIES reads natively with PERFMON and PT, IA32_PERF_METRICS with PERFMON
    /// (SoftSEAM's platform has perf metrics).
    /// Inlined: out of line, L2's WRMSR (msrAccess, through `tdInterceptsMSR`) copied the whole machine to call
    /// it (inject_deliver_eoi, callgrind).
    @inline(__always)
    func exits(_ bit: L1MSRRule.Bit, _ msr: UInt32) -> Bool {
        let attributes = TDAttributes(attributes)
        let xfam = XFAM(xfam)
        let perfmon = attributes.contains(.perfmon)
        switch bit {
        case .fixed0: return false
        case .fixed1: return true
        case .perfmon: return !perfmon
        case .pks: return !attributes.contains(.pks)
        case .pt: return !xfam.contains(.pt)
        case .cet: return xfam.isDisjoint(with: .cet)
        case .uli: return !xfam.contains(.uli)
        case .lbr: return !xfam.contains(.lbr)
        case .waitpkg, .tsx, .xfd: return true
        case .other: return !(perfmon && (msr == 0x329 || xfam.contains(.pt)))
        }
    }

    /// Whether the TD's CPUID enumerates the feature of a #GP-or-#VE MSR (module `rd_wr_msr_generic_case`):
    /// DCA (CPUID 1 ECX bit 18) for 0x1F8…0x1FA, TSC deadline (CPUID 1 ECX bit 24) for 0x6E0; TME and MKTME
    /// (CPUID 7 ECX bit 13 for 0x981…0x984, EDX bit 18 for 0x87), which `TDCPUID` does not define.
    func tdHasFeature(of msr: UInt32) -> Bool {
        let leaf1 = TDCPUID.values(leaf: 1, subleaf: 0, vcpuIndex: 0)
        let leaf7 = TDCPUID.values(leaf: 7, subleaf: 0, vcpuIndex: 0)
        switch msr {
        case 0x1F8...0x1FA: return (leaf1?.ecx ?? 0) >> 18 & 1 != 0
        case 0x6E0: return (leaf1?.ecx ?? 0) >> 24 & 1 != 0
        case 0x87: return (leaf7?.edx ?? 0) >> 18 & 1 != 0
        case 0x981...0x984: return (leaf7?.ecx ?? 0) >> 13 & 1 != 0
        default: return false
        }
    }
}
