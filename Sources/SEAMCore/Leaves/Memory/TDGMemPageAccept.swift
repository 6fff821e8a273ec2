import SEAMTypes

extension Machine {
    /// TDG.MEM.PAGE.ACCEPT (leaf 6): L1 accepts a PENDING page; its L2 aliases are unblocked (module
    /// `src/td_dispatcher/vm_exits/tdg_mem_page_accept.c`).
    ///
    /// Check order: page info (4K or 2M, aligned, private) → OPERAND_INVALID(RCX); L1 walk — stopping early
    /// at a guest-accessible leaf gives PAGE_ALREADY_ACCEPTED(that larger level), anywhere else a TD exit
    /// with EEQ type 1; a non-leaf at the requested level → PAGE_SIZE_MISMATCH(level); a guest-accessible
    /// leaf → PAGE_ALREADY_ACCEPTED(level); any state but PENDING → TD exit. Success: the page is zeroed,
    /// becomes MAPPED, and every alias of it is unblocked. Only RAX is written.
    ///
    /// The module accepts a 2M page in interruptible 4K steps; SoftSEAM has no pending interrupts yet, so the
    /// whole page is accepted in one call.
    mutating func tdgMemPageAccept(_ regs: inout RegisterFile) -> TDCallOutcome {
        let info = PageInfo(rawValue: regs.rcx)
        guard info.isValid(maxLevel: .size2M, width: width) else { return complete(&regs, .operandInvalid.with(.rcx)) }
        let gpa = info.gpa
        let level = info.level
        let walk = space.walkL1(gpa, to: level)
        if walk.level != level {
            if case .leaf(let r) = walk.entry, r.state.isGuestAccessibleLeaf {
                return complete(&regs, .pageAlreadyAccepted.with(detail: UInt32(walk.level.rawValue)))
            }
            return .tdExit(l1SideExit(gpa: gpa, requested: level, walk: walk, kind: .accept))
        }
        guard case .leaf(var record) = walk.entry else {
            if walk.entry == .table || walk.entry == .blockedTable {
                return complete(&regs, .pageSizeMismatch.with(detail: UInt32(level.rawValue)))
            }
            return .tdExit(l1SideExit(gpa: gpa, requested: level, walk: walk, kind: .accept))
        }
        if record.state.isGuestAccessibleLeaf {
            return complete(&regs, .pageAlreadyAccepted.with(detail: UInt32(level.rawValue)))
        }
        guard record.state == .pending || record.state == .pendingExportedDirty else {
            return .tdExit(l1SideExit(gpa: gpa, requested: level, walk: walk, kind: .accept))
        }
        let first = gpa >> 12
        space.zeroPages(from: first, count: level.pages4K)
        record.state = record.state == .pending ? .mapped : .exportedDirty
        record.l2Blocked = 0
        space.setLeaf(GPASpace.leafKey(gpa, level), record)
        return complete(&regs, .success)
    }
}
