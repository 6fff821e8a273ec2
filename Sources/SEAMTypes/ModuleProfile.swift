/// The version-dependent facts of one TDX module release: the L2 GPA attribute mask and the number of L2 VMs
/// a TD may have; which TDCALL leaves exist is SEAMCore's leaf registry (`ModuleProfile.leaves` there).
/// "1.5.01" is the default and the only profile so far.
public struct ModuleProfile: Hashable, Sendable, CustomStringConvertible {
    /// Version string as configs and traces name it.
    public let version: String
    /// GUEST_L2_GPA_ATTR_MASK (TDH.SYS.RD 0xA200000100000000).
    public let l2GPAAttrMask: UInt16
    /// MAX_L2_VMS.
    public let maxL2VMs: Int
    /// The version as one word, major << 32 | minor << 16 | update (1.5.01 → 0x1_0005_0001): how the state
    /// hash names the module.
    public let hashID: UInt64

    /// TDX module 1.5.01 (tdx-module include/tdx_api_defs.h GUEST_L2_GPA_ATTR_MASK;
    /// src/common/data_structures/tdx_tdvps.h MAX_L2_VMS).
    public static let v1_5_01 = ModuleProfile(
        version: "1.5.01",
        l2GPAAttrMask: GPAAttributes.supportedMask1501,
        maxL2VMs: 3,
        hashID: 0x1_0005_0001)

    /// Every profile by version string.
    public static let all: [ModuleProfile] = [.v1_5_01]
    /// The profile used when a config names none.
    public static let `default` = v1_5_01

    /// The profile for a version string, or nil.
    public static func named(_ version: String) -> ModuleProfile? { all.first { $0.version == version } }

    public var description: String { "TDX module \(version)" }
}

/// Encoded as its version string ("1.5.01"): a profile is one of `all`, so the version names everything else
/// about it. An unknown version fails to decode.
extension ModuleProfile: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let version = try c.decode(String.self)
        guard let p = ModuleProfile.named(version) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown module version \"\(version)\"")
        }
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(version)
    }
}
