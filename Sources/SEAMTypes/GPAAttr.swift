/// Four 16-bit GPA attribute fields in one register: VM0 (L1) bits 15:0, VM1 31:16, VM2 47:32,
/// VM3 63:48 (tdx-module include/tdx_api_defs.h gpa_attr_t). ATTR.RD returns one; ATTR.WR takes one in RDX.
public struct GPAAttr: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// Builds a register from per-VM fields, index 0 being L1.
    public init(vm fields: [Int: GPAAttributes]) {
        var raw: UInt64 = 0
        for (vm, a) in fields { raw |= UInt64(a.rawValue) << (16 * UInt64(vm)) }
        rawValue = raw
    }

    /// The field of VM `vm` (0…3).
    @inlinable
    public subscript(vm vm: Int) -> GPAAttributes {
        get { GPAAttributes(UInt16(truncatingIfNeeded: rawValue >> (16 * UInt64(vm)))) }
        set {
            let shift = 16 * UInt64(vm)
            rawValue = (rawValue & ~(0xFFFF << shift)) | UInt64(newValue.rawValue) << shift
        }
    }

    public var description: String {
        (0..<4).map { "vm\($0)=\(hexShort(UInt64(self[vm: $0].rawValue)))" }.joined(separator: " ")
    }
}
