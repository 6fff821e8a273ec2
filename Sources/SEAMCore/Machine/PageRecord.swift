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
/// the ATTR.WR path, and the word is what the state hash serializes. The per-VM operations below are the only
/// code that knows where a VM's bits are.
public struct PageRecord: Hashable, Sendable, Codable {
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

    /// TDAL: bit (vm − 1) set when the page is aliased in L2 VM vm (the module keeps it in the L1 SEPT entry,
    /// `ia32e_sept_t` in `src/common/x86_defs/x86_defs.h`).
    public var tdal: UInt8 {
        @inline(__always) get { UInt8(truncatingIfNeeded: raw >> 48) & 7 }
    }

    /// Bit (vm − 1) set when VM vm's alias is L2_BLOCKED (its permissions parked): created on a PENDING
    /// page (module `src/td_dispatcher/vm_exits/tdg_mem_page_attr_wr.c`), or blocked by the host's RANGE.BLOCK
    /// (`src/vmm_dispatcher/api_calls/tdh_mem_range_block.c`).
    public var l2Blocked: UInt8 {
        @inline(__always) get { UInt8(truncatingIfNeeded: raw >> 51) & 7 }
        @inline(__always) set { raw = (raw & ~(7 << 51)) | UInt64(newValue & 7) << 51 }
    }

    /// Shift of VM `vm`'s 16-bit attribute field in `raw`.
    @inline(__always)
    static func attrShift(vm: Int) -> UInt64 { UInt64(truncatingIfNeeded: (vm &- 1) &* 16) }

    /// VM `vm`'s TDAL bit in `raw`.
    @inline(__always)
    static func aliasBit(vm: Int) -> UInt64 { 1 &<< (47 &+ UInt64(truncatingIfNeeded: vm)) }

    /// VM `vm`'s L2-blocked bit in `raw`.
    @inline(__always)
    static func blockedBit(vm: Int) -> UInt64 { 1 &<< (50 &+ UInt64(truncatingIfNeeded: vm)) }

    /// Every bit of `raw` that holds VM `vm`'s alias: its attributes, TDAL bit and L2-blocked bit.
    @inline(__always)
    static func aliasStateMask(vm: Int) -> UInt64 {
        0xFFFF &<< attrShift(vm: vm) | aliasBit(vm: vm) | blockedBit(vm: vm)
    }

    /// Whether VM `vm`'s alias state (attributes, TDAL and L2-blocked bits) differs between `a` and `b`.
    static func aliasStateDiffers(vm: Int, _ a: PageRecord?, _ b: PageRecord?) -> Bool {
        let mask = aliasStateMask(vm: vm)
        return (a?.raw ?? 0) & mask != (b?.raw ?? 0) & mask
    }

    /// Whether L2 VM `vm` (1…3) has an alias of this page.
    @inline(__always)
    public func isAliased(vm: Int) -> Bool { raw & PageRecord.aliasBit(vm: vm) != 0 }

    /// Whether L2 VM `vm`'s alias is L2_BLOCKED.
    @inline(__always)
    public func isL2Blocked(vm: Int) -> Bool { raw & PageRecord.blockedBit(vm: vm) != 0 }

    /// The stored attributes of VM `vm` (1…3), VALID set when aliased. For a blocked alias these are the
    /// parked permissions, as ATTR.RD reports them (module `src/td_dispatcher/vm_exits/tdg_mem_page_attr_rd.c`).
    @inline(__always)
    public func attrs(vm: Int) -> GPAAttributes {
        GPAAttributes(UInt16(truncatingIfNeeded: raw &>> PageRecord.attrShift(vm: vm)))
    }

    /// Replaces VM `vm`'s stored attributes, leaving its TDAL and blocked bits alone.
    @inline(__always)
    public mutating func setAttrs(vm: Int, _ a: GPAAttributes) {
        let shift = PageRecord.attrShift(vm: vm)
        raw = (raw & ~(0xFFFF &<< shift)) | UInt64(a.rawValue) &<< shift
    }

    /// Creates VM `vm`'s alias with `a` (VALID set), blocked when `blocked`. (A VM without an alias has its
    /// L2-blocked bit clear: RANGE.BLOCK sets it only on an alias and `removeAlias` clears it.)
    @inline(__always)
    public mutating func addAlias(vm: Int, _ a: GPAAttributes, blocked: Bool) {
        setAttrs(vm: vm, a)
        raw |= PageRecord.aliasBit(vm: vm) | (blocked ? PageRecord.blockedBit(vm: vm) : 0)
    }

    /// Removes VM `vm`'s alias: the L2 entry becomes L2_FREE and the TDAL bit clears.
    @inline(__always)
    public mutating func removeAlias(vm: Int) {
        raw &= ~PageRecord.aliasStateMask(vm: vm)
    }
}
