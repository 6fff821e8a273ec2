/// The guest pending debug exceptions, a natural-width VMCS guest-state field (SDM Vol. 3C §25.4.2, Table 25-4
/// "Format of Pending-Debug-Exceptions"; the module's pending-debug union in `src/common/x86_defs/vmcs_defs.h`).
public struct PendingDebugExceptions: OptionSet, Hashable, Sendable {
    public var rawValue: UInt64
    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Bit 0, B0: breakpoint condition 0 met.
    @inlinable public static var b0: PendingDebugExceptions { PendingDebugExceptions(1 << 0) }
    /// Bit 1, B1.
    @inlinable public static var b1: PendingDebugExceptions { PendingDebugExceptions(1 << 1) }
    /// Bit 2, B2.
    @inlinable public static var b2: PendingDebugExceptions { PendingDebugExceptions(1 << 2) }
    /// Bit 3, B3.
    @inlinable public static var b3: PendingDebugExceptions { PendingDebugExceptions(1 << 3) }
    /// Bit 12, enabled breakpoint: a B bit is set for an enabled breakpoint.
    @inlinable public static var enabledBreakpoint: PendingDebugExceptions { PendingDebugExceptions(1 << 12) }
    /// Bit 14, BS: a single-step trap is pending.
    @inlinable public static var bs: PendingDebugExceptions { PendingDebugExceptions(1 << 14) }
    /// Bit 16, RTM: a debug exception occurred inside an RTM region.
    @inlinable public static var rtm: PendingDebugExceptions { PendingDebugExceptions(1 << 16) }

    /// Bits 11:4, 13, 15 and 63:17, reserved.
    @inlinable public static var reserved: PendingDebugExceptions { PendingDebugExceptions(0xFFFF_FFFF_FFFE_AFF0) }
}
