import Foundation
import SEAMFormats
import SEAMSpec
import Testing

/// Where `softseam conform` looks for the tables when not told: $SOFTSEAM_SPECS alone, else the installed tree
/// beside the executable, else ./Specs.
@Suite struct SpecLocationTests {
    /// A table that cannot be read says why, as every other input file does.
    @Test func aTableThatCannotBeReadSaysWhy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("softseam-specs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("leaves.tsv"), withIntermediateDirectories: true)
        try Data([0x6C, 0x65, 0x61, 0x66, 0x0A, 0xFF, 0x0A]).write(to: dir.appendingPathComponent("operand-ids.tsv"))
        for (file, message) in [
            ("status-codes.tsv", "no such file"), ("leaves.tsv", "is a directory, not a file"),
            ("operand-ids.tsv", "not UTF-8 text (byte 0xFF)"),
        ] {
            #expect(throws: InputError.self) { _ = try SpecCatalog.load(file, from: dir.path) }
            do {
                _ = try SpecCatalog.load(file, from: dir.path)
            } catch {
                #expect(error.message == message, "\(file)")
            }
        }
    }

    @Test func anInstalledExecutableLooksInItsShareDirectoryFirst() {
        let list = SpecCatalog.candidates(
            environment: [:], executable: "/opt/x/bin/softseam", currentDirectory: "/home/u")
        #expect(list == ["/opt/x/share/softseam/Specs", "/home/u/Specs"])
    }

    @Test func theEnvironmentVariableIsTheOnlyPlaceWhenSet() {
        let list = SpecCatalog.candidates(
            environment: ["SOFTSEAM_SPECS": "/t/Specs"], executable: "/opt/x/bin/softseam", currentDirectory: "/home/u")
        #expect(list == ["/t/Specs"])
    }

    @Test func anExecutableAtTheRootOrUnknownFallsBackToTheCurrentDirectory() {
        #expect(
            SpecCatalog.candidates(environment: [:], executable: "/softseam", currentDirectory: "/w")
                == ["/share/softseam/Specs", "/w/Specs"])
        #expect(SpecCatalog.candidates(environment: [:], executable: nil, currentDirectory: "/w") == ["/w/Specs"])
    }

    @Test func locateTakesTheFirstDirectoryWithTheTablesAndNamesAllWhenNone() throws {
        #expect(try SpecCatalog.locate(["/nonexistent/Specs", specsDirectory]) == specsDirectory)
        do {
            _ = try SpecCatalog.locate(["/nonexistent/a", "/nonexistent/b"])
            Issue.record("no tables, no error")
        } catch {
            #expect("\(error)".contains("/nonexistent/a or /nonexistent/b"), "\(error)")
            #expect("\(error)".contains("SOFTSEAM_SPECS"), "\(error)")
        }
    }
}
