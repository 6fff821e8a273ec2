import ArgumentParser
import SEAMCore
import SEAMSpec

/// `softseam conform`: checks the model against every row of the tables under `Specs/`, the same check the
/// test suite makes one test case per row; exit 1 when a row disagrees, 2 when a table is malformed.
struct Conform: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the model against the spec tables (one case per row).")

    @Option(help: "The spec table directory.")
    var specs: String = SpecCatalog.defaultDirectory

    func run() throws {
        var failures: [String] = []
        var passed = 0
        for table in SpecCatalog.tables {
            let loaded: SpecTable
            do { loaded = try SpecCatalog.load(table.file, from: specs) } catch { throw fail(error) }
            var tablePassed = 0
            for row in loaded.rows {
                let problem: String?
                do { problem = try ConformanceRunner.check(row) } catch { throw fail(error) }
                if let problem { failures.append("\(row): \(problem)") } else { tablePassed += 1 }
            }
            print("\(table.file): \(tablePassed) of \(loaded.rows.count) rows agree")
            passed += tablePassed
        }
        for f in failures { print(f) }
        print("conformance: \(passed) rows agree, \(failures.count) disagree")
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
