import SEAMTypes

extension Machine {
    /// TDH.MEM.PAGE.REMOVE (29): removes a leaf from the TD; its aliases go with it. RCX = page info (4K…1G).
    ///
    /// Checks: page info; walk → EPT_WALK_FAILED(RCX); not a leaf in MAPPED, BLOCKED, PENDING or
    /// PENDING_BLOCKED → EPT_ENTRY_STATE_INCORRECT(RCX); then, once the TD is finalized (BLOCK → TRACK →
    /// REMOVE): not blocked → GPA_RANGE_NOT_BLOCKED(RCX), not tracked → TLB_TRACKING_NOT_DONE(RCX). The leaf
    /// becomes FREE, every alias L2_FREE, and the contents are gone. RCX would return the page's HPA;
    /// SoftSEAM has none and returns 0.
    mutating func tdhMemPageRemove(_ regs: inout RegisterFile) {
        let info = PageInfo(rawValue: regs.rcx)
        regs.rcx = 0
        regs.rdx = 0
        if let e = hostPageInfoError(info, maxLevel: .size1G) { return hostStatus(&regs, e) }
        let walk = space.walkL1(info.gpa, to: info.level)
        guard walk.level == info.level else {
            return hostSEPTError(&regs, .eptWalkFailed.with(.rcx), level: walk.level, entry: walk.entry)
        }
        guard case .leaf(let record) = walk.entry,
            [.mapped, .blocked, .pending, .pendingBlocked].contains(record.state)
        else { return hostSEPTError(&regs, .eptEntryStateIncorrect.with(.rcx), level: info.level, entry: walk.entry) }
        let key = GPASpace.leafKey(info.gpa, info.level)
        if tlbTrackingRequired {
            guard record.state == .blocked || record.state == .pendingBlocked else {
                return hostSEPTError(&regs, .gpaRangeNotBlocked.with(.rcx), level: info.level, entry: walk.entry)
            }
            guard space.isBlockTracked(key) else { return hostStatus(&regs, .tlbTrackingNotDone.with(.rcx)) }
        }
        space.setLeaf(key, nil)
        space.setBlockTracked(key, nil)
        let first = info.gpa >> 12
        space.zeroPages(from: first, count: info.level.pages4K)
        hostStatus(&regs, .success)
    }
}
