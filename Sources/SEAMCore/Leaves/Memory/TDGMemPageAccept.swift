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
    /// A 2M page is initialized in 4K chunks, from the accept counter kept in its SEPT entry
    /// (`GPASpace.acceptCounter`, 0 at first). After each chunk but the 512th the counter advances and, when an
    /// interrupt is pending for L1 (`l1InterruptPending`), the call stops: the counter stays in the entry, the
    /// entry stays PENDING with its aliases blocked, no register is written and the outcome is `.interrupted`
    /// (RIP not advanced: L1 executes the TDCALL again and continues from the counter). So every call
    /// initializes at least one chunk, and exactly one while the interrupt stays pending. After the 512th
    /// chunk the counter returns to 0 and the state changes, with no further interrupt check.
    mutating func tdgMemPageAccept(vcpu i: Int, _ regs: inout RegisterFile) -> TDCallOutcome {
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
        let key = GPASpace.leafKey(gpa, level)
        if level == .size4K {
            space.zeroPages(from: first, count: 1)
        } else {
            var counter = UInt64(space.acceptCounter(key))
            while true {
                space.zeroPages(from: first + counter, count: 1)
                if counter == 511 { break }
                counter += 1
                if l1InterruptPending(vcpu: i) {
                    space.setAcceptCounter(key, UInt16(counter))
                    return .interrupted
                }
            }
            space.setAcceptCounter(key, 0)
        }
        record.state = record.state == .pending ? .mapped : .exportedDirty
        if !PlantedBug.isPlanted(.acceptKeepsAliasesBlocked) { record.l2Blocked = 0 }
        space.setLeaf(GPASpace.leafKey(gpa, level), record)
        return complete(&regs, .success)
    }
}
