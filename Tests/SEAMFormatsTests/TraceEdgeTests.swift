import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

/// Edges of the formats and of replay that a review found: each was a crash, a silent acceptance or a
/// file that did not read back.
@Suite struct TraceEdgeTests {
    @Test func aSnapshotOfAnotherTDShapeIsRefused() throws {
        let boot = try Corpus.trace("l2-boot-demo.trace.jsonl")
        let other = Machine(config: try Corpus.trace("td-build.trace.jsonl").scenario.config)  // 1 L2 VM, not 3
        #expect(throws: InputError.self) { try Replayer.replay(boot, file: "b", start: (other, 0)) }
        #expect(throws: InputError.self) { try Replayer.replay(binary: boot.binary(), file: "b", start: (other, 0)) }
        // Same shape, but not the TD the config builds: refused before step 1 too.
        var changed = Machine(config: boot.scenario.config)
        var regs = RegisterFile(rax: 23, rcx: 0x10_0000)
        _ = try changed.tdcall(vcpu: 0, &regs)
        try changed.writeMemory(gpa: 0x10_0000, [1])
        #expect(throws: InputError.self) { try Replayer.replay(boot, file: "b", start: (changed, 0)) }
    }

    @Test func theBinaryReaderRefusesEventsTheJSONFormCannotHold() throws {
        var trace = try Corpus.trace("l2-boot-demo.trace.jsonl")
        let k = try #require(trace.steps.firstIndex { if case .l2 = $0.actor { true } else { false } })
        trace.scenario.steps[k].events = [.exception(vector: 40, errorCode: nil)]
        #expect {
            try Trace(binary: trace.binary(), file: "t.bin")
        } throws: { e in
            (e as? InputError)?.byteOffset != nil && (e as? InputError)?.field == "step \(k + 1).event"
        }
        trace.scenario.steps[k].events = [.exit(ExitReason(12), qualification: 0, instructionLength: 16)]
        #expect(throws: InputError.self) { try Trace(binary: trace.binary(), file: "t.bin") }
    }

    @Test func labelsAreEscaped() throws {
        var trace = try Corpus.trace("alias-table-demo.trace.jsonl")
        trace.scenario.labels = [("A\"B\\C", 0x10_0000)]
        let back = try Trace.parse(trace.jsonLines(), file: "t")
        #expect(back.scenario.labels.map(\.label) == ["A\"B\\C"])
        #expect(try Trace(binary: trace.binary(), file: "t.bin").scenario.labels.map(\.label) == ["A\"B\\C"])
    }

    @Test func l1CannotRunBeforeTheTDIsFinalized() throws {
        var s = try Corpus.source(of: "td-build.trace.jsonl").scenario
        s.steps.insert(Step(actor: .l1(vcpu: 0), registers: RegisterFile(rax: 1), line: 2), at: 0)
        #expect {
            try Trace.record(s, file: "s")
        } throws: { e in
            (e as? InputError)?.field == "actor" && (e as? InputError)?.line == 2
        }
    }

    @Test func anL1ObservedTraceIsRefusedWhenL1AloneCannotReproduceTheRun() throws {
        // td-build's host adds and finalizes memory: L1's view leaves those steps out.
        let full = try Corpus.trace("td-build.trace.jsonl")
        #expect {
            try full.observedByL1(file: "td-build")
        } throws: { e in
            (e as? InputError)?.field == "l1-observed"
        }
        #expect(try Corpus.trace("l2-boot-demo.trace.jsonl").observedByL1(file: "boot").count > 100)
    }

    @Test func aSnapshotFileDoesNotDependOnFilledMemos() throws {
        let trace = try Corpus.trace("l2-boot-demo.trace.jsonl")
        var engine = Engine(machine: Machine(config: trace.scenario.config))
        for step in trace.steps.prefix(120) { _ = try engine.perform(step, file: "b") }
        var m = engine.machine
        let plain = Snapshot(machine: m, step: 120).fileBytes()
        _ = m.cachedStateHash()
        #expect(Snapshot(machine: m, step: 120).fileBytes() == plain)
    }

    @Test func crlfLineEndsReadLikeNewlines() throws {
        let text = try Corpus.trace("fatal-td.trace.jsonl").jsonLines()
        let crlf = text.split(separator: "\n").joined(separator: "\r\n") + "\r\n"
        #expect(try Trace.parse(crlf, file: "t").jsonLines() == text)
    }
}
