/// An operand id, added to a status code's bits 31:0 to name the failing operand (tdx-module
/// include/auto_gen/tdx_error_codes_defs.h).
public struct OperandID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    @inlinable public static var rax: OperandID { OperandID(0) }
    @inlinable public static var rcx: OperandID { OperandID(1) }
    @inlinable public static var rdx: OperandID { OperandID(2) }
    @inlinable public static var rbx: OperandID { OperandID(3) }
    @inlinable public static var rbp: OperandID { OperandID(5) }
    @inlinable public static var rsi: OperandID { OperandID(6) }
    @inlinable public static var rdi: OperandID { OperandID(7) }
    @inlinable public static var r8: OperandID { OperandID(8) }
    @inlinable public static var r9: OperandID { OperandID(9) }
    @inlinable public static var r10: OperandID { OperandID(10) }
    @inlinable public static var r11: OperandID { OperandID(11) }
    @inlinable public static var r12: OperandID { OperandID(12) }
    @inlinable public static var r13: OperandID { OperandID(13) }
    @inlinable public static var r14: OperandID { OperandID(14) }
    @inlinable public static var r15: OperandID { OperandID(15) }
    @inlinable public static var attributes: OperandID { OperandID(64) }
    @inlinable public static var xfam: OperandID { OperandID(65) }
    @inlinable public static var execControls: OperandID { OperandID(66) }
    @inlinable public static var eptpControls: OperandID { OperandID(67) }
    @inlinable public static var maxVCPUs: OperandID { OperandID(68) }
    @inlinable public static var cpuidConfig: OperandID { OperandID(69) }
    @inlinable public static var tscFrequency: OperandID { OperandID(70) }
    @inlinable public static var numL2VMs: OperandID { OperandID(71) }
    @inlinable public static var ia32ArchCapabilitiesConfig: OperandID { OperandID(72) }
    @inlinable public static var page: OperandID { OperandID(95) }
    @inlinable public static var tdr: OperandID { OperandID(128) }
    @inlinable public static var tdcx: OperandID { OperandID(129) }
    @inlinable public static var tdvpr: OperandID { OperandID(130) }
    @inlinable public static var tdcs: OperandID { OperandID(144) }
    @inlinable public static var tdvps: OperandID { OperandID(145) }
    @inlinable public static var septTree: OperandID { OperandID(146) }
    @inlinable public static var septEntry: OperandID { OperandID(147) }
    @inlinable public static var rtmr: OperandID { OperandID(168) }
    @inlinable public static var tdEpoch: OperandID { OperandID(169) }
    @inlinable public static var l2VAPICGPA: OperandID { OperandID(170) }
    @inlinable public static var metadataField: OperandID { OperandID(176) }

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
