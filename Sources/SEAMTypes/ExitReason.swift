/// A VMX basic exit reason (bits 15:0 of the exit-reason field), carried in bits 31:0 of TD-exit and
/// L2-exit statuses.
public struct ExitReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable public static var exceptionOrNMI: ExitReason { ExitReason(0) }
    @inlinable public static var externalInterrupt: ExitReason { ExitReason(1) }
    @inlinable public static var tripleFault: ExitReason { ExitReason(2) }
    @inlinable public static var cpuid: ExitReason { ExitReason(10) }
    @inlinable public static var hlt: ExitReason { ExitReason(12) }
    @inlinable public static var crAccess: ExitReason { ExitReason(28) }
    @inlinable public static var ioInstruction: ExitReason { ExitReason(30) }
    @inlinable public static var rdmsr: ExitReason { ExitReason(31) }
    @inlinable public static var wrmsr: ExitReason { ExitReason(32) }
    @inlinable public static var entryFailGuestState: ExitReason { ExitReason(33) }
    @inlinable public static var eptViolation: ExitReason { ExitReason(48) }
    @inlinable public static var eptMisconfiguration: ExitReason { ExitReason(49) }
    @inlinable public static var tdcall: ExitReason { ExitReason(77) }

    static let names: [UInt32: String] = [
        0: "EXCEPTION_OR_NMI", 1: "EXTERNAL_INTERRUPT", 2: "TRIPLE_FAULT", 10: "CPUID", 12: "HLT",
        28: "CR_ACCESS", 30: "IO_INSTRUCTION", 31: "RDMSR", 32: "WRMSR", 33: "ENTRY_FAIL_GUEST_STATE",
        48: "EPT_VIOLATION", 49: "EPT_MISCONFIGURATION", 77: "TDCALL",
    ]
    public var description: String {
        ExitReason.names[rawValue & 0xFFFF].map { "\($0) (\(rawValue))" } ?? "\(rawValue)"
    }
}
