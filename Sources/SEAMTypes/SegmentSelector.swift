/// A segment selector (SDM Vol. 3A §3.4.2, Figure 3-6 "Segment Selector"): RPL in bits 1:0, TI in bit 2, the
/// descriptor index in bits 15:3.
public struct SegmentSelector: OptionSet, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    /// Bit 2, TI: the descriptor is in the LDT (0: the GDT).
    @inlinable public static var ti: SegmentSelector { SegmentSelector(1 << 2) }

    /// Bits 1:0, the requested privilege level.
    @inlinable public var rpl: UInt16 { rawValue & 3 }
}
