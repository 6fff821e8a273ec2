import Foundation
import SEAMCore
import SEAMFormats
import SEAMSpec
import SEAMTypes
import Testing

@Suite struct GeneratedTableTests {
    @Test func generatedL2VMCSFileMatchesTheTable() throws {
        let table = try SpecCatalog.load(L2VMCSTableGenerator.tableFile, from: SpecCatalog.defaultDirectory)
        let expected = try L2VMCSTableGenerator.swiftSource(table)
        let path = FileManager.default.currentDirectoryPath + "/" + L2VMCSTableGenerator.outputPath
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(committed == expected, "\(L2VMCSTableGenerator.outputPath) is stale: run `make generate`")
        #expect(L2VMCSLayout.fields.count == table.rows.count)
    }

    @Test func generatedStatusFileMatchesTheTable() throws {
        let table = try SpecCatalog.load(StatusCodeTableGenerator.tableFile, from: specsDirectory)
        let expected = try StatusCodeTableGenerator.swiftSource(table)
        let path = String(specsDirectory.dropLast("Specs".count)) + StatusCodeTableGenerator.outputPath
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(committed == expected, "\(StatusCodeTableGenerator.outputPath) is stale: run `make generate`")
        // Every row is a named code, in table order, with its value.
        #expect(TDXStatus.allNamed.map(\.name) == table.rows.map { $0["name"] })
        #expect(try TDXStatus.allNamed.map(\.status.rawValue) == table.rows.map { try $0.integer("value") })
    }

    @Test func statusRowWithDetailsOrAWrongErrorBitIsAnError() throws {
        let header = "name\tvalue\terror\tswift\tsource\n"
        for (row, field) in [
            ("TDX_X\t0xC000010000000001\tyes\tx\t-\n", "value"), ("TDX_X\t0xC000010000000000\tno\tx\t-\n", "error"),
            ("TDX_X\t0x0\tno\tX\t-\n", "swift"), ("X\t0x0\tno\tx\t-\n", "name"),
        ] {
            let table = try SpecTable(text: header + row, file: "t.tsv")
            do {
                _ = try StatusCodeTableGenerator.swiftSource(table)
                Issue.record("\(row) was accepted")
            } catch {
                #expect(error.line == 2 && error.field == field, "\(row)")
            }
        }
    }

    @Test func readmeLeafTablesMatchTheRegistries() throws {
        let path = String(specsDirectory.dropLast("Specs".count)) + LeafTableGenerator.readmePath
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        let expected = try LeafTableGenerator.rewrite(committed)
        #expect(committed == expected, "README.md's leaf tables are stale: run `make generate`")
    }

    @Test func readmeWithoutLeafTableMarkersIsAnError() {
        #expect(throws: InputError.self) { try LeafTableGenerator.rewrite("# README\n\n| leaf | name | status |\n") }
        let doubled = "<!-- leaves:tdcall:begin -->\n<!-- leaves:tdcall:end -->\n"
        #expect(throws: InputError.self) { try LeafTableGenerator.rewrite(doubled + doubled) }
    }

    @Test func malformedRowIsAnErrorWithItsLineAndColumn() throws {
        let text =
            "encoding\tname\tsize\tl1_read_mask\tl1_write_mask\treset\tattrs\tnotes\tsource\n"
            + "0x6800\tGUEST_CR0\t48\t0x0\t0x0\t0x0\t-\t-\t-\n"
        let table = try SpecTable(text: text, file: "t.tsv")
        #expect(throws: InputError.self) { try L2VMCSTableGenerator.swiftSource(table) }
        do {
            _ = try L2VMCSTableGenerator.swiftSource(table)
        } catch {
            #expect(error.line == 2 && error.field == "size")
        }
    }
}

/// The figures README.md gives for the spec tables and the trace corpus are the tables' and the corpus's.
@Suite struct ReadmeFigureTests {
    let root = String(specsDirectory.dropLast("Specs".count))

    /// The integer right before `suffix` in `text` (e.g. "808" in "(808 rows:").
    func number(before suffix: String, in text: String) -> Int? {
        guard let r = text.range(of: suffix) else { return nil }
        return Int(String(text[..<r.lowerBound].reversed().prefix { $0.isNumber }.reversed()))
    }

    @Test func specRowCountsMatchTheTables() throws {
        let readme = try String(contentsOfFile: root + "README.md", encoding: .utf8).split(
            whereSeparator: \.isWhitespace
        )
        .joined(separator: " ")
        var counts: [String: Int] = [:]
        for table in SpecCatalog.tables {
            counts[table.file] = try SpecCatalog.load(table.file, from: specsDirectory).rows.count
        }
        #expect(number(before: " rows: leaves, status codes", in: readme) == counts.values.reduce(0, +))
        #expect(number(before: " ATTR.WR cases", in: readme) == counts["attr-wr-failures.tsv"])
        #expect(number(before: " L2 VMCS fields read and written", in: readme) == counts["l2-vmcs-fields.tsv"])
        #expect(number(before: " VM-entry guest-state cases", in: readme) == counts[VMEntryCheckTable.file])
        #expect(number(before: " exit-routing cases", in: readme) == counts[ExitRoutingTable.file])
    }

    @Test func traceCorpusCountsMatchTheDirectory() throws {
        let readme = try String(contentsOfFile: root + "README.md", encoding: .utf8).split(
            whereSeparator: \.isWhitespace
        )
        .joined(separator: " ")
        let traces = try FileManager.default.contentsOfDirectory(atPath: root + "Traces")
            .filter { $0.contains(".trace.") }
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: root + "Traces/scenarios")
            .filter { $0.hasSuffix(".scenario.jsonl") }
        #expect(number(before: " traces: the default demo", in: readme) == traces.count)
        #expect(number(before: " recorded from `Traces/scenarios/`", in: readme) == scenarios.count)
    }
}
