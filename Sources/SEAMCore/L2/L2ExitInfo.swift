import SEAMTypes

/// The VM-exit information of one L2 exit, as the L2 VMCS holds it and TDG.VP.ENTER reports it to L1
/// (module `src/td_transitions/td_exit.c`, `td_l2_to_l1_exit_internal`).
public struct L2ExitInfo: Hashable, Sendable {
    /// Exit reason, bit 31 set for a VM-entry failure.
    public var reason: UInt32
    public var qualification: UInt64 = 0
    public var guestLinearAddress: UInt64 = 0
    public var guestPhysicalAddress: UInt64 = 0
    public var interruptionInfo: UInt32 = 0
    public var interruptionErrorCode: UInt32 = 0
    public var idtVectoringInfo: UInt32 = 0
    public var idtVectoringErrorCode: UInt32 = 0
    public var instructionLength: UInt32 = 0
    public var instructionInfo: UInt32 = 0
    /// Extended exit qualification (R13): type 6 for a pending-page EPT violation, else 0.
    public var eeq: UInt64 = 0

    public init(
        _ reason: ExitReason, qualification: UInt64 = 0, instructionLength: UInt32 = 0,
        guestLinearAddress: UInt64 = 0, guestPhysicalAddress: UInt64 = 0, interruptionInfo: UInt32 = 0,
        interruptionErrorCode: UInt32 = 0, eeq: UInt64 = 0
    ) {
        self.reason = reason.rawValue
        self.qualification = qualification
        self.instructionLength = instructionLength
        self.guestLinearAddress = guestLinearAddress
        self.guestPhysicalAddress = guestPhysicalAddress
        self.interruptionInfo = interruptionInfo
        self.interruptionErrorCode = interruptionErrorCode
        self.eeq = eeq
    }

    /// Sets the IDT-vectoring information (bits 31:0 of `v`) and its error code (63:32).
    mutating func setVectoring(_ v: UInt64) {
        idtVectoringInfo = UInt32(truncatingIfNeeded: v)
        idtVectoringErrorCode = UInt32(truncatingIfNeeded: v >> 32)
    }

    /// VM-exit interruption information for a hardware exception with or without error code.
    static func exceptionInfo(vector: UInt8, hasErrorCode: Bool) -> UInt32 {
        InterruptionInfo(vector: vector, type: .hardwareException, errorCode: hasErrorCode).rawValue
    }
}
