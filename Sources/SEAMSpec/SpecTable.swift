import SEAMCore
import SEAMFormats

/// One table under `Specs/`: UTF-8 TSV, `#` comment lines, a header row of column names, then one row per
/// line with exactly as many tab-separated cells (Specs/README.md).
public struct SpecTable: Sendable {
    /// One data row, with the line it came from.
    public struct Row: Sendable, CustomStringConvertible {
        /// The table's file name, e.g. `attr-wr-failures.tsv`.
        public let file: String
        /// 1-based line number in the file.
        public let line: Int
        let columns: [String]
        let cells: [String]

        /// The cell under `column`; the loader has checked every row has every column.
        public subscript(column: String) -> String {
            guard let i = columns.firstIndex(of: column) else { preconditionFailure("no column \(column) in \(file)") }
            return cells[i]
        }

        /// The cell under `column` as an integer (`0x…` hex or decimal), or an error naming file, line and column.
        public func integer(_ column: String) throws(InputError) -> UInt64 {
            guard let v = ConfigDecoder.parseInteger(self[column]) else {
                throw InputError(file: file, line: line, field: column, "expected an integer, got \"\(self[column])\"")
            }
            return v
        }

        /// `file:line`, the name of the test case this row becomes.
        public var description: String { "\(file):\(line)" }
    }

    public let file: String
    public let columns: [String]
    public let rows: [Row]

    /// Parses TSV text; `file` names it in errors. `required` columns must all be present.
    public init(text: String, file: String, required: [String] = []) throws(InputError) {
        self.file = file
        var columns: [String]?
        var rows: [Row] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.isEmpty || line.hasPrefix("#") { continue }
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard let header = columns else {
                if let dup = cells.first(where: { c in cells.filter { $0 == c }.count > 1 }) {
                    throw InputError(file: file, line: i + 1, field: dup, "duplicate column")
                }
                columns = cells
                continue
            }
            guard cells.count == header.count else {
                throw InputError(
                    file: file, line: i + 1, "expected \(header.count) tab-separated cells, found \(cells.count)")
            }
            if let empty = cells.firstIndex(where: { $0.isEmpty }) {
                throw InputError(file: file, line: i + 1, field: header[empty], "empty cell")
            }
            rows.append(Row(file: file, line: i + 1, columns: header, cells: cells))
        }
        guard let columns else { throw InputError(file: file, "no header row") }
        for c in required + ["source"] where !columns.contains(c) {
            throw InputError(file: file, field: c, "missing column")
        }
        self.columns = columns
        self.rows = rows
    }
}
