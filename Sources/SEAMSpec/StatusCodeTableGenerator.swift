import SEAMCore
import SEAMFormats

/// Turns `Specs/status-codes.tsv` into `Sources/SEAMTypes/TDXStatus+Generated.swift`: every named status
/// code as an `@inlinable` `TDXStatus` constant and the `TDXStatus.allNamed` list, both from the table, so a
/// code is added in one place (a row) and the constants, the names and the table cannot disagree. `make
/// generate` rewrites the Swift file; a test fails when it and the table differ.
package enum StatusCodeTableGenerator {
    /// The table, under `Specs/`.
    package static let tableFile = "status-codes.tsv"
    /// The generated file, relative to the package root.
    package static let outputPath = "Sources/SEAMTypes/TDXStatus+Generated.swift"

    /// The Swift source for `table`, or an error naming the row and column of the first bad cell.
    package static func swiftSource(_ table: SpecTable) throws(InputError) -> String {
        var constants = ""
        var named = ""
        var (names, swiftNames, values) = (Set<String>(), Set<String>(), Set<UInt64>())
        for row in table.rows {
            let name = row["name"]
            let isUpperSnake = name.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }
            guard name.hasPrefix("TDX_"), isUpperSnake, names.insert(name).inserted
            else {
                throw InputError(file: row.file, line: row.line, field: "name", "not a unique TDX_UPPER_SNAKE name")
            }
            let value = try row.integer("value")
            guard value & 0xFFFF_FFFF == 0, values.insert(value).inserted else {
                throw InputError(
                    file: row.file, line: row.line, field: "value", "details bits 31:0 must be 0 and values unique")
            }
            guard row["error"] == (value >> 63 == 1 ? "yes" : "no") else {
                throw InputError(
                    file: row.file, line: row.line, field: "error", "must be yes exactly when bit 63 is set")
            }
            let swift = row["swift"]
            guard let first = swift.first, first.isASCII, first.isLowercase,
                swift.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }), swiftNames.insert(swift).inserted
            else {
                throw InputError(file: row.file, line: row.line, field: "swift", "not a unique lowerCamelCase name")
            }
            constants += "    /// \(name).\n"
            constants += "    @inlinable public static var \(swift): TDXStatus { TDXStatus(\(grouped(value))) }\n"
            named += "        (.\(swift), \"\(name)\"),\n"
        }
        return """
            // Generated from Specs/\(tableFile) by `make generate`. Do not edit: change the table instead.
            // swift-format-ignore-file

            extension TDXStatus {
            \(constants)
                /// Every named code with its ABI spelling, in the order of Specs/\(tableFile).
                public static let allNamed: [(status: TDXStatus, name: String)] = [
            \(named)    ]
            }

            """
    }

    /// 0xC000_0100_0000_0000: sixteen hex digits in groups of four.
    static func grouped(_ value: UInt64) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        let padded = String(repeating: "0", count: 16 - digits.count) + digits
        var groups: [Substring] = []
        var rest = Substring(padded)
        while !rest.isEmpty {
            groups.append(rest.prefix(4))
            rest = rest.dropFirst(4)
        }
        return "0x" + groups.joined(separator: "_")
    }
}
