import SEAMTypes

extension Machine {
    /// L1 SEPT leaf states ATTR.RD accepts (module `src/td_dispatcher/vm_exits/tdg_mem_page_attr_rd.c`, its SEPT state lookup).
    /// MAPPED, BLOCKEDW, EXPORTED_BLOCKEDW, EXPORTED_DIRTY, EXPORTED_DIRTY_BLOCKEDW, PENDING, PENDING_BLOCKEDW,
    /// PENDING_EXPORTED_BLOCKEDW, PENDING_EXPORTED_DIRTY, PENDING_EXPORTED_DIRTY_BLOCKEDW as a literal bitmask;
    /// `MetadataBudgetTests.stateMasksMatchTheStateLists` checks it against `SEPTState.mask` of those states.
    package static let attrRdAllowedStates: UInt16 = 0xF7D0

    /// TDG.MEM.PAGE.ATTR.RD (leaf 23): reads the L2 attributes of the page holding a GPA (module
    /// `src/td_dispatcher/vm_exits/tdg_mem_page_attr_rd.c`).
    ///
    /// RCX = GPA (bits 11:0 ignored); it must be a valid private GPA → else OPERAND_INVALID(RCX) with
    /// RCX = RDX = 0. A leaf in a state outside row 23 (FREE, BLOCKED, PENDING_BLOCKED, no leaf) is an
    /// EPT-violation TD exit with exit qualification 0 and no EEQ. Success: RCX = GPA aligned to the leaf,
    /// level in bits 2:0, PENDING in bit 62; RDX = each aliased VM's attributes (parked ones when blocked),
    /// 0 for L1 and for VMs without an alias.
    mutating func tdgMemPageAttrRd(_ regs: inout RegisterFile) -> TDCallOutcome {
        switch pageAttributes(regs.rcx) {
        case .operandInvalid:
            regs.rax = TDXStatus.operandInvalid.with(.rcx).rawValue
            regs.rcx = 0
            regs.rdx = 0
            return .completed
        case .tdExit(let gpa):
            return .tdExit(.eptViolation(gpa: gpa))
        case .read(let rcx, let attrs):
            regs.rax = TDXStatus.success.rawValue
            regs.rcx = rcx
            regs.rdx = attrs.rawValue
            return .completed
        }
    }

    /// What TDG.MEM.PAGE.ATTR.RD of `gpa` finds, without a vCPU or a call: the leaf above and `AliasMap`
    /// (which reads a TD's whole table, whatever its vCPUs are doing) share it.
    public enum PageAttributes: Hashable, Sendable {
        /// Not a valid private GPA: OPERAND_INVALID(RCX).
        case operandInvalid
        /// No leaf in a state ATTR.RD accepts: an EPT-violation TD exit at this GPA.
        case tdExit(gpa: UInt64)
        /// The leaf: RCX (aligned GPA | level | PENDING in bit 62) and each aliased VM's attributes.
        case read(rcx: UInt64, attrs: GPAAttr)
    }

    /// ATTR.RD's answer for `gpa` (see `PageAttributes`).
    @inline(__always)
    public func pageAttributes(_ gpa: UInt64) -> PageAttributes {
        guard width.isValidPrivate(gpa) else { return .operandInvalid }
        let walk = space.walkL1ToLeaf(gpa)
        guard case .leaf(let record) = walk.entry, Machine.attrRdAllowedStates >> UInt16(record.state.rawValue) & 1 != 0
        else {
            return .tdExit(gpa: gpa)
        }
        var attr = GPAAttr(0)
        if numL2VMs > 0 {
            for vm in 1...numL2VMs where record.isAliased(vm: vm) { attr[vm: vm] = record.attrs(vm: vm) }
        }
        let rcx =
            (gpa & ~(record.level.bytes - 1)) | UInt64(record.level.rawValue)
            | (record.state.isPending ? 1 << 62 : 0)
        return .read(rcx: rcx, attrs: attr)
    }
}
