/// One VM's 16-bit GPA attribute field (GPA_ATTR, tdx-module include/tdx_api_defs.h gpa_attr_single_vm_t).
///
/// Bit 0 R, 1 W, 2 Xs (supervisor execute), 3 Xu (user execute), 4 VGP, 5 PWA, 6 SSS, 7 SVE,
/// 14:8 reserved, 15 VALID.
///
/// The constants and checks are `@inlinable` computed members: ATTR.WR runs them per VM per call from
/// SEAMCore, and as opaque cross-module calls (and `static let` once-checks) they cost ATTR.WR about a
/// fifth of its time (measured with `softseam bench --only attr_wr` under perf).
public struct GPAAttributes: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }

    @inlinable public static var r: GPAAttributes { GPAAttributes(1 << 0) }
    @inlinable public static var w: GPAAttributes { GPAAttributes(1 << 1) }
    @inlinable public static var xs: GPAAttributes { GPAAttributes(1 << 2) }
    @inlinable public static var xu: GPAAttributes { GPAAttributes(1 << 3) }
    @inlinable public static var vgp: GPAAttributes { GPAAttributes(1 << 4) }
    @inlinable public static var pwa: GPAAttributes { GPAAttributes(1 << 5) }
    @inlinable public static var sss: GPAAttributes { GPAAttributes(1 << 6) }
    @inlinable public static var sve: GPAAttributes { GPAAttributes(1 << 7) }
    @inlinable public static var valid: GPAAttributes { GPAAttributes(1 << 15) }
    /// Bits 14:8.
    @inlinable public static var reservedMask: UInt16 { 0x7F00 }
    /// R | W | Xs | Xu: the bits that make a field "present".
    @inlinable public static var presentMask: UInt16 { 0x000F }
    /// GUEST_L2_GPA_ATTR_MASK of 1.5.01 (bits 6:0 and VALID; SVE unsupported).
    @inlinable public static var supportedMask1501: UInt16 { 0x807F }

    @inlinable public static var none: GPAAttributes { GPAAttributes(0) }
    @inlinable public static var rwx: GPAAttributes { GPAAttributes(0x000F) }

    @inlinable public func contains(_ other: GPAAttributes) -> Bool { rawValue & other.rawValue == other.rawValue }
    @inlinable public static func | (a: GPAAttributes, b: GPAAttributes) -> GPAAttributes {
        GPAAttributes(a.rawValue | b.rawValue)
    }

    /// Any of R, W, Xs, Xu set (`is_gpa_attr_present`).
    @inlinable public var isPresent: Bool { rawValue & GPAAttributes.presentMask != 0 }

    /// The module's legality check for a resulting field (`is_gpa_attr_legal`): with VALID clear all bits
    /// are clear; reserved bits clear; W needs R; PWA needs R; SVE clear.
    @inlinable public var isLegal: Bool {
        if !contains(.valid) { return rawValue == 0 }
        if rawValue & GPAAttributes.reservedMask != 0 { return false }
        if contains(.w) && !contains(.r) { return false }
        if contains(.pwa) && !contains(.r) { return false }
        return !contains(.sve)
    }

    /// `RWX` style: R, W, then X when both Xs and Xu are set, else `Xs`/`Xu`; `—` when nothing is set.
    public var permissionString: String {
        var s = ""
        if contains(.r) { s += "R" }
        if contains(.w) { s += "W" }
        switch (contains(.xs), contains(.xu)) {
        case (true, true): s += "X"
        case (true, false): s += "Xs"
        case (false, true): s += "Xu"
        default: break
        }
        return s.isEmpty ? "—" : s
    }

    public var description: String {
        let names: [(GPAAttributes, String)] = [
            (.r, "R"), (.w, "W"), (.xs, "Xs"), (.xu, "Xu"), (.vgp, "VGP"),
            (.pwa, "PWA"), (.sss, "SSS"), (.sve, "SVE"), (.valid, "VALID"),
        ]
        let set = names.filter { contains($0.0) }.map(\.1)
        let rest = rawValue & GPAAttributes.reservedMask
        return (set + (rest != 0 ? ["reserved \(hexShort(UInt64(rest)))"] : [])).joined(separator: "|")
            .ifEmpty("0")
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
