/// The IA32_VMX_BASIC capability MSR, 0x480 (SDM Vol. 3D Appendix A.1; the module's `ia32_vmx_basic_t` in
/// `src/common/x86_defs/msr_defs.h`): VMCS revision identifier 30:0, VMCS region size 44:32, and the flags
/// below.
public struct VMXBasic: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 54: VM exits due to INS and OUTS report the VM-exit instruction information (the module's `vmexit_info_on_ios`).
    @inlinable public static var insOutsExitInformation: VMXBasic { VMXBasic(1 << 54) }
    /// Bit 55: the IA32_VMX_TRUE_*_CTLS MSRs are there (the module's `ia32_vmx_true_available`).
    @inlinable public static var trueControls: VMXBasic { VMXBasic(1 << 55) }
    /// Bit 56: VM entry may deliver a hardware exception with or without an error code (the module's `voe_without_err_code`).
    @inlinable public static var exceptionWithoutErrorCode: VMXBasic { VMXBasic(1 << 56) }
}
