/// An extended-page-table pointer, the EPTP VMCS field (SDM Vol. 3C §25.6.11, Table 25-9 "Format of
/// Extended-Page-Table Pointer"; the module's `ia32e_eptp_t` in `src/common/x86_defs/x86_defs.h`): memory
/// type 2:0, page-walk length − 1 in 5:3, the flags below, the PML4/PML5 table's address in 51:12.
public struct EPTPointer: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 6: enable the EPT accessed and dirty flags (the module's `enable_ad_bits`).
    @inlinable public static var enableAccessedDirty: EPTPointer { EPTPointer(1 << 6) }
    /// Bit 7: enforce access rights for supervisor shadow-stack pages (the module's `enable_sss_control`).
    @inlinable public static var enableSupervisorShadowStack: EPTPointer { EPTPointer(1 << 7) }
}
