/// A TDCALL leaf number, RAX bits 15:0 (ABI reference §1.1).
///
/// An open struct rather than an enum: a trace or a fuzzer may hold any 16-bit value, and the module
/// answers unknown leaves with `TDX_OPERAND_INVALID(RAX)` rather than by trapping.
public struct Leaf: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    @inlinable public static var vpVMCall: Leaf { Leaf(0) }
    @inlinable public static var vpInfo: Leaf { Leaf(1) }
    @inlinable public static var mrRTMRExtend: Leaf { Leaf(2) }
    @inlinable public static var vpVEInfoGet: Leaf { Leaf(3) }
    @inlinable public static var mrReport: Leaf { Leaf(4) }
    @inlinable public static var vpCPUIDVESet: Leaf { Leaf(5) }
    @inlinable public static var memPageAccept: Leaf { Leaf(6) }
    @inlinable public static var vmRd: Leaf { Leaf(7) }
    @inlinable public static var vmWr: Leaf { Leaf(8) }
    @inlinable public static var vpRd: Leaf { Leaf(9) }
    @inlinable public static var vpWr: Leaf { Leaf(10) }
    @inlinable public static var sysRd: Leaf { Leaf(11) }
    @inlinable public static var sysRdAll: Leaf { Leaf(12) }
    @inlinable public static var servTDRd: Leaf { Leaf(18) }
    @inlinable public static var servTDWr: Leaf { Leaf(20) }
    @inlinable public static var mrVerifyReport: Leaf { Leaf(22) }
    @inlinable public static var memPageAttrRd: Leaf { Leaf(23) }
    @inlinable public static var memPageAttrWr: Leaf { Leaf(24) }
    @inlinable public static var vpEnter: Leaf { Leaf(25) }
    @inlinable public static var vpInvEPT: Leaf { Leaf(26) }
    @inlinable public static var vpInvVPID: Leaf { Leaf(27) }

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
