import ArgumentParser
import Foundation
import SEAMFormats
import SEAMSpec

/// `softseam generate`: rewrites the files generated from `Specs/` tables and from SEAMCore's leaf registries
/// (`make generate`): the L2 VMCS field table, the status-code constants, the C constants header
/// (softseam_defs.h), the global metadata table and the README's leaf tables.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Regenerate the sources built from Specs/ and the README leaf tables (run from the package root).",
        shouldDisplay: false)

    @Option(help: "The Specs directory.")
    var specs = SpecCatalog.defaultDirectory

    func run() throws {
        let (table, statusTable): (SpecTable, SpecTable)
        let (source, statusSource, globalSource): (String, String, String)
        let globalCount: Int
        let readme: String
        let defs: String
        let oldReadme = try String(contentsOfFile: LeafTableGenerator.readmePath, encoding: .utf8)
        do {
            table = try SpecCatalog.load(L2VMCSTableGenerator.tableFile, from: specs)
            source = try L2VMCSTableGenerator.swiftSource(table)
            statusTable = try SpecCatalog.load(StatusCodeTableGenerator.tableFile, from: specs)
            statusSource = try StatusCodeTableGenerator.swiftSource(statusTable)
            let (globalTable, platforms) = try GlobalMetadataTableGenerator.load(from: specs)
            globalSource = try GlobalMetadataTableGenerator.swiftSource(globalTable, platforms: platforms)
            globalCount = globalTable.rows.count
            defs = try CDefsHeaderGenerator.header { file throws(InputError) in try SpecCatalog.load(file, from: specs)
            }
            readme = try LeafTableGenerator.rewrite(oldReadme)
        } catch { throw fail(error) }
        try source.write(toFile: L2VMCSTableGenerator.outputPath, atomically: true, encoding: .utf8)
        print("wrote \(L2VMCSTableGenerator.outputPath) (\(table.rows.count) fields)")
        try statusSource.write(toFile: StatusCodeTableGenerator.outputPath, atomically: true, encoding: .utf8)
        print("wrote \(StatusCodeTableGenerator.outputPath) (\(statusTable.rows.count) status codes)")
        try globalSource.write(toFile: GlobalMetadataTableGenerator.outputPath, atomically: true, encoding: .utf8)
        print("wrote \(GlobalMetadataTableGenerator.outputPath) (\(globalCount) global fields)")
        try defs.write(toFile: CDefsHeaderGenerator.outputPath, atomically: true, encoding: .utf8)
        print("wrote \(CDefsHeaderGenerator.outputPath) (C constants)")
        try readme.write(toFile: LeafTableGenerator.readmePath, atomically: true, encoding: .utf8)
        print("wrote \(LeafTableGenerator.readmePath) (leaf tables)")
    }
}
