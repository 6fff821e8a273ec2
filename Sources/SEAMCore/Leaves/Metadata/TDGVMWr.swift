import SEAMTypes

extension Machine {
    /// TDG.VM.WR (leaf 8): writes one TD-scope metadata field element under a mask (module
    /// `src/td_dispatcher/vm_exits/tdg_vm_rd_wr.c`, `src/common/metadata_handlers/metadata_td.c`
    /// `md_td_write_element`). Inputs: RCX = VM index (must be 0), RDX = field id, R8 = value, R9 = mask.
    ///
    /// R8 = 0 before any check; RDX is never written. Check order: RCX ≠ 0 → OPERAND_INVALID(RCX); malformed
    /// id → FIELD_ID_INCORRECT; no such field → FIELD_ID_INCORRECT; guest write mask & R9 = 0 →
    /// FIELD_NOT_WRITABLE; a bit R9 selects outside the write mask whose value would change →
    /// FIELD_VALUE_NOT_VALID; TD_CTLS: a change of PENDING_VE_DISABLE (bit 0) while CONFIG_FLAGS.
    /// FLEXIBLE_PENDING_VE is clear → FIELD_VALUE_NOT_VALID. Success: the masked bits are stored and R8 = the old
    /// value & the guest read mask.
    mutating func tdgVMWr(_ regs: inout RegisterFile) -> TDCallOutcome {
        let value = regs.r8, request = regs.r9
        regs.r8 = 0
        guard regs.rcx == 0 else { return complete(&regs, .operandInvalid.with(.rcx)) }
        let fieldID = FieldID(regs.rdx & ~UInt64.mask(54, 52) | FieldID.Context.td.rawValue << 52)
        guard fieldID.isSingleElement else { return complete(&regs, .metadataFieldIDIncorrect) }
        guard let (index, element) = TDField.find(fieldID, numL2VMs: numL2VMs) else {
            return complete(&regs, .metadataFieldIDIncorrect)
        }
        let field = TDField.all[index]
        let bytes = FieldID(field.id).elementBytes
        let sizeMask: UInt64 = bytes == 8 ? ~0 : (1 << UInt64(8 * bytes)) - 1
        let old = tdFieldValue(field, element: element) & sizeMask
        let writeMask = field.guestWriteMask & request
        guard writeMask != 0 else { return complete(&regs, .metadataFieldNotWritable) }
        let forbidden = request & ~field.guestWriteMask
        guard old & forbidden == value & forbidden else { return complete(&regs, .metadataFieldValueNotValid) }
        let new = old & ~writeMask | value & writeMask
        if field.name == "TD_CTLS" && configFlags & Machine.flexiblePendingVE == 0 && (new ^ old) & 1 != 0 {
            return complete(&regs, .metadataFieldValueNotValid)
        }
        setTDFieldValue(field, new)
        regs.r8 = old & field.readMask
        return complete(&regs, .success)
    }
}
