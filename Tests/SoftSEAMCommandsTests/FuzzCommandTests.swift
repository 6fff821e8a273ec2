import ArgumentParser
import Foundation
import SEAMCore
import SoftSEAMCommands
import Testing

@Suite struct FuzzCommandTests {
    func run(_ arguments: [String]) throws {
        var command = try SoftSEAMCommand.parseAsRoot(arguments)
        try command.run()
    }

    func scratch() throws -> String { (try temporaryFile("x", "") as NSString).deletingLastPathComponent }

    func refused(_ arguments: [String]) -> String? {
        do {
            var command = try SoftSEAMCommand.parseAsRoot(arguments)
            try command.validate()
            return nil
        } catch {
            return SoftSEAMCommand.exitCode(for: error) == .validationFailure
                ? SoftSEAMCommand.fullMessage(for: error) : "not a usage error"
        }
    }

    @Test func badOptionsAreUsageErrors() {
        #expect(refused(["fuzz", "--iterations", "5", "--minutes", "1"])?.contains("not both") == true)
        #expect(refused(["fuzz", "--iterations", "0"])?.contains("--iterations") == true)
        #expect(refused(["fuzz", "--minutes", "-1"])?.contains("--minutes") == true)
        #expect(refused(["fuzz", "--jobs", "0"])?.contains("--jobs") == true)
        #expect(refused(["fuzz", "--plant", "no-such-bug"])?.contains("no bug named") == true)
        #expect(refused(["fuzz", "--seed", "7", "--iterations", "10", "--jobs", "2"]) == nil)
    }

    /// No finding: exit 0, no trace written; the corpus directory gets the inputs with new coverage, and a
    /// second run reads them back.
    @Test func aCleanRunExitsZeroAndFillsTheCorpus() throws {
        let d = try scratch()
        let corpus = d + "/corpus"
        try run(["fuzz", "--seed", "3", "--iterations", "150", "--corpus", corpus, "-o", d + "/f.trace.jsonl"])
        #expect(!FileManager.default.fileExists(atPath: d + "/f.trace.jsonl"))
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(!names.isEmpty && names.allSatisfy { $0.count == 16 })
        try run(["fuzz", "--seed", "4", "--iterations", "50", "--corpus", corpus, "-o", d + "/f.trace.jsonl"])
    }

    @Test func aCorpusThatIsAFileIsABadInput() throws {
        let file = try temporaryFile("corpus", "x")
        #expect(throws: ExitCode(2)) { try run(["fuzz", "--iterations", "5", "--corpus", file]) }
    }

    /// With a bug planted (debug builds), the command exits 1 and writes the shrunk finding's trace, which
    /// `softseam replay` reads and reports as diverging (exit 1).
    @Test(.enabled(if: PlantedBug.isAvailable))
    func aFindingExitsOneAndItsTraceReplaysToADivergence() throws {
        let d = try scratch()
        for (name, form) in [("f.trace.jsonl", "JSON Lines"), ("f.trace.bin", "binary")] {
            let out = d + "/" + name
            #expect(throws: ExitCode(1), "\(form)") {
                try run(["fuzz", "--seed", "15", "--iterations", "4000", "--plant", "invept-flag-ignored", "-o", out])
            }
            #expect(FileManager.default.fileExists(atPath: out))
            #expect(throws: ExitCode(1)) { try run(["replay", out]) }
        }
    }
}
