import ArgumentParser
import Foundation
import SEAMFormats
import Testing

@testable import SoftSEAMCommands

/// `softseam record`, `replay`, `trace convert` and `snapshot`: exit codes 0 (match), 1 (divergence),
/// 2 (bad input, nothing written).
@Suite struct TraceCommandTests {
    let traces = repositoryRoot + "/Traces"

    func run(_ arguments: [String]) throws {
        var command = try SoftSEAMCommand.parseAsRoot(arguments)
        try command.run()
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    @Test func replayOfTheCorpusDirectoryExitsZero() throws {
        #expect(throws: Never.self) { try run(["replay", traces]) }
        #expect(throws: Never.self) { try run(["replay", "--json", traces + "/multi-vcpu.trace.bin"]) }
    }

    /// Traces/double-injection: step 11 delivers 0x30 to VM 1 a second time (the module re-injected it at step 7,
    /// L1 injects it again at step 10); Traces/lost-interrupt: after step 6 VM 1 runs with 0x41 in its VIRR and
    /// RVI 0. Both match (a warning, exit 0); with --delivery-errors the replay fails (exit 1).
    @Test func deliveryWarningsAreReportedAndCanFailTheReplay() throws {
        let double = FileReport.replay(traces + "/double-injection.trace.jsonl", start: nil) { _ in }
        #expect(double.status == .match)
        #expect(double.result?.warnings.map(\.step) == [11])
        #expect(double.text.contains("WARN") && double.text.contains("vector 0x30 delivered twice to VM 1"))
        #expect(double.json.contains("\"warnings\":[{\"step\":11"))
        let lost = FileReport.replay(traces + "/lost-interrupt.trace.jsonl", start: nil) { _ in }
        #expect(lost.result?.warnings.map(\.step) == [6])
        #expect(lost.text.contains("vector 0x41 is stranded in VM 1's virtual IRR"))
        #expect(throws: Never.self) { try run(["replay", traces + "/double-injection.trace.jsonl"]) }
        #expect(throws: ExitCode(1)) {
            try run(["replay", "--delivery-errors", traces + "/double-injection.trace.jsonl"])
        }
        #expect(throws: ExitCode(1)) {
            try run(["replay", "--delivery-errors", traces + "/lost-interrupt.trace.jsonl"])
        }
        #expect(throws: Never.self) {
            try run(["replay", "--delivery-errors", traces + "/alias-table-demo.trace.jsonl"])
        }
        // The binary form's fast path sees the same warnings.
        let bin = try temporaryFile("double.trace.bin", "")
        try run(["trace", "convert", traces + "/double-injection.trace.jsonl", "--output", bin])
        #expect(FileReport.replay(bin, start: nil) { _ in }.result?.warnings.map(\.step) == [11])
    }

    @Test func replayOfAnEditedTraceExitsOneAndReportsTheStepAndField() throws {
        let text = try String(contentsOfFile: traces + "/alias-table-demo.trace.jsonl", encoding: .utf8)
        let edited = text.replacingOccurrences(
            of: "\"out\":{\"rcx\":\"0x102000\",\"rdx\":\"0x800f0000\"",
            with: "\"out\":{\"rcx\":\"0x102000\",\"rdx\":\"0x800f0001\"")
        #expect(edited != text)
        let path = try temporaryFile("edited.trace.jsonl", edited)
        #expect(throws: ExitCode(1)) { try run(["replay", path]) }
        let report = FileReport.replay(path, start: nil) { _ in }
        #expect(report.status == .diverged)
        #expect(report.json.contains("\"step\":3"))
        #expect(report.json.contains("\"field\":\"out.rdx\",\"expected\":\"0x800f0001\",\"actual\":\"0x800f0000\""))
        #expect(report.text.contains("DIVERGES"))
        #expect(report.text.contains("out.rdx"))
    }

    @Test func replayOfABadFileExitsTwoAndStillReportsTheOthers() throws {
        let bad = try temporaryFile("bad.trace.jsonl", "{\"softseam\":\"trace\",\"version\":2}\n")
        #expect(throws: ExitCode(2)) { try run(["replay", traces + "/td-build.trace.jsonl", bad]) }
        let report = FileReport.replay(bad, start: nil) { _ in }
        #expect(report.status == .error)
        #expect(report.json.contains("\"line\":1"))
    }

    @Test func shardsSplitTheCorpusWithoutOverlap() throws {
        #expect(throws: Never.self) { try run(["replay", "--shard", "0/3", traces]) }
        #expect(throws: Never.self) { try run(["replay", "--shard", "2/3", traces]) }
        #expect(throws: (any Error).self) { _ = try SoftSEAMCommand.parseAsRoot(["replay", "--shard", "3/3", traces]) }
        #expect(throws: (any Error).self) { _ = try SoftSEAMCommand.parseAsRoot(["replay", "--shard", "1", traces]) }
        let all = (0..<10).map { "f\($0)" }
        let shards = (0..<3).map { Replay.shard(all, index: $0, of: 3) }
        #expect(shards == [["f0", "f3", "f6", "f9"], ["f1", "f4", "f7"], ["f2", "f5", "f8"]])
    }

    @Test func recordWritesATraceThatReplaysAndConvertRoundTrips() throws {
        let dir = try temporaryFile("x", "")
        let base = (dir as NSString).deletingLastPathComponent
        let json = base + "/t.trace.jsonl", bin = base + "/t.trace.bin", back = base + "/back.trace.jsonl"
        try run(["record", traces + "/scenarios/td-build.scenario.jsonl", "-o", json])
        try run(["replay", json])
        try run(["trace", "convert", json, "-o", bin])
        try run(["trace", "convert", bin, "-o", back])
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(contentsOf: URL(fileURLWithPath: json)))
        try run(["replay", bin])
        // A trace's inputs can be recorded again, and an l1-observed trace derived.
        try run(["record", json, "-o", base + "/again.trace.jsonl"])
        try run(["record", "--builtin", "l2-boot", "--l1-observed", "-o", base + "/l1.trace.jsonl"])
        try run(["replay", base + "/l1.trace.jsonl"])
    }

    @Test func badInputWritesNothing() throws {
        let scenario = try temporaryFile(
            "bad.scenario.jsonl", "{\"softseam\":\"scenario\",\"version\":1,\"config\":{}}\n{\"actor\":\"l9\"}\n")
        let out = (scenario as NSString).deletingLastPathComponent + "/out.trace.jsonl"
        #expect(throws: ExitCode(2)) { try run(["record", scenario, "-o", out]) }
        #expect(!exists(out))
        let garbage = try temporaryFile("garbage.trace.bin", "SSEAMTRC and then nothing useful")
        #expect(throws: ExitCode(2)) { try run(["trace", "convert", garbage, "-o", out]) }
        #expect(throws: ExitCode(2)) { try run(["snapshot", garbage, "--after", "1", "-o", out]) }
        #expect(!exists(out))
        #expect(throws: ExitCode(2)) {
            try run(["record", traces + "/td-build.trace.jsonl", "-o", "/nonexistent/dir/t.jsonl"])
        }
    }

    @Test func snapshotThenReplayFromIt() throws {
        let snap = (try temporaryFile("x", "") as NSString).deletingLastPathComponent + "/after40.snapshot"
        try run(["snapshot", traces + "/l2-boot-demo.trace.jsonl", "--after", "40", "-o", snap])
        #expect(exists(snap))
        #expect(throws: Never.self) { try run(["replay", traces + "/l2-boot-demo.trace.jsonl", "--from", snap]) }
        // The snapshot is not a state of this other trace.
        #expect(throws: ExitCode(2)) { try run(["replay", traces + "/td-build.trace.jsonl", "--from", snap]) }
        #expect(throws: ExitCode(2)) {
            try run(["snapshot", traces + "/td-build.trace.jsonl", "--after", "16", "-o", snap + "2"])
        }
    }
}
