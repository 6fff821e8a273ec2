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
    ]

    /// Loads one table from `directory`.
    public static func load(_ file: String, from directory: String) throws(InputError) -> SpecTable {
        let path = directory + "/" + file
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw InputError(file: path, "not UTF-8") }
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
}
