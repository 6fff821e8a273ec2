import Foundation
import SEAMCore
import SEAMFormats

/// The spec tables SoftSEAM checks itself against, and where they live.
public enum SpecCatalog {
    /// Each table file and the columns its checker needs.
    public static let tables: [(file: String, columns: [String])] = [
        ("leaves.tsv", ["leaf", "name", "defined", "max_version", "implemented"]),
        ("status-codes.tsv", ["name", "value", "error", "swift"]),
        ("operand-ids.tsv", ["id", "name"]),
        ("gpa-attr-bits.tsv", ["bit", "name"]),
        ("gpa-attr-legality.tsv", ["attrs", "present", "legal"]),
        (
            "attr-wr-failures.tsv",
            ["priority", "condition", "rcx", "rdx", "r8", "expected", "operand", "out_rcx", "out_rdx"]
        ),
        (
            "l2-vmcs-fields.tsv",
            ["encoding", "name", "size", "l1_read_mask", "l1_write_mask", "reset", "attrs", "entry"]
        ),
        (VMEntryCheckTable.file, VMEntryCheckTable.columns),
        (ExitRoutingTable.file, ExitRoutingTable.columns),
        (GlobalMetadataTableGenerator.tableFile, GlobalMetadataTableGenerator.columns),
        (InterruptRulesTable.file, InterruptRulesTable.columns),
    ]

    /// Loads one table from `directory`.
    public static func load(_ file: String, from directory: String) throws(InputError) -> SpecTable {
        let path = directory + "/" + file
        let text = try FileIO.text(try FileIO.readAll(path), file: path)
        let required = tables.first { $0.file == file }?.columns ?? []
        return try SpecTable(text: text, file: file, required: required)
    }

    /// Every row of every table, in table order.
    public static func allRows(from directory: String) throws(InputError) -> [SpecTable.Row] {
        var rows: [SpecTable.Row] = []
        for t in tables { rows += try load(t.file, from: directory).rows }
        return rows
    }

    /// The `Specs` directory: `$SOFTSEAM_SPECS`, else `Specs` under the current directory.
    public static var defaultDirectory: String {
        ProcessInfo.processInfo.environment["SOFTSEAM_SPECS"] ?? FileManager.default.currentDirectoryPath + "/Specs"
    }

    /// Where an installed `softseam` finds the tables, first match wins: `$SOFTSEAM_SPECS` (alone, when set);
    /// `share/softseam/Specs` beside the executable's `bin` directory (what `make install` lays out); `Specs`
    /// under the current directory (a checkout).
    public static func candidates(environment: [String: String], executable: String?, currentDirectory: String)
        -> [String]
    {
        if let dir = environment["SOFTSEAM_SPECS"] { return [dir] }
        var list: [String] = []
        if let executable, let slash = executable.lastIndex(of: "/") {
            let bin = executable[..<slash]  // "/opt/x/bin" → "/opt/x"; "/softseam" → ""; "bin" → "."
            let prefix = bin.isEmpty ? "" : bin.lastIndex(of: "/").map { String(bin[..<$0]) } ?? "."
            list.append(prefix + "/share/softseam/Specs")
        }
        list.append(currentDirectory + "/Specs")
        return list
    }

    /// The first of `candidates` that holds the tables (its `leaves.tsv` exists), or an error that names every
    /// place looked in and how to point at the tables.
    public static func locate(_ candidates: [String]) throws(InputError) -> String {
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/" + tables[0].file) }) {
            return found
        }
        throw InputError(
            file: tables[0].file,
            "the spec tables are not in \(candidates.joined(separator: " or ")): give --specs DIR or set SOFTSEAM_SPECS"
        )
    }

    /// This process's executable, resolved through /proc/self/exe where there is one, else argv[0].
    public static var executablePath: String? {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        let arg0 = CommandLine.arguments.first ?? ""
        guard arg0.contains("/") else { return nil }
        return arg0.hasPrefix("/") ? arg0 : FileManager.default.currentDirectoryPath + "/" + arg0
    }
}
