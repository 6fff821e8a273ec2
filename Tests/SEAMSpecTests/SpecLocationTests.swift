import Foundation
import SEAMFormats
import SEAMSpec
import Testing

/// Where `softseam conform` looks for the tables when not told: $SOFTSEAM_SPECS alone, else the installed tree
/// beside the executable, else ./Specs.
@Suite struct SpecLocationTests {
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
