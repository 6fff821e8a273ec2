/// A SEPT mapping level: 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB (page-info bits 2:0); higher values name
/// paging-structure levels (3 = PDPT-pointing PML4 entry, 4 = PML5).
public struct PageLevel: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    public static let size4K = PageLevel(0)
    public static let size2M = PageLevel(1)
    public static let size1G = PageLevel(2)

    /// log2 of the bytes one entry at this level maps: 12, 21, 30, …
    public var shift: UInt64 { 12 + 9 * UInt64(rawValue) }
    /// Bytes one entry at this level maps.
    public var bytes: UInt64 { 1 << shift }
    /// Number of 4 KiB pages one entry at this level maps.
    public var pages4K: UInt64 { 1 << (9 * UInt64(rawValue)) }

    public static func < (a: PageLevel, b: PageLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch rawValue {
        case 0: "4K"
        case 1: "2M"
        case 2: "1G"
        default: "level \(rawValue)"
        }
    }
}
