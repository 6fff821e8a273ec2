/// A TDCALL leaf number, RAX bits 15:0 (ABI reference §1.1).
///
/// An open struct rather than an enum: a trace or a fuzzer may hold any 16-bit value, and the module
/// answers unknown leaves with `TDX_OPERAND_INVALID(RAX)` rather than by trapping.
public struct Leaf: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let vpVMCall = Leaf(0)
    public static let vpInfo = Leaf(1)
    public static let mrRTMRExtend = Leaf(2)
    public static let vpVEInfoGet = Leaf(3)
    public static let mrReport = Leaf(4)
    public static let vpCPUIDVESet = Leaf(5)
    public static let memPageAccept = Leaf(6)
    public static let vmRd = Leaf(7)
    public static let vmWr = Leaf(8)
    public static let vpRd = Leaf(9)
    public static let vpWr = Leaf(10)
    public static let sysRd = Leaf(11)
    public static let sysRdAll = Leaf(12)
    public static let servTDRd = Leaf(18)
    public static let servTDWr = Leaf(20)
    public static let mrVerifyReport = Leaf(22)
    public static let memPageAttrRd = Leaf(23)
    public static let memPageAttrWr = Leaf(24)
    public static let vpEnter = Leaf(25)
    public static let vpInvEPT = Leaf(26)
    public static let vpInvVPID = Leaf(27)

    /// Every leaf TDX module 1.5.01 defines, with its ABI name, in leaf order.
    public static let allKnown: [(leaf: Leaf, name: String)] = [
        (.vpVMCall, "TDG.VP.VMCALL"), (.vpInfo, "TDG.VP.INFO"), (.mrRTMRExtend, "TDG.MR.RTMR.EXTEND"),
        (.vpVEInfoGet, "TDG.VP.VEINFO.GET"), (.mrReport, "TDG.MR.REPORT"),
        (.vpCPUIDVESet, "TDG.VP.CPUIDVE.SET"), (.memPageAccept, "TDG.MEM.PAGE.ACCEPT"),
        (.vmRd, "TDG.VM.RD"), (.vmWr, "TDG.VM.WR"), (.vpRd, "TDG.VP.RD"), (.vpWr, "TDG.VP.WR"),
        (.sysRd, "TDG.SYS.RD"), (.sysRdAll, "TDG.SYS.RDALL"), (.servTDRd, "TDG.SERVTD.RD"),
        (.servTDWr, "TDG.SERVTD.WR"), (.mrVerifyReport, "TDG.MR.VERIFYREPORT"),
        (.memPageAttrRd, "TDG.MEM.PAGE.ATTR.RD"), (.memPageAttrWr, "TDG.MEM.PAGE.ATTR.WR"),
        (.vpEnter, "TDG.VP.ENTER"), (.vpInvEPT, "TDG.VP.INVEPT"), (.vpInvVPID, "TDG.VP.INVVPID"),
    ]

    /// The ABI name (`TDG.MEM.PAGE.ATTR.WR`), or nil for a number 1.5.01 does not define.
    public var name: String? {
        Leaf.allKnown.first { $0.leaf == self }?.name
    }

    public var description: String { name ?? "TDCALL leaf \(rawValue)" }
}
