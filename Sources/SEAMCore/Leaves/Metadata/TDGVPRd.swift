import SEAMTypes

extension Machine {
    /// TDG.VP.RD (leaf 9): reads one TDVPS field element of the calling vCPU (module
    /// `src/td_dispatcher/vm_exits/tdg_vp_rd_wr.c`, `src/common/metadata_handlers/metadata_vp.c`).
    ///
    /// R8 = 0 and RDX = −1 before any check. RCX ≠ 0 → OPERAND_INVALID(RCX); the null field id →
    /// FIRST_FIELD_ID_IN_CONTEXT with RDX = the first readable id; malformed id or no such field (an
    /// unmodelled class, a VM above NUM_L2_VMS, a HIGH access, an unknown encoding) → FIELD_ID_INCORRECT; read
    /// mask 0 (the unmodelled class-32 fields included) → FIELD_NOT_READABLE. Success: R8 = the value as L1 sees it & read mask, RDX = next readable id.
    mutating func tdgVPRd(vcpu: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
        let input = regs.rdx
        regs.r8 = 0
        regs.rdx = FieldID.null.rawValue
        guard regs.rcx == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        if input | .mask(54, 52) == ~0 {  // the context code is forced to VP: a null id is all ones elsewhere
            regs.rdx = VPField.first.id
            return complete(&regs, .metadataFirstFieldIDInContext)
        }
        let fieldID = FieldID(input)
        guard fieldID.isSingleElement else { return complete(&regs, .metadataFieldIDIncorrect) }
        guard let field = VPField.decode(fieldID, numL2VMs: numL2VMs) else {
            // A class-32 field of the module's table that SoftSEAM does not model: guest read mask 0.
            let exists = VPField.isUnmodelledManagement(fieldID)
            return complete(&regs, exists ? .metadataFieldNotReadable : .metadataFieldIDIncorrect)
        }
        guard field.readMask != 0 else { return complete(&regs, .metadataFieldNotReadable) }
        regs.r8 = l1View(vcpus[vcpu], field) & field.readMask & field.sizeMask
        if case .vmcs(_, let row) = field, row + 1 < L2VMCSLayout.count,
            L2VMCSLayout.fields[row + 1].entry == L2VMCSLayout.fields[row].entry
        {
            // Inside a multi-field lookup entry the module steps the caller's own id (context forced to VP) by
            // one field, 2 in the encoding (module `src/common/metadata_handlers/metadata_generic.c`; the facts behind Specs/l2-vmcs-fields.tsv's `entry` column).
            regs.rdx = (input & ~UInt64.mask(54, 52) | 2 << 52) + 2
        } else {
            regs.rdx = field.nextReadable(numL2VMs: numL2VMs)?.id ?? FieldID.null.rawValue
        }
        return complete(&regs, .success)
    }
}
