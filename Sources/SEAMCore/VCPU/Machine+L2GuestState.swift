import SEAMTypes

extension Machine {
    /// VM `vm`'s guest-state area as the CPU's VM-entry checks read it.
    public func l2GuestState(vcpu i: Int, vm: Int) -> L2GuestState {
        let v = vcpus[i]
        func f(_ field: VMCSField) -> UInt64 { v.vmcs(vm, L2VMCSLayout.required(field)) }
        func segment(_ n: Int) -> L2GuestState.Segment {
            L2GuestState.Segment(
                selector: UInt16(truncatingIfNeeded: f(.segmentSelector(n))), base: f(.segmentBase(n)),
                limit: UInt32(truncatingIfNeeded: f(.segmentLimit(n))),
                accessRights: UInt32(truncatingIfNeeded: f(.segmentAccessRights(n))))
        }
        var s = L2GuestState.reset
        s.cr0 = f(.guestCR0)
        s.cr3 = f(.guestCR3)
        s.cr4 = f(.guestCR4)
        s.dr7 = f(.guestDR7)
        s.efer = f(.guestEFER)
        s.pat = f(.guestPAT)
        s.rflags = f(.guestRFLAGS)
        s.rip = f(.guestRIP)
        s.rsp = f(.guestRSP)
        s.entryControls = UInt32(truncatingIfNeeded: f(.entryControls))
        s.activityState = UInt32(truncatingIfNeeded: f(.guestActivityState))
        s.interruptibility = UInt32(truncatingIfNeeded: f(.guestInterruptibility))
        s.pendingDebugExceptions = f(.guestPendingDebugExceptions)
        s.entryInterruptionInfo = UInt32(truncatingIfNeeded: f(.entryInterruptionInfo))
        s.debugCtl = f(.guestDebugCtl)
        s.sysenterESP = f(.guestSysenterESP)
        s.sysenterEIP = f(.guestSysenterEIP)
        s.es = segment(0)
        s.cs = segment(1)
        s.ss = segment(2)
        s.ds = segment(3)
        s.fs = segment(4)
        s.gs = segment(5)
        s.ldtr = segment(6)
        s.tr = segment(7)
        s.gdtrBase = f(.guestGDTRBase)
        s.idtrBase = f(.guestIDTRBase)
        s.gdtrLimit = UInt32(truncatingIfNeeded: f(.guestGDTRLimit))
        s.idtrLimit = UInt32(truncatingIfNeeded: f(.guestIDTRLimit))
        s.pdpte0 = f(.guestPDPTE0)
        s.pdpte1 = f(.guestPDPTE1)
        s.pdpte2 = f(.guestPDPTE2)
        s.pdpte3 = f(.guestPDPTE3)
        return s
    }
}
