import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

@testable import SEAMFormats

/// The host's `irte_push` step and the `refused` result (Traces/FORMAT.md) in both trace forms, the binary fast
/// path, and the mutations a replay must catch. Outcomes hand-worked from the TD-partitioning SVSM's
/// kernel/src/tdx/sirte.rs (ring layout, head read by L1, tail written by the host) — see the comments of
/// Traces/scenarios/svsm-irte-ring.scenario.jsonl.
@Suite struct IRTEPushStepTests {
    static let name = "svsm-irte-ring.trace.jsonl"

    @Test func theCorpusTraceHasTheHandWorkedOutcomes() throws {
        let t = try Corpus.trace(Self.name)
        #expect(t.steps[13].shared == .irtePush(vcpu: 0, gpa: 0x103000, event: .msi(mode: 0, vector: 0x31, destID: 0)))
        #expect(t.outcomes[13].result == .completed)
        #expect(t.outcomes[15].delivery?.vector == 0xE0)
        #expect(t.outcomes[17].bytes == [2, 0, 0, 0, 0, 0x31, 0] + [UInt8](repeating: 0, count: 9))
        #expect(
            t.steps[22].shared
                == .irtePush(vcpu: 0, gpa: 0x103000, event: .ioapic(pin: 4, level: 1, sourceID: 0)))
        #expect(
            t.outcomes.map(\.result).compactMap { r -> IRTERingProblem? in
                if case .refused(let why) = r { return why }
                return nil
            } == [.full, .badHeader, .notShared, .badGPA])
    }

    @Test func roundTripsAndReplaysInBothForms() throws {
        let t = try Corpus.trace(Self.name)
        let json = try Trace.parse(t.jsonLines(), file: "t.jsonl")
        #expect(json.steps == t.steps)
        #expect(json.outcomes == t.outcomes)
        let bin = try Trace(binary: t.binary(), file: "t.bin")
        #expect(bin.steps.map(\.shared) == t.steps.map(\.shared))
        #expect(bin.outcomes == t.outcomes)
        #expect(try Replayer.replay(binary: t.binary(), file: "t.bin").matches)
        var reader = try BinaryTraceReader(t.binary(), file: "t.bin")
        var engine = Engine(machine: Machine(config: t.scenario.config))
        #expect(reader.replayMatching(&engine) == nil, "the fast path runs the records itself")
    }

    /// The fast path carries map_shared, unmap_shared and write_shared out itself (it used to take the nil
    /// `Engine.host` returns for them as a failure and leave every such trace to the general path).
    @Test func theFastPathRunsSharedMemorySteps() throws {
        for name in ["shared-memory.trace.jsonl", Self.name] {
            let t = try Corpus.trace(name)
            var reader = try BinaryTraceReader(t.binary(), file: "t.bin")
            var engine = Engine(machine: Machine(config: t.scenario.config))
            #expect(reader.replayMatching(&engine) == nil, "\(name)")
        }
    }

    @Test func aDifferentEntryOrRefusalIsADivergence() throws {
        // Another vector in entry 0: the page differs, so the hash after step 14.
        var a = try Corpus.trace(Self.name)
        a.scenario.steps[13].shared = .irtePush(vcpu: 0, gpa: 0x103000, event: .msi(mode: 0, vector: 0x33, destID: 0))
        #expect(try Replayer.replay(binary: a.binary(), file: "a.bin").divergence?.step == 14)
        #expect(
            try Replayer.replay(try Trace.parse(a.jsonLines(), file: "a.jsonl"), file: "a.jsonl").divergence?.step == 14
        )
        // A refusal recorded under another name, or as completed: the fast path and the general one both stop.
        var b = try Corpus.trace(Self.name)
        b.outcomes[22].result = .refused(.badIndex)
        var fast = try BinaryTraceReader(b.binary(), file: "b.bin")
        var engine = Engine(machine: Machine(config: b.scenario.config))
        #expect(fast.replayMatching(&engine) == 23)
        #expect(
            try Replayer.replay(try Trace.parse(b.jsonLines(), file: "b.jsonl"), file: "b.jsonl").divergence?.step == 23
        )
        var c = try Corpus.trace(Self.name)
        c.outcomes[25].result = .completed
        #expect(try Replayer.replay(binary: c.binary(), file: "c.bin").divergence?.step == 26)
        // A push recorded as refused that the ring takes.
        var d = try Corpus.trace(Self.name)
        d.outcomes[13].result = .refused(.full)
        #expect(try Replayer.replay(binary: d.binary(), file: "d.bin").divergence?.step == 14)
    }

    /// `bytes` with its first `pattern` replaced by `with` and the checksum made right again.
    static func patched(_ bytes: [UInt8], _ pattern: [UInt8], _ with: [UInt8]) throws -> [UInt8] {
        let at = try #require(
            (0...(bytes.count - pattern.count)).first { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) })
        var b = bytes
        b.replaceSubrange(at..<(at + pattern.count), with: with)
        let sum = XXH3.hash(Array(b[0..<(b.count - 8)]))
        b.replaceSubrange(
            (b.count - 8)..<b.count, with: (0..<8).map { UInt8(truncatingIfNeeded: sum >> (8 * UInt64($0))) })
        return b
    }

    @Test func aBadRefusalCodeOrIRQTypeIsAReadError() throws {
        let t = try Corpus.trace(Self.name)
        let bytes = try t.binary()
        #expect((try? Trace(binary: Self.patched(bytes, [0], [0]), file: "same.bin")) != nil, "the patcher reseals")
        // Step 23's operands: operation 5, vCPU 0, GPA 0x103000, irq_type 1, pin 4, level 1, source 0; then
        // (no out) the refused code 6 (full).
        let op: [UInt8] = [5, 0, 0, 0, 0x30, 0x10, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        let badCode = #expect(throws: InputError.self) {
            try Trace(binary: Self.patched(bytes, op + [6], op + [9]), file: "c.bin")
        }
        #expect(badCode?.field == "step 23.refused")
        var badType = op
        badType[11] = 3
        let type = #expect(throws: InputError.self) {
            try Trace(binary: Self.patched(bytes, op, badType), file: "t.bin")
        }
        #expect(type?.field == "step 23.irte_push.type")
        let json = #expect(throws: InputError.self) {
            try Trace.parse(
                t.jsonLines().replacingOccurrences(of: #""refused":"full""#, with: #""refused":"overflow""#),
                file: "x.jsonl")
        }
        #expect(json?.field == "refused")
    }

    @Test func badStepsNameTheirField() throws {
        for (line, field, message) in [
            (#"{"actor":"host","irte_push":{"msi":{"vector":49}}}"#, "irte_push.gpa", "missing"),
            (#"{"actor":"host","irte_push":{"gpa":"0x3000"}}"#, "irte_push.msi", "missing (or ioapic)"),
            (
                #"{"actor":"host","irte_push":{"gpa":"0x3000","msi":{"vector":49},"ioapic":{"pin":1,"level":1}}}"#,
                "irte_push.ioapic", "either msi or ioapic"
            ),
            (#"{"actor":"host","irte_push":{"gpa":"0x3000","msi":{}}}"#, "irte_push.msi.vector", "missing"),
            (#"{"actor":"host","irte_push":{"gpa":"0x3000","msi":{"vector":256}}}"#, "irte_push.msi.vector", "256"),
            (#"{"actor":"host","irte_push":{"gpa":"0x3000","ioapic":{"pin":1}}}"#, "irte_push.ioapic.level", "missing"),
            (
                #"{"actor":"host","irte_push":{"gpa":"0x3000","msi":{"vector":1},"vcpu":1}}"#, "irte_push.vcpu",
                "does not exist"
            ),
            (#"{"actor":"host","irte_push":{"gpa":"0x3000","msi":{"vector":1},"x":1}}"#, "irte_push.x", "unknown key"),
            (
                #"{"actor":"host","irte_push":{"gpa":"0x3000","msi":{"vector":1,"x":1}}}"#, "irte_push.msi.x",
                "unknown key"
            ),
        ] {
            let got = #expect(throws: InputError.self) {
                try Scenario.parse(PostedInterruptStepTests.header + "\n" + line, file: "s.jsonl")
            }
            #expect(got?.field == field, "\(line)")
            #expect(got?.message.contains(message) == true, "\(line): \(got?.message ?? "")")
        }
    }

    @Test func pushingWithoutPostedInterruptsNamesTheStep() throws {
        let s = try Scenario.parse(
            PostedInterruptStepTests.header + "\n"
                + #"{"actor":"host","irte_push":{"gpa":"0x103000","msi":{"vector":49}}}"#, file: "s.jsonl")
        let e = #expect(throws: InputError.self) { try Trace.record(s, file: "s.jsonl") }
        #expect(e?.field == "irte_push")
        #expect(e?.line == 2)
    }
}
