import SEAMTypes

extension Machine {
    /// NULL_PA: an HPA operand that names no page (all ones).
    public static let nullPA: UInt64 = ~0

    /// Executes one host SEAMCALL against this TD, as the module's VMM dispatcher does: RAX bits 63:24
    /// reserved → OPERAND_INVALID(RAX); a version above 0 for a leaf that has none → OPERAND_INVALID(RAX);
    /// a leaf SoftSEAM does not model → OPERAND_INVALID(RAX). Otherwise the leaf's handler in the
    /// `SEAMCallLeaves` registry runs.
    ///
    /// SoftSEAM models one TD, so the TDR operand (RDX, or RCX for TDH.MEM.TRACK) is not checked, and host
    /// physical addresses are checked for alignment only: the model has no PAMT.
    ///
    /// Returns what a TDH.VP.ENTER that got as far as the vCPU did (whom it resumed, with which registers);
    /// nil for every other call.
    @discardableResult
    public mutating func seamcall(_ regs: inout RegisterFile) -> HostEntryOutcome? {
        let rax = regs.rax
        guard rax & .mask(63, 24) == 0 else {
            hostStatus(&regs, .operandInvalid.with(.rax))
            return nil
        }
        let leaf = SEAMCallLeaf(UInt16(truncatingIfNeeded: rax))
        let version = UInt8(truncatingIfNeeded: rax >> 16)
        // The registry's entry (tdx-module src/vmm_dispatcher/tdx_vmm_dispatcher.c): a version above 0 only
        // for a leaf that has versions (the leaf checks the upper bound itself, after clearing its outputs),
        // and OPERAND_INVALID(RAX) for a leaf SoftSEAM does not model.
        let slots = SEAMCallLeaves.slots
        let n = Int(leaf.rawValue)
        guard n < slots.count, version == 0 || slots[n].maxVersion > 0, let handler = slots[n].handler else {
            hostStatus(&regs, .operandInvalid.with(.rax))
            return nil
        }
        return handler(&self, version, &regs)
    }

    func hostStatus(_ regs: inout RegisterFile, _ status: TDXStatus) {
        regs.rax = status.rawValue
    }

    /// A SEPT error with the module's details: RCX = the architectural entry — SVE alone for FREE; R/W/X and
    /// PS for a table; for a leaf R/W/X, memory type WB (bits 5:3 = 6) when it is mapped, and PS; SoftSEAM
    /// has no HPAs to show — and RDX = level | public state << 8 | vm << 16.
    func hostSEPTError(_ regs: inout RegisterFile, _ status: TDXStatus, level: PageLevel, entry: GPASpace.Entry) {
        let (arch, state): (UInt64, UInt8)
        switch entry {
        case .free: (arch, state) = (1 << 63, SEPTState.free.publicValue)
        case .table: (arch, state) = (0x7, SEPTState.nlMapped.publicValue)
        case .blockedTable: (arch, state) = (0, SEPTState.nlBlocked.publicValue)
        case .leaf(let r): (arch, state) = ((r.state.isGuestAccessibleLeaf ? 0x37 : 0) | 1 << 7, r.state.publicValue)
        }
        hostSEPTDetails(&regs, status, level: level, arch: arch, state: state, vm: 0)
    }

    /// Writes a SEPT error status with its details: RCX = the architectural entry, RDX = level | public
    /// state << 8 | VM index << 16 (tdx-module src/common/memory_handlers/sept_manager.h, sept_entry_arch_info_t).
    func hostSEPTDetails(
        _ regs: inout RegisterFile, _ status: TDXStatus, level: PageLevel, arch: UInt64, state: UInt8, vm: Int
    ) {
        regs.rax = status.rawValue
        regs.rcx = arch
        regs.rdx = UInt64(level.rawValue) | UInt64(state) << 8 | UInt64(vm & 3) << 16
    }

    /// An L2 SEPT non-leaf entry's details (tdx-module src/common/memory_handlers/sept_manager.c,
    /// set_arch_l2_septe_details_in_vmm_regs): L2_FREE shows SVE alone (public state 0x40);
    /// an L2_NL_MAPPED entry R, W, X and Xu (0xC4); an L2_NL_BLOCKED one no permissions (0xC1).
    func l2EntryDetails(_ gpa: UInt64, level: PageLevel, vm: Int) -> (arch: UInt64, state: UInt8) {
        let bits = space.tableBits(gpa, level)
        let present = UInt8(1) << UInt8(vm)
        if bits & present == 0 { return (1 << 63, 0x40) }
        return bits & present << GPASpace.blockedShift != 0 ? (0, 0xC1) : (0x407, 0xC4)
    }

    /// Whether removing or unblocking a page needs a TDH.MEM.TRACK since its block: only once the TD runs
    /// (the module's op_state "tracking required" flag is clear before TDH.MR.FINALIZE).
    var tlbTrackingRequired: Bool { opState == .runnable }

    /// Whether an HPA operand names a 4 KiB-aligned page below 2^52.
    static func isPageHPA(_ hpa: UInt64) -> Bool { hpa & 0xFFF == 0 && hpa < 1 << 52 }

    /// The host-side page-info and GPA checks shared by the memory leaves; nil when they pass.
    func hostPageInfoError(_ info: PageInfo, maxLevel: PageLevel) -> TDXStatus? {
        info.isValid(maxLevel: maxLevel, width: width) ? nil : .operandInvalid.with(.rcx)
    }
}
