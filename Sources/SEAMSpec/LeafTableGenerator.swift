import SEAMCore
import SEAMFormats

/// Writes the README's two leaf tables ("Implemented, leaf by leaf": TDCALL leaves and host SEAMCALLs) from
/// SEAMCore's leaf registries (`TDCallLeaves`, `SEAMCallLeaves`): number, ABI name and each entry's
/// `summary` as the status cell. Each table sits between two marker comments
/// (`<!-- leaves:tdcall:begin -->` … `<!-- leaves:tdcall:end -->`); `make generate` rewrites what is between
/// them, and a test fails when the README and the registries differ.
package enum LeafTableGenerator {
    /// The README, relative to the package root.
    package static let readmePath = "README.md"

    /// Each generated table: the marker name and its markdown.
    package static var tables: [(marker: String, markdown: String)] {
        [
            ("leaves:tdcall", markdown(TDCallLeaves.all.map { ($0.leaf.rawValue, $0.name, $0.summary) })),
            ("leaves:seamcall", markdown(SEAMCallLeaves.all.map { ($0.leaf.rawValue, $0.name, $0.summary) })),
        ]
    }

    /// `readme` with each table between its markers replaced by the registry's; an error naming the marker
    /// when a pair is missing, doubled or out of order.
    package static func rewrite(_ readme: String) throws(InputError) -> String {
        var text = readme
        for (marker, markdown) in tables {
            let begin = "<!-- \(marker):begin -->\n"
            let end = "<!-- \(marker):end -->\n"
            let begins = text.ranges(of: begin)
            let ends = text.ranges(of: end)
            guard begins.count == 1, ends.count == 1, begins[0].upperBound <= ends[0].lowerBound else {
                throw InputError(file: readmePath, "expected one \(begin.dropLast()) before one \(end.dropLast())")
            }
            text.replaceSubrange(begins[0].upperBound..<ends[0].lowerBound, with: "\n" + markdown + "\n")
        }
        return text
    }

    /// A `| leaf | name | status |` table, one row per entry, in registry order.
    static func markdown(_ rows: [(number: UInt16, name: String, summary: String)]) -> String {
        var out = "| leaf | name | status |\n|---|---|---|\n"
        for r in rows { out += "| \(r.number) | \(r.name) | \(r.summary) |\n" }
        return out
    }
}
