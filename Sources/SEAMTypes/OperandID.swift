/// An operand id, added to a status code's bits 31:0 to name the failing operand (ABI reference §2.3).
public struct OperandID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public static let rax = OperandID(0)
    public static let rcx = OperandID(1)
    public static let rdx = OperandID(2)
    public static let rbx = OperandID(3)
    public static let rbp = OperandID(5)
    public static let rsi = OperandID(6)
    public static let rdi = OperandID(7)
    public static let r8 = OperandID(8)
    public static let r9 = OperandID(9)
    public static let r10 = OperandID(10)
    public static let r11 = OperandID(11)
    public static let r12 = OperandID(12)
    public static let r13 = OperandID(13)
    public static let r14 = OperandID(14)
    public static let r15 = OperandID(15)
    public static let attributes = OperandID(64)
    public static let xfam = OperandID(65)
    public static let execControls = OperandID(66)
    public static let eptpControls = OperandID(67)
    public static let maxVCPUs = OperandID(68)
    public static let cpuidConfig = OperandID(69)
    public static let tscFrequency = OperandID(70)
    public static let numL2VMs = OperandID(71)
    public static let ia32ArchCapabilitiesConfig = OperandID(72)
    public static let page = OperandID(95)
    public static let tdr = OperandID(128)
    public static let tdcx = OperandID(129)
    public static let tdvpr = OperandID(130)
    public static let tdcs = OperandID(144)
    public static let tdvps = OperandID(145)
    public static let septTree = OperandID(146)
    public static let septEntry = OperandID(147)
    public static let rtmr = OperandID(168)
    public static let tdEpoch = OperandID(169)
    public static let l2VAPICGPA = OperandID(170)
    public static let metadataField = OperandID(176)

    public static let names: [UInt32: String] = [
        0: "RAX", 1: "RCX", 2: "RDX", 3: "RBX", 5: "RBP", 6: "RSI", 7: "RDI", 8: "R8", 9: "R9", 10: "R10",
        11: "R11", 12: "R12", 13: "R13", 14: "R14", 15: "R15", 64: "ATTRIBUTES", 65: "XFAM",
        66: "EXEC_CONTROLS", 67: "EPTP_CONTROLS", 68: "MAX_VCPUS", 69: "CPUID_CONFIG", 70: "TSC_FREQUENCY",
        71: "NUM_L2_VMS", 72: "IA32_ARCH_CAPABILITIES_CONFIG", 95: "PAGE", 128: "TDR", 129: "TDCX",
        130: "TDVPR", 144: "TDCS", 145: "TDVPS", 146: "SEPT_TREE", 147: "SEPT_ENTRY", 168: "RTMR",
        169: "TD_EPOCH", 170: "L2_VAPIC_GPA", 176: "METADATA_FIELD",
    ]

    /// The operand's ABI name (`RCX`, `NUM_L2_VMS`), or its number.
    public var description: String { OperandID.names[rawValue] ?? "\(rawValue)" }
}
