import SEAMTypes

extension Machine {
    /// TDG.SYS.RD (leaf 11): reads one global metadata field element (module
    /// `src/td_dispatcher/vm_exits/tdg_sys_rd.c`, `src/common/metadata_handlers/metadata_sys.c`). Input: RDX = field
    /// id (its context code is forced to SYS).
    ///
    /// RDX = −1 and R8 = 0 before any check. The null field id → FIRST_FIELD_ID_IN_CONTEXT with RDX = the first
    /// guest-readable id; malformed id → FIELD_ID_INCORRECT; no such field → FIELD_ID_INCORRECT; guest read mask
    /// 0 → FIELD_NOT_READABLE. Success: R8 = the value (Specs/global-metadata.tsv, on this machine's platform),
    /// RDX = the next guest-readable id, or −1 after the last.
    mutating func tdgSysRd(_ regs: inout RegisterFile) -> TDCallOutcome {
        let input = regs.rdx
        regs.rdx = FieldID.null.rawValue
        regs.r8 = 0
        if input | .mask(54, 52) == ~0 {  // context forced to SYS (0): a null id is all ones elsewhere
            regs.rdx = GlobalField.firstReadable
            return complete(&regs, .metadataFirstFieldIDInContext)
        }
        let fieldID = FieldID(input & ~UInt64.mask(54, 52))
        guard fieldID.isSingleElement, let (index, element) = GlobalField.find(fieldID) else {
            return complete(&regs, .metadataFieldIDIncorrect)
        }
        let field = GlobalField.all[index]
        guard field.guestReadable else { return complete(&regs, .metadataFieldNotReadable) }
        regs.r8 = field.value(on: platform)
        regs.rdx = GlobalField.nextReadable(after: index, element: element) ?? FieldID.null.rawValue
        return complete(&regs, .success)
    }
}
