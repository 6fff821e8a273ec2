/// A TDCALL leaf number, RAX bits 15:0 (tdx-module include/tdx_api_defs.h, enum tdcall_leaf_opcode_e).
///
/// An open struct rather than an enum: a trace or a fuzzer may hold any 16-bit value, and the module
/// answers unknown leaves with `TDX_OPERAND_INVALID(RAX)` rather than by trapping. The ABI names, and the
/// description that shows them, come from SEAMCore's leaf registry (`TDCallLeaves`).
public struct Leaf: RawRepresentable, Hashable, Sendable {
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
}
