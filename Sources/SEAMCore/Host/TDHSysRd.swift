import SEAMTypes

extension Machine {
    /// TDH.SYS.RD (34): the host reads one global metadata field element (module
    /// `src/vmm_dispatcher/api_calls/tdh_sys_rd.c`, `src/common/metadata_handlers/metadata_sys.c`); the fields and
    /// values are Specs/global-metadata.tsv's on this machine's platform. RDX = field id (context forced to SYS).
    ///
    /// RDX = −1 and R8 = 0 first. The null id → FIRST_FIELD_ID_IN_CONTEXT, RDX = the first field (NUM_PKGS);
    /// malformed or unknown id → FIELD_ID_INCORRECT. Every field has a host read mask; one whose value is a
    /// platform fact SoftSEAM does not model (`-` in the table) reads 0. Success: R8 = the value, RDX = the next
    /// element's id (−1 after the last). SoftSEAM's platform has done TDH.SYS.INIT and TDH.SYS.LP.INIT.
    mutating func tdhSysRd(_ regs: inout RegisterFile) {
        let input = regs.rdx
        regs.rdx = FieldID.null.rawValue
        regs.r8 = 0
        if input | .mask(54, 52) == ~0 {
            regs.rdx = GlobalField.all[0].id
            return hostStatus(&regs, .metadataFirstFieldIDInContext)
        }
        let fieldID = FieldID(input & ~UInt64.mask(54, 52))
        guard fieldID.isSingleElement, let (index, element) = GlobalField.find(fieldID) else {
            return hostStatus(&regs, .metadataFieldIDIncorrect)
        }
        regs.r8 = GlobalField.all[index].value(on: platform)
        regs.rdx = GlobalField.next(after: index, element: element) ?? FieldID.null.rawValue
        hostStatus(&regs, .success)
    }
}
