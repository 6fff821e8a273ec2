import SEAMTypes

extension Machine {
    /// TDG.VP.WR (leaf 10): writes one TDVPS field element of the calling vCPU under the write mask in R9
    /// (module `src/td_dispatcher/vm_exits/tdg_vp_rd_wr.c` and `src/common/metadata_handlers/metadata_vp.c`,
    /// `md_vp_write_element`).
    ///
    /// R8 = 0 before any check. RCX ≠ 0 → OPERAND_INVALID(RCX); malformed id or no such field →
    /// FIELD_ID_INCORRECT; (L1 write mask & R9) = 0 → FIELD_NOT_WRITABLE (always for the unmodelled class-32
    /// fields); bits R9 names outside the write
    /// mask that would change → FIELD_VALUE_NOT_VALID (so a wide R9 is fine while those bits keep their
    /// value); a private-GPA field given anything but a valid private GPA → FIELD_VALUE_NOT_VALID. The new
    /// value is (base & ~mask) | (R8 & mask), the base being the value as L1 reads it (0 when the mask covers
    /// the whole element). TSC_DEADLINE of an existing L2 VM: a deadline that cannot be converted to native
    /// TSC → plain OPERAND_INVALID, the field unchanged (`tscDeadlineConverts`). Success: R8 = the old value &
    /// read mask; RDX is not written.
    mutating func tdgVPWr(vcpu: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let data = regs.r8
        regs.r8 = 0
        guard regs.rcx == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        let fieldID = FieldID(regs.rdx)
        guard fieldID.isSingleElement else { return complete(&regs, .metadataFieldIDIncorrect) }
        guard let field = VPField.decode(fieldID, numL2VMs: numL2VMs) else {
            // A class-32 field of the module's table that SoftSEAM does not model: guest write mask 0.
            let exists = VPField.isUnmodelledManagement(fieldID)
            return complete(&regs, exists ? .metadataFieldNotWritable : .metadataFieldIDIncorrect)
        }
        let writeMask = field.writeMask & field.sizeMask
        let mask = writeMask & regs.r9
        guard mask != 0 else { return complete(&regs, .metadataFieldNotWritable) }
        let old = l1View(vcpus[vcpu], field)
        var base = mask == field.sizeMask ? 0 : old
        if case .vmcs(_, let row) = field, L2VMCSLayout.fields[row].attributes.contains(.privateGPA),
            old == Machine.nullPA
        {
            base &= writeMask  // a GPA field still at NULL_PA: its bits outside the write mask read as 0
        }
        let forbidden = regs.r9 & ~writeMask
        guard base & forbidden == data & forbidden else { return complete(&regs, .metadataFieldValueNotValid) }
        let new = base & ~mask | data & mask
        if case .vmcs(_, let row) = field, L2VMCSLayout.fields[row].attributes.contains(.privateGPA),
            !width.isValidPrivate(new & ~0xFFF)
        {
            return complete(&regs, .metadataFieldValueNotValid)
        }
        if case .vmcs(_, let row) = field {
            // Guest CR0/CR4: the bits the base mask owns must equal the base read shadow (module `metadata_vp.c`,
            // `md_vp_element_l2_vmcs_wr_handle`).
            let (baseMask, baseShadow) =
                row == L2VMCSLayout.guestCR0
                ? (Machine.baseCR0Mask, Machine.baseCR0Shadow)
                : row == L2VMCSLayout.guestCR4 ? (baseCR4Mask, Machine.baseCR4Shadow) : (0, 0)
            guard new & baseMask == baseShadow & baseMask else { return complete(&regs, .metadataFieldValueNotValid) }
        }
        if case .vmcs(_, let row) = field, !Machine.l1WriteIsValid(row: row, new, xfam: xfam, attributes: attributes) {
            return complete(&regs, .metadataFieldValueNotValid)
        }
        if case .management(.tscDeadline, let vm) = field, !tscDeadlineConverts(new, vm: vm) {
            return complete(&regs, .operandInvalid)  // plain: no operand id
        }
        storeL1Write(vcpu: vcpu, field, new)
        regs.r8 = old & field.readMask & field.sizeMask
        return complete(&regs, .success)
    }

    /// The module's field-specific checks on an L1 write (module `metadata_vp.c`: `check_l2_procbased_exec_ctls`,
    /// `check_l2_procbased_exec_ctls2`, the EPTP case of `md_vp_element_l2_vmcs_wr_handle`,
    /// `check_and_update_ia32_dbgctrl`), for the default platform: the processor-based controls against the
    /// virtual IA32_VMX_TRUE_PROCBASED_CTLS and IA32_VMX_PROCBASED_CTLS2 L1 sees — a writable bit must not be 0
    /// where allowed-0 has 1 nor 1 where allowed-1 has 0 —, EPTP's supervisor shadow-stack control only with
    /// XFAM.CET_S, IA32_DEBUGCTL.TR only with BTS outside a debug TD.
    static func l1WriteIsValid(row: Int, _ v: UInt64, xfam: UInt64, attributes: UInt64) -> Bool {
        let writable = L2VMCSLayout.fields[row].writeMask
        switch row {
        case L2VMCSRow.primaryProcBasedControls:
            return writable & (~v & procBasedAllowed0 | v & ~procBasedAllowed1) == 0
        case L2VMCSRow.secondaryProcBasedControls:
            return writable & (~v & procBased2Allowed0 | v & ~procBased2Allowed1) == 0
        case L2VMCSRow.eptp:
            return !EPTPointer(v).contains(.enableSupervisorShadowStack) || XFAM(xfam).contains(.cetS)
        case L2VMCSRow.guestIa32Debugctl:
            let debugCtl = IA32DebugCtl(v)
            return TDAttributes(attributes).contains(.debug) || !(debugCtl.contains(.tr) && !debugCtl.contains(.bts))
        default:
            return true
        }
    }

    /// Allowed-0 (the controls that must be 1) of the virtual IA32_VMX_TRUE_PROCBASED_CTLS on the default
    /// platform: the reserved default-1 bits 1, 4–6, 8, 13, 14 and 26 and `ProcessorBasedControls`'
    /// useTSCOffsetting, hltExiting, mwaitExiting, rdpmcExiting, activateTertiaryControls, useTPRShadow,
    /// unconditionalIOExiting, useMSRBitmaps, monitorExiting and activateSecondaryControls.
    static var procBasedAllowed0: UInt64 { 0xB522_6DFA }
    /// Allowed-1 (the controls that may be 1) of the virtual IA32_VMX_TRUE_PROCBASED_CTLS on the default
    /// platform: all but the reserved bits 0 and 18 and useIOBitmaps.
    static var procBasedAllowed1: UInt64 { 0xFDFB_FFFE }
    /// Allowed-0 of the virtual IA32_VMX_PROCBASED_CTLS2 on the default platform: `SecondaryControls`'
    /// enableEPT, virtualizeX2APICMode, enableVPID, wbinvdExiting, unrestrictedGuest, apicRegisterVirtualization,
    /// enableENCLSExiting, concealVMXFromPT, pasidTranslation, ptUsesGuestPhysicalAddresses, useTSCScaling and
    /// enableENCLVExiting.
    static var procBased2Allowed0: UInt64 { 0x1328_81F2 }
    /// Allowed-1 of the virtual IA32_VMX_PROCBASED_CTLS2 on the default platform: all but
    /// virtualizeAPICAccesses, vmcsShadowing, enablePML, eptViolationVE, subPageWritePermissionsForEPT,
    /// enableUserWaitAndPause, enablePCONFIG, bit 29, vmmBusLockDetection and instructionTimeout.
    static var procBased2Allowed1: UInt64 { 0x1379_BFFE }
}
