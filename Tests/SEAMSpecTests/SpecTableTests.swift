import SEAMCore
import SEAMFormats
import SEAMSpec
import Testing

/// The repository's Specs/ directory, found from this file's path so tests run from any directory.
let specsDirectory: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // SpecTableTests.swift, SEAMSpecTests, Tests
    return parts.joined(separator: "/") + "/Specs"
}()

/// Every row of every table under Specs/, loaded once when the tests are discovered.
let allSpecRows: [SpecTable.Row] = (try? SpecCatalog.allRows(from: specsDirectory)) ?? []

@Suite struct SpecConformanceTests {
    @Test func everyTableLoadsWithoutError() throws {
        var total = 0
        for t in SpecCatalog.tables {
            let table = try SpecCatalog.load(t.file, from: specsDirectory)
            #expect(!table.rows.isEmpty, "\(t.file) has no rows")
            total += table.rows.count
        }
        // The parameterized test below got every row (its loader cannot report an error itself).
        #expect(allSpecRows.count == total)
    }

    @Test(arguments: allSpecRows)
    func modelAgreesWithSpecRow(_ row: SpecTable.Row) throws {
        let problem = try ConformanceRunner.check(row)
        if let why = KnownDivergences.reason(for: row) {
            withKnownIssue(Comment(rawValue: why)) { #expect(problem == nil, "\(row): \(problem ?? "")") }
        } else {
            #expect(problem == nil, "\(row): \(problem ?? "")")
        }
    }

    @Test func everyKnownDivergenceNamesARow() throws {
        let listed = try SpecCatalog.allRows(from: specsDirectory).filter { KnownDivergences.reason(for: $0) != nil }
        #expect(listed.count == KnownDivergences.rows.count, "a KnownDivergences key names no row")
    }
}

@Suite struct SpecTableParsingTests {
    @Test func rowWithTooFewCellsNamesFileAndLine() {
        let text = "# comment\nleaf\tname\tdefined\tsource\n0\tTDG.VP.VMCALL\tyes\t§1.1\n1\tTDG.VP.INFO\tyes\n"
        #expect(throws: InputError(file: "leaves.tsv", line: 4, "expected 4 tab-separated cells, found 3")) {
            try SpecTable(text: text, file: "leaves.tsv")
        }
    }

    @Test func missingSourceColumnIsAnError() {
        #expect(throws: InputError(file: "t.tsv", field: "source", "missing column")) {
            try SpecTable(text: "leaf\tname\n1\tx\n", file: "t.tsv")
        }
    }

    @Test func badIntegerCellNamesTheColumn() throws {
        let table = try SpecTable(text: "leaf\tsource\nzz\t§1\n", file: "t.tsv")
        #expect(throws: InputError(file: "t.tsv", line: 2, field: "leaf", "expected an integer, got \"zz\"")) {
            try table.rows[0].integer("leaf")
        }
    }
}
