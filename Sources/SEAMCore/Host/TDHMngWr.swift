import SEAMTypes

extension Machine {
    /// TDH.MNG.WR (13), for the one TD field the host writes to shape partitioning: VM_CTLS[vm]
    /// (0x9110000300000012 + vm), bit 0 EPT_VIOLATION_ON_L2_SEPT_WALK_FAILURE.
    ///
    /// RDX = field id (context ignored), R8 = value, R9 = write mask. R8 returns the old value (0 on
    /// failure). Write mask without bit 0 → FIELD_NOT_WRITABLE; R9 asking to change bits 63:1 →
    /// FIELD_VALUE_NOT_VALID. Writes to VM0 or a VM above NUM_L2_VMS succeed and have no effect, as in the
    /// module. Other known TD fields answer FIELD_NOT_WRITABLE; unknown ids FIELD_ID_INCORRECT.
    mutating func tdhMngWr(_ regs: inout RegisterFile) {
        let value = regs.r8, mask = regs.r9
        regs.r8 = 0
        let id = FieldID(regs.rdx & ~UInt64.mask(54, 52) | 1 << 52)
        guard id.isSingleElement, let (index, element) = TDField.find(id, numL2VMs: numL2VMs) else {
            return hostStatus(&regs, .metadataFieldIDIncorrect)
        }
        guard TDField.all[index].name == "VM_CTLS", mask & 1 != 0 else {
            return hostStatus(&regs, .metadataFieldNotWritable)
        }
        let old = vmCtls[element]
        guard (value ^ old) & mask & ~1 == 0 else { return hostStatus(&regs, .metadataFieldValueNotValid) }
        vmCtls[element] = (old & ~1) | (value & 1)
        regs.r8 = old
        hostStatus(&regs, .success)
    }
}
