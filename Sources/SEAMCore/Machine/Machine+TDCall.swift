import SEAMTypes

extension Machine {
    /// The TD dispatcher behind `tdcall` (the module's `tdx_td_dispatcher.c`).
    ///
    /// RAX bits 63:24 reserved → OPERAND_INVALID(RAX); a version above 0 for any leaf but TDG.VM.RD →
    /// OPERAND_INVALID(RAX); a leaf the profile does not define, or one SoftSEAM does not implement yet →
    /// OPERAND_INVALID(RAX). Otherwise the leaf handler runs and writes the registers the module writes.
    /// - Throws: what `checkRunsL1` throws (`.noSuchVCPU`, `.notFinalized`, `.vcpuNotThere` when the vCPU
    ///   runs L2 or waits for the host after any TD exit): API misuse that no register value can cause.
    @inline(__always)
    mutating func dispatchTDCall(vcpu: Int, _ regs: inout RegisterFile) throws(MachineError) -> TDCallOutcome {
        try checkRunsL1(vcpu)
        let rax = regs.rax
        guard rax & .mask(63, 24) == 0 else { return complete(&regs, .operandInvalid.with(.rax)) }
        let leaf = Leaf(UInt16(truncatingIfNeeded: rax))
        let version = UInt8(truncatingIfNeeded: rax >> 16)
        guard version == 0 || leaf == .vmRd else { return complete(&regs, .operandInvalid.with(.rax)) }
        switch leaf {
        case .memPageAttrWr: return tdgMemPageAttrWr(&regs)
        case .memPageAttrRd: return tdgMemPageAttrRd(&regs)
        case .memPageAccept: return tdgMemPageAccept(vcpu: vcpu, &regs)
        case .vpInfo: return tdgVPInfo(vcpu: vcpu, &regs)
        case .vpInvEPT: return tdgVPInvEPT(&regs)
        case .vmRd: return tdgVMRd(version: version, &regs)
        case .vmWr: return tdgVMWr(&regs)
        case .sysRd: return tdgSysRd(&regs)
        case .sysRdAll: return tdgSysRdAll(vcpu: vcpu, &regs)
        case .vpRd: return tdgVPRd(vcpu: vcpu, &regs)
        case .vpWr: return tdgVPWr(vcpu: vcpu, &regs)
        case .vpEnter: return try tdgVPEnter(vcpu: vcpu, &regs)
        case .vpVMCall: return tdgVPVMCall(vcpu: vcpu, &regs)
        case .vpVEInfoGet: return tdgVPVEInfoGet(vcpu: vcpu, &regs)
        case .vpCPUIDVESet: return tdgVPCPUIDVESet(vcpu: vcpu, &regs)
        case .vpInvVPID: return tdgVPInvVPID(vcpu: vcpu, &regs)
        case .servTDRd: return tdgServTDRdWr(vcpu: vcpu, write: false, &regs)
        case .servTDWr: return tdgServTDRdWr(vcpu: vcpu, write: true, &regs)
        case .mrRTMRExtend: return tdgMRRTMRExtend(vcpu: vcpu, &regs)
        case .mrReport: return tdgMRReport(vcpu: vcpu, &regs)
        case .mrVerifyReport: return tdgMRVerifyReport(vcpu: vcpu, &regs)
        default:
            // Undefined leaves, and leaves later SoftSEAM work implements (README, "Implemented").
            // The cases are `TDCallLeaves.all`'s handlers, written out: a switch costs no call, while a lookup
            // in the registry and a call through its handler added about 80 instructions to every TDCALL
            // (callgrind, c_abi_tdcall 437 → 518). LeafRegistryTests checks that the two agree on every leaf.
            return complete(&regs, .operandInvalid.with(.rax))
        }
    }

    /// The leaves `tdcall` carries out: the registry's entries with a handler (`TDCallLeaves`). Every other
    /// leaf answers OPERAND_INVALID(RAX).
    public static var implementedLeaves: Set<Leaf> { TDCallLeaves.implemented }

    /// Writes `status` to RAX and reports completion.
    @inline(__always)
    func complete(_ regs: inout RegisterFile, _ status: TDXStatus) -> TDCallOutcome {
        regs.rax = status.rawValue
        return .completed
    }
}
