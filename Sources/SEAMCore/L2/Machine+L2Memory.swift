import SEAMTypes

extension Machine {
    /// An L2 memory access at a GPA, checked against VM `vm`'s alias (module
    /// `src/td_dispatcher/vm_exits_l2/td_l2_ept_violation.c`, `td_l2_ept_violation_exit`).
    ///
    /// Permitted when the L1 leaf is guest-accessible and the alias is present, not blocked and grants the
    /// access: R for a read, W for a write, Xs for a supervisor fetch, Xu for a user fetch when mode-based
    /// execute control for EPT is on (Xs otherwise). A permitted write changes the page
    /// contents; a permitted read loads the value into RAX. A denied access is an EPT violation with the
    /// SDM's exit qualification — access in bits 2:0, the alias's R/W/Xs in bits 5:3 and Xu in bit 6, GLA
    /// valid (bit 7), linear-address translation (bit 8) and user access (bit 9) when a GLA is given — and goes:
    /// to L1 when the L1 leaf is guest-accessible; to L1 with extended exit qualification type 6 when the
    /// leaf is PENDING; to L1 when GPAW is 48, a bit between the shared bit and bit 51 is set and there is a
    /// GLA; and otherwise (shared GPA, no leaf, blocked or removed page, a blocked table above the leaf) to the host.
    mutating func memoryAccess(_ i: Int, _ vm: Int, _ a: MemoryAccess) -> L2Outcome {
        let gpa = a.gpa
        typealias Q = ExitQualification.EPTViolation
        var qualification: Q = a.kind == .read ? .dataRead : a.kind == .write ? .dataWrite : .instructionFetch
        if a.gla != nil {
            qualification.formUnion(Q.guestLinearAddressValid.union(.linearAddressTranslation))
            if a.isUser { qualification.formUnion(.userModeLinearAddress) }
        }
        var info = L2ExitInfo(
            .eptViolation, qualification: qualification.rawValue, guestLinearAddress: a.gla ?? 0,
            guestPhysicalAddress: gpa)
        let shared = gpa & width.sharedMask != 0
        guard !shared, gpa >> 52 == 0 else {
            // Through the host's shared EPT only with L2_CTLS[vm].ENABLE_SHARED_EPTP: otherwise the module
            // points L2's shared EPTP at the TDCS zero page (src/common/metadata_handlers/metadata_vp.c, the
            // L2_CTLS write), where every shared access faults to the host.
            // A fetch keeps its TD exit: L2 running code from shared memory is not modelled.
            if shared, a.kind != .fetch, L2Ctls(rawValue: vcpus[i].l2Ctls[vm]).contains(.enableSharedEPTP),
                isSharedMapped(gpa)
            {
                carryOut(i, a)
                return .continued
            }
            return .tdExit(asyncTDExit(i, vm, info))
        }
        guard width.isValidPrivate(gpa) else {
            return a.gla != nil ? exitToL1(i, vm, info) : .tdExit(asyncTDExit(i, vm, info))
        }
        // The module walks the L1 SEPT to the leaf (`secure_ept_walk`): an NL_BLOCKED entry above it stops the
        // walk at an entry that is neither a guest-accessible leaf nor pending, so the exit goes to the host.
        guard let leaf = space.leaf(containing: gpa), !space.blockedAbove(gpa, leaf.level) else {
            return .tdExit(asyncTDExit(i, vm, info))
        }
        if leaf.state == .pending {
            info.eeq = ExtendedExitQualification(kind: .pendingEPTViolation).rawValue
            return exitToL1(i, vm, info)
        }
        let leaky = PlantedBug.isPlanted(.blockLeavesAliasesReachable) && leaf.state == .blocked
        guard leaf.state.isGuestAccessibleLeaf || leaky else { return .tdExit(asyncTDExit(i, vm, info)) }
        let attrs =
            leaf.isAliased(vm: vm) && (!leaf.isL2Blocked(vm: vm) || leaky) ? leaf.attrs(vm: vm).rawValue : 0
        let mbec = SecondaryControls(vcpus[i].vmcs(vm, L2VMCSLayout.secondaryControls))
            .contains(.modeBasedExecuteControlForEPT)
        let needed: GPAAttributes =
            switch a.kind {
            case .read: .r
            case .write: .w
            case .fetch: a.isUser && mbec ? .xu : .xs
            }
        if attrs & needed.rawValue == needed.rawValue {
            carryOut(i, a)
            return .continued
        }
        // The alias's R, W and Xs in bits 5:3; its Xu in bit 6 under mode-based execute control.
        let rwxs = (GPAAttributes.r | .w | .xs).rawValue
        info.qualification |= UInt64(attrs & rwxs) << Q.permissionsShift
        if mbec && attrs & GPAAttributes.xu.rawValue != 0 { info.qualification |= Q.userExecutable.rawValue }
        return exitToL1(i, vm, info)
    }

    /// An L2 access the EPT lets through (a private page its alias grants, or a mapped shared page): a write
    /// stores, a read loads RAX, a fetch reads nothing.
    mutating func carryOut(_ i: Int, _ a: MemoryAccess) {
        let gpa = a.gpa
        if a.kind == .write {
            var data = a.value.littleEndian
            withUnsafeBytes(of: &data) {
                space.write(gpa >> 12, offset: Int(gpa & 0xFFF), UnsafeRawBufferPointer(rebasing: $0[0..<Int(a.size)]))
            }
        } else if a.kind == .read {
            var loaded: UInt64 = 0
            withUnsafeMutableBytes(of: &loaded) {
                space.read(
                    gpa >> 12, offset: Int(gpa & 0xFFF),
                    into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<Int(a.size)]))
            }
            vcpus[i].gprs.rax = UInt64(littleEndian: loaded)
        }
    }
}
