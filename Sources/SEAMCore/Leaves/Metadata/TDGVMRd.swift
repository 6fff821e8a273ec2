import SEAMTypes

extension Machine {
    /// TDG.VM.RD (leaf 7): reads one TD-scope metadata field element (module
    /// `src/td_dispatcher/vm_exits/tdg_vm_rd_wr.c` and `src/common/metadata_handlers/metadata_td.c`).
    ///
    /// R8 = 0 before any check, and at any version above 0 RDX = −1 (so version 2 fails with RDX = −1). Check order: version > 1 → OPERAND_INVALID(RAX);
    /// RCX ≠ 0 → OPERAND_INVALID(RCX); version 1 with the null field id → FIRST_FIELD_ID_IN_CONTEXT with
    /// RDX = first readable id; malformed id → FIELD_ID_INCORRECT; no such field → FIELD_ID_INCORRECT; not
    /// guest-readable → FIELD_NOT_READABLE. Success: R8 = value & read mask; version 1: RDX = next readable id.
    mutating func tdgVMRd(version: UInt8, _ regs: inout RegisterFile) -> TDCallOutcome {
        let input = regs.rdx
        if version > 0 { regs.rdx = FieldID.null.rawValue }
        regs.r8 = 0
        guard version <= 1 else { return complete(&regs, .operandInvalid.with(.rax)) }
        guard regs.rcx == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        // The context code is forced to TD, so a null id is all ones outside bits 54:52.
        let fieldID = FieldID(input & ~UInt64.mask(54, 52) | FieldID.Context.td.rawValue << 52)
        if version == 1 && input | .mask(54, 52) == ~0 {
            regs.rdx = TDField.firstReadable
            return complete(&regs, .metadataFirstFieldIDInContext)
        }
        guard fieldID.isSingleElement else { return complete(&regs, .metadataFieldIDIncorrect) }
        guard let (index, element) = TDField.find(fieldID, numL2VMs: numL2VMs) else {
            return complete(&regs, .metadataFieldIDIncorrect)
        }
        let field = TDField.all[index]
        guard field.guestReadable else { return complete(&regs, .metadataFieldNotReadable) }
        let bytes = FieldID(field.id).elementBytes
        let sizeMask: UInt64 = bytes == 8 ? ~0 : (1 << UInt64(8 * bytes)) - 1
        regs.r8 = tdFieldValue(field, element: element) & field.readMask & sizeMask
        if version == 1 {
            // Within the same field the module increments the caller's own id (its size and mask bits carry
            // over); moving to another field gives that field's canonical id.
            if element + 1 < field.elements {
                regs.rdx = fieldID.rawValue + 1
            } else {
                regs.rdx = TDField.nextReadable(after: index, element: element) ?? FieldID.null.rawValue
            }
        }
        return complete(&regs, .success)
    }
}
