/// The TD's guest physical address width, fixed at TDH.MNG.INIT: 48 (4-level SEPT) or 52 (5-level).
///
/// The SHARED bit is the top GPA bit: bit 47 with GPAW 48, bit 51 with GPAW 52 (tdx-module
/// src/common/helpers/helpers.h get_gpa_shared_bit).
public struct GPAWidth: Hashable, Sendable, CustomStringConvertible {
    /// 48 or 52.
    public let bits: Int
    public init?(bits: Int) {
        guard bits == 48 || bits == 52 else { return nil }
        self.bits = bits
    }
    public static let gpaw48 = GPAWidth(bits: 48)!
    public static let gpaw52 = GPAWidth(bits: 52)!

    /// The boolean GPAW control of TDCS (1 for 52 bits), as TDG.VM.RD reports it (tdx-module
    /// src/common/data_structures/td_control_structures.h, `gpaw`).
    public var control: UInt64 { bits == 52 ? 1 : 0 }
    /// Bit number of the SHARED bit.
    @inlinable public var sharedBit: Int { bits - 1 }
    /// The SHARED bit as a mask.
    @inlinable public var sharedMask: UInt64 { 1 << UInt64(sharedBit) }
    /// The level whose entries the SEPT root page holds: 3 for 4-level, 4 for 5-level paging.
    public var rootLevel: PageLevel { PageLevel(bits == 52 ? 4 : 3) }

    /// The module's `check_gpa_validity`: SHARED clear, bits 63:52 clear (MAX_PA is the constant 52), and
    /// bits 51:48 clear when GPAW is 48. `private` asks for a private GPA (the SHARED bit must be 0).
    @inlinable @inline(__always) public func isValidPrivate(_ gpa: UInt64) -> Bool {
        if gpa & 0xFFF0_0000_0000_0000 != 0 { return false }  // bits 63:52
        if bits == 48 && gpa & 0x000F_0000_0000_0000 != 0 { return false }  // bits 51:48
        return gpa & sharedMask == 0
    }

    public var description: String { "GPAW \(bits)" }
}

/// Encoded as its number of bits (48 or 52); any other number fails to decode, so a decoded width is always
/// one `init?(bits:)` accepts.
extension GPAWidth: Codable {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let bits = try c.decode(Int.self)
        guard let w = GPAWidth(bits: bits) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "GPAW must be 48 or 52, got \(bits)")
        }
        self = w
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(bits)
    }
}
