import Foundation
import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

/// The "interrupted" result and the host's `l1_interrupt_state` step (Traces/FORMAT.md): both readers and
/// writers, replay comparing the result, the l1-observed view leaving interrupted calls out, snapshots carrying
/// an accept counter.
@Suite struct InterruptedStepTests {
    static let file = "i.trace.jsonl"
    static let name = "accept-interrupted.trace.jsonl"

    /// The corpus trace, whose steps 3 and 4 are interrupted ACCEPTs and 13 and 14 interrupted INVVPIDs.
    static func trace() throws -> Trace { try Corpus.trace(name) }

    @Test func theCorpusTraceHasInterruptedStepsThatRoundTripBothForms() throws {
        let t = try Self.trace()
        let interrupted = t.outcomes.enumerated().filter { $0.element.result == .interrupted }.map { $0.offset + 1 }
        #expect(interrupted == [3, 4, 13, 14])
        #expect(t.steps[1].shared == .l1InterruptState(vcpu: 0, rvi: 0x41, ppr: 0))
        let text = t.jsonLines()
        #expect(text.contains(",\"interrupted\":true,"))
        #expect(text.contains("\"l1_interrupt_state\":{\"vcpu\":0,\"rvi\":\"0x41\",\"ppr\":\"0x0\"}"))
        let back = try Trace(binary: t.binary(), file: "b.bin")
        #expect(back.jsonLines() == text)
        #expect(try Trace.parse(text, file: Self.file).jsonLines() == text)
        #expect(try Replayer.replay(t, file: Self.file).divergence == nil)
        #expect(try Replayer.replay(back, file: "b.bin").divergence == nil)
    }

    /// A trace whose interrupted step is recorded as completed (or the other way round) diverges on replay.
    @Test func replayComparesTheInterruptedResult() throws {
        let text = try String(contentsOfFile: Corpus.path(Self.name), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Step 3 (line 4): drop its "interrupted" → the recorded result says completed.
        let third = lines[3].replacingOccurrences(of: ",\"interrupted\":true", with: "")
        #expect(third != lines[3])
        var edited = lines
        edited[3] = third
        let t = try Trace.parse(edited.joined(separator: "\n"), file: Self.file)
        let d = try #require(try Replayer.replay(t, file: Self.file).divergence)
        #expect(d.step == 3)
        // Binary too (fast path and general replay agree).
        let b = try Replayer.replay(Trace(binary: t.binary(), file: "b.bin"), file: "b.bin").divergence
        #expect(b?.step == 3)
    }

    @Test(arguments: ["false", "1", "\"yes\""])
    func interruptedIsOnlyTrue(_ value: String) throws {
        let text = try String(contentsOfFile: Corpus.path(Self.name), encoding: .utf8)
        let bad = text.replacingOccurrences(of: "\"interrupted\":true", with: "\"interrupted\":\(value)")
        #expect(throws: InputError.self) { try Trace.parse(bad, file: Self.file) }
        do {
            _ = try Trace.parse(bad, file: Self.file)
        } catch {
            #expect(error.line == 4)
            #expect(error.field == "interrupted")
        }
    }

    @Test func aStepHasOneResultInterruptedIncluded() throws {
        let text = try String(contentsOfFile: Corpus.path(Self.name), encoding: .utf8)
        let bad = text.replacingOccurrences(
            of: "\"interrupted\":true", with: "\"interrupted\":true,\"fault\":20")
        do {
            _ = try Trace.parse(bad, file: Self.file)
            Issue.record("two results read")
        } catch {
            #expect(error.line == 4)
        }
    }

    @Test func theL1ObservedViewLeavesInterruptedCallsOutAndReplays() throws {
        let t = try Self.trace()
        let l1 = try t.observedByL1(file: Self.file)
        // Of 16 steps: 4 l1_interrupt_state host steps gone, 4 interrupted TDCALLs gone; 8 L1 steps left.
        #expect(l1.steps.count == 8)
        #expect(l1.outcomes.allSatisfy { $0.result != .interrupted })
        // The ACCEPT that completed is there with RAX 0 (replayed whole: nothing is pending without host steps).
        #expect(l1.steps[2].registers.rax == 6 && l1.outcomes[2].registers?.rax == 0)
        #expect(try Replayer.replay(l1, file: "l1").divergence == nil)
    }

    @Test func anL1ObservedTraceRefusesInterrupted() throws {
        let l1 = try Self.trace().observedByL1(file: Self.file)
        var lines = l1.jsonLines().split(separator: "\n").map(String.init)
        lines[1] = String(lines[1].dropLast()) + ",\"interrupted\":true}"
        do {
            _ = try Trace.parse(lines.joined(separator: "\n") + "\n", file: Self.file)
            Issue.record("an l1-observed step with a result read")
        } catch {
            #expect(error.field == "interrupted")
        }
    }

    @Test func aSnapshotCarriesTheAcceptCounter() throws {
        // After step 4 the 2M page at 0x400000 has its counter at 2 (two interrupted ACCEPTs, one chunk each).
        let t = try Self.trace()
        var s = t.scenario
        s.steps = Array(s.steps.prefix(4))
        let m = try s.machineAfter()
        #expect(m.space.acceptCounter(0x400) == 2)
        let back = try Snapshot(fileBytes: Snapshot(machine: m, step: 4).fileBytes(), file: "s")
        #expect(back.machine.space.acceptCounter(0x400) == 2)
        #expect(back.machine.stateHash() == t.outcomes[3].hash)
    }

    @Test(
        arguments: [
            ("{\"vcpu\":0,\"rvi\":\"0x41\"}", "l1_interrupt_state.ppr", "missing"),
            ("{\"vcpu\":0,\"rvi\":\"0x100\",\"ppr\":0}", "l1_interrupt_state.rvi", nil),
            ("{\"vcpu\":0,\"rvi\":1,\"ppr\":0,\"x\":1}", "l1_interrupt_state.x", "unknown key (known: vcpu, rvi, ppr)"),
            ("{\"vcpu\":1,\"rvi\":1,\"ppr\":0}", "l1_interrupt_state.vcpu", nil),
        ] as [(String, String, String?)])
    func badInterruptStateStepNamesItsField(_ body: String, _ field: String, _ message: String?) throws {
        let text = try String(
            contentsOfFile: Corpus.path("scenarios/accept-interrupted.scenario.jsonl"), encoding: .utf8)
        let header = String(text.split(separator: "\n")[0])
        let scenario = header + "\n{\"actor\":\"host\",\"l1_interrupt_state\":\(body)}\n"
        do {
            let s = try Scenario.parse(scenario, file: "s.jsonl")
            _ = try Trace.record(s, file: "s.jsonl")  // vCPU 1 of a 1-vCPU TD: refused when run
            Issue.record("read and ran")
        } catch {
            #expect(error.line == 2)
            #expect(error.field == field)
            if let message { #expect(error.message == message) }
        }
    }
}
