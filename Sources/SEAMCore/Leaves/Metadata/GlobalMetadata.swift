import SEAMTypes

/// One global (SYS-context) metadata field of TDX module 1.5.01 (module
/// `include/auto_gen/global_sys_fields_lookup.c`, values from `src/common/metadata_handlers/metadata_sys.c`).
/// The list, `GlobalField.all`, is generated from Specs/global-metadata.tsv (`make generate`).
package struct GlobalField: Sendable {
    /// Where a field's value comes from.
    package enum Value: Sendable, Equatable {
        /// The same on every platform.
        case constant(UInt64)
        /// The platform profile's value for the field's name (`GlobalPlatform`).
        case platform
        /// A platform fact SoftSEAM does not model: reads as 0.
        case notModelled
    }

    /// The id of element 0 (context SYS).
    package let id: UInt64
    package let name: String
    /// Field codes the entry spans.
    package let elements: Int
    /// Whether TDG.SYS.RD may read it (its guest read mask, the whole element, is non-zero).
    package let guestReadable: Bool
    package let value: Value

    var classCode: UInt8 { FieldID(id).classCode }
    var firstCode: UInt32 { FieldID(id).fieldCode }
    /// The element's bits.
    var sizeMask: UInt64 {
        let bytes = FieldID(id).elementBytes
        return bytes == 8 ? ~0 : (1 << UInt64(8 * bytes)) - 1
    }

    /// The entry a lookup by class and field code finds, with the element index (module
    /// `src/common/metadata_handlers/metadata_generic.c`, `md_find_entry_idx`: context, size and the non-arch
    /// bit take no part).
    static func find(_ id: FieldID) -> (index: Int, element: Int)? {
        for (i, f) in all.enumerated() where f.classCode == id.classCode {
            let code = id.fieldCode
            if code >= f.firstCode && code < f.firstCode + UInt32(f.elements) { return (i, Int(code - f.firstCode)) }
        }
        return nil
    }

    /// The next guest-readable element after (`index`, `element`), or nil at the end of the context.
    static func nextReadable(after index: Int, element: Int) -> UInt64? {
        var i = index, e = element + 1
        while i < all.count {
            if e < all[i].elements, all[i].guestReadable { return all[i].id + UInt64(e) }
            i += 1
            e = 0
        }
        return nil
    }

    /// The element after (`index`, `element`), readable or not (what the host sees), or nil at the end.
    static func next(after index: Int, element: Int) -> UInt64? {
        if element + 1 < all[index].elements { return all[index].id + UInt64(element + 1) }
        return index + 1 < all.count ? all[index + 1].id : nil
    }

    /// The first guest-readable element of the context.
    static var firstReadable: UInt64 { all.first { $0.guestReadable }!.id }

    /// The field's value on `platform`, masked to the element size.
    func value(on platform: GlobalPlatform) -> UInt64 {
        switch value {
        case .constant(let v): v & sizeMask
        case .platform: (platform.values.first { $0.name == name }?.value ?? 0) & sizeMask
        case .notModelled: 0
        }
    }
}

/// The platform-dependent global metadata values: one profile per `# platform` line of
/// Specs/global-metadata.tsv (generated into `GlobalPlatform.all`). `default` is a CPU with SEAMVERIFYREPORT
/// and every XFAM component TDX allows.
public struct GlobalPlatform: Hashable, Sendable, CustomStringConvertible {
    /// The profile's name in the table and in configs.
    public let name: String
    /// Its position in `all` (the table's row order): 0 for `default`, so the state hash sees only other
    /// platforms. Stored: every state hash reads it, and finding it by name compared strings each time
    /// (fuzz_execs, callgrind).
    public let index: Int
    /// The value of each `platform` field, by field name.
    public let values: [Pair]

    /// One field's value.
    public struct Pair: Hashable, Sendable {
        public let name: String
        public let value: UInt64
    }

    /// The profile used when a config names none: the first of the table.
    public static var `default`: GlobalPlatform { all[0] }

    /// The profile named `name`, or nil.
    public static func named(_ name: String) -> GlobalPlatform? { all.first { $0.name == name } }

    public var description: String { "platform \(name)" }
}

/// Encoded as its name: a profile is one of `all`. An unknown name fails to decode.
extension GlobalPlatform: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let name = try c.decode(String.self)
        guard let p = GlobalPlatform.named(name) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown platform \"\(name)\"")
        }
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
