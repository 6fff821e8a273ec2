import SEAMTypes

extension Machine {
    /// TDG.VP.WR (leaf 10): writes one TDVPS field element of the calling vCPU under the write mask in R9
    /// (reference §1.3, §5.4, §7, §13 B11, O6–O8, O12).
    ///
    /// R8 = 0 before any check. RCX ≠ 0 → OPERAND_INVALID(RCX); malformed id or no such field →
    /// FIELD_ID_INCORRECT; (L1 write mask & R9) = 0 → FIELD_NOT_WRITABLE; bits R9 names outside the write
    /// mask that would change → FIELD_VALUE_NOT_VALID (so a wide R9 is fine while those bits keep their
    /// value); a private-GPA field given anything but a valid private GPA → FIELD_VALUE_NOT_VALID. The new
    /// value is (base & ~mask) | (R8 & mask), the base being the value as L1 reads it (0 when the mask covers
    /// the whole element). Success: R8 = the old value & read mask; RDX is not written.
    mutating func tdgVPWr(vcpu: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let data = regs.r8
        regs.r8 = 0
        guard regs.rcx == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        let fieldID = FieldID(regs.rdx)
        guard fieldID.isSingleElement, let field = VPField.decode(fieldID, numL2VMs: numL2VMs) else {
            return complete(&regs, .metadataFieldIDIncorrect)
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
            // Guest CR0/CR4: the bits the base mask owns must equal the base read shadow (reference §7).
            let (baseMask, baseShadow) =
                row == L2VMCSLayout.guestCR0
                ? (Machine.baseCR0Mask, Machine.baseCR0Shadow)
                : row == L2VMCSLayout.guestCR4 ? (baseCR4Mask, Machine.baseCR4Shadow) : (0, 0)
            guard new & baseMask == baseShadow & baseMask else { return complete(&regs, .metadataFieldValueNotValid) }
        }
        if case .vmcs(_, let row) = field, !Machine.l1WriteIsValid(row: row, new, xfam: xfam, attributes: attributes) {
            return complete(&regs, .metadataFieldValueNotValid)
        }
        storeL1Write(vcpu: vcpu, field, new)
        regs.r8 = old & field.readMask & field.sizeMask
        return complete(&regs, .success)
    }

    /// The module's field-specific checks on an L1 write (reference §13 O5, O6; l2-vmcs-facts §2), for the
    /// default platform: the processor-based controls against the virtual IA32_VMX_TRUE_PROCBASED_CTLS
    /// (allowed-0 0xB5226DFA, allowed-1 0xFDFBFFFE) and IA32_VMX_PROCBASED_CTLS2 (0x132881F2 / 0x1379BFFE) L1
    /// sees — a writable bit must not be 0 where allowed-0 has 1 nor 1 where allowed-1 has 0 —, EPTP's SSS
    /// (bit 7) only with XFAM.CET_S (bit 12), IA32_DEBUGCTL TR (bit 6) only with BTS (bit 7) outside a debug TD.
    static func l1WriteIsValid(row: Int, _ v: UInt64, xfam: UInt64, attributes: UInt64) -> Bool {
        let writable = L2VMCSLayout.fields[row].writeMask
        switch row {
        case L2VMCSRow.primaryProcBasedControls:
            return writable & (~v & 0xB522_6DFA | v & ~0xFDFB_FFFE) == 0
        case L2VMCSRow.secondaryProcBasedControls:
            return writable & (~v & 0x1328_81F2 | v & ~0x1379_BFFE) == 0
        case L2VMCSRow.eptp:
            return v & 0x80 == 0 || xfam >> 12 & 1 != 0
        case L2VMCSRow.guestIa32Debugctl:
            return attributes & 1 != 0 || v & 0xC0 != 0x40
        default:
            return true
        }
    }
}
