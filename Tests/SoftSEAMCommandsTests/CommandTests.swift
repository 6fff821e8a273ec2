import ArgumentParser
import Foundation
import SoftSEAMCommands
import Testing

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ name: String, _ text: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("softseam-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

@Suite struct CommandTests {
    @Test func aliasMapOfAConfigWithAnUnknownKeyExitsTwo() throws {
        let path = try temporaryFile("bad.json", "{\"num_l2_vms\": 3,\n \"gpa_width\": 48}")
        var command = try SoftSEAMCommand.parseAsRoot(["alias-map", path])
        #expect(throws: ExitCode(2)) { try command.run() }
    }

    @Test func aliasMapOfAMissingFileExitsTwo() throws {
        var command = try SoftSEAMCommand.parseAsRoot(["alias-map", "/nonexistent/softseam.json"])
        #expect(throws: ExitCode(2)) { try command.run() }
    }

    @Test func aliasMapOfAScenarioWithABadStepExitsTwo() throws {
        let text = "{\"softseam\":\"scenario\",\"version\":1,\"config\":{}}\n{\"actor\":\"l9\"}\n"
        let path = try temporaryFile("bad.jsonl", text)
        var command = try SoftSEAMCommand.parseAsRoot(["alias-map", "--json", path])
        #expect(throws: ExitCode(2)) { try command.run() }
    }

    @Test func aliasMapRunsTheCommittedDemoScenarioAndAConfig() throws {
        var scenario = try SoftSEAMCommand.parseAsRoot([
            "alias-map", repositoryRoot + "/Traces/alias-table-demo.scenario.jsonl",
        ])
        #expect(throws: Never.self) { try scenario.run() }
        let config = try temporaryFile(
            "ok.json",
            "{\"num_l2_vms\": 2, \"memory\": [{\"gpa\": \"0x0\", \"size\": \"0x10000\", \"state\": \"pending\"}]}")
        var map = try SoftSEAMCommand.parseAsRoot(["alias-map", "--json", config])
        #expect(throws: Never.self) { try map.run() }
    }

    /// alias-map runs a scenario through the same engine as record: an L1 step before TDH.MR.FINALIZE is
    /// refused by both (exit 2); with the host's TDH.MR.FINALIZE (SEAMCALL 17) first, both run it.
    @Test func aliasMapRefusesL1BeforeFinalizeLikeRecord() throws {
        let header =
            "{\"softseam\":\"scenario\",\"version\":1,\"config\":{\"num_l2_vms\":1,\"finalize\":false,"
            + "\"memory\":[{\"gpa\":\"0x100000\",\"size\":\"0x1000\",\"state\":\"mapped\"}]}}\n"
        let l1 = "{\"actor\":\"l1\",\"tdcall\":{\"rax\":\"0x1\"},\"comment\":\"TDG.VP.INFO\"}\n"
        let finalize = "{\"actor\":\"host\",\"seamcall\":{\"rax\":\"0x11\"},\"comment\":\"TDH.MR.FINALIZE\"}\n"
        let early = try temporaryFile("early.scenario.jsonl", header + l1)
        let out = early + ".trace.jsonl"
        var map = try SoftSEAMCommand.parseAsRoot(["alias-map", early])
        #expect(throws: ExitCode(2)) { try map.run() }
        var record = try SoftSEAMCommand.parseAsRoot(["record", early, "-o", out])
        #expect(throws: ExitCode(2)) { try record.run() }
        #expect(!FileManager.default.fileExists(atPath: out))
        let ok = try temporaryFile("ok.scenario.jsonl", header + finalize + l1)
        var mapOK = try SoftSEAMCommand.parseAsRoot(["alias-map", ok])
        #expect(throws: Never.self) { try mapOK.run() }
        var recordOK = try SoftSEAMCommand.parseAsRoot(["record", ok, "-o", ok + ".trace.jsonl"])
        #expect(throws: Never.self) { try recordOK.run() }
    }

    @Test func demoParsesItsFlags() throws {
        #expect(throws: Never.self) { _ = try SoftSEAMCommand.parseAsRoot(["demo", "--json"]) }
        #expect(throws: (any Error).self) { _ = try SoftSEAMCommand.parseAsRoot(["demo", "--jsn"]) }
    }

    @Test func benchRejectsAnUnknownBenchmark() {
        #expect(throws: (any Error).self) { _ = try SoftSEAMCommand.parseAsRoot(["bench", "--only", "nope"]) }
        #expect(throws: (any Error).self) { _ = try SoftSEAMCommand.parseAsRoot(["bench", "--seconds", "0"]) }
    }

    @Test func emitScenarioWritesAFileThatReplays() throws {
        let path = try temporaryFile("placeholder", "")
        let out = path + ".jsonl"
        var demo = try SoftSEAMCommand.parseAsRoot(["demo", "--json", "--emit-scenario", out])
        try demo.run()
        let written = try String(contentsOfFile: out, encoding: .utf8)
        let committed = try String(
            contentsOfFile: repositoryRoot + "/Traces/alias-table-demo.scenario.jsonl", encoding: .utf8)
        #expect(written == committed)
    }
}

@Suite struct ConformCommandTests {
    /// A copy of Specs/ in a temporary directory with `edit` applied to one table.
    func specsCopy(editing file: String, _ edit: (String) -> String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("softseam-specs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Specs") {
            var text = try String(contentsOfFile: repositoryRoot + "/Specs/" + name, encoding: .utf8)
            if name == file { text = edit(text) }
            try Data(text.utf8).write(to: dir.appendingPathComponent(name))
        }
        return dir.path
    }

    @Test func conformPassesOnTheCommittedTables() throws {
        var command = try SoftSEAMCommand.parseAsRoot(["conform", "--specs", repositoryRoot + "/Specs"])
        #expect(throws: Never.self) { try command.run() }
    }

    @Test func conformExitsOneWhenARowDisagrees() throws {
        let dir = try specsCopy(editing: "status-codes.tsv") {
            $0.replacingOccurrences(
                of: "TDX_PAGE_ATTR_INVALID\t0xC0000B1100000000", with: "TDX_PAGE_ATTR_INVALID\t0xC0000B1200000000")
        }
        var command = try SoftSEAMCommand.parseAsRoot(["conform", "--specs", dir])
        #expect(throws: ExitCode(1)) { try command.run() }
    }

    @Test func conformExitsTwoOnAMalformedTable() throws {
        let dir = try specsCopy(editing: "leaves.tsv") { $0 + "41\tTDG.NOPE\n" }
        var command = try SoftSEAMCommand.parseAsRoot(["conform", "--specs", dir])
        #expect(throws: ExitCode(2)) { try command.run() }
    }
}
