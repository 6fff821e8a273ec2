/// Exit-qualification formats of the VM exits the model raises (SDM Vol. 3C §28.2.1, "Basic VM-Exit
/// Information"; the module's `vmx_exit_qualification_t` in `src/common/x86_defs/vmcs_defs.h`, which also
/// holds one format per exit reason).
public enum ExitQualification {
    /// A control-register access (SDM Vol. 3C §28.2.1, Table 28-3 "Exit Qualification for Control-Register
    /// Accesses"): CR number 3:0, access type 5:4, LMSW operand type 6, GPR 11:8, LMSW source data 31:16.
    public struct CRAccess: RawRepresentable, Hashable, Sendable {
        public var rawValue: UInt64
        @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

        /// The access type, bits 5:4 (the module's `VMEXIT_CR_ACCESS_*`).
        public struct AccessType: RawRepresentable, Hashable, Sendable {
            public var rawValue: UInt64
            @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

            @inlinable public static var movToCR: AccessType { AccessType(rawValue: 0) }
            @inlinable public static var movFromCR: AccessType { AccessType(rawValue: 1) }
            @inlinable public static var clts: AccessType { AccessType(rawValue: 2) }
            @inlinable public static var lmsw: AccessType { AccessType(rawValue: 3) }
        }

        /// An access of `type` to CR`cr` with general-purpose register `gpr` (0 for CLTS and LMSW) and, for
        /// LMSW, its 16-bit source operand.
        @inlinable public init(cr: UInt8 = 0, _ type: AccessType, gpr: UInt8 = 0, lmswSource: UInt64 = 0) {
            rawValue = UInt64(cr & 0xF) | type.rawValue << 4 | UInt64(gpr) << 8 | lmswSource << 16
        }
    }

    /// An EPT violation (SDM Vol. 3C §28.2.1, Table 28-7 "Exit Qualification for EPT Violations").
    public struct EPTViolation: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
        @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

        /// Bit 0: the access was a data read.
        @inlinable public static var dataRead: EPTViolation { EPTViolation(1 << 0) }
        /// Bit 1: the access was a data write.
        @inlinable public static var dataWrite: EPTViolation { EPTViolation(1 << 1) }
        /// Bit 2: the access was an instruction fetch.
        @inlinable public static var instructionFetch: EPTViolation { EPTViolation(1 << 2) }
        /// Bits 5:3 are the translation's read, write and (supervisor-mode, under mode-based execute
        /// control) execute permissions; this shifts EPT R/W/X bits 2:0 into place.
        @inlinable public static var permissionsShift: UInt64 { 3 }
        /// Bit 6: the translation allows user-mode execution (with mode-based execute control).
        @inlinable public static var userExecutable: EPTViolation { EPTViolation(1 << 6) }
        /// Bit 7: the guest linear-address field is valid.
        @inlinable public static var guestLinearAddressValid: EPTViolation { EPTViolation(1 << 7) }
        /// Bit 8 (with bit 7): the access was to the translation of a linear address, not to a paging-structure
        /// entry.
        @inlinable public static var linearAddressTranslation: EPTViolation { EPTViolation(1 << 8) }
        /// Bit 9 (with bits 7 and 8, under advanced VM-exit information): a user-mode linear address.
        @inlinable public static var userModeLinearAddress: EPTViolation { EPTViolation(1 << 9) }
    }

    /// A NOTIFICATION exit (SDM Vol. 3C §28.2.1; the module's `notification` format).
    public struct Notification: OptionSet, Hashable, Sendable {
        public var rawValue: UInt64
        @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
        @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

        /// Bit 0: the VM context is invalid.
        @inlinable public static var vmContextInvalid: Notification { Notification(1 << 0) }
    }
}
