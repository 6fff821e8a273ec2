import Foundation
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes
import Testing

/// Replay and its divergence reports. Expected values are read off the alias-table demo (seed talk): step 2
/// aliases page B with RDX = 0x8001800380030000 (VM1 R, VM2 RW, VM3 R), which ATTR.WR returns in RDX.
@Suite struct ReplayTests {
    static let demo = "alias-table-demo.trace.jsonl"

    func demoText() throws -> String { String(decoding: try Corpus.bytes(ReplayTests.demo), as: UTF8.self) }

    /// `text` with the first occurrence of `old` on line `line` (1-based) replaced.
    func edit(_ text: String, line: Int, _ old: String, _ new: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        precondition(lines[line - 1].contains(old), "line \(line) has no \(old)")
        lines[line - 1] = lines[line - 1].replacingOccurrences(of: old, with: new)
        return lines.joined(separator: "\n")
    }

    @Test func editingOneOutputRegisterIsReportedAtExactlyThatStepAndField() throws {
        let text = try demoText()
        // Line 3 is step 2; its output RDX is the request echoed back.
        let edited = edit(
            text, line: 3, "\"out\":{\"rcx\":\"0x101000\",\"rdx\":\"0x8001800380030000\"",
            "\"out\":{\"rcx\":\"0x101000\",\"rdx\":\"0x8001800380030001\"")
        #expect(edited != text)
        let result = try Replayer.replay(Trace.parse(edited, file: "edited"), file: "edited")
        let d = try #require(result.divergence)
        #expect(d.step == 2)
        #expect(d.line == 3)
        #expect(
            d.fields == [
                FieldDifference(field: "out.rdx", expected: "0x8001800380030001", actual: "0x8001800380030000")
            ])
        #expect(result.replayed == 2)
        // The same edit in the binary form (checksum rewritten by the writer), through the fast path.
        var trace = try Trace.parse(text, file: "t")
        trace.outcomes[1].registers?.rdx = 0x8001_8003_8003_0001
        let binary = try Replayer.replay(binary: trace.binary(), file: "edited.bin")
        #expect(binary.divergence?.step == 2)
        #expect(binary.divergence?.fields.map(\.field) == ["out.rdx"])
    }

    @Test func anEditedHashIsReportedWithWhatTheStepChanged() throws {
        var trace = try Trace.parse(try demoText(), file: "t")
        // Step 5 aliases page E: RDX 0x80010000800F0000 gives VM1 RWX and VM3 R, and R8 0x800F0000800F0000
        // asks for an INVEPT of both (bit 15 of each VM's slot), which the model counts per VM.
        trace.outcomes[4].hash = 0x1234
        let d = try #require(try Replayer.replay(trace, file: "t").divergence)
        #expect(d.step == 5)
        #expect(d.fields.map(\.field) == ["hash"])
        #expect(d.fields.first?.expected == "0x0000000000001234")
        #expect(!d.expectedUnchanged)
        let changed = Set(d.stateChanges.map(\.field))
        #expect(
            changed == [
                "page 0x104000 VM1 attributes", "page 0x104000 VM3 attributes", "td.l2SEPTFlushes[1]",
                "td.l2SEPTFlushes[3]",
            ])
    }

    @Test func aHashThatIsTheStateBeforeTheStepSaysTheTraceExpectedNoChange() throws {
        var trace = try Trace.parse(try demoText(), file: "t")
        trace.outcomes[2].hash = trace.outcomes[1].hash
        let d = try #require(try Replayer.replay(trace, file: "t").divergence)
        #expect(d.step == 3)
        #expect(d.expectedUnchanged)
    }

    @Test func anEditedResultIsReportedAsTheResult() throws {
        let name = "l2-boot-demo.trace.jsonl"
        var trace = try Corpus.trace(name)
        let k = try #require(trace.outcomes.firstIndex { if case .l2 = $0.result { true } else { false } })
        trace.outcomes[k].result = .completed
        let d = try #require(try Replayer.replay(trace, file: name).divergence)
        #expect(d.step == k + 1)
        #expect(d.fields.map(\.field) == ["result"])
        #expect(d.fields.first?.actual == "L2 runs VM1")
    }

    @Test func anL1ObservedTraceComparesOutputsOnly() throws {
        let name = "l2-boot-demo.l1-observed.trace.jsonl"
        var trace = try Corpus.trace(name)
        #expect(trace.variant == .l1Observed)
        #expect(trace.outcomes.allSatisfy { $0.hash == nil })
        #expect(trace.steps.allSatisfy { if case .l1 = $0.actor { true } else { false } })
        let k = try #require(trace.steps.firstIndex { !$0.events.isEmpty })
        trace.outcomes[k].registers?.rcx ^= 1
        let d = try #require(try Replayer.replay(trace, file: name).divergence)
        #expect(d.step == k + 1)
        #expect(d.fields.map(\.field) == ["out.rcx"])
    }

    /// An l1-observed step whose TDG.VP.ENTER runs more L2 events than the engine's `l2EventLimit` is refused
    /// naming its line and `l2_events`, with L2's RIP and the count (here the demo's longest entry, limit one
    /// below its event count).
    @Test func anL1ObservedStepPastTheL2EventLimitNamesItsLineAndL2Events() throws {
        let name = "l2-boot-demo.l1-observed.trace.jsonl"
        let trace = try Corpus.trace(name)
        let counts = trace.steps.map(\.events.count)
        let k = try #require(counts.indices.max { counts[$0] < counts[$1] })
        #expect(counts[k] > 1)
        var engine = Engine(machine: Machine(config: trace.scenario.config))
        for step in trace.steps.prefix(k) { _ = try engine.perform(step, variant: .l1Observed, file: name) }
        engine.l2EventLimit = counts[k] - 1
        let error = try #require(throws: InputError.self) {
            try engine.perform(trace.steps[k], variant: .l1Observed, file: name)
        }
        #expect(error.field == "l2_events" && error.line == trace.steps[k].line)
        #expect(error.message.contains("ran \(counts[k] - 1) L2 events") && error.message.contains("RIP 0x"))
    }

    @Test func replayFromASnapshotMatchesAndChecksWhereItWasTaken() throws {
        let name = "l2-boot-demo.trace.jsonl"
        let trace = try Corpus.trace(name)
        var engine = Engine(machine: Machine(config: trace.scenario.config))
        // Step 149 (a TDG.VP.WR) changes the state, so the state after it is not the state after step 148.
        for step in trace.steps.prefix(149) { _ = try engine.perform(step, file: name) }
        let m = engine.machine
        let file = try Snapshot(fileBytes: Snapshot(machine: m, step: 149).fileBytes(), file: "s")
        let result = try Replayer.replay(trace, file: name, start: (file.machine, 149))
        #expect(result.matches)
        #expect(result.startedAfter == 149)
        #expect(result.replayed == trace.count)
        #expect(throws: InputError.self) { try Replayer.replay(trace, file: name, start: (file.machine, 148)) }
        #expect(throws: InputError.self) { try Replayer.replay(trace, file: name, start: (file.machine, 10_000)) }
    }

    @Test func theDefaultDemosInputsRebuildItsState() throws {
        let boot = L2BootDemo.run()
        let m = try boot.scenario.machineAfter(file: "demo")
        #expect(m.stateHash() == boot.stateHash)
        #expect(m.differences(from: boot.machine).isEmpty)
    }

    @Test func aStepTheMachineCannotTakeIsAnInputErrorNotADivergence() throws {
        var trace = try Trace.parse(try demoText(), file: "t")
        var s = trace.scenario.steps[0]
        s.actor = .l2(vm: 1, vcpu: 0)  // L2 is not running
        s.events = [.cpuid]
        trace.scenario.steps[0] = s
        trace.outcomes[0] = StepOutcome(hash: 0)
        #expect(throws: InputError.self) { try Replayer.replay(trace, file: "t") }
    }
}
