/// The extended exit qualification a TD exit reports in RDX (tdx-module src/common/x86_defs/vmcs_defs.h
/// vmx_ext_exit_qual_t, vmx_eeq_type_t; include/tdx_api_defs.h tdaccept_vmx_eeq_info_t): type in bits 3:0, info in
/// bits 63:32 (requested level 2:0, error level 5:3, error SEPT state 13:6, is-leaf 14, VM index 21:20).
public struct ExtendedExitQualification: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// EEQ types.
    public struct Kind: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let none = Kind(rawValue: 0)
        public static let accept = Kind(rawValue: 1)
        public static let gpaDetails = Kind(rawValue: 2)
        public static let tdEntryMSRLoadFailure = Kind(rawValue: 3)
        public static let tdEntryXStateLoadFailure = Kind(rawValue: 4)
        public static let attrWr = Kind(rawValue: 5)
        public static let pendingEPTViolation = Kind(rawValue: 6)
    }

    public init(
        kind: Kind, requestedLevel: UInt8 = 0, errorLevel: UInt8 = 0, errorState: UInt8 = 0,
        isLeaf: Bool = false, vm: Int = 0
    ) {
        var info = UInt64(requestedLevel & 7)
        info |= UInt64(errorLevel & 7) << 3
        info |= UInt64(errorState) << 6
        info |= (isLeaf ? 1 : 0) << 14
        info |= UInt64(vm & 3) << 20
        rawValue = UInt64(kind.rawValue & 0xF) | info << 32
    }

    public var kind: Kind { Kind(rawValue: UInt8(rawValue.bits(3, 0))) }
    public var info: UInt32 { UInt32(rawValue >> 32) }
    public var requestedLevel: UInt8 { UInt8(rawValue.bits(34, 32)) }
    public var errorLevel: UInt8 { UInt8(rawValue.bits(37, 35)) }
    public var errorState: UInt8 { UInt8(rawValue.bits(45, 38)) }
    public var isLeaf: Bool { rawValue.bit(46) }
    public var vm: Int { Int(rawValue.bits(53, 52)) }

    public var description: String {
        "EEQ type \(kind.rawValue) req \(requestedLevel) err \(errorLevel) state \(hexShort(UInt64(errorState))) leaf \(isLeaf) vm \(vm)"
    }
}
