import ArgumentParser
import Foundation
import SEAMSpec

/// `softseam generate`: rewrites the Swift files generated from `Specs/` tables (`make generate`).
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Regenerate the Swift sources built from Specs/ tables (run from the package root).",
        shouldDisplay: false)

    @Option(help: "The Specs directory.")
    var specs = SpecCatalog.defaultDirectory

    func run() throws {
        let table: SpecTable
        let source: String
        do {
            table = try SpecCatalog.load(L2VMCSTableGenerator.tableFile, from: specs)
            source = try L2VMCSTableGenerator.swiftSource(table)
        } catch { throw fail(error) }
        try source.write(toFile: L2VMCSTableGenerator.outputPath, atomically: true, encoding: .utf8)
        print("wrote \(L2VMCSTableGenerator.outputPath) (\(table.rows.count) fields)")
    }
}
