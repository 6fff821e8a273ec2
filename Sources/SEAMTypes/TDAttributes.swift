/// The TD's ATTRIBUTES (TD_PARAMS.ATTRIBUTES; the module's `td_param_attributes_t` in
/// `include/tdx_api_defs.h`). The bits not named are reserved.
public struct TDAttributes: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, DEBUG: a debug (off-TD debuggable) TD.
    @inlinable public static var debug: TDAttributes { TDAttributes(1 << 0) }
    /// Bit 28, SEPT_VE_DISABLE: no #VE on an access to a PENDING page.
    @inlinable public static var septVEDisable: TDAttributes { TDAttributes(1 << 28) }
    /// Bit 29, MIGRATABLE.
    @inlinable public static var migratable: TDAttributes { TDAttributes(1 << 29) }
    /// Bit 30, PKS: the TD may use supervisor protection keys.
    @inlinable public static var pks: TDAttributes { TDAttributes(1 << 30) }
    /// Bit 31, KL: the TD may use Key Locker.
    @inlinable public static var kl: TDAttributes { TDAttributes(1 << 31) }
    /// Bit 63, PERFMON: the TD may use the performance-monitoring counters.
    @inlinable public static var perfmon: TDAttributes { TDAttributes(1 << 63) }
}
