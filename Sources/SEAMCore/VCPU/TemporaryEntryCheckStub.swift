// TEMPORARY: replaced by the VM-entry checks branch.
public struct L2GuestState: Hashable, Sendable {
    public struct Segment: Hashable, Sendable {
        public var selector: UInt16
        public var base: UInt64
        public var limit: UInt32
        public var accessRights: UInt32
    }
    public var cr0: UInt64 = 0, cr3: UInt64 = 0, cr4: UInt64 = 0, dr7: UInt64 = 0, efer: UInt64 = 0, pat: UInt64 = 0
    public var rflags: UInt64 = 0, rip: UInt64 = 0, rsp: UInt64 = 0
    public var entryControls: UInt32 = 0, activityState: UInt32 = 0, interruptibility: UInt32 = 0
    public var pendingDebugExceptions: UInt64 = 0, entryInterruptionInfo: UInt32 = 0
    public var debugCtl: UInt64 = 0, sysenterESP: UInt64 = 0, sysenterEIP: UInt64 = 0
    public var es = Segment(selector: 0, base: 0, limit: 0, accessRights: 0)
    public var cs = Segment(selector: 0, base: 0, limit: 0, accessRights: 0)
    public var ss = Segment(selector: 0, base: 0, limit: 0, accessRights: 0)
    public var ds = Segment(selector: 0, base: 0, limit: 0, accessRights: 0)
    public var fs = Segment(selector: 0, base: 0, limit: 0, accessRights: 0)
    public var gs = Segment(selector: 0, base: 0, limit: 0, accessRights: 0)
    public var ldtr = Segment(selector: 0, base: 0, limit: 0, accessRights: 0)
    public var tr = Segment(selector: 0, base: 0, limit: 0, accessRights: 0)
    public var gdtrBase: UInt64 = 0, idtrBase: UInt64 = 0, gdtrLimit: UInt32 = 0, idtrLimit: UInt32 = 0
    public var pdpte0: UInt64 = 0, pdpte1: UInt64 = 0, pdpte2: UInt64 = 0, pdpte3: UInt64 = 0
    public static let reset = L2GuestState()
}
public struct VMEntryFailure: Hashable, Sendable {
    public var check: String
    public var qualification: UInt64
}
public enum VMEntryChecks {
    public static func check(_ s: L2GuestState) -> VMEntryFailure? {
        if s.cr0 & 0x8000_0000 != 0 && s.cr0 & 1 == 0 {
            return VMEntryFailure(check: "cr0.pg-without-pe", qualification: 0)
        }
        if s.entryControls & 0x200 != 0 && s.efer & 0x400 == 0 {
            return VMEntryFailure(check: "efer.lma", qualification: 0)
        }
        return nil
    }
}
