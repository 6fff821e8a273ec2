/// A SEAMCALL (host-side, TDH.*) leaf number, RAX bits 15:0.
public struct SEAMCallLeaf: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    public static let vpEnter = SEAMCallLeaf(0)
    public static let memPageAdd = SEAMCallLeaf(2)
    public static let memSEPTAdd = SEAMCallLeaf(3)
    public static let memPageAug = SEAMCallLeaf(6)
    public static let memRangeBlock = SEAMCallLeaf(7)
    public static let mngWr = SEAMCallLeaf(13)
    public static let memPageRemove = SEAMCallLeaf(29)
    public static let memTrack = SEAMCallLeaf(38)
    public static let memRangeUnblock = SEAMCallLeaf(39)

    /// The host leaves SoftSEAM models, with their ABI names.
    public static let allModelled: [(leaf: SEAMCallLeaf, name: String)] = [
        (.vpEnter, "TDH.VP.ENTER"), (.memPageAdd, "TDH.MEM.PAGE.ADD"), (.memSEPTAdd, "TDH.MEM.SEPT.ADD"),
        (.memPageAug, "TDH.MEM.PAGE.AUG"), (.memRangeBlock, "TDH.MEM.RANGE.BLOCK"),
        (.mngWr, "TDH.MNG.WR"), (.memPageRemove, "TDH.MEM.PAGE.REMOVE"), (.memTrack, "TDH.MEM.TRACK"),
        (.memRangeUnblock, "TDH.MEM.RANGE.UNBLOCK"),
    ]

    public var name: String? { SEAMCallLeaf.allModelled.first { $0.leaf == self }?.name }
    public var description: String { name ?? "SEAMCALL leaf \(rawValue)" }
}
