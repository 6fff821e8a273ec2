import SEAMTypes

extension Machine {
    /// TDH.MNG.RD (11): the host reads one TD-scope (TDR/TDCS) field element (module
    /// `src/vmm_dispatcher/api_calls/tdh_mng_rd_wr.c`, `src/common/metadata_handlers/metadata_td.c`). RCX = TDR
    /// (one TD: not checked), RDX = field id (context forced to TD).
    ///
    /// At version 1 RDX = −1 first; R8 = 0 first. Version above 1 → OPERAND_INVALID(RAX); version 1 with the
    /// null id → FIRST_FIELD_ID_IN_CONTEXT, RDX = the first host-readable id; malformed or unknown id →
    /// FIELD_ID_INCORRECT; host read mask 0 (production masks: the virtual VMX MSRs, TD_CTLS, NOTIFY_ENABLES,
    /// RTMR, SEPT roots… are readable only when ATTRIBUTES.DEBUG is set) → FIELD_NOT_READABLE. Success: R8 =
    /// value & mask; version 1: RDX = next host-readable id.
    mutating func tdhMngRd(version: UInt8, _ regs: inout RegisterFile) {
        let input = regs.rdx
        if version > 0 { regs.rdx = FieldID.null.rawValue }
        regs.r8 = 0
        guard version <= 1 else { return hostStatus(&regs, .operandInvalid.with(.rax)) }
        let debug = attributes & 1 != 0
        let readable = { (f: TDField) in f.hostReadMask(debug: debug) != 0 }
        if version == 1 && input | .mask(54, 52) == ~0 {
            regs.rdx = TDField.all.first(where: readable)!.id
            return hostStatus(&regs, .metadataFirstFieldIDInContext)
        }
        let fieldID = FieldID(input & ~UInt64.mask(54, 52) | FieldID.Context.td.rawValue << 52)
        guard fieldID.isSingleElement, let (index, element) = TDField.find(fieldID, numL2VMs: numL2VMs) else {
            return hostStatus(&regs, .metadataFieldIDIncorrect)
        }
        let field = TDField.all[index]
        guard readable(field) else { return hostStatus(&regs, .metadataFieldNotReadable) }
        let bytes = FieldID(field.id).elementBytes
        let sizeMask: UInt64 = bytes == 8 ? ~0 : (1 << UInt64(8 * bytes)) - 1
        regs.r8 = tdFieldValue(field, element: element) & field.hostReadMask(debug: debug) & sizeMask
        if version == 1 {
            // As TDG.VM.RD: within a field the caller's own id steps by one, else the next field's id.
            regs.rdx =
                element + 1 < field.elements
                ? fieldID.rawValue + 1 : TDField.next(after: index, element: element, readable) ?? FieldID.null.rawValue
        }
        hostStatus(&regs, .success)
    }
}
