import Foundation
import SEAMCore
import SEAMFormats

/// Turns `Specs/l2-vmcs-fields.tsv` into `Sources/SEAMCore/VCPU/L2VMCSFields+Generated.swift`: the model
/// compiles the table in, so the library needs no file at run time, and the masks are written down once, in
/// the table. `make generate` rewrites the Swift file; a test fails when it and the table disagree.
public enum L2VMCSTableGenerator {
    public static let tableFile = "l2-vmcs-fields.tsv"
    /// The generated file, relative to the package root.
    public static let outputPath = "Sources/SEAMCore/VCPU/L2VMCSFields+Generated.swift"
    static let columns = ["encoding", "name", "size", "l1_read_mask", "l1_write_mask", "reset", "attrs", "entry"]

    /// The Swift source for `table`, or an error naming the row and column of the first bad cell.
    public static func swiftSource(_ table: SpecTable) throws(InputError) -> String {
        var out = """
            // Generated from Specs/\(tableFile) by `make generate`. Do not edit: change the table instead.
            // swift-format-ignore-file

            extension L2VMCSLayout {
                /// The rows of Specs/\(tableFile), in file order: encoding, name, size in bits, L1 read mask,
                /// L1 write mask, reset value, attributes, lookup entry.
                public static let fields: [L2VMCSFieldInfo] = [

            """
        var names = Set<String>()
        var rows: [String] = []
        var encodings = Set<UInt64>()
        for row in table.rows {
            let encoding = try row.integer("encoding")
            guard encoding <= 0xFFFF else {
                throw InputError(file: row.file, line: row.line, field: "encoding", "not a 16-bit VMCS encoding")
            }
            guard encodings.insert(encoding).inserted else {
                throw InputError(file: row.file, line: row.line, field: "encoding", "listed twice")
            }
            let name = row["name"]
            guard name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }),
                names.insert(name).inserted
            else {
                throw InputError(file: row.file, line: row.line, field: "name", "not a unique UPPER_SNAKE name")
            }
            let size = try row.integer("size")
            guard [16, 32, 64].contains(size) else {
                throw InputError(file: row.file, line: row.line, field: "size", "must be 16, 32 or 64")
            }
            let masks = try (row.integer("l1_read_mask"), row.integer("l1_write_mask"), row.integer("reset"))
            let entry = try row.integer("entry")
            var attrs: [String] = []
            if row["attrs"] != "-" {
                for a in row["attrs"].split(separator: ",") {
                    let a = a.trimmingCharacters(in: .whitespaces)
                    guard let known = L2VMCSFieldInfo.Attributes.names.first(where: { $0.0 == a }) else {
                        throw InputError(file: row.file, line: row.line, field: "attrs", "unknown attribute \(a)")
                    }
                    attrs.append("." + swiftName(known.1))
                }
            }
            rows.append("    @inlinable public static var \(camelCase(name)): Int { \(rows.count) }\n")
            out += "        L2VMCSFieldInfo(\(hex(encoding)), \"\(name)\", \(size), \(hex(masks.0)), \(hex(masks.1)), "
            out += "\(hex(masks.2)), [\(attrs.joined(separator: ", "))], entry: \(entry)),\n"
        }
        out += "    ]\n}\n\n"
        out +=
            "/// The row of each field in `L2VMCSLayout.fields`, by its table name: constants, so the hot paths index\n"
        out += "/// a VMCS without a lookup or a lazy-initialisation check.\n"
        out += "public enum L2VMCSRow {\n"
        out += "    /// Number of rows.\n"
        out += "    @inlinable public static var count: Int { \(rows.count) }\n"
        out += rows.joined()
        out += "}\n"
        return out
    }

    /// GUEST_IA32_EFER → guestIa32Efer.
    static func camelCase(_ name: String) -> String {
        let words = name.lowercased().split(separator: "_")
        return words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16, uppercase: true) }

    static func swiftName(_ a: L2VMCSFieldInfo.Attributes) -> String {
        switch a {
        case .privateGPA: "privateGPA"
        case .sharedHPA: "sharedHPA"
        case .guestCR0: "guestCR0"
        case .guestCR4: "guestCR4"
        case .crMask: "crMask"
        case .crShadow: "crShadow"
        case .overwrittenOnEntry: "overwrittenOnEntry"
        case .specialRead: "specialRead"
        default: "specialWrite"
        }
    }
}
