import SEAMTypes

extension Machine {
    /// L1 SEPT leaf states ATTR.WR accepts (reference §3.4 step 2, state lookup row 24).
    static let attrWrAllowedStates: Set<SEPTState> = [.mapped, .exportedDirty, .pending, .pendingExportedDirty]

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
        var attr = GPAAttr(regs.rdx)
        let flags = AttrFlags(regs.r8)

        // Step 1: RDX, then R8, for each VM in order 0…3.
        for vm in 0..<4 {
            let field = attr[vm: vm].rawValue
            if vm == 0 || vm > numL2VMs {
                if field != 0 { return attrWrFail(&regs, .operandInvalid.with(.rdx)) }
                if flags.field(vm: vm) != 0 { return attrWrFail(&regs, .operandInvalid.with(.r8)) }
            } else if field & GPAAttributes.valid.rawValue == 0 && field != 0 {
                return attrWrFail(&regs, .operandInvalid.with(.rdx))
            }
        }
        // Page info and GPA validity (levels 4K…1G, aligned, private).
        let info = PageInfo(rawValue: regs.rcx)
        guard info.isValid(maxLevel: .size1G, width: width) else {
            return attrWrFail(&regs, .operandInvalid.with(.rcx))
        }
        let gpa = info.gpa
        let level = info.level

        // Step 2: walk the L1 SEPT to the requested level.
        guard let index = space.leafIndex(gpa, level) else {
            let walk = space.walkL1(gpa, to: level)
            if walk.level == level, walk.entry == .table {
                return attrWrFail(&regs, .pageSizeMismatch.with(detail: UInt32(level.rawValue)))
            }
            // The walk stopped above the requested level (a larger leaf, or a missing table), or the entry
            // is FREE: the host is expected to fix the SEPT and re-enter.
            return .tdExit(l1SideExit(gpa: gpa, requested: level, walk: walk, kind: .attrWr))
        }
        var record = space.leaves.values[index]
        guard Machine.attrWrAllowedStates.contains(record.state) else {
            return .tdExit(l1SideExit(gpa: gpa, requested: level,
                                      walk: GPASpace.Walk(level: level, entry: .leaf(record)), kind: .attrWr))
        }

        // Step 3: the new attributes of each L2 VM named with VALID.
        var illegal = false
        var updates: UInt8 = 0, removals: UInt8 = 0, creations: UInt8 = 0
        if numL2VMs > 0 {
            for vm in 1...numL2VMs {
                let input = attr[vm: vm].rawValue
                guard input & GPAAttributes.valid.rawValue != 0 else { continue }
                // VALID always comes from RDX: the mask's bit 15 is forced on (R8 bit 15 is INVEPT).
                let mask = flags.mask(vm: vm) | GPAAttributes.valid.rawValue
                let masked = input & mask
                let bit = UInt8(1) << UInt8(vm - 1)
                if record.isAliased(vm: vm) {
                    let current = record.attrs(vm: vm).rawValue
                    let new = GPAAttributes((current & ~mask) | masked)
                    if !new.isPresent {
                        attr[vm: vm] = new  // removal, no legality check (§12 O7)
                        removals |= bit
                    } else if new.isLegal {
                        attr[vm: vm] = new
                        updates |= bit
                    } else {
                        attr[vm: vm] = GPAAttributes(current)
                        illegal = true
                    }
                } else {
                    let new = GPAAttributes(masked)
                    // Not present: nothing to do, and the slot keeps the raw input (§12 E4).
                    guard new.isPresent else { continue }
                    guard new.isLegal else {
                        attr[vm: vm] = .none  // an unaliased VM's current attributes read 0
                        illegal = true
                        continue
                    }
                    if let stop = space.walkL2(gpa, vm: vm, to: level) {
                        // A missing L2 paging page ends the call at once, ahead of any illegality (§12 E5).
                        if eptViolationOnL2SEPTWalkFailure(vm: vm) {
                            // §12 O8: data-write plus the stopping L2_FREE entry's (zero) permissions.
                            let eeq = ExtendedExitQualification(kind: .gpaDetails, errorLevel: stop.rawValue, vm: vm)
                            return .tdExit(.eptViolation(gpa: gpa, qualification: 0x2, eeq: eeq))
                        }
                        return attrWrFail(&regs, .l2SEPTWalkFailed.with(hi: UInt16(vm), lo: UInt16(stop.rawValue)))
                    }
                    attr[vm: vm] = new
                    creations |= bit
                }
            }
        }

        // Step 4: any illegal combination rejects the whole call; nothing is committed.
        attr[vm: 0] = .none
        if illegal {
            regs.rax = TDXStatus.pageAttrInvalid.rawValue
            regs.rcx = 0
            regs.rdx = attr.rawValue
            return .completed
        }

        // Step 5: commit, then INVEPT each VM whose flag asks for it.
        if numL2VMs > 0 {
            for vm in 1...numL2VMs {
                let bit = UInt8(1) << UInt8(vm - 1)
                if updates & bit != 0 {
                    record.setAttrs(vm: vm, attr[vm: vm])
                } else if removals & bit != 0 {
                    record.removeAlias(vm: vm)
                    attr[vm: vm] = .valid
                } else if creations & bit != 0 {
                    // An alias of a PENDING page is created L2_BLOCKED, its permissions parked.
                    record.addAlias(vm: vm, attr[vm: vm], blocked: record.state.isPending)
                }
                if flags.invept(vm: vm) { l2SEPTFlushes[vm] &+= 1 }
            }
            space.replaceLeaf(at: index, with: record)
        }

        // Step 6: outputs.
        regs.rax = TDXStatus.success.rawValue
        regs.rcx = regs.rcx | (record.state.isPending ? 1 << 62 : 0)
        regs.rdx = attr.rawValue
        return .completed
    }

    /// A failure other than PAGE_ATTR_INVALID: RCX = RDX = 0.
    private func attrWrFail(_ regs: inout RegisterFile, _ status: TDXStatus) -> TDCallOutcome {
        regs.rax = status.rawValue
        regs.rcx = 0
        regs.rdx = 0
        return .completed
    }
}
