import Foundation
import SEAMCore
import SEAMFormats
import SEAMSpec
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
