import SEAMTypes

extension Machine {
    /// The EPT-violation TD exit a TDCALL raises when the L1 SEPT is not as it needs (ACCEPT: EEQ type 1;
    /// ATTR.WR: type 5). Fault-like: L1's registers are untouched and the TDCALL re-executes after the host
    /// fixes the SEPT (tdx-module src/td_dispatcher/vm_exits/tdg_mem_page_accept.c,
    /// src/td_dispatcher/vm_exits/td_other_exits.c, src/td_transitions/td_exit.c).
    ///
    /// Exit qualification: data write (bit 1) plus the R/W/X of the entry the walk stopped at (bits 3/4/5).
    /// EEQ info: requested level, the level of that entry, its public state and leaf bit, VM index 0.
    /// R8: the requested GPA, bits 11:0 clear.
    func l1SideExit(
        gpa: UInt64, requested: PageLevel, walk: GPASpace.Walk,
        kind: ExtendedExitQualification.Kind
    ) -> TDExit {
        let (state, isLeaf, rwx): (UInt8, Bool, UInt64)
        switch walk.entry {
        case .free: (state, isLeaf, rwx) = (SEPTState.free.publicValue, false, 0)
        case .table: (state, isLeaf, rwx) = (SEPTState.nlMapped.publicValue, false, 0x7)
        case .blockedTable: (state, isLeaf, rwx) = (SEPTState.nlBlocked.publicValue, false, 0)
        case .leaf(let r): (state, isLeaf, rwx) = (r.state.publicValue, true, r.state.isGuestAccessibleLeaf ? 0x7 : 0)
        }
        let eeq = ExtendedExitQualification(
            kind: kind, requestedLevel: requested.rawValue,
            errorLevel: walk.level.rawValue, errorState: state, isLeaf: isLeaf)
        return .eptViolation(gpa: gpa, qualification: 0x2 | rwx << 3, eeq: eeq)
    }
}
