import ArgumentParser
import Foundation
import SoftSEAMCommands
import Testing

@Suite struct VersionTests {
    /// softseam.h's `#define NAME value`, read as text: the version's one source.
    func headerDefine(_ name: String) throws -> String {
        let header = try String(
            contentsOfFile: repositoryRoot + "/Sources/CSoftSEAM/include/softseam.h", encoding: .utf8)
        let line = try #require(header.split(separator: "\n").first { $0.hasPrefix("#define \(name) ") })
        return String(line.dropFirst("#define \(name) ".count).prefix { $0 != " " })
    }

    @Test func versionPrintsTheHeadersReleaseAndTheModuleProfile() throws {
        let version = try headerDefine("SOFTSEAM_VERSION")
        #expect(version.hasPrefix("\""))
        do {
            _ = try SoftSEAMCommand.parseAsRoot(["--version"])
            Issue.record("--version did not exit")
        } catch {
            let message = SoftSEAMCommand.message(for: error)
            #expect(message.hasPrefix("softseam \(version.dropFirst().dropLast()) (C ABI 1;"), "\(message)")
            #expect(message.contains("TDX module 1.5.01"), "\(message)")
            #expect(SoftSEAMCommand.exitCode(for: error) == .success)
        }
    }

    /// The release's first number is the ABI version the SONAME carries (libsoftseam.so.1 → .so.1.x.y).
    @Test func theReleaseStartsWithTheABIVersion() throws {
        let version = try headerDefine("SOFTSEAM_VERSION")
        let abi = try headerDefine("SOFTSEAM_ABI_VERSION")
        #expect(version.dropFirst().hasPrefix(abi + "."), "SOFTSEAM_VERSION \(version), ABI \(abi)")
        #expect(version.split(separator: ".").count == 3)
    }
}
