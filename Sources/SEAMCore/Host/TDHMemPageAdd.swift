import SEAMTypes

extension Machine {
    /// TDH.MEM.PAGE.ADD (2): adds a 4K page to the TD as MAPPED. RCX = page info (4K only), R8 = target HPA,
    /// R9 = source HPA. Checks in order: the TD not yet finalized → else OP_STATE_INCORRECT; page info and
    /// GPA → OPERAND_INVALID(RCX); walk →
    /// EPT_WALK_FAILED(RCX) + details; entry not FREE → EPT_ENTRY_STATE_INCORRECT(RCX) + details; R9 then R8
    /// not a page → OPERAND_INVALID(R9/R8). RCX and RDX are zeroed first and stay 0 on success.
    ///
    /// The page starts zeroed (SoftSEAM has no host memory to copy from: the built-in host copies a config
    /// region's `contents` itself, `BuiltInHost.copyContents`). MRTD measures the page's GPA, not its contents
    /// (`MRTDLog`).
    mutating func tdhMemPageAdd(_ regs: inout RegisterFile) {
        let info = PageInfo(rawValue: regs.rcx)
        regs.rcx = 0
        regs.rdx = 0
        guard opState == .initialized else { return hostStatus(&regs, .opStateIncorrect) }
        if let e = hostPageInfoError(info, maxLevel: .size4K) { return hostStatus(&regs, e) }
        let walk = space.walkL1(info.gpa, to: .size4K)
        guard walk.level == .size4K else {
            return hostSEPTError(&regs, .eptWalkFailed.with(.rcx), level: walk.level, entry: walk.entry)
        }
        guard walk.entry == .free else {
            return hostSEPTError(&regs, .eptEntryStateIncorrect.with(.rcx), level: walk.level, entry: walk.entry)
        }
        guard Machine.isPageHPA(regs.r9) else { return hostStatus(&regs, .operandInvalid.with(.r9)) }
        guard Machine.isPageHPA(regs.r8) else { return hostStatus(&regs, .operandInvalid.with(.r8)) }
        space.setLeaf(GPASpace.leafKey(info.gpa, .size4K), PageRecord(state: .mapped, level: .size4K))
        mrtdLog.pageAdded(info.gpa)
        hostStatus(&regs, .success)
    }
}
