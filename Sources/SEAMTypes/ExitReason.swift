/// A VMX basic exit reason (bits 15:0 of the exit-reason field), carried in bits 31:0 of TD-exit and
/// L2-exit statuses.
public struct ExitReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let exceptionOrNMI = ExitReason(0)
    public static let externalInterrupt = ExitReason(1)
    public static let tripleFault = ExitReason(2)
    public static let cpuid = ExitReason(10)
    public static let hlt = ExitReason(12)
    public static let crAccess = ExitReason(28)
    public static let ioInstruction = ExitReason(30)
    public static let rdmsr = ExitReason(31)
    public static let wrmsr = ExitReason(32)
    public static let entryFailGuestState = ExitReason(33)
    public static let eptViolation = ExitReason(48)
    public static let eptMisconfiguration = ExitReason(49)
    public static let tdcall = ExitReason(77)

    static let names: [UInt32: String] = [
        0: "EXCEPTION_OR_NMI", 1: "EXTERNAL_INTERRUPT", 2: "TRIPLE_FAULT", 10: "CPUID", 12: "HLT",
        28: "CR_ACCESS", 30: "IO_INSTRUCTION", 31: "RDMSR", 32: "WRMSR", 33: "ENTRY_FAIL_GUEST_STATE",
        48: "EPT_VIOLATION", 49: "EPT_MISCONFIGURATION", 77: "TDCALL",
    ]
    public var description: String { ExitReason.names[rawValue & 0xFFFF].map { "\($0) (\(rawValue))" } ?? "\(rawValue)" }
}
