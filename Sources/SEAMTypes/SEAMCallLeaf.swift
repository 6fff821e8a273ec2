/// A SEAMCALL (host-side, TDH.*) leaf number, RAX bits 15:0. The ABI names, and the description that shows
/// them, come from SEAMCore's leaf registry (`SEAMCallLeaves`).
public struct SEAMCallLeaf: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    @inlinable public static var vpEnter: SEAMCallLeaf { SEAMCallLeaf(0) }
    @inlinable public static var memPageAdd: SEAMCallLeaf { SEAMCallLeaf(2) }
    @inlinable public static var memSEPTAdd: SEAMCallLeaf { SEAMCallLeaf(3) }
    @inlinable public static var memPageAug: SEAMCallLeaf { SEAMCallLeaf(6) }
    @inlinable public static var memRangeBlock: SEAMCallLeaf { SEAMCallLeaf(7) }
    @inlinable public static var mngRd: SEAMCallLeaf { SEAMCallLeaf(11) }
    @inlinable public static var mngWr: SEAMCallLeaf { SEAMCallLeaf(13) }
    @inlinable public static var mrExtend: SEAMCallLeaf { SEAMCallLeaf(16) }
    @inlinable public static var mrFinalize: SEAMCallLeaf { SEAMCallLeaf(17) }
    @inlinable public static var vpRd: SEAMCallLeaf { SEAMCallLeaf(26) }
    @inlinable public static var memPageRemove: SEAMCallLeaf { SEAMCallLeaf(29) }
    @inlinable public static var sysRd: SEAMCallLeaf { SEAMCallLeaf(34) }
    @inlinable public static var memTrack: SEAMCallLeaf { SEAMCallLeaf(38) }
    @inlinable public static var memRangeUnblock: SEAMCallLeaf { SEAMCallLeaf(39) }
    @inlinable public static var vpWr: SEAMCallLeaf { SEAMCallLeaf(43) }
}
