import SEAMCore
import SEAMFormats

/// Turns `Specs/global-metadata.tsv` into `Sources/SEAMCore/Leaves/Metadata/GlobalMetadata+Generated.swift`:
/// the global metadata fields TDG.SYS.RD and TDH.SYS.RD read (`GlobalField.all`) and the platform profiles of
/// the table's `# platform NAME: FIELD=VALUE …` lines (`GlobalPlatform.all`, the first being `default`). The
/// model compiles them in; `make generate` rewrites the Swift file and a test fails when it and the table
/// differ.
package enum GlobalMetadataTableGenerator {
    /// The table, under `Specs/`.
    package static let tableFile = "global-metadata.tsv"
    /// The generated file, relative to the package root.
    package static let outputPath = "Sources/SEAMCore/Leaves/Metadata/GlobalMetadata+Generated.swift"
    /// The columns the generator reads.
    package static let columns = ["field_id", "name", "elements", "size", "guest_read", "value", "source"]

    /// One `# platform` line: its name and its values in line order.
    package struct Platform: Equatable {
        package let name: String
        package let values: [(name: String, value: UInt64)]
        package init(name: String, values: [(name: String, value: UInt64)]) {
            self.name = name
            self.values = values
        }
        package static func == (a: Platform, b: Platform) -> Bool {
            a.name == b.name && a.values.map(\.name) == b.values.map(\.name)
                && a.values.map(\.value) == b.values.map(\.value)
        }
    }

    /// The table and its platform lines, from `directory`.
    package static func load(from directory: String) throws(InputError) -> (SpecTable, [Platform]) {
        let path = directory + "/" + tableFile
        let text = try FileIO.text(try FileIO.readAll(path), file: path)
        let table = try SpecCatalog.load(tableFile, from: directory)
        return (table, try platforms(text, file: tableFile))
    }

    /// The `# platform NAME: FIELD=VALUE …` lines of `text`, in order, or an error naming the line.
    package static func platforms(_ text: String, file: String) throws(InputError) -> [Platform] {
        var list: [Platform] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard raw.hasPrefix("# platform ") else { continue }
            let body = raw.dropFirst("# platform ".count)
            guard let colon = body.firstIndex(of: ":") else {
                throw InputError(file: file, line: i + 1, "a platform line is `# platform NAME: FIELD=VALUE …`")
            }
            let name = String(body[..<colon])
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }),
                !list.contains(where: { $0.name == name })
            else {
                throw InputError(file: file, line: i + 1, field: name, "not a unique lower-case-dashed platform name")
            }
            var values: [(name: String, value: UInt64)] = []
            for word in body[body.index(after: colon)...].split(separator: " ") {
                let parts = word.split(separator: "=", omittingEmptySubsequences: false)
                guard parts.count == 2, let v = ConfigDecoder.parseInteger(String(parts[1])) else {
                    throw InputError(file: file, line: i + 1, field: String(word), "expected FIELD=VALUE")
                }
                values.append((String(parts[0]), v))
            }
            list.append(Platform(name: name, values: values))
        }
        guard !list.isEmpty, list[0].name == "default" else {
            throw InputError(file: file, "the first `# platform` line must be `default`")
        }
        return list
    }

    /// The Swift source for `table` and its platforms, or an error naming the row and column of the first bad
    /// cell.
    package static func swiftSource(_ table: SpecTable, platforms: [Platform]) throws(InputError) -> String {
        var fields = ""
        var names = Set<String>()
        var platformFields: [String] = []
        for row in table.rows {
            let id = try row.integer("field_id")
            let name = row["name"]
            guard !name.isEmpty, names.insert(name).inserted else {
                throw InputError(file: row.file, line: row.line, field: "name", "empty or repeated")
            }
            guard (id >> 52) & 0x7 == 0, id & 0x7C_0000_0000 == 0 else {
                throw InputError(
                    file: row.file, line: row.line, field: "field_id", "context must be SYS (0) and LAST_* bits 0")
            }
            let elements = try row.integer("elements")
            guard (1...4096).contains(elements) else {
                throw InputError(file: row.file, line: row.line, field: "elements", "must be 1…4096")
            }
            let size = try row.integer("size")
            guard size == 1 << ((id >> 32) & 3) else {
                throw InputError(
                    file: row.file, line: row.line, field: "size", "must match the id's element size code (bits 33:32)")
            }
            let guestReadable = try ConformanceRunner.yesNo(row, "guest_read")
            let value: String
            switch row["value"] {
            case "platform":
                value = ".platform"
                platformFields.append(name)
            case "-": value = ".notModelled"
            default: value = ".constant(\(StatusCodeTableGenerator.grouped(try row.integer("value"))))"
            }
            fields += "        GlobalField(id: \(StatusCodeTableGenerator.grouped(id)), name: \"\(name)\", "
            fields += "elements: \(elements), guestReadable: \(guestReadable), value: \(value)),\n"
        }
        var profiles = ""
        for (index, p) in platforms.enumerated() {
            guard p.values.map(\.name).sorted() == platformFields.sorted() else {
                throw InputError(
                    file: table.file, field: p.name,
                    "platform \(p.name) must give exactly the `platform` fields: \(platformFields.joined(separator: ", "))"
                )
            }
            let pairs = p.values.map {
                ".init(name: \"\($0.name)\", value: \(StatusCodeTableGenerator.grouped($0.value)))"
            }
            profiles +=
                "        GlobalPlatform(name: \"\(p.name)\", index: \(index), values: [\(pairs.joined(separator: ", "))]),\n"
        }
        return """
            // Generated from Specs/\(tableFile) by `make generate`. Do not edit: change the table instead.
            // swift-format-ignore-file

            extension GlobalField {
                /// The rows of Specs/\(tableFile), in file order (the module's table order).
                package static let all: [GlobalField] = [
            \(fields)    ]
            }

            extension GlobalPlatform {
                /// The `# platform` lines of Specs/\(tableFile), `default` first.
                public static let all: [GlobalPlatform] = [
            \(profiles)    ]
            }

            """
    }
}
