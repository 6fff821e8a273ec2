import SEAMTypes

/// The metadata of one L1 SEPT leaf (a 4K, 2M or 1G page L1 has mapped or has pending) and its L2 aliases,
/// packed in one 64-bit word:
///
///     bits 15:0   VM1 attributes      bits 50:48  TDAL (bit vm−1: aliased in VM vm)
///     bits 31:16  VM2 attributes      bits 53:51  L2-blocked (bit vm−1: VM vm's alias is L2_BLOCKED)
///     bits 47:32  VM3 attributes      bits 55:54  leaf level (0 4K, 1 2M, 2 1G)
///                                     bits 59:56  L1 SEPT state; 63:60 zero
///
/// 8 bytes: with its 8-byte key, 16 bytes per mapped leaf in `U64Map`, inside the 32-byte budget per 4 KiB
/// page (DESIGN.md, performance targets). One word also means per-VM fields are shifts, not switches, on
/// the ATTR.WR path, and the word is what the state hash serializes.
public struct PageRecord: Hashable, Sendable {
    /// The packed word, as documented above and as the state hash serializes it.
    public var raw: UInt64

    public init(state: SEPTState, level: PageLevel) {
        raw = UInt64(state.rawValue & 0xF) << 56 | UInt64(level.rawValue & 3) << 54
    }

    /// L1 SEPT state of the leaf.
    public var state: SEPTState {
        @inline(__always) get { SEPTState(UInt8(truncatingIfNeeded: raw >> 56) & 0xF) }
        @inline(__always) set { raw = (raw & ~(0xF << 56)) | UInt64(newValue.rawValue & 0xF) << 56 }
    }

    /// Leaf level (0 = 4K, 1 = 2M, 2 = 1G).
    public var level: PageLevel {
        @inline(__always) get { PageLevel(UInt8(truncatingIfNeeded: raw >> 54) & 3) }
    }

    /// TDAL: bit (vm − 1) set when the page is aliased in L2 VM vm (reference §3.3).
    public var tdal: UInt8 {
        @inline(__always) get { UInt8(truncatingIfNeeded: raw >> 48) & 7 }
    }

    /// Bit (vm − 1) set when VM vm's alias is L2_BLOCKED (its permissions parked): created on a PENDING
    /// page, or blocked by the host's RANGE.BLOCK (reference §3.4 step 5, §12 O12).
    public var l2Blocked: UInt8 {
        @inline(__always) get { UInt8(truncatingIfNeeded: raw >> 51) & 7 }
        @inline(__always) set { raw = (raw & ~(7 << 51)) | UInt64(newValue & 7) << 51 }
    }

    /// Whether L2 VM `vm` (1…3) has an alias of this page.
    @inline(__always)
    public func isAliased(vm: Int) -> Bool { raw >> UInt64(47 &+ vm) & 1 != 0 }

    /// Whether L2 VM `vm`'s alias is L2_BLOCKED.
    @inline(__always)
    public func isL2Blocked(vm: Int) -> Bool { raw >> UInt64(50 &+ vm) & 1 != 0 }

    /// The stored attributes of VM `vm` (1…3), VALID set when aliased. For a blocked alias these are the
    /// parked permissions, as ATTR.RD reports them (reference §12 E13).
    @inline(__always)
    public func attrs(vm: Int) -> GPAAttributes {
        GPAAttributes(UInt16(truncatingIfNeeded: raw >> UInt64(16 &* (vm &- 1))))
    }

    @inline(__always)
    public mutating func setAttrs(vm: Int, _ a: GPAAttributes) {
        let shift = UInt64(16 &* (vm &- 1))
        raw = (raw & ~(0xFFFF << shift)) | UInt64(a.rawValue) << shift
    }

    /// Creates VM `vm`'s alias with `a` (VALID set), blocked when `blocked`.
    @inline(__always)
    public mutating func addAlias(vm: Int, _ a: GPAAttributes, blocked: Bool) {
        let shift = UInt64(16 &* (vm &- 1))
        raw =
            (raw & ~(0xFFFF << shift | 1 << UInt64(50 &+ vm))) | UInt64(a.rawValue) << shift
            | 1 << UInt64(47 &+ vm) | (blocked ? 1 << UInt64(50 &+ vm) : 0)
    }

    /// Removes VM `vm`'s alias: the L2 entry becomes L2_FREE and the TDAL bit clears.
    @inline(__always)
    public mutating func removeAlias(vm: Int) {
        let shift = UInt64(16 &* (vm &- 1))
        raw &= ~(0xFFFF << shift | 1 << UInt64(47 &+ vm) | 1 << UInt64(50 &+ vm))
    }

    /// The permissions an L2 access of VM `vm` sees now: none unless aliased and not blocked.
    public func effectiveAttrs(vm: Int) -> GPAAttributes {
        isAliased(vm: vm) && !isL2Blocked(vm: vm) ? attrs(vm: vm) : .none
    }
}
