import ArgumentParser
import Foundation
import SEAMCore
import SEAMFormats

/// `softseam`: the root command. Exit codes: 0 ok, 1 divergence or failure, 2 usage or bad input.
public struct SoftSEAMCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "softseam",
        abstract: "The Intel TDX module with TD Partitioning, in software.",
        discussion: """
            `softseam conform` reads the spec tables from --specs DIR, else $SOFTSEAM_SPECS, else \
            share/softseam/Specs of the installed tree (bin/../share/softseam/Specs), else ./Specs.
            """,
        version: SoftSEAMVersion.line,
        subcommands: [
            Demo.self, AliasMapCommand.self, Record.self, Replay.self, TraceCommand.self, SnapshotCommand.self,
            Inspect.self,
            Conform.self, Bench.self, Fuzz.self, Attest.self,
            Generate.self,
        ])

    public init() {}

    /// Parses the process arguments and runs the command, with SoftSEAM's exit codes: 0 ok, 1 divergence or
    /// failure, 2 usage or bad input. (argument-parser's own code for a usage error is 64.)
    public static func mainExitingTwoOnUsageErrors() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                var stderr = StandardError()
                print(fullMessage(for: error), to: &stderr)
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Reports a bad input file the way every command does: the message on stderr, exit code 2.
func fail(_ error: InputError) -> ExitCode {
    var stderr = StandardError()
    print("softseam: \(error)", to: &stderr)
    return ExitCode(2)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleShim.writeStderr(string)
    }
}
