import SEAMTypes

extension Machine {
    /// L1 SEPT leaf states ATTR.WR accepts (reference §3.4 step 2, state lookup row 24).
    /// As a literal bitmask (MAPPED 4, EXPORTED_DIRTY 8, PENDING 10, PENDING_EXPORTED_DIRTY 14) so the hot path
    /// reads a constant; `MetadataBudgetTests.stateMasksMatchTheStateLists` checks it against `SEPTState.mask`.
    package static let attrWrAllowedStates: UInt16 = 0x4510

    /// TDG.MEM.PAGE.ATTR.WR (leaf 24): sets L2 aliases' attributes of one L1 page (reference §1.5, §3.4,
    /// §12 E4, E5, O7, O8).
    ///
    /// Inputs: RCX = page info (4K/2M/1G), RDX = GPA_ATTR (4 × 16 bits), R8 = ATTR_FLAGS (mask + INVEPT).
    /// Check order: RDX then R8 for each VM 0…3; RCX; L1 walk (TD exit when it stops early);
    /// PAGE_SIZE_MISMATCH(requested level); L1 state (TD exit); per L2 VM: merge, legality, L2 walk for a
    /// new alias (L2_SEPT_WALK_FAILED or TD exit, at once); PAGE_ATTR_INVALID; commit; INVEPT.
    /// Outputs: success — RCX = input | PENDING << 62, RDX = input updated in place; PAGE_ATTR_INVALID —
    /// RCX = 0, RDX per VM as §1.5 says; other failures — RCX = RDX = 0; TD exit — nothing written.
    mutating func tdgMemPageAttrWr(_ regs: inout RegisterFile) -> TDCallOutcome {
        let rdx = regs.rdx
        let flags = AttrFlags(regs.r8)

        // Step 1: RDX, then R8, for each VM in order 0…3. The common case (nothing outside the existing
        // VMs' fields, VALID on every non-zero field) is tested in one go; otherwise the exact per-VM order
        // decides which operand is reported.
        let existing = existingL2FieldsMask
        let valids = rdx & 0x8000_8000_8000_8000
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
        // changes go into `raw`, a copy of the record word (layout in PageRecord), stored only if the whole
        // call succeeds (step 5). Shifts on the word (bit positions from PageRecord) rather than its
        // accessors: this loop is the hot path of the attr_wr benchmark.
        let old = record.raw
        var raw = old
        let blockedOnCreate: UInt64 = record.state.isPending ? 1 : 0
        let r8 = flags.rawValue
        let n = numL2VMs
        var out = rdx & ~0xFFFF
        var illegal = false
        var removals: UInt64 = 0  // VALID bit of each removed VM's field
        var vm = 1
        while vm <= n {
            let shift = UInt64(truncatingIfNeeded: vm &* 16)
            let input = UInt16(truncatingIfNeeded: rdx &>> shift)
            if input & 0x8000 != 0 {
                // VALID always comes from RDX: the mask's bit 15 is forced on (R8 bit 15 is INVEPT).
                let mask = UInt16(truncatingIfNeeded: r8 &>> shift) | 0x8000
                let masked = input & mask
                let field = PageRecord.attrShift(vm: vm)  // this VM's attributes in the record word
                let aliasBit = PageRecord.aliasBit(vm: vm)
                let blockedBit = PageRecord.blockedBit(vm: vm)
                let outField: UInt64 = 0xFFFF &<< shift
                if old & aliasBit != 0 {
                    let current = UInt16(truncatingIfNeeded: old &>> field)
                    let new = GPAAttributes((current & ~mask) | masked)
                    if !new.isPresent {
                        // Removal, with no legality check (§12 O7); on success RDX reports VALID alone.
                        raw &= ~(0xFFFF &<< field | aliasBit | blockedBit)
                        removals |= 0x8000 &<< shift
                        out = (out & ~outField) | UInt64(new.rawValue) &<< shift
                    } else if new.isLegal {
                        raw = (raw & ~(0xFFFF &<< field)) | UInt64(new.rawValue) &<< field
                        out = (out & ~outField) | UInt64(new.rawValue) &<< shift
                    } else {
                        out = (out & ~outField) | UInt64(current) &<< shift
                        illegal = true
                    }
                } else {
                    let new = GPAAttributes(masked)
                    // Not present: nothing to do, and the slot keeps the raw input (§12 E4).
                    if new.isPresent {
                        if !new.isLegal {
                            out &= ~outField  // an unaliased VM's current attributes read 0
                            illegal = true
                        } else if let stop = GPASpace.walkL2(
                            space.tables, root: width.rootLevel.rawValue, gpa,
                            vm: vm, to: level.rawValue)
                        {
                            // A missing L2 paging page ends the call at once, ahead of any illegality (§12 E5).
                            return attrWrL2WalkFailure(&regs, gpa: gpa, vm: vm, stop: stop)
                        } else {
                            // An alias of a PENDING page is created L2_BLOCKED, its permissions parked.
                            raw =
                                (raw & ~(0xFFFF &<< field)) | UInt64(new.rawValue) &<< field | aliasBit
                                | blockedOnCreate &* blockedBit
                            out = (out & ~outField) | UInt64(new.rawValue) &<< shift
                        }
                    }
                }
            }
            vm &+= 1
        }

        // Step 4: any illegal combination rejects the whole call; nothing is committed.
        if illegal {
            regs.rax = TDXStatus.pageAttrInvalid.rawValue
            regs.rcx = 0
            regs.rdx = out
            return .completed
        }

        // Step 5: commit, then INVEPT each VM whose flag asks for it (whether or not its attributes changed).
        record.raw = raw
        space.replaceLeaf(at: slot, with: record)
        if removals != 0 { out = (out & ~(removals | removals &>> 15 &* 0x7FFF)) | removals }
        if r8 & 0x8000_8000_8000_0000 != 0 {
            vm = 1
            while vm <= n {
                if flags.invept(vm: vm) { l2SEPTFlushes[vm] &+= 1 }
                vm &+= 1
            }
        }

        // Step 6: outputs.
        regs.rax = TDXStatus.success.rawValue
        regs.rcx = regs.rcx | (record.state.isPending ? 1 << 62 : 0)
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
    /// VM_CTLS[vm] bit 0 asks for it (§12 O8: data write plus the stopping L2_FREE entry's zero
    /// permissions, EEQ type 2), else L2_SEPT_WALK_FAILED(hi = vm, lo = stop level).
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
        let low15 = x & 0x7FFF_7FFF_7FFF_7FFF
        return ((low15 &+ 0x7FFF_7FFF_7FFF_7FFF) | x) & 0x8000_8000_8000_8000
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
            } else if field & 0x8000 == 0 && field != 0 {
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
