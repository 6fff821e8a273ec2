/// A SEPT mapping level: 0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB (page-info bits 2:0); higher values name
/// paging-structure levels (3 = PDPT-pointing PML4 entry, 4 = PML5).
public struct PageLevel: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt8) { self.rawValue = rawValue }

    @inlinable public static var size4K: PageLevel { PageLevel(0) }
    @inlinable public static var size2M: PageLevel { PageLevel(1) }
    @inlinable public static var size1G: PageLevel { PageLevel(2) }

    /// log2 of the bytes one entry at this level maps: 12, 21, 30, …
    @inlinable @inline(__always) public var shift: UInt64 { 12 + 9 * UInt64(rawValue) }
    /// Bytes one entry at this level maps.
    @inlinable @inline(__always) public var bytes: UInt64 { 1 << shift }
    /// Number of 4 KiB pages one entry at this level maps.
    public var pages4K: UInt64 { 1 << (9 * UInt64(rawValue)) }

    @inlinable public static func < (a: PageLevel, b: PageLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch rawValue {
        case 0: "4K"
        case 1: "2M"
        case 2: "1G"
        default: "level \(rawValue)"
        }
    }
}
