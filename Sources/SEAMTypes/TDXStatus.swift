/// A TDX completion status as returned in RAX (ABI reference §2).
///
/// Bits 63:32 are the code (error, non-recoverable, fatal and host-recoverability bits, class and
/// sub-code); bits 31:0 are details: an operand id, two 16-bit details, or a VMX exit reason for the
/// L2-exit and TD-exit statuses. Open struct: any 64-bit value is representable.
///
/// The constants are `@inlinable` computed properties rather than `static let`s: a `static let` is a lazily
/// initialised global whose every cross-module use pays a `swift_once` check, which showed up on the
/// TDCALL hot path under callgrind.
public struct TDXStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable public static var success: TDXStatus { TDXStatus(0x0000_0000_0000_0000) }
    @inlinable public static var nonRecoverableVCPU: TDXStatus { TDXStatus(0x4000_0001_0000_0000) }
    @inlinable public static var nonRecoverableTD: TDXStatus { TDXStatus(0x6000_0002_0000_0000) }
    @inlinable public static var nonRecoverableTDNonAccessible: TDXStatus { TDXStatus(0x6000_0005_0000_0000) }
    /// The TD is fatal: SEAMCALLs that check the TD's state (TDH.VP.ENTER among them) refuse it.
    @inlinable public static var tdFatal: TDXStatus { TDXStatus(0xE000_0604_0000_0000) }
    @inlinable public static var operandInvalid: TDXStatus { TDXStatus(0xC000_0100_0000_0000) }
    @inlinable public static var operandAddrRangeError: TDXStatus { TDXStatus(0xC000_0101_0000_0000) }
    @inlinable public static var operandBusy: TDXStatus { TDXStatus(0x8000_0200_0000_0000) }
    @inlinable public static var operandBusyHostPriority: TDXStatus { TDXStatus(0x8000_0204_0000_0000) }
    @inlinable public static var hostPriorityBusyTimeout: TDXStatus { TDXStatus(0x9000_0205_0000_0000) }
    @inlinable public static var opStateIncorrect: TDXStatus { TDXStatus(0xC000_0608_0000_0000) }
    @inlinable public static var vcpuStateIncorrect: TDXStatus { TDXStatus(0xC000_0700_0000_0000) }
    @inlinable public static var noValidVEInfo: TDXStatus { TDXStatus(0xC000_0704_0000_0000) }
    @inlinable public static var tdVMCSFieldNotInitialized: TDXStatus { TDXStatus(0xC000_0730_0000_0000) }
    @inlinable public static var eptWalkFailed: TDXStatus { TDXStatus(0xC000_0B00_0000_0000) }
    @inlinable public static var eptEntryFree: TDXStatus { TDXStatus(0xC000_0B01_0000_0000) }
    @inlinable public static var eptEntryNotFree: TDXStatus { TDXStatus(0xC000_0B02_0000_0000) }
    @inlinable public static var eptEntryNotPresent: TDXStatus { TDXStatus(0xC000_0B03_0000_0000) }
    @inlinable public static var eptEntryNotLeaf: TDXStatus { TDXStatus(0xC000_0B04_0000_0000) }
    @inlinable public static var eptEntryLeaf: TDXStatus { TDXStatus(0xC000_0B05_0000_0000) }
    @inlinable public static var gpaRangeNotBlocked: TDXStatus { TDXStatus(0xC000_0B06_0000_0000) }
    @inlinable public static var gpaRangeAlreadyBlocked: TDXStatus { TDXStatus(0x0000_0B07_0000_0000) }
    @inlinable public static var tlbTrackingNotDone: TDXStatus { TDXStatus(0xC000_0B08_0000_0000) }
    @inlinable public static var pageAlreadyAccepted: TDXStatus { TDXStatus(0x0000_0B0A_0000_0000) }
    @inlinable public static var pageSizeMismatch: TDXStatus { TDXStatus(0xC000_0B0B_0000_0000) }
    @inlinable public static var gpaRangeBlocked: TDXStatus { TDXStatus(0xC000_0B0C_0000_0000) }
    @inlinable public static var eptEntryStateIncorrect: TDXStatus { TDXStatus(0xC000_0B0D_0000_0000) }
    @inlinable public static var eptPageNotFree: TDXStatus { TDXStatus(0xC000_0B0E_0000_0000) }
    @inlinable public static var l2SEPTWalkFailed: TDXStatus { TDXStatus(0xC000_0B0F_0000_0000) }
    @inlinable public static var l2SEPTEntryNotFree: TDXStatus { TDXStatus(0xC000_0B10_0000_0000) }
    @inlinable public static var pageAttrInvalid: TDXStatus { TDXStatus(0xC000_0B11_0000_0000) }
    @inlinable public static var l2SEPTPageNotProvided: TDXStatus { TDXStatus(0xC000_0B12_0000_0000) }
    @inlinable public static var metadataFieldIDIncorrect: TDXStatus { TDXStatus(0xC000_0C00_0000_0000) }
    @inlinable public static var metadataFieldNotWritable: TDXStatus { TDXStatus(0xC000_0C01_0000_0000) }
    @inlinable public static var metadataFieldNotReadable: TDXStatus { TDXStatus(0xC000_0C02_0000_0000) }
    @inlinable public static var metadataFieldValueNotValid: TDXStatus { TDXStatus(0xC000_0C03_0000_0000) }
    @inlinable public static var metadataFirstFieldIDInContext: TDXStatus { TDXStatus(0x0000_0C0B_0000_0000) }
    @inlinable public static var invalidCPUSVN: TDXStatus { TDXStatus(0xC000_1000_0000_0000) }
    @inlinable public static var invalidReportMACStruct: TDXStatus { TDXStatus(0xC000_1001_0000_0000) }
    @inlinable public static var l2ExitHostRoutedAsync: TDXStatus { TDXStatus(0x0000_1100_0000_0000) }
    @inlinable public static var l2ExitHostRoutedTDVMCall: TDXStatus { TDXStatus(0x0000_1101_0000_0000) }
    @inlinable public static var l2ExitPendingInterrupt: TDXStatus { TDXStatus(0x0000_1102_0000_0000) }
    @inlinable public static var pendingInterrupt: TDXStatus { TDXStatus(0x0000_1120_0000_0000) }
    @inlinable public static var tdExitBeforeL2Entry: TDXStatus { TDXStatus(0x0000_1140_0000_0000) }
    @inlinable public static var tdExitOnL2VMExit: TDXStatus { TDXStatus(0x0000_1141_0000_0000) }
    @inlinable public static var tdExitOnL2ToL1: TDXStatus { TDXStatus(0x0000_1142_0000_0000) }
    @inlinable public static var glaNotCanonical: TDXStatus { TDXStatus(0xC000_1160_0000_0000) }

    /// Every named code with its ABI spelling; `Specs/status-codes.tsv` is checked against this list.
    public static let allNamed: [(status: TDXStatus, name: String)] = [
        (.success, "TDX_SUCCESS"), (.nonRecoverableVCPU, "TDX_NON_RECOVERABLE_VCPU"),
        (.nonRecoverableTD, "TDX_NON_RECOVERABLE_TD"),
        (.nonRecoverableTDNonAccessible, "TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE"), (.tdFatal, "TDX_TD_FATAL"),
        (.operandInvalid, "TDX_OPERAND_INVALID"), (.operandAddrRangeError, "TDX_OPERAND_ADDR_RANGE_ERROR"),
        (.operandBusy, "TDX_OPERAND_BUSY"), (.operandBusyHostPriority, "TDX_OPERAND_BUSY_HOST_PRIORITY"),
        (.hostPriorityBusyTimeout, "TDX_HOST_PRIORITY_BUSY_TIMEOUT"),
        (.opStateIncorrect, "TDX_OP_STATE_INCORRECT"), (.vcpuStateIncorrect, "TDX_VCPU_STATE_INCORRECT"),
        (.noValidVEInfo, "TDX_NO_VALID_VE_INFO"),
        (.tdVMCSFieldNotInitialized, "TDX_TD_VMCS_FIELD_NOT_INITIALIZED"),
        (.eptWalkFailed, "TDX_EPT_WALK_FAILED"), (.eptEntryFree, "TDX_EPT_ENTRY_FREE"),
        (.eptEntryNotFree, "TDX_EPT_ENTRY_NOT_FREE"), (.eptEntryNotPresent, "TDX_EPT_ENTRY_NOT_PRESENT"),
        (.eptEntryNotLeaf, "TDX_EPT_ENTRY_NOT_LEAF"), (.eptEntryLeaf, "TDX_EPT_ENTRY_LEAF"),
        (.gpaRangeNotBlocked, "TDX_GPA_RANGE_NOT_BLOCKED"),
        (.gpaRangeAlreadyBlocked, "TDX_GPA_RANGE_ALREADY_BLOCKED"),
        (.tlbTrackingNotDone, "TDX_TLB_TRACKING_NOT_DONE"), (.pageAlreadyAccepted, "TDX_PAGE_ALREADY_ACCEPTED"),
        (.pageSizeMismatch, "TDX_PAGE_SIZE_MISMATCH"), (.gpaRangeBlocked, "TDX_GPA_RANGE_BLOCKED"),
        (.eptEntryStateIncorrect, "TDX_EPT_ENTRY_STATE_INCORRECT"), (.eptPageNotFree, "TDX_EPT_PAGE_NOT_FREE"),
        (.l2SEPTWalkFailed, "TDX_L2_SEPT_WALK_FAILED"), (.l2SEPTEntryNotFree, "TDX_L2_SEPT_ENTRY_NOT_FREE"),
        (.pageAttrInvalid, "TDX_PAGE_ATTR_INVALID"), (.l2SEPTPageNotProvided, "TDX_L2_SEPT_PAGE_NOT_PROVIDED"),
        (.metadataFieldIDIncorrect, "TDX_METADATA_FIELD_ID_INCORRECT"),
        (.metadataFieldNotWritable, "TDX_METADATA_FIELD_NOT_WRITABLE"),
        (.metadataFieldNotReadable, "TDX_METADATA_FIELD_NOT_READABLE"),
        (.metadataFieldValueNotValid, "TDX_METADATA_FIELD_VALUE_NOT_VALID"),
        (.metadataFirstFieldIDInContext, "TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT"),
        (.invalidCPUSVN, "TDX_INVALID_CPUSVN"), (.invalidReportMACStruct, "TDX_INVALID_REPORTMACSTRUCT"),
        (.l2ExitHostRoutedAsync, "TDX_L2_EXIT_HOST_ROUTED_ASYNC"),
        (.l2ExitHostRoutedTDVMCall, "TDX_L2_EXIT_HOST_ROUTED_TDVMCALL"),
        (.l2ExitPendingInterrupt, "TDX_L2_EXIT_PENDING_INTERRUPT"), (.pendingInterrupt, "TDX_PENDING_INTERRUPT"),
        (.tdExitBeforeL2Entry, "TDX_TD_EXIT_BEFORE_L2_ENTRY"), (.tdExitOnL2VMExit, "TDX_TD_EXIT_ON_L2_VM_EXIT"),
        (.tdExitOnL2ToL1, "TDX_TD_EXIT_ON_L2_TO_L1"), (.glaNotCanonical, "TDX_GLA_NOT_CANONICAL"),
    ]

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
