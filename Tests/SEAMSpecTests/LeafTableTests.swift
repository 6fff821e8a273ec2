import SEAMCore
import SEAMSpec
import SEAMTypes
import Testing

// Specs/leaves.tsv against SEAMCore's TDCALL leaf registry (Sources/SEAMCore/Leaves/TDCallLeaves.swift), both
// ways: every entry has its row and every row naming a leaf has its entry, with the same name, highest
// version and implementation state. (The per-row conformance cases check the same through the derived
// listings and the dispatcher.)
@Suite struct LeafTableTests {
    @Test func everyRegistryEntryHasItsRowAndEveryRowItsEntry() throws {
        let table = try SpecCatalog.load("leaves.tsv", from: specsDirectory)
        var rows: [UInt16: SpecTable.Row] = [:]
        for row in table.rows {
            let n = try row.integer("leaf")
            try #require(n <= 0xFFFF && rows[UInt16(n)] == nil, "\(row): leaf \(n) out of range or listed twice")
            rows[UInt16(n)] = row
        }
        for entry in TDCallLeaves.all {
            guard let row = rows[entry.leaf.rawValue] else {
                Issue.record("\(entry.name) (leaf \(entry.leaf.rawValue)) has no row in leaves.tsv")
                continue
            }
            #expect(row["name"] == entry.name, "\(row)")
            #expect(row["defined"] == "yes", "\(row)")
            #expect(row["max_version"] == String(entry.maxVersion), "\(row)")
            #expect(row["implemented"] == (entry.isImplemented ? "yes" : "no"), "\(row)")
        }
        for (n, row) in rows.sorted(by: { $0.key < $1.key }) where TDCallLeaves.entry(Leaf(n)) == nil {
            #expect(row["defined"] == "no" && row["name"] == "-", "\(row) names a leaf the registry lacks")
            #expect(row["max_version"] == "-" && row["implemented"] == "no", "\(row)")
        }
    }
}
