import SEAMTypes

extension Machine {
    /// TDH.MEM.SEPT.ADD (3), versions 0 and 1: adds the paging page under the level-L entry of a GPA to the
    /// L1 SEPT (R8) and, with version 1, to L2 VMs' SEPTs (R9, R10, R11 for VM1…3; NULL_PA skips a VM).
    ///
    /// RCX = page info with L = 1…root level; RDX = TDR, bit 0 ALLOW_EXISTING (bits 11:1, 63:52 reserved).
    /// Check order: version > 1 → OPERAND_INVALID(RAX); RDX reserved → OPERAND_INVALID(RDX); page info →
    /// OPERAND_INVALID(RCX); L1 walk → EPT_WALK_FAILED(RCX); entry neither FREE nor a table →
    /// EPT_ENTRY_STATE_INCORRECT(RCX); R8: NULL_PA at version 0 → OPERAND_INVALID(R8), NULL_PA at version 1
    /// needs the table to exist, an existing table needs ALLOW_EXISTING; then per named L2 VM: vm above
    /// NUM_L2_VMS → OPERAND_INVALID(R8 + vm), L2 walk → L2_SEPT_WALK_FAILED(vm, stop level), existing entry
    /// without ALLOW_EXISTING → L2_SEPT_ENTRY_NOT_FREE(vm, level). Nothing changes unless every check passes.
    /// Version 1 returns R8–R11: NULL_PA for each page used, bit 63 set for each page skipped as existing.
    mutating func tdhMemSEPTAdd(version: UInt8, _ regs: inout RegisterFile) {
        let info = PageInfo(rawValue: regs.rcx)
        let rdx = regs.rdx
        regs.rcx = 0
        regs.rdx = 0
        guard version <= 1 else { return hostStatus(&regs, .operandInvalid.with(.rax)) }
        let inputs = [regs.r8, regs.r9, regs.r10, regs.r11].map { $0 == Machine.nullPA ? $0 : $0 & ~(1 << 63) }
        var outputs = inputs
        var committed = false
        defer {
            // On failure nothing was consumed: the registers read back as the inputs (bit 63 cleared).
            let out = committed ? outputs : inputs
            if version == 1 { regs.r8 = out[0]; regs.r9 = out[1]; regs.r10 = out[2]; regs.r11 = out[3] }
        }
        guard rdx & (UInt64.mask(11, 1) | .mask(63, 52)) == 0 else {
            return hostStatus(&regs, .operandInvalid.with(.rdx))
        }
        let allowExisting = rdx & 1 != 0
        let level = info.level
        guard info.rawValue & PageInfo.reservedMask == 0, level.rawValue >= 1, level <= width.rootLevel,
            info.gpa & (level.bytes - 1) == 0, width.isValidPrivate(info.gpa)
        else { return hostStatus(&regs, .operandInvalid.with(.rcx)) }
        let gpa = info.gpa
        let walk = space.walkL1(gpa, to: level)
        guard walk.level == level else {
            return hostSEPTError(&regs, .eptWalkFailed.with(.rcx), level: walk.level, entry: walk.entry)
        }
        guard walk.entry == .free || walk.entry == .table else {
            return hostSEPTError(&regs, .eptEntryStateIncorrect.with(.rcx), level: level, entry: walk.entry)
        }
        var bits = space.tableBits(gpa, level)
        // The L1 page.
        if inputs[0] == Machine.nullPA {
            if version == 0 { return hostStatus(&regs, .operandInvalid.with(.r8)) }
            guard walk.entry == .table else {
                return hostSEPTError(&regs, .eptEntryStateIncorrect.with(.rcx), level: level, entry: walk.entry)
            }
        } else if walk.entry == .free {
            guard Machine.isPageHPA(inputs[0]) else { return hostStatus(&regs, .operandInvalid.with(.r8)) }
            bits |= GPASpace.l1TableBit
            outputs[0] = Machine.nullPA
        } else {
            guard allowExisting else {
                return hostSEPTError(&regs, .eptEntryStateIncorrect.with(.rcx), level: level, entry: walk.entry)
            }
            outputs[0] = inputs[0] | 1 << 63
        }
        // The L2 pages, VM1…3 in order.
        if version == 1 {
            for vm in 1...3 where inputs[vm] != Machine.nullPA {
                guard vm <= numL2VMs else { return hostStatus(&regs, .operandInvalid.with(OperandID(8 + UInt32(vm)))) }
                if let stop = space.walkL2(gpa, vm: vm, to: level) {
                    let (arch, state) = l2EntryDetails(gpa, level: stop, vm: vm)
                    let status = TDXStatus.l2SEPTWalkFailed.with(hi: UInt16(vm), lo: UInt16(stop.rawValue))
                    return hostSEPTDetails(&regs, status, level: stop, arch: arch, state: state, vm: vm)
                }
                let bit = UInt8(1) << UInt8(vm)
                if bits & bit == 0 {
                    guard Machine.isPageHPA(inputs[vm]) else {
                        return hostStatus(&regs, .operandInvalid.with(OperandID(8 + UInt32(vm))))
                    }
                    bits |= bit
                    outputs[vm] = Machine.nullPA
                } else {
                    guard allowExisting else {
                        let (arch, state) = l2EntryDetails(gpa, level: level, vm: vm)
                        let status = TDXStatus.l2SEPTEntryNotFree.with(hi: UInt16(vm), lo: UInt16(level.rawValue))
                        return hostSEPTDetails(&regs, status, level: level, arch: arch, state: state, vm: vm)
                    }
                    outputs[vm] = inputs[vm] | 1 << 63
                }
            }
        }
        space.setTableBits(gpa, level, bits)
        committed = true
        hostStatus(&regs, .success)
    }
}
