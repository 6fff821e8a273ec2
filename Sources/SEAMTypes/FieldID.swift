/// A metadata field identifier for TDG.VM/VP/SYS.RD/WR (tdx-module include/tdx_api_defs.h md_field_id_t).
///
/// | bits | content |
/// |---|---|
/// | 23:0 | field code (VMCS classes: the VMCS field encoding) |
/// | 31:24 | reserved |
/// | 33:32 | element size code (0 = 8, 1 = 16, 2 = 32, 3 = 64 bits) |
/// | 37:34 | last element in field |
/// | 46:38 | last field in sequence |
/// | 49:47 | reserved |
/// | 50 | inc size |
/// | 51 | write-mask valid |
/// | 54:52 | context code (0 = SYS, 1 = TD, 2 = VP) |
/// | 55 | reserved |
/// | 61:56 | class code |
/// | 62 | reserved |
/// | 63 | non-arch |
public struct FieldID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Context codes (bits 54:52).
    public enum Context: UInt64, Sendable { case sys = 0, td = 1, vp = 2 }

    /// Encodes a field id from its parts; reserved, last-element and last-field bits are zero.
    public init(
        nonArch: Bool, classCode: UInt8, context: UInt8, elementSizeCode: UInt8, fieldCode: UInt32,
        writeMaskValid: Bool = false, incSize: Bool = false
    ) {
        var raw = UInt64(fieldCode & 0xFF_FFFF)
        raw |= UInt64(elementSizeCode & 3) << 32
        raw |= (incSize ? 1 : 0) << 50
        raw |= (writeMaskValid ? 1 : 0) << 51
        raw |= UInt64(context & 7) << 52
        raw |= UInt64(classCode & 0x3F) << 56
        raw |= (nonArch ? 1 : 0) << 63
        rawValue = raw
    }

    /// The null field id that asks TDG.VM.RD version 1 and TDG.VP.RD for the first field of a context.
    public static let null = FieldID(0xFFFF_FFFF_FFFF_FFFF)

    public var fieldCode: UInt32 { UInt32(rawValue.bits(23, 0)) }
    public var elementSizeCode: UInt8 { UInt8(rawValue.bits(33, 32)) }
    /// Element size in bytes: 1, 2, 4 or 8.
    public var elementBytes: Int { 1 << Int(elementSizeCode) }
    public var lastElementInField: UInt8 { UInt8(rawValue.bits(37, 34)) }
    public var lastFieldInSequence: UInt16 { UInt16(rawValue.bits(46, 38)) }
    public var incSize: Bool { rawValue.bit(50) }
    public var writeMaskValid: Bool { rawValue.bit(51) }
    public var contextCode: UInt8 { UInt8(rawValue.bits(54, 52)) }
    public var classCode: UInt8 { UInt8(rawValue.bits(61, 56)) }
    public var nonArch: Bool { rawValue.bit(63) }

    /// Bits 31:24, 49:47, 55 and 62.
    public static let reservedMask: UInt64 = .mask(31, 24) | .mask(49, 47) | .mask(55, 55) | .mask(62, 62)

    /// The module's single-element check: reserved bits, last-element and last-field are all zero.
    public var isSingleElement: Bool {
        rawValue & (FieldID.reservedMask | .mask(46, 34)) == 0
    }

    public var description: String {
        "\(hex64(rawValue)) (class \(classCode), context \(contextCode), code \(hexShort(UInt64(fieldCode))))"
    }
}
