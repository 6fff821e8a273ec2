import SEAMTypes

extension Machine {
    /// TDH.MEM.PAGE.AUG (6): adds a 4K or 2M page as PENDING, for L1 to accept. RCX = page info (4K/2M),
    /// R8 = HPA. Checks: page info → OPERAND_INVALID(RCX); walk → EPT_WALK_FAILED(RCX) + details (a 4K AUG
    /// inside a 2M leaf fails here); entry not FREE (a table included) → EPT_ENTRY_STATE_INCORRECT(RCX) +
    /// details; R8 not a page → OPERAND_INVALID(R8). No alias is made.
    mutating func tdhMemPageAug(_ regs: inout RegisterFile) {
        let info = PageInfo(rawValue: regs.rcx)
        regs.rcx = 0
        regs.rdx = 0
        if let e = hostPageInfoError(info, maxLevel: .size2M) { return hostStatus(&regs, e) }
        let walk = space.walkL1(info.gpa, to: info.level)
        guard walk.level == info.level else {
            return hostSEPTError(&regs, .eptWalkFailed.with(.rcx), level: walk.level, entry: walk.entry)
        }
        guard walk.entry == .free else {
            return hostSEPTError(&regs, .eptEntryStateIncorrect.with(.rcx), level: walk.level, entry: walk.entry)
        }
        guard Machine.isPageHPA(regs.r8), regs.r8 & (info.level.bytes - 1) == 0 else {
            return hostStatus(&regs, .operandInvalid.with(.r8))
        }
        space.setLeaf(GPASpace.leafKey(info.gpa, info.level), PageRecord(state: .pending, level: info.level))
        hostStatus(&regs, .success)
    }
}
