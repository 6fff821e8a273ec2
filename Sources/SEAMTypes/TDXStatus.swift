/// A TDX completion status as returned in RAX (tdx-module include/auto_gen/tdx_error_codes_defs.h; layout:
/// include/tdx_api_defs.h api_error_code_t).
///
/// Bits 63:32 are the code (error, non-recoverable, fatal and host-recoverability bits, class and
/// sub-code); bits 31:0 are details: an operand id, two 16-bit details, or a VMX exit reason for the
/// L2-exit and TD-exit statuses. Open struct: any 64-bit value is representable.
///
/// The named codes — the constants (`.operandInvalid`) and `allNamed` — are generated from
/// Specs/status-codes.tsv into TDXStatus+Generated.swift by `make generate` (SEAMSpec's
/// StatusCodeTableGenerator), and a test fails when the two differ: a row of that table is the one place to
/// add a code. Generated rather than checked, because Swift has no reflection over static members (`Mirror`
/// sees instances only), so no test could find a constant missing from `allNamed` without a second list
/// kept by hand.
///
/// The constants are `@inlinable` computed properties rather than `static let`s: a `static let` is a lazily
/// initialised global whose every cross-module use pays a `swift_once` check, which showed up on the
/// TDCALL hot path under callgrind.
public struct TDXStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bits 63:32: the code without details. Compare statuses with this, as L1s do.
    @inlinable public var code: TDXStatus { TDXStatus(rawValue & 0xFFFF_FFFF_0000_0000) }
    /// Bits 31:0: operand id, two 16-bit details, or an exit reason.
    public var details: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    /// Bit 63.
    public var isError: Bool { rawValue.bit(63) }
    /// Bits 47:40.
    public var classCode: UInt8 { UInt8(truncatingIfNeeded: rawValue.bits(47, 40)) }
    /// The details read as an operand id.
    public var operandID: OperandID { OperandID(details) }

    /// `err + id`, the module's status-with-operand form.
    @inlinable public func with(_ operand: OperandID) -> TDXStatus {
        TDXStatus(code.rawValue | UInt64(operand.rawValue))
    }
    /// `err` with a raw 32-bit detail (for example a SEPT level as the operand).
    @inlinable public func with(detail: UInt32) -> TDXStatus {
        TDXStatus(code.rawValue | UInt64(detail))
    }
    /// `err` with two 16-bit details: `hi` in bits 31:16, `lo` in bits 15:0.
    @inlinable public func with(hi: UInt16, lo: UInt16) -> TDXStatus {
        TDXStatus(code.rawValue | UInt64(hi) << 16 | UInt64(lo))
    }

    /// The ABI name of the code, or nil if this is not a named code.
    public var name: String? {
        let c = code
        return TDXStatus.allNamed.first { $0.status == c }?.name
    }

    /// `TDX_OPERAND_INVALID(RCX) 0xC000010000000001`; statuses whose details are not an operand show them raw.
    public var description: String {
        guard let name else { return hex64(rawValue) }
        if details == 0 { return "\(name) \(hex64(rawValue))" }
        let showsOperand = [
            TDXStatus.operandInvalid, .operandBusy, .operandAddrRangeError,
            .operandBusyHostPriority,
        ].contains(code)
        let twoDetails = [TDXStatus.l2SEPTWalkFailed, .l2SEPTEntryNotFree].contains(code)
        let detail =
            showsOperand
            ? operandID.description
            : twoDetails ? "hi=\(details >> 16),lo=\(details & 0xFFFF)" : "\(details)"
        return "\(name)(\(detail)) \(hex64(rawValue))"
    }
}
