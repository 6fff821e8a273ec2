// Generated from Specs/status-codes.tsv by `make generate`. Do not edit: change the table instead.
// swift-format-ignore-file

extension TDXStatus {
    /// TDX_SUCCESS.
    @inlinable public static var success: TDXStatus { TDXStatus(0x0000_0000_0000_0000) }
    /// TDX_NON_RECOVERABLE_VCPU.
    @inlinable public static var nonRecoverableVCPU: TDXStatus { TDXStatus(0x4000_0001_0000_0000) }
    /// TDX_NON_RECOVERABLE_TD.
    @inlinable public static var nonRecoverableTD: TDXStatus { TDXStatus(0x6000_0002_0000_0000) }
    /// TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE.
    @inlinable public static var nonRecoverableTDNonAccessible: TDXStatus { TDXStatus(0x6000_0005_0000_0000) }
    /// TDX_TD_FATAL.
    @inlinable public static var tdFatal: TDXStatus { TDXStatus(0xE000_0604_0000_0000) }
    /// TDX_OPERAND_INVALID.
    @inlinable public static var operandInvalid: TDXStatus { TDXStatus(0xC000_0100_0000_0000) }
    /// TDX_OPERAND_ADDR_RANGE_ERROR.
    @inlinable public static var operandAddrRangeError: TDXStatus { TDXStatus(0xC000_0101_0000_0000) }
    /// TDX_OPERAND_BUSY.
    @inlinable public static var operandBusy: TDXStatus { TDXStatus(0x8000_0200_0000_0000) }
    /// TDX_OPERAND_BUSY_HOST_PRIORITY.
    @inlinable public static var operandBusyHostPriority: TDXStatus { TDXStatus(0x8000_0204_0000_0000) }
    /// TDX_HOST_PRIORITY_BUSY_TIMEOUT.
    @inlinable public static var hostPriorityBusyTimeout: TDXStatus { TDXStatus(0x9000_0205_0000_0000) }
    /// TDX_VCPU_STATE_INCORRECT.
    @inlinable public static var vcpuStateIncorrect: TDXStatus { TDXStatus(0xC000_0700_0000_0000) }
    /// TDX_NO_VALID_VE_INFO.
    @inlinable public static var noValidVEInfo: TDXStatus { TDXStatus(0xC000_0704_0000_0000) }
    /// TDX_TD_VMCS_FIELD_NOT_INITIALIZED.
    @inlinable public static var tdVMCSFieldNotInitialized: TDXStatus { TDXStatus(0xC000_0730_0000_0000) }
    /// TDX_EPT_WALK_FAILED.
    @inlinable public static var eptWalkFailed: TDXStatus { TDXStatus(0xC000_0B00_0000_0000) }
    /// TDX_EPT_ENTRY_FREE.
    @inlinable public static var eptEntryFree: TDXStatus { TDXStatus(0xC000_0B01_0000_0000) }
    /// TDX_EPT_ENTRY_NOT_FREE.
    @inlinable public static var eptEntryNotFree: TDXStatus { TDXStatus(0xC000_0B02_0000_0000) }
    /// TDX_EPT_ENTRY_NOT_PRESENT.
    @inlinable public static var eptEntryNotPresent: TDXStatus { TDXStatus(0xC000_0B03_0000_0000) }
    /// TDX_EPT_ENTRY_NOT_LEAF.
    @inlinable public static var eptEntryNotLeaf: TDXStatus { TDXStatus(0xC000_0B04_0000_0000) }
    /// TDX_EPT_ENTRY_LEAF.
    @inlinable public static var eptEntryLeaf: TDXStatus { TDXStatus(0xC000_0B05_0000_0000) }
    /// TDX_GPA_RANGE_NOT_BLOCKED.
    @inlinable public static var gpaRangeNotBlocked: TDXStatus { TDXStatus(0xC000_0B06_0000_0000) }
    /// TDX_GPA_RANGE_ALREADY_BLOCKED.
    @inlinable public static var gpaRangeAlreadyBlocked: TDXStatus { TDXStatus(0x0000_0B07_0000_0000) }
    /// TDX_TLB_TRACKING_NOT_DONE.
    @inlinable public static var tlbTrackingNotDone: TDXStatus { TDXStatus(0xC000_0B08_0000_0000) }
    /// TDX_PAGE_ALREADY_ACCEPTED.
    @inlinable public static var pageAlreadyAccepted: TDXStatus { TDXStatus(0x0000_0B0A_0000_0000) }
    /// TDX_PAGE_SIZE_MISMATCH.
    @inlinable public static var pageSizeMismatch: TDXStatus { TDXStatus(0xC000_0B0B_0000_0000) }
    /// TDX_GPA_RANGE_BLOCKED.
    @inlinable public static var gpaRangeBlocked: TDXStatus { TDXStatus(0xC000_0B0C_0000_0000) }
    /// TDX_EPT_ENTRY_STATE_INCORRECT.
    @inlinable public static var eptEntryStateIncorrect: TDXStatus { TDXStatus(0xC000_0B0D_0000_0000) }
    /// TDX_EPT_PAGE_NOT_FREE.
    @inlinable public static var eptPageNotFree: TDXStatus { TDXStatus(0xC000_0B0E_0000_0000) }
    /// TDX_L2_SEPT_WALK_FAILED.
    @inlinable public static var l2SEPTWalkFailed: TDXStatus { TDXStatus(0xC000_0B0F_0000_0000) }
    /// TDX_L2_SEPT_ENTRY_NOT_FREE.
    @inlinable public static var l2SEPTEntryNotFree: TDXStatus { TDXStatus(0xC000_0B10_0000_0000) }
    /// TDX_PAGE_ATTR_INVALID.
    @inlinable public static var pageAttrInvalid: TDXStatus { TDXStatus(0xC000_0B11_0000_0000) }
    /// TDX_L2_SEPT_PAGE_NOT_PROVIDED.
    @inlinable public static var l2SEPTPageNotProvided: TDXStatus { TDXStatus(0xC000_0B12_0000_0000) }
    /// TDX_METADATA_FIELD_ID_INCORRECT.
    @inlinable public static var metadataFieldIDIncorrect: TDXStatus { TDXStatus(0xC000_0C00_0000_0000) }
    /// TDX_METADATA_FIELD_NOT_WRITABLE.
    @inlinable public static var metadataFieldNotWritable: TDXStatus { TDXStatus(0xC000_0C01_0000_0000) }
    /// TDX_METADATA_FIELD_NOT_READABLE.
    @inlinable public static var metadataFieldNotReadable: TDXStatus { TDXStatus(0xC000_0C02_0000_0000) }
    /// TDX_METADATA_FIELD_VALUE_NOT_VALID.
    @inlinable public static var metadataFieldValueNotValid: TDXStatus { TDXStatus(0xC000_0C03_0000_0000) }
    /// TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT.
    @inlinable public static var metadataFirstFieldIDInContext: TDXStatus { TDXStatus(0x0000_0C0B_0000_0000) }
    /// TDX_INVALID_CPUSVN.
    @inlinable public static var invalidCPUSVN: TDXStatus { TDXStatus(0xC000_1000_0000_0000) }
    /// TDX_INVALID_REPORTMACSTRUCT.
    @inlinable public static var invalidReportMACStruct: TDXStatus { TDXStatus(0xC000_1001_0000_0000) }
    /// TDX_L2_EXIT_HOST_ROUTED_ASYNC.
    @inlinable public static var l2ExitHostRoutedAsync: TDXStatus { TDXStatus(0x0000_1100_0000_0000) }
    /// TDX_L2_EXIT_HOST_ROUTED_TDVMCALL.
    @inlinable public static var l2ExitHostRoutedTDVMCall: TDXStatus { TDXStatus(0x0000_1101_0000_0000) }
    /// TDX_L2_EXIT_PENDING_INTERRUPT.
    @inlinable public static var l2ExitPendingInterrupt: TDXStatus { TDXStatus(0x0000_1102_0000_0000) }
    /// TDX_PENDING_INTERRUPT.
    @inlinable public static var pendingInterrupt: TDXStatus { TDXStatus(0x0000_1120_0000_0000) }
    /// TDX_TD_EXIT_BEFORE_L2_ENTRY.
    @inlinable public static var tdExitBeforeL2Entry: TDXStatus { TDXStatus(0x0000_1140_0000_0000) }
    /// TDX_TD_EXIT_ON_L2_VM_EXIT.
    @inlinable public static var tdExitOnL2VMExit: TDXStatus { TDXStatus(0x0000_1141_0000_0000) }
    /// TDX_TD_EXIT_ON_L2_TO_L1.
    @inlinable public static var tdExitOnL2ToL1: TDXStatus { TDXStatus(0x0000_1142_0000_0000) }
    /// TDX_GLA_NOT_CANONICAL.
    @inlinable public static var glaNotCanonical: TDXStatus { TDXStatus(0xC000_1160_0000_0000) }
    /// TDX_OP_STATE_INCORRECT.
    @inlinable public static var opStateIncorrect: TDXStatus { TDXStatus(0xC000_0608_0000_0000) }
    /// TDX_CROSS_TD_TRAP.
    @inlinable public static var crossTDTrap: TDXStatus { TDXStatus(0x9000_0009_0000_0000) }
    /// TDX_SERVTD_NOT_BOUND.
    @inlinable public static var servTDNotBound: TDXStatus { TDXStatus(0xC000_0D05_0000_0000) }
    /// TDX_TARGET_UUID_MISMATCH.
    @inlinable public static var targetUUIDMismatch: TDXStatus { TDXStatus(0xC000_0D07_0000_0000) }

    /// Every named code with its ABI spelling, in the order of Specs/status-codes.tsv.
    public static let allNamed: [(status: TDXStatus, name: String)] = [
        (.success, "TDX_SUCCESS"),
        (.nonRecoverableVCPU, "TDX_NON_RECOVERABLE_VCPU"),
        (.nonRecoverableTD, "TDX_NON_RECOVERABLE_TD"),
        (.nonRecoverableTDNonAccessible, "TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE"),
        (.tdFatal, "TDX_TD_FATAL"),
        (.operandInvalid, "TDX_OPERAND_INVALID"),
        (.operandAddrRangeError, "TDX_OPERAND_ADDR_RANGE_ERROR"),
        (.operandBusy, "TDX_OPERAND_BUSY"),
        (.operandBusyHostPriority, "TDX_OPERAND_BUSY_HOST_PRIORITY"),
        (.hostPriorityBusyTimeout, "TDX_HOST_PRIORITY_BUSY_TIMEOUT"),
        (.vcpuStateIncorrect, "TDX_VCPU_STATE_INCORRECT"),
        (.noValidVEInfo, "TDX_NO_VALID_VE_INFO"),
        (.tdVMCSFieldNotInitialized, "TDX_TD_VMCS_FIELD_NOT_INITIALIZED"),
        (.eptWalkFailed, "TDX_EPT_WALK_FAILED"),
        (.eptEntryFree, "TDX_EPT_ENTRY_FREE"),
        (.eptEntryNotFree, "TDX_EPT_ENTRY_NOT_FREE"),
        (.eptEntryNotPresent, "TDX_EPT_ENTRY_NOT_PRESENT"),
        (.eptEntryNotLeaf, "TDX_EPT_ENTRY_NOT_LEAF"),
        (.eptEntryLeaf, "TDX_EPT_ENTRY_LEAF"),
        (.gpaRangeNotBlocked, "TDX_GPA_RANGE_NOT_BLOCKED"),
        (.gpaRangeAlreadyBlocked, "TDX_GPA_RANGE_ALREADY_BLOCKED"),
        (.tlbTrackingNotDone, "TDX_TLB_TRACKING_NOT_DONE"),
        (.pageAlreadyAccepted, "TDX_PAGE_ALREADY_ACCEPTED"),
        (.pageSizeMismatch, "TDX_PAGE_SIZE_MISMATCH"),
        (.gpaRangeBlocked, "TDX_GPA_RANGE_BLOCKED"),
        (.eptEntryStateIncorrect, "TDX_EPT_ENTRY_STATE_INCORRECT"),
        (.eptPageNotFree, "TDX_EPT_PAGE_NOT_FREE"),
        (.l2SEPTWalkFailed, "TDX_L2_SEPT_WALK_FAILED"),
        (.l2SEPTEntryNotFree, "TDX_L2_SEPT_ENTRY_NOT_FREE"),
        (.pageAttrInvalid, "TDX_PAGE_ATTR_INVALID"),
        (.l2SEPTPageNotProvided, "TDX_L2_SEPT_PAGE_NOT_PROVIDED"),
        (.metadataFieldIDIncorrect, "TDX_METADATA_FIELD_ID_INCORRECT"),
        (.metadataFieldNotWritable, "TDX_METADATA_FIELD_NOT_WRITABLE"),
        (.metadataFieldNotReadable, "TDX_METADATA_FIELD_NOT_READABLE"),
        (.metadataFieldValueNotValid, "TDX_METADATA_FIELD_VALUE_NOT_VALID"),
        (.metadataFirstFieldIDInContext, "TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT"),
        (.invalidCPUSVN, "TDX_INVALID_CPUSVN"),
        (.invalidReportMACStruct, "TDX_INVALID_REPORTMACSTRUCT"),
        (.l2ExitHostRoutedAsync, "TDX_L2_EXIT_HOST_ROUTED_ASYNC"),
        (.l2ExitHostRoutedTDVMCall, "TDX_L2_EXIT_HOST_ROUTED_TDVMCALL"),
        (.l2ExitPendingInterrupt, "TDX_L2_EXIT_PENDING_INTERRUPT"),
        (.pendingInterrupt, "TDX_PENDING_INTERRUPT"),
        (.tdExitBeforeL2Entry, "TDX_TD_EXIT_BEFORE_L2_ENTRY"),
        (.tdExitOnL2VMExit, "TDX_TD_EXIT_ON_L2_VM_EXIT"),
        (.tdExitOnL2ToL1, "TDX_TD_EXIT_ON_L2_TO_L1"),
        (.glaNotCanonical, "TDX_GLA_NOT_CANONICAL"),
        (.opStateIncorrect, "TDX_OP_STATE_INCORRECT"),
        (.crossTDTrap, "TDX_CROSS_TD_TRAP"),
        (.servTDNotBound, "TDX_SERVTD_NOT_BOUND"),
        (.targetUUIDMismatch, "TDX_TARGET_UUID_MISMATCH"),
    ]
}
