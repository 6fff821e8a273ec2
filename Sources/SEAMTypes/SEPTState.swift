/// The state of an L1 secure-EPT entry, numbered as the module's state lookup tables index them
/// (tdx-module include/auto_gen/sept_state_lookup.c).
///
/// A partitioned TD cannot be migratable, so the EXPORTED and BLOCKEDW families never occur in one
/// (tdx-module src/common/helpers/helpers.c td_immutable_state_cross_check, called by
/// src/vmm_dispatcher/api_calls/tdh_mng_init.c); they are named here so traces and tables can spell every value.
public struct SEPTState: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    @inlinable public static var free: SEPTState { SEPTState(0) }
    @inlinable public static var removed: SEPTState { SEPTState(1) }
    @inlinable public static var nlMapped: SEPTState { SEPTState(2) }
    @inlinable public static var nlBlocked: SEPTState { SEPTState(3) }
    @inlinable public static var mapped: SEPTState { SEPTState(4) }
    @inlinable public static var blocked: SEPTState { SEPTState(5) }
    @inlinable public static var blockedW: SEPTState { SEPTState(6) }
    @inlinable public static var exportedBlockedW: SEPTState { SEPTState(7) }
    @inlinable public static var exportedDirty: SEPTState { SEPTState(8) }
    @inlinable public static var exportedDirtyBlockedW: SEPTState { SEPTState(9) }
    @inlinable public static var pending: SEPTState { SEPTState(10) }
    @inlinable public static var pendingBlocked: SEPTState { SEPTState(11) }
    @inlinable public static var pendingBlockedW: SEPTState { SEPTState(12) }
    @inlinable public static var pendingExportedBlockedW: SEPTState { SEPTState(13) }
    @inlinable public static var pendingExportedDirty: SEPTState { SEPTState(14) }
    @inlinable public static var pendingExportedDirtyBlockedW: SEPTState { SEPTState(15) }

    static let names = [
        "FREE", "REMOVED", "NL_MAPPED", "NL_BLOCKED", "MAPPED", "BLOCKED", "BLOCKEDW",
        "EXPORTED_BLOCKEDW", "EXPORTED_DIRTY", "EXPORTED_DIRTY_BLOCKEDW", "PENDING",
        "PENDING_BLOCKED", "PENDING_BLOCKEDW", "PENDING_EXPORTED_BLOCKEDW",
        "PENDING_EXPORTED_DIRTY", "PENDING_EXPORTED_DIRTY_BLOCKEDW",
    ]

    /// A set of states as a bitmask over raw values (bit n = state n), for hot-path membership tests.
    @inlinable
    public static func mask(_ states: SEPTState...) -> UInt16 {
        var m: UInt16 = 0
        for s in states { m |= 1 << UInt16(s.rawValue & 15) }
        return m
    }

    /// Any PENDING state (ATTR.RD/WR report these with bit 62 of RCX).
    @inlinable public var isPending: Bool { rawValue >= 10 && rawValue <= 15 }
    /// States in which L1 may access the page: MAPPED and the BLOCKEDW/EXPORTED family (tdx-module
    /// include/auto_gen/sept_state_lookup.c, guest_accessible_leaf).
    @inlinable public var isGuestAccessibleLeaf: Bool { rawValue < 16 && (1 << UInt16(rawValue)) & 0b11_1101_0000 != 0 }

    public var description: String {
        Int(rawValue) < SEPTState.names.count ? SEPTState.names[Int(rawValue)] : "SEPT state \(rawValue)"
    }
}

extension SEPTState {
    /// The public value of the state, as host error details (RDX bits 15:8) and the extended exit
    /// qualification's error-state field report it (module state lookup table, `public_state`).
    public var publicValue: UInt8 {
        let values: [UInt8] = [
            0x00, 0x05, 0x84, 0x81, 0x04, 0x01, 0x08, 0x09, 0x0B, 0x0C, 0x02, 0x03, 0x10, 0x11,
            0x13, 0x14,
        ]
        return Int(rawValue) < values.count ? values[Int(rawValue)] : 0
    }
}
