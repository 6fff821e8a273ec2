import SEAMTypes

extension Machine {
    /// L1 SEPT leaf states ATTR.WR accepts (module `include/auto_gen/sept_state_lookup.c`, the ATTR.WR column).
    /// As a literal bitmask (MAPPED 4, EXPORTED_DIRTY 8, PENDING 10, PENDING_EXPORTED_DIRTY 14) so the hot path
    /// reads a constant; `MetadataBudgetTests.stateMasksMatchTheStateLists` checks it against `SEPTState.mask`.
    package static let attrWrAllowedStates: UInt16 = 0x4510

    /// TDG.MEM.PAGE.ATTR.WR (leaf 24): sets L2 aliases' attributes of one L1 page (module
    /// `src/td_dispatcher/vm_exits/tdg_mem_page_attr_wr.c`: `tdg_mem_page_attr_wr`, `get_all_l2_sept_entries`).
    ///
    /// Inputs: RCX = page info (4K/2M/1G), RDX = GPA_ATTR (4 × 16 bits), R8 = ATTR_FLAGS (mask + INVEPT).
    /// Check order: RDX then R8 for each VM 0…3; RCX; L1 walk (TD exit when it stops early);
    /// PAGE_SIZE_MISMATCH(requested level); L1 state (TD exit); per L2 VM: merge, legality, L2 walk for a
    /// new alias (L2_SEPT_WALK_FAILED or TD exit, at once); PAGE_ATTR_INVALID; commit; INVEPT.
    /// Outputs: success — RCX = input | PENDING << 62, RDX = input updated in place; PAGE_ATTR_INVALID —
    /// RCX = 0, RDX per VM the current attributes (0 for an unaliased VM); other failures — RCX = RDX = 0; TD
    /// exit — nothing written.
    mutating func tdgMemPageAttrWr(_ regs: inout RegisterFile) -> TDCallOutcome {
        let rdx = regs.rdx
        let flags = AttrFlags(regs.r8)

        // Step 1: RDX, then R8, for each VM in order 0…3. The common case (nothing outside the existing
        // VMs' fields, VALID on every non-zero field) is tested in one go; otherwise the exact per-VM order
        // decides which operand is reported.
        let existing = existingL2FieldsMask
        let valids = rdx & GPAAttr.validBits
        let nonZero = fieldNonZeroBits(rdx)
        if (rdx | flags.rawValue) & ~existing != 0 || nonZero & ~valids & existing != 0 {
            if let status = attrWrInputError(rdx: rdx, flags: flags) { return attrWrFail(&regs, status) }
        }
        // Page info and GPA validity (levels 4K…1G, aligned, private).
        let info = PageInfo(rawValue: regs.rcx)
        guard info.isValid(maxLevel: .size1G, width: width) else {
            return attrWrFail(&regs, .operandInvalid.with(.rcx))
        }
        let gpa = info.gpa
        let level = info.level

        // Step 2: walk the L1 SEPT to the requested level.
        let found =
            space.blockedTables == 0 ? GPASpace.leafSlot(space.leaves, gpa, level) : space.leafSlot(gpa, level)
        guard let slot = found else { return attrWrNoLeaf(&regs, gpa: gpa, level: level) }
        var record = space.leaves.value(at: slot)
        guard Machine.attrWrAllowedStates >> UInt16(record.state.rawValue) & 1 != 0 else {
            return .tdExit(attrWrStateExit(gpa: gpa, level: level, record: record))
        }

        // Step 3: the new attributes of each L2 VM named with VALID. `out` is RDX updated in place. The
        // changes go into `updated`, a copy of the record, stored only if the whole call succeeds (step 5).
        // Each VM's alias is read and changed through PageRecord's operations (they inline to shifts on the
        // record word: this loop is the hot path of the attr_wr benchmark); a VM's step touches its bits only.
        var updated = record
        let blockOnCreate = record.state.isPending && !PlantedBug.isPlanted(.pendingAliasNotBlocked)
        let r8 = flags.rawValue
        let n = numL2VMs
        let valid = GPAAttributes.valid.rawValue
        var out = rdx & ~0xFFFF
        var illegal = false
        var removals: UInt64 = 0  // VALID bit of each removed VM's field
        var vm = 1
        while vm <= n {
            let shift = UInt64(truncatingIfNeeded: vm &* 16)  // this VM's field in RDX, R8 and `out`
            let input = UInt16(truncatingIfNeeded: rdx &>> shift)
            if input & valid != 0 {
                // VALID always comes from RDX: the mask's VALID bit is forced on (R8 bit 15 is INVEPT).
                let mask = UInt16(truncatingIfNeeded: r8 &>> shift) | valid
                let masked = input & mask
                let outField: UInt64 = 0xFFFF &<< shift
                if updated.isAliased(vm: vm) {
                    let current = updated.attrs(vm: vm)
                    let new = GPAAttributes((current.rawValue & ~mask) | masked)
                    if !new.isPresent {
                        // Removal, with no legality check (`get_all_l2_sept_entries`); on success RDX reports
                        // VALID alone.
                        updated.removeAlias(vm: vm)
                        removals |= UInt64(valid) &<< shift
                        out = (out & ~outField) | UInt64(new.rawValue) &<< shift
                    } else if new.isLegal || PlantedBug.isPlanted(.wWithoutR) && (new | .r).isLegal {
                        updated.setAttrs(vm: vm, new)
                        out = (out & ~outField) | UInt64(new.rawValue) &<< shift
                    } else {
                        out = (out & ~outField) | UInt64(current.rawValue) &<< shift
                        illegal = true
                    }
                } else {
                    let new = GPAAttributes(masked)
                    // Not present: nothing to do, and the slot keeps the raw input (`get_all_l2_sept_entries`).
                    if new.isPresent {
                        if !new.isLegal && !(PlantedBug.isPlanted(.wWithoutR) && (new | .r).isLegal) {
                            out &= ~outField  // an unaliased VM's current attributes read 0
                            illegal = true
                        } else if let stop = GPASpace.walkL2(
                            space.tables, root: width.rootLevel.rawValue, gpa,
                            vm: vm, to: level.rawValue)
                        {
                            // A missing L2 paging page ends the call at once, ahead of any illegality.
                            return attrWrL2WalkFailure(&regs, gpa: gpa, vm: vm, stop: stop)
                        } else {
                            // An alias of a PENDING page is created L2_BLOCKED, its permissions parked.
                            updated.addAlias(vm: vm, new, blocked: blockOnCreate)
                            out = (out & ~outField) | UInt64(new.rawValue) &<< shift
                        }
                    }
                }
            }
            vm &+= 1
        }

        // Step 4: any illegal combination rejects the whole call; nothing is committed.
        if illegal {
            if PlantedBug.isPlanted(.rejectedAttrWrCommitsFirstVM) {
                let vm1 = PageRecord.aliasStateMask(vm: 1)
                var partial = record
                partial.raw = record.raw & ~vm1 | updated.raw & vm1
                space.replaceLeaf(at: slot, with: partial)
            }
            regs.rax = TDXStatus.pageAttrInvalid.rawValue
            regs.rcx = 0
            regs.rdx = out
            return .completed
        }

        // Step 5: commit, then INVEPT each VM whose flag asks for it (whether or not its attributes changed).
        space.replaceLeaf(at: slot, with: updated)
        if removals != 0 { out = (out & ~(removals | removals &>> 15 &* 0x7FFF)) | removals }
        if r8 & AttrFlags.l2InveptBits != 0 && !PlantedBug.isPlanted(.inveptFlagIgnored) {
            vm = 1
            while vm <= n {
                if flags.invept(vm: vm) { l2SEPTFlushes[vm] &+= 1 }
                vm &+= 1
            }
        }

        // Step 6: outputs.
        regs.rax = TDXStatus.success.rawValue
        regs.rcx = regs.rcx | (updated.state.isPending ? 1 << 62 : 0)
        regs.rdx = out
        return .completed
    }

    // The cold paths live in functions of their own: kept inside the handler they made it large enough
    // that the optimiser stopped inlining the small ABI helpers on the hot path.

    /// No leaf at the requested level: PAGE_SIZE_MISMATCH when a table is there, else the EEQ type 5 TD exit
    /// (the walk stopped above the level at a larger leaf or a missing table, or the entry is FREE).
    @inline(never)
    func attrWrNoLeaf(_ regs: inout RegisterFile, gpa: UInt64, level: PageLevel) -> TDCallOutcome {
        let walk = space.walkL1(gpa, to: level)
        if walk.level == level, walk.entry == .table || walk.entry == .blockedTable {
            return attrWrFail(&regs, .pageSizeMismatch.with(detail: UInt32(level.rawValue)))
        }
        return .tdExit(l1SideExit(gpa: gpa, requested: level, walk: walk, kind: .attrWr))
    }

    /// The leaf is in a state ATTR.WR does not accept (BLOCKED, PENDING_BLOCKED…): EEQ type 5 TD exit.
    @inline(never)
    func attrWrStateExit(gpa: UInt64, level: PageLevel, record: PageRecord) -> TDExit {
        l1SideExit(gpa: gpa, requested: level, walk: GPASpace.Walk(level: level, entry: .leaf(record)), kind: .attrWr)
    }

    /// A new alias of VM `vm` needs an L2 paging page the host has not supplied: the TD exit when
    /// VM_CTLS[vm] bit 0 asks for it (`ext_ept_violation_exit` in `tdg_mem_page_attr_wr.c`: data write plus the
    /// stopping L2_FREE entry's zero permissions, EEQ type 2), else L2_SEPT_WALK_FAILED(hi = vm, lo = stop
    /// level).
    @inline(never)
    func attrWrL2WalkFailure(_ regs: inout RegisterFile, gpa: UInt64, vm: Int, stop: PageLevel) -> TDCallOutcome {
        if eptViolationOnL2SEPTWalkFailure(vm: vm) {
            let eeq = ExtendedExitQualification(kind: .gpaDetails, errorLevel: stop.rawValue, vm: vm)
            return .tdExit(.eptViolation(gpa: gpa, qualification: 0x2, eeq: eeq))
        }
        return attrWrFail(&regs, .l2SEPTWalkFailed.with(hi: UInt16(vm), lo: UInt16(stop.rawValue)))
    }

    /// Bits 15:0 set for VM0 never; for each existing L2 VM its 16-bit field: what RDX and R8 may hold.
    @inline(__always)
    var existingL2FieldsMask: UInt64 {
        numL2VMs == 0 ? 0 : ((1 << UInt64(16 * (numL2VMs + 1))) &- 1) & ~0xFFFF
    }

    /// For each 16-bit field of `x` that is non-zero, bit 15 of that field set.
    @inline(__always)
    func fieldNonZeroBits(_ x: UInt64) -> UInt64 {
        let low15 = x & ~GPAAttr.validBits
        return ((low15 &+ ~GPAAttr.validBits) | x) & GPAAttr.validBits
    }

    /// The ATTR.WR input checks in the module's exact order (VM 0…3; RDX before R8 for each VM), for
    /// inputs the quick test found suspicious; nil when they pass after all.
    @inline(never)
    func attrWrInputError(rdx: UInt64, flags: AttrFlags) -> TDXStatus? {
        for vm in 0..<4 {
            let field = UInt16(truncatingIfNeeded: rdx >> UInt64(16 * vm))
            if vm == 0 || vm > numL2VMs {
                if field != 0 { return .operandInvalid.with(.rdx) }
                if flags.field(vm: vm) != 0 { return .operandInvalid.with(.r8) }
            } else if field & GPAAttributes.valid.rawValue == 0 && field != 0 {
                return .operandInvalid.with(.rdx)
            }
        }
        return nil
    }

    /// A failure other than PAGE_ATTR_INVALID: RCX = RDX = 0.
    @inline(never)
    func attrWrFail(_ regs: inout RegisterFile, _ status: TDXStatus) -> TDCallOutcome {
        regs.rax = status.rawValue
        regs.rcx = 0
        regs.rdx = 0
        return .completed
    }
}
