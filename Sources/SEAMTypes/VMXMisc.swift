/// The IA32_VMX_MISC capability MSR, 0x485 (SDM Vol. 3D Appendix A.6; the module's `ia32_vmx_misc_t` in
/// `src/common/x86_defs/msr_defs.h`): VMX-preemption timer rate 4:0, the flags below, the number of
/// CR3-target values in 24:16, MSEG revision 63:32.
public struct VMXMisc: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 5: VM exits store IA32_EFER.LMA in the IA-32e mode guest entry control, as unrestricted guest needs (the module's `unrestricted_guest`).
    @inlinable public static var unrestrictedGuest: VMXMisc { VMXMisc(1 << 5) }
    /// Bit 6: the HLT activity state is supported.
    @inlinable public static var activityHLT: VMXMisc { VMXMisc(1 << 6) }
    /// Bit 7: the shutdown activity state is supported.
    @inlinable public static var activityShutdown: VMXMisc { VMXMisc(1 << 7) }
    /// Bit 8: the wait-for-SIPI activity state is supported.
    @inlinable public static var activityWaitForSIPI: VMXMisc { VMXMisc(1 << 8) }
    /// Bit 14: Intel PT can be used in VMX operation.
    @inlinable public static var ptInVMX: VMXMisc { VMXMisc(1 << 14) }
    /// Bit 29: VMWRITE may write any supported field, the VM-exit information fields too.
    @inlinable public static var vmwriteAnyField: VMXMisc { VMXMisc(1 << 29) }
    /// Bit 30: VM entry may inject a software interrupt or exception with instruction length 0.
    @inlinable public static var injectionWithZeroLength: VMXMisc { VMXMisc(1 << 30) }

    /// Bits 24:16: `count` CR3-target values.
    @inlinable public static func cr3Targets(_ count: UInt64) -> VMXMisc { VMXMisc((count & 0x1FF) << 16) }
}
