import ArgumentParser
import Foundation
import SEAMCore
import SEAMSpec

/// `softseam conform`: checks the model against every row of the tables under `Specs/`, the same check the
/// test suite makes one test case per row; exit 1 when a row disagrees (rows listed in `KnownDivergences` are
/// reported but do not count, unless they agree), 2 when a table is malformed or there are no tables. Outside a
/// checkout it finds the tables `make install` installed next to it (`SpecCatalog.candidates`).
struct Conform: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the model against the spec tables (one case per row).")

    @Option(
        help: """
            The spec table directory. Default: $SOFTSEAM_SPECS when set, else share/softseam/Specs of the \
            installed tree the executable is in (bin/../share/softseam/Specs), else Specs in the current directory.
            """)
    var specs: String?

    func run() throws {
        var specs = self.specs ?? ""
        if self.specs == nil {
            let candidates = SpecCatalog.candidates(
                environment: ProcessInfo.processInfo.environment, executable: SpecCatalog.executablePath,
                currentDirectory: FileManager.default.currentDirectoryPath)
            do { specs = try SpecCatalog.locate(candidates) } catch { throw fail(error) }
        }
        var failures: [String] = []
        var known: [String] = []
        var passed = 0
        for table in SpecCatalog.tables {
            let loaded: SpecTable
            do { loaded = try SpecCatalog.load(table.file, from: specs) } catch { throw fail(error) }
            var tablePassed = 0
            for row in loaded.rows {
                let problem: String?
                do { problem = try ConformanceRunner.check(row) } catch { throw fail(error) }
                let knownReason = KnownDivergences.reason(for: row)
                switch (problem, knownReason) {
                case (nil, nil): tablePassed += 1
                case (nil, _?): failures.append("\(row): agrees, but is listed in KnownDivergences (remove it)")
                case (let p?, nil): failures.append("\(row): \(p)")
                case (let p?, _?): known.append("\(row): \(p) (known divergence)")
                }
            }
            print("\(table.file): \(tablePassed) of \(loaded.rows.count) rows agree")
            passed += tablePassed
        }
        for k in known { print(k) }
        for f in failures { print(f) }
        print("conformance: \(passed) rows agree, \(known.count) known divergences, \(failures.count) disagree")
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
