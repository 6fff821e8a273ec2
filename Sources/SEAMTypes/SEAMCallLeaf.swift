/// A SEAMCALL (host-side, TDH.*) leaf number, RAX bits 15:0.
public struct SEAMCallLeaf: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    @inlinable public static var vpEnter: SEAMCallLeaf { SEAMCallLeaf(0) }
    @inlinable public static var memPageAdd: SEAMCallLeaf { SEAMCallLeaf(2) }
    @inlinable public static var memSEPTAdd: SEAMCallLeaf { SEAMCallLeaf(3) }
    @inlinable public static var memPageAug: SEAMCallLeaf { SEAMCallLeaf(6) }
    @inlinable public static var memRangeBlock: SEAMCallLeaf { SEAMCallLeaf(7) }
    @inlinable public static var mngWr: SEAMCallLeaf { SEAMCallLeaf(13) }
    @inlinable public static var mrFinalize: SEAMCallLeaf { SEAMCallLeaf(17) }
    @inlinable public static var memPageRemove: SEAMCallLeaf { SEAMCallLeaf(29) }
    @inlinable public static var memTrack: SEAMCallLeaf { SEAMCallLeaf(38) }
    @inlinable public static var memRangeUnblock: SEAMCallLeaf { SEAMCallLeaf(39) }

    /// The host leaves SoftSEAM models, with their ABI names.
    public static let allModelled: [(leaf: SEAMCallLeaf, name: String)] = [
        (.vpEnter, "TDH.VP.ENTER"), (.memPageAdd, "TDH.MEM.PAGE.ADD"), (.memSEPTAdd, "TDH.MEM.SEPT.ADD"),
        (.memPageAug, "TDH.MEM.PAGE.AUG"), (.memRangeBlock, "TDH.MEM.RANGE.BLOCK"),
        (.mngWr, "TDH.MNG.WR"), (.mrFinalize, "TDH.MR.FINALIZE"), (.memPageRemove, "TDH.MEM.PAGE.REMOVE"),
        (.memTrack, "TDH.MEM.TRACK"),
        (.memRangeUnblock, "TDH.MEM.RANGE.UNBLOCK"),
    ]

    public var name: String? { SEAMCallLeaf.allModelled.first { $0.leaf == self }?.name }
    public var description: String { name ?? "SEAMCALL leaf \(rawValue)" }
}
