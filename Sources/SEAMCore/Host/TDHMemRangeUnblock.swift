import SEAMTypes

extension Machine {
    /// TDH.MEM.RANGE.UNBLOCK (39): undoes RANGE.BLOCK once the block is tracked. RCX = page info.
    ///
    /// BLOCKED → MAPPED with every alias unblocked; NL_BLOCKED → NL_MAPPED with the L2 entries at that level
    /// unblocked; PENDING_BLOCKED → PENDING with the aliases kept
    /// L2_BLOCKED (ACCEPT unblocks them). Not blocked → EPT_ENTRY_STATE_INCORRECT(RCX); once the TD is
    /// finalized, no TDH.MEM.TRACK since the block → TLB_TRACKING_NOT_DONE(SEPT_TREE).
    mutating func tdhMemRangeUnblock(_ regs: inout RegisterFile) {
        let info = PageInfo(rawValue: regs.rcx)
        regs.rcx = 0
        regs.rdx = 0
        if let e = hostPageInfoError(info, maxLevel: width.rootLevel) { return hostStatus(&regs, e) }
        let walk = space.walkL1(info.gpa, to: info.level)
        guard walk.level == info.level else {
            return hostSEPTError(&regs, .eptWalkFailed.with(.rcx), level: walk.level, entry: walk.entry)
        }
        if walk.entry == .blockedTable {
            let blockKey = GPASpace.tableBlockKey(info.gpa, info.level)
            guard !tlbTrackingRequired || space.isBlockTracked(blockKey) else {
                return hostStatus(&regs, .tlbTrackingNotDone.with(.septTree))
            }
            space.setTableBits(info.gpa, info.level, space.tableBits(info.gpa, info.level) & 0xF)
            space.setBlockTracked(blockKey, nil)
            return hostStatus(&regs, .success)
        }
        guard case .leaf(var record) = walk.entry, record.state == .blocked || record.state == .pendingBlocked else {
            return hostSEPTError(&regs, .eptEntryStateIncorrect.with(.rcx), level: info.level, entry: walk.entry)
        }
        let key = GPASpace.leafKey(info.gpa, info.level)
        guard !tlbTrackingRequired || space.isBlockTracked(key) else {
            return hostStatus(&regs, .tlbTrackingNotDone.with(.septTree))
        }
        if record.state == .blocked {
            record.state = .mapped
            record.l2Blocked = 0
        } else {
            record.state = .pending
        }
        space.setLeaf(key, record)
        space.setBlockTracked(key, nil)
        hostStatus(&regs, .success)
    }
}
