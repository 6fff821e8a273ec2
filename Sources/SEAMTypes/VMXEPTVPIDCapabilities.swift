/// The IA32_VMX_EPT_VPID_CAP capability MSR, 0x48C (SDM Vol. 3D Appendix A.10; the module's
/// `ia32_vmx_ept_vpid_cap_t` in `src/common/x86_defs/msr_defs.h`). Only the bits SoftSEAM reports are named.
public struct VMXEPTVPIDCapabilities: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0: EPT entries may allow execute-only translations.
    @inlinable public static var executeOnly: VMXEPTVPIDCapabilities { VMXEPTVPIDCapabilities(1 << 0) }
    /// Bit 16: EPT PDEs may map 2-MByte pages.
    @inlinable public static var pages2M: VMXEPTVPIDCapabilities { VMXEPTVPIDCapabilities(1 << 16) }
    /// Bit 17: EPT PDPTEs may map 1-GByte pages.
    @inlinable public static var pages1G: VMXEPTVPIDCapabilities { VMXEPTVPIDCapabilities(1 << 17) }
    /// Bit 22: EPT violations report advanced VM-exit information.
    @inlinable public static var advancedExitInformation: VMXEPTVPIDCapabilities { VMXEPTVPIDCapabilities(1 << 22) }
    /// Bit 23: EPTP bit 7 (supervisor shadow-stack control) may be set (the module's `sss_support`).
    @inlinable public static var supervisorShadowStack: VMXEPTVPIDCapabilities { VMXEPTVPIDCapabilities(1 << 23) }

    /// Bits 53:48: the HLAT prefix size.
    @inlinable public static func hlatPrefixSize(_ size: UInt64) -> VMXEPTVPIDCapabilities {
        VMXEPTVPIDCapabilities((size & 0x3F) << 48)
    }
}
