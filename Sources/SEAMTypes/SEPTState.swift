/// The state of an L1 secure-EPT entry, numbered as the module's state lookup tables index them
/// (reference §12 B, §1.4).
///
/// A partitioned TD cannot be migratable, so the EXPORTED and BLOCKEDW families never occur in one
/// (reference §12 O5); they are named here so traces and tables can spell every value.
public struct SEPTState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let free = SEPTState(0)
    public static let removed = SEPTState(1)
    public static let nlMapped = SEPTState(2)
    public static let nlBlocked = SEPTState(3)
    public static let mapped = SEPTState(4)
    public static let blocked = SEPTState(5)
    public static let blockedW = SEPTState(6)
    public static let exportedBlockedW = SEPTState(7)
    public static let exportedDirty = SEPTState(8)
    public static let exportedDirtyBlockedW = SEPTState(9)
    public static let pending = SEPTState(10)
    public static let pendingBlocked = SEPTState(11)
    public static let pendingBlockedW = SEPTState(12)
    public static let pendingExportedBlockedW = SEPTState(13)
    public static let pendingExportedDirty = SEPTState(14)
    public static let pendingExportedDirtyBlockedW = SEPTState(15)

    static let names = ["FREE", "REMOVED", "NL_MAPPED", "NL_BLOCKED", "MAPPED", "BLOCKED", "BLOCKEDW",
                        "EXPORTED_BLOCKEDW", "EXPORTED_DIRTY", "EXPORTED_DIRTY_BLOCKEDW", "PENDING",
                        "PENDING_BLOCKED", "PENDING_BLOCKEDW", "PENDING_EXPORTED_BLOCKEDW",
                        "PENDING_EXPORTED_DIRTY", "PENDING_EXPORTED_DIRTY_BLOCKEDW"]

    /// The state for an ABI name such as `PENDING_BLOCKED`.
    public init?(name: String) {
        guard let i = SEPTState.names.firstIndex(of: name) else { return nil }
        rawValue = UInt8(i)
    }

    /// Any PENDING state (ATTR.RD/WR report these with bit 62 of RCX).
    public var isPending: Bool { rawValue >= 10 && rawValue <= 15 }
    /// States in which L1 may access the page: MAPPED and the BLOCKEDW/EXPORTED family (reference §12 O1).
    public var isGuestAccessibleLeaf: Bool { [4, 6, 7, 8, 9].contains(rawValue) }
    /// Non-leaf states.
    public var isNonLeaf: Bool { self == .nlMapped || self == .nlBlocked }
    /// Leaf states other than FREE and REMOVED.
    public var isLeaf: Bool { rawValue >= 4 }

    public var description: String {
        Int(rawValue) < SEPTState.names.count ? SEPTState.names[Int(rawValue)] : "SEPT state \(rawValue)"
    }
}

extension SEPTState {
    /// The public value of the state, as host error details (RDX bits 15:8) and the extended exit
    /// qualification's error-state field report it (module state lookup table, `public_state`).
    public var publicValue: UInt8 {
        let values: [UInt8] = [0x00, 0x05, 0x84, 0x81, 0x04, 0x01, 0x08, 0x09, 0x0B, 0x0C, 0x02, 0x03, 0x10, 0x11,
                               0x13, 0x14]
        return Int(rawValue) < values.count ? values[Int(rawValue)] : 0
    }
}
