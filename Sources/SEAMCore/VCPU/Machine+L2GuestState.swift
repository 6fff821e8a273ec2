import SEAMTypes

extension Machine {
    /// VM `vm`'s guest-state area as the CPU's VM-entry checks read it (rows by the generated `L2VMCSRow`
    /// constants: this runs on every entry after L1 changed the guest state).
    public func l2GuestState(vcpu i: Int, vm: Int) -> L2GuestState {
        typealias R = L2VMCSRow
        func f(_ row: Int) -> UInt64 { vcpus[i].vmcs(vm, row) }
        func segment(_ sel: Int, _ base: Int, _ limit: Int, _ ar: Int) -> L2GuestState.Segment {
            L2GuestState.Segment(
                selector: UInt16(truncatingIfNeeded: f(sel)), base: f(base),
                limit: UInt32(truncatingIfNeeded: f(limit)),
                accessRights: UInt32(truncatingIfNeeded: f(ar)))
        }
        var s = L2GuestState.reset
        s.cr0 = f(R.guestCr0)
        s.cr3 = f(R.guestCr3)
        s.cr4 = f(R.guestCr4)
        s.dr7 = f(R.guestDr7)
        s.efer = f(R.guestIa32Efer)
        s.pat = f(R.guestIa32Pat)
        s.rflags = f(R.guestRflags)
        s.rip = f(R.guestRip)
        s.rsp = f(R.guestRsp)
        s.entryControls = UInt32(truncatingIfNeeded: f(R.vmEntryControls))
        s.activityState = UInt32(truncatingIfNeeded: f(R.guestActivityState))
        s.interruptibility = UInt32(truncatingIfNeeded: f(R.guestInterruptibility))
        s.pendingDebugExceptions = f(R.guestPendingDebugExceptions)
        s.entryInterruptionInfo = UInt32(truncatingIfNeeded: f(R.vmEntryIntrInfo))
        s.debugCtl = f(R.guestIa32Debugctl)
        s.sysenterESP = f(R.guestIa32SysenterEsp)
        s.sysenterEIP = f(R.guestIa32SysenterEip)
        s.es = segment(R.guestEsSelector, R.guestEsBase, R.guestEsLimit, R.guestEsAr)
        s.cs = segment(R.guestCsSelector, R.guestCsBase, R.guestCsLimit, R.guestCsAr)
        s.ss = segment(R.guestSsSelector, R.guestSsBase, R.guestSsLimit, R.guestSsAr)
        s.ds = segment(R.guestDsSelector, R.guestDsBase, R.guestDsLimit, R.guestDsAr)
        s.fs = segment(R.guestFsSelector, R.guestFsBase, R.guestFsLimit, R.guestFsAr)
        s.gs = segment(R.guestGsSelector, R.guestGsBase, R.guestGsLimit, R.guestGsAr)
        s.ldtr = segment(R.guestLdtrSelector, R.guestLdtrBase, R.guestLdtrLimit, R.guestLdtrAr)
        s.tr = segment(R.guestTrSelector, R.guestTrBase, R.guestTrLimit, R.guestTrAr)
        s.gdtrBase = f(R.guestGdtrBase)
        s.idtrBase = f(R.guestIdtrBase)
        s.gdtrLimit = UInt32(truncatingIfNeeded: f(R.guestGdtrLimit))
        s.idtrLimit = UInt32(truncatingIfNeeded: f(R.guestIdtrLimit))
        s.pdpte0 = f(R.guestPdpte0)
        s.pdpte1 = f(R.guestPdpte1)
        s.pdpte2 = f(R.guestPdpte2)
        s.pdpte3 = f(R.guestPdpte3)
        return s
    }
}
