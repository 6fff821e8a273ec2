/// An L2 VM's L2_CTLS, a TDVPS field L1 writes with TDG.VP.WR (the module's `l2_vcpu_ctrl_t` in
/// `src/common/data_structures/tdx_tdvps.h`). Bits 63:3 are reserved.
public struct L2Ctls: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, ENABLE_SHARED_EPTP: L2 uses the TD's shared EPT for shared GPAs.
    @inlinable public static var enableSharedEPTP: L2Ctls { L2Ctls(1 << 0) }
    /// Bit 1, ENABLE_TDVMCALL: a TDCALL of TDG.VP.VMCALL from L2 goes to the host.
    @inlinable public static var enableTDVMCALL: L2Ctls { L2Ctls(1 << 1) }
    /// Bit 2, ENABLE_EXTENDED_VE.
    @inlinable public static var enableExtendedVE: L2Ctls { L2Ctls(1 << 2) }
}
