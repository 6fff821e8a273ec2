import SEAMTypes

extension Machine {
    /// TDH.MEM.RANGE.BLOCK (7): blocks an L1 leaf and every L2 alias of it. RCX = page info.
    ///
    /// MAPPED → BLOCKED, PENDING → PENDING_BLOCKED; each alias becomes L2_BLOCKED with its permissions
    /// parked. An alias that was already L2_BLOCKED (made on a PENDING page) has its parked R/W/Xs/Xu
    /// overwritten with the live zeros, as the module does, so after ACCEPT it maps with no permissions.
    /// A non-leaf entry (NL_MAPPED) becomes NL_BLOCKED, and so does each L2 VM's entry at that level
    /// (L2_NL_BLOCKED): every walk through it stops there. Already blocked → GPA_RANGE_ALREADY_BLOCKED(RCX) (a
    /// warning); FREE → EPT_ENTRY_STATE_INCORRECT(RCX). The block must be tracked (TDH.MEM.TRACK) before
    /// UNBLOCK or REMOVE once the TD runs.
    mutating func tdhMemRangeBlock(_ regs: inout RegisterFile) {
        let info = PageInfo(rawValue: regs.rcx)
        regs.rcx = 0
        regs.rdx = 0
        if let e = hostPageInfoError(info, maxLevel: width.rootLevel) { return hostStatus(&regs, e) }
        let walk = space.walkL1(info.gpa, to: info.level)
        guard walk.level == info.level else {
            return hostSEPTError(&regs, .eptWalkFailed.with(.rcx), level: walk.level, entry: walk.entry)
        }
        switch walk.entry {
        case .table:
            let bits = space.tableBits(info.gpa, info.level)
            space.setTableBits(info.gpa, info.level, bits | (bits & 0xF) << GPASpace.blockedShift)
            space.setBlockTracked(GPASpace.tableBlockKey(info.gpa, info.level), false)
            return hostStatus(&regs, .success)
        case .blockedTable:
            return hostSEPTError(&regs, .gpaRangeAlreadyBlocked.with(.rcx), level: info.level, entry: walk.entry)
        default: break
        }
        guard case .leaf(var record) = walk.entry, record.state == .mapped || record.state == .pending else {
            if case .leaf(let r) = walk.entry, r.state == .blocked || r.state == .pendingBlocked {
                return hostSEPTError(&regs, .gpaRangeAlreadyBlocked.with(.rcx), level: info.level, entry: walk.entry)
            }
            return hostSEPTError(&regs, .eptEntryStateIncorrect.with(.rcx), level: info.level, entry: walk.entry)
        }
        record.state = record.state == .mapped ? .blocked : .pendingBlocked
        if numL2VMs > 0 {
            for vm in 1...numL2VMs where record.isAliased(vm: vm) {
                if record.isL2Blocked(vm: vm) {
                    let parked = record.attrs(vm: vm).rawValue & ~GPAAttributes.presentMask
                    record.setAttrs(vm: vm, GPAAttributes(parked))
                } else {
                    record.l2Blocked |= 1 << UInt8(vm - 1)
                }
            }
        }
        let key = GPASpace.leafKey(info.gpa, info.level)
        space.setLeaf(key, record)
        space.setBlockTracked(key, false)
        hostStatus(&regs, .success)
    }
}
