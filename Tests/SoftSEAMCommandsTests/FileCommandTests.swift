import ArgumentParser
import Foundation
import SEAMCore
import SEAMDemos
import SEAMFormats
import Testing

@testable import SoftSEAMCommands

/// The commands' file arguments: where outputs go, what a file that cannot be read is reported as, the trace
/// form a name stands for, and the messages of bad numbers. (`-` for standard input and output is checked by
/// Tests/CABI/checks/cli-files.sh, which runs the built CLI in a shell.)
@Suite struct FileCommandTests {
    let traces = repositoryRoot + "/Traces"

    func run(_ arguments: [String]) throws {
        var command = try SoftSEAMCommand.parseAsRoot(arguments)
        try command.run()
    }

    /// A fresh scratch directory.
    func scratch() throws -> String { (try temporaryFile("x", "") as NSString).deletingLastPathComponent }

    /// The message argument-parser prints for a command line it refuses, with the exit code the CLI gives.
    func refusal(_ arguments: [String]) -> (message: String, exitsTwo: Bool)? {
        do {
            var command = try SoftSEAMCommand.parseAsRoot(arguments)
            try command.validate()
            return nil
        } catch {
            return (SoftSEAMCommand.fullMessage(for: error), SoftSEAMCommand.exitCode(for: error) == .validationFailure)
        }
    }

    // MARK: Outputs

    /// `record -o LINK` where LINK is a symbolic link to another file writes that file and leaves the link.
    @Test func recordThroughASymlinkKeepsTheLink() throws {
        let d = try scratch()
        try Data("old".utf8).write(to: URL(fileURLWithPath: d + "/target.txt"))
        try FileManager.default.createSymbolicLink(atPath: d + "/link.trace.jsonl", withDestinationPath: "target.txt")
        try run(["record", traces + "/scenarios/td-build.scenario.jsonl", "-o", d + "/link.trace.jsonl"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: d + "/link.trace.jsonl") == "target.txt")
        let written = try String(contentsOfFile: d + "/target.txt", encoding: .utf8)
        #expect(written == (try String(contentsOfFile: traces + "/td-build.trace.jsonl", encoding: .utf8)))
        #expect(throws: Never.self) { try run(["replay", d + "/link.trace.jsonl"]) }
    }

    @Test func recordIntoADirectoryExitsTwoAndWritesNothing() throws {
        let d = try scratch()
        #expect(throws: ExitCode(2)) { try run(["record", traces + "/scenarios/td-build.scenario.jsonl", "-o", d]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["x"])
    }

    // MARK: The trace form a name stands for

    @Test func theOutputNameDecidesTheFormOfRecordAndConvert() throws {
        let d = try scratch()
        let binaryMagic = Data("SSEAMTRC".utf8)
        // convert writes the form the output's name stands for, even the input's own form.
        try run(["trace", "convert", traces + "/multi-vcpu.trace.bin", "-o", d + "/copy.trace.bin"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: d + "/copy.trace.bin")).prefix(8) == binaryMagic)
        try run(["trace", "convert", traces + "/td-build.trace.jsonl", "-o", d + "/copy.trace.jsonl"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: d + "/copy.trace.jsonl")).first == UInt8(ascii: "{"))
        // A name that stands for neither: the form the input is not, or the one asked for.
        try run(["trace", "convert", traces + "/td-build.trace.jsonl", "-o", d + "/plain"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: d + "/plain")).prefix(8) == binaryMagic)
        try run(["record", traces + "/scenarios/td-build.scenario.jsonl", "--binary", "-o", d + "/r.trace"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: d + "/r.trace")).prefix(8) == binaryMagic)
        // A contradiction is an error, and nothing is written.
        #expect(throws: ExitCode(2)) {
            try run(["record", traces + "/scenarios/td-build.scenario.jsonl", "--binary", "-o", d + "/x.trace.jsonl"])
        }
        #expect(throws: ExitCode(2)) {
            try run(["trace", "convert", traces + "/td-build.trace.jsonl", "--to", "json", "-o", d + "/x.trace.bin"])
        }
        #expect(!FileManager.default.fileExists(atPath: d + "/x.trace.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: d + "/x.trace.bin"))
    }

    // MARK: Inputs and their messages

    /// alias-map says why it cannot read a file: missing, a directory, not UTF-8 (line and byte).
    @Test func aliasMapSaysWhyAFileCannotBeRead() throws {
        let d = try scratch()
        #expect(throws: InputError(file: d + "/none.json", "no such file")) {
            _ = try AliasMapCommand.machine(of: d + "/none.json")
        }
        #expect(throws: InputError(file: d, "is a directory, not a file")) { _ = try AliasMapCommand.machine(of: d) }
        let bad = d + "/bad.json"
        try Data(Array("{\"num_l2_vms\":\n 3".utf8) + [0xFF, 0x7D]).write(to: URL(fileURLWithPath: bad))
        #expect(throws: InputError(file: bad, line: 2, byteOffset: 17, "not UTF-8 text (byte 0xFF)")) {
            _ = try AliasMapCommand.machine(of: bad)
        }
        #expect(throws: ExitCode(2)) { try run(["alias-map", bad]) }
        #expect(throws: ExitCode(2)) { try run(["alias-map", d]) }
    }

    @Test func replayAndConvertSayATruncatedBinaryTraceIsOne() throws {
        let path = try temporaryFile("t.bin", "SSEA")
        let report = FileReport.replay(path, start: nil) { _ in }
        #expect(report.error?.message.hasPrefix("truncated binary trace: 4 bytes") == true)
        #expect(throws: ExitCode(2)) { try run(["trace", "convert", path, "-o", path + ".jsonl"]) }
        #expect(throws: ExitCode(2)) { try run(["replay", path]) }
        let missing = FileReport.replay(path + ".none", start: nil) { _ in }
        #expect(missing.error == InputError(file: path + ".none", "no such file"))
    }

    /// alias-map of a trace (either form, either variant) shows the TD after its last step: the same state
    /// hash the trace records after it (full traces), and the same table as the scenario it came from.
    @Test func aliasMapAcceptsTraces() throws {
        for name in ["td-build.trace.jsonl", "multi-vcpu.trace.bin"] {
            let (machine, _) = try AliasMapCommand.machine(of: traces + "/" + name)
            let trace = try Trace.load(
                Array(try Data(contentsOf: URL(fileURLWithPath: traces + "/" + name))), file: name)
            #expect(machine.stateHash() == trace.outcomes.last?.hash)
        }
        let (observed, _) = try AliasMapCommand.machine(of: traces + "/l2-boot-demo.l1-observed.trace.jsonl")
        let (full, _) = try AliasMapCommand.machine(of: traces + "/l2-boot-demo.trace.jsonl")
        #expect(AliasMap(observed, labels: []).text() == AliasMap(full, labels: []).text())
        #expect(throws: Never.self) { try run(["alias-map", traces + "/alias-table-demo.trace.jsonl"]) }
        // A snapshot holds a machine too; any other header kind asks for what alias-map reads.
        let snap = try scratch() + "/s.snapshot"
        try run(["snapshot", traces + "/td-build.trace.jsonl", "--after", "5", "-o", snap])
        let (restored, _) = try AliasMapCommand.machine(of: snap)
        let td = try Trace.load(
            Array(try Data(contentsOf: URL(fileURLWithPath: traces + "/td-build.trace.jsonl"))), file: "t")
        #expect(restored.stateHash() == td.outcomes[4].hash)
        let other = try temporaryFile("o.jsonl", "{\"softseam\":\"end\",\"steps\":0}\n")
        #expect(
            throws: InputError(
                file: other, field: "softseam",
                "\"end\" is not a file alias-map reads: give a config, a scenario, a trace or a snapshot")
        ) { _ = try AliasMapCommand.machine(of: other) }
    }

    @Test func replayOfADirectoryWithoutTracesExitsTwo() throws {
        let d = try scratch()
        try Data("{}".utf8).write(to: URL(fileURLWithPath: d + "/config.json"))
        #expect(
            throws: InputError(
                file: d,
                "no traces found in \(d) (replay reads the *.trace.jsonl and *.trace.bin files of a directory)")
        ) { _ = try Replay.files([d]) }
        #expect(throws: ExitCode(2)) { try run(["replay", d]) }
        #expect(try Replay.files([traces]).count >= 12)
    }

    /// A scenario with no steps: record reports the hash of the TD its config builds (computed here from the
    /// config with `Machine(config:)`), as replay and snapshot do — not 0.
    @Test func recordOfAScenarioWithNoStepsReportsTheBuiltTDsHash() throws {
        let config = "{\"num_l2_vms\":1,\"memory\":[{\"gpa\":\"0x100000\",\"size\":\"0x3000\",\"state\":\"mapped\"}]}"
        let path = try temporaryFile(
            "empty.scenario.jsonl", "{\"softseam\":\"scenario\",\"version\":1,\"config\":\(config)}\n")
        let expected = Machine(config: try ConfigDecoder.decode(config)).stateHash()
        #expect(expected != 0)
        let trace = try Trace.record(TraceFiles.scenario(path), file: path)
        #expect(
            Record.summary(trace, to: "out.trace.jsonl")
                == "softseam: recorded 0 steps to out.trace.jsonl, final state hash \(hash16(expected))")
        #expect(Record.summary(trace, to: "-").contains("to <stdout>,"))
        try run(["record", path, "-o", path + ".trace.jsonl"])
        #expect(throws: Never.self) { try run(["replay", path + ".trace.jsonl"]) }
    }

    // MARK: Numbers on the command line

    @Test func negativeCountsAndDurationsAreRefusedWithTheRange() {
        for (arguments, message) in [
            (
                ["snapshot", "t", "--after", "-1", "-o", "s"],
                "--after must be ≥ 0 (0 = the TD as its config builds it), got -1"
            ),
            (
                ["bench", "--seconds", "-1"],
                "--seconds must be more than 0 (the least time each benchmark runs), got -1.0"
            ),
            (
                ["bench", "--seconds", "0"],
                "--seconds must be more than 0 (the least time each benchmark runs), got 0.0"
            ),
            (["bench", "--iterations", "0"], "--iterations must be ≥ 1, got 0"),
            (["bench", "--iterations", "-5"], "--iterations must be ≥ 1, got -5"),
        ] {
            let r = refusal(arguments)
            #expect(r?.message.contains(message) == true, "\(arguments): \(r?.message ?? "accepted")")
            #expect(r?.exitsTwo == true)
        }
        #expect(refusal(["snapshot", "t", "--after", "0", "-o", "s"]) == nil)
        #expect(refusal(["bench", "--iterations", "1"]) == nil)
    }

    @Test func standardInputCanBeReadOnce() {
        #expect(
            refusal(["replay", "-", "--from", "-"])?.message.contains("standard input (-) can be read once") == true)
        #expect(refusal(["replay", "-", "-"])?.exitsTwo == true)
    }
}
