import ArgumentParser
import Foundation
import SEAMSpec

/// `softseam generate`: rewrites the files generated from `Specs/` tables and from SEAMCore's leaf registries
/// (`make generate`): the L2 VMCS field table, the status-code constants and the README's leaf tables.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Regenerate the sources built from Specs/ and the README leaf tables (run from the package root).",
        shouldDisplay: false)

    @Option(help: "The Specs directory.")
    var specs = SpecCatalog.defaultDirectory

    func run() throws {
        let (table, statusTable): (SpecTable, SpecTable)
        let (source, statusSource): (String, String)
        let readme: String
        let oldReadme = try String(contentsOfFile: LeafTableGenerator.readmePath, encoding: .utf8)
        do {
            table = try SpecCatalog.load(L2VMCSTableGenerator.tableFile, from: specs)
            source = try L2VMCSTableGenerator.swiftSource(table)
            statusTable = try SpecCatalog.load(StatusCodeTableGenerator.tableFile, from: specs)
            statusSource = try StatusCodeTableGenerator.swiftSource(statusTable)
            readme = try LeafTableGenerator.rewrite(oldReadme)
        } catch { throw fail(error) }
        try source.write(toFile: L2VMCSTableGenerator.outputPath, atomically: true, encoding: .utf8)
        print("wrote \(L2VMCSTableGenerator.outputPath) (\(table.rows.count) fields)")
        try statusSource.write(toFile: StatusCodeTableGenerator.outputPath, atomically: true, encoding: .utf8)
        print("wrote \(StatusCodeTableGenerator.outputPath) (\(statusTable.rows.count) status codes)")
        try readme.write(toFile: LeafTableGenerator.readmePath, atomically: true, encoding: .utf8)
        print("wrote \(LeafTableGenerator.readmePath) (leaf tables)")
    }
}
