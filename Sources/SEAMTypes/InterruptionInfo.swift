/// The interruption-information format the VMCS uses for the VM-entry interruption information, the VM-exit
/// interruption information and the IDT-vectoring information (SDM Vol. 3C §25.8.3 and §25.9.2, tables
/// "Format of the VM-Entry Interruption-Information Field" and "Format of the VM-Exit Interruption-Information
/// Field"; the module's `vmx_entry_inter_info_t` and `vm_vmexit_interruption_info_t` in
/// `src/common/x86_defs/vmcs_defs.h`): vector 7:0, interruption type 10:8, error code 11, valid 31.
public struct InterruptionInfo: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// The interruption type, bits 10:8 (the module's `VMEXIT_INTER_INFO_TYPE_*`).
    public struct InterruptionType: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt32
        @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

        @inlinable public static var externalInterrupt: InterruptionType { InterruptionType(rawValue: 0) }
        @inlinable public static var nmi: InterruptionType { InterruptionType(rawValue: 2) }
        @inlinable public static var hardwareException: InterruptionType { InterruptionType(rawValue: 3) }
        @inlinable public static var softwareInterrupt: InterruptionType { InterruptionType(rawValue: 4) }
        @inlinable public static var privilegedSoftwareException: InterruptionType { InterruptionType(rawValue: 5) }
        @inlinable public static var softwareException: InterruptionType { InterruptionType(rawValue: 6) }
        /// Other event: on VM entry with vector 0, a pending MTF VM exit.
        @inlinable public static var otherEvent: InterruptionType { InterruptionType(rawValue: 7) }
    }

    /// Bit 11: an error code is delivered (VM entry) or was pushed (VM exit).
    @inlinable public static var errorCodeValidBit: UInt32 { 1 << 11 }
    /// Bit 31: the field holds an event.
    @inlinable public static var validBit: UInt32 { 1 << 31 }

    /// A valid event: `vector` of `type`, with an error code when `errorCode`.
    @inlinable public init(vector: UInt8, type: InterruptionType, errorCode: Bool = false) {
        rawValue =
            UInt32(vector) | type.rawValue << 8 | (errorCode ? InterruptionInfo.errorCodeValidBit : 0)
            | InterruptionInfo.validBit
    }

    /// Bits 7:0.
    @inlinable public var vector: UInt32 { rawValue & 0xFF }
    /// Bits 10:8.
    @inlinable public var type: InterruptionType { InterruptionType(rawValue: rawValue >> 8 & 7) }
    /// Bit 11: the event delivers (or pushed) an error code.
    @inlinable public var hasErrorCode: Bool { rawValue & InterruptionInfo.errorCodeValidBit != 0 }
    /// Bit 31.
    @inlinable public var isValid: Bool { rawValue & InterruptionInfo.validBit != 0 }
}
