import SEAMTypes

/// The metadata of one L1 SEPT leaf (a 4K, 2M or 1G page L1 has mapped or has pending) and its L2 aliases.
///
/// 10 bytes, stride 10: with its 8-byte key this is 18 bytes per mapped leaf before the dictionary's own
/// overhead, inside the 32-byte budget per 4 KiB page (DESIGN.md, performance targets).
public struct PageRecord: Hashable, Sendable {
    /// L1 SEPT state of the leaf.
    public var state: SEPTState
    /// Leaf level (0 = 4K, 1 = 2M, 2 = 1G).
    public var level: PageLevel
    /// TDAL: bit (vm − 1) set when the page is aliased in L2 VM vm (reference §3.3).
    public var tdal: UInt8
    /// Bit (vm − 1) set when VM vm's alias is L2_BLOCKED (its permissions parked): created on a PENDING
    /// page, or blocked by the host's RANGE.BLOCK (reference §3.4 step 5, §12 O12).
    public var l2Blocked: UInt8
    /// Attributes of the aliases in VM1, VM2, VM3, with VALID set; 0 where not aliased. For a blocked alias
    /// these are the parked permissions, as ATTR.RD reports them (reference §12 E13).
    public var attrs1: UInt16
    public var attrs2: UInt16
    public var attrs3: UInt16

    public init(state: SEPTState, level: PageLevel) {
        self.state = state
        self.level = level
        tdal = 0
        l2Blocked = 0
        attrs1 = 0
        attrs2 = 0
        attrs3 = 0
    }

    /// Whether L2 VM `vm` (1…3) has an alias of this page.
    @inline(__always)
    public func isAliased(vm: Int) -> Bool { tdal & (1 << UInt8(vm - 1)) != 0 }

    /// Whether L2 VM `vm`'s alias is L2_BLOCKED.
    @inline(__always)
    public func isL2Blocked(vm: Int) -> Bool { l2Blocked & (1 << UInt8(vm - 1)) != 0 }

    /// The stored attributes of VM `vm` (1…3).
    @inline(__always)
    public func attrs(vm: Int) -> GPAAttributes {
        switch vm {
        case 1: GPAAttributes(attrs1)
        case 2: GPAAttributes(attrs2)
        default: GPAAttributes(attrs3)
        }
    }

    @inline(__always)
    public mutating func setAttrs(vm: Int, _ a: GPAAttributes) {
        switch vm {
        case 1: attrs1 = a.rawValue
        case 2: attrs2 = a.rawValue
        default: attrs3 = a.rawValue
        }
    }

    /// Creates VM `vm`'s alias with `a` (VALID set), blocked when `blocked`.
    public mutating func addAlias(vm: Int, _ a: GPAAttributes, blocked: Bool) {
        let bit = UInt8(1) << UInt8(vm - 1)
        tdal |= bit
        if blocked { l2Blocked |= bit } else { l2Blocked &= ~bit }
        setAttrs(vm: vm, a)
    }

    /// Removes VM `vm`'s alias: the L2 entry becomes L2_FREE and the TDAL bit clears.
    public mutating func removeAlias(vm: Int) {
        let bit = UInt8(1) << UInt8(vm - 1)
        tdal &= ~bit
        l2Blocked &= ~bit
        setAttrs(vm: vm, .none)
    }

    /// The permissions an L2 access of VM `vm` sees now: none unless aliased and not blocked.
    public func effectiveAttrs(vm: Int) -> GPAAttributes {
        isAliased(vm: vm) && !isL2Blocked(vm: vm) ? attrs(vm: vm) : .none
    }
}
