import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

@testable import SEAMFormats

/// The host's `post_interrupt` step and L1's `sti` step (Traces/FORMAT.md) in both trace forms, the binary
/// fast path, and the mutations a replay must catch. Outcomes hand-worked from SDM Vol. 3C §30.6 / §30.2.2 and
/// tdx-module src/td_dispatcher/vm_exits_l2/td_l2_interrupt.c.
@Suite struct PostedInterruptStepTests {
    static let header =
        #"{"softseam":"scenario","version":1,"config":{"num_l2_vms":1,"vcpus":1,"gpaw":48,"module":"1.5.01","memory":[{"gpa":"0x100000","size":"0x4000","state":"mapped"}],"l2_sept":"supplied","vm_ctls":[0]}}"#
    static let text = [
        header,
        #"{"actor":"l1","vcpu":0,"write":{"gpa":"0x101080","size":8,"value":"0x2"}}"#,
        #"{"actor":"l1","vcpu":0,"tdcall":{"rax":"0xa","rdx":"0x2420000300002012","r8":"0x102000","r9":"0xfffffffffffff000"}}"#,
        #"{"actor":"host","seamcall":{"rax":"0x2b","rcx":"0x2000000000","rdx":"0x24000100000002","r8":"0xf2","r9":"0xffff"}}"#,
        #"{"actor":"host","seamcall":{"rax":"0x2b","rcx":"0x2000000000","rdx":"0x24000300002016","r8":"0x5000","r9":"0xffffffffffffffff"}}"#,
        #"{"actor":"host","seamcall":{"rax":"0x2b","rcx":"0x2000000000","rdx":"0x24000200004000","r8":"0x80","r9":"0x80"}}"#,
        #"{"actor":"host","post_interrupt":{"vectors":[48,3]}}"#,
        #"{"actor":"l1","vcpu":0,"sti":{}}"#,
        #"{"actor":"l1","vcpu":0,"sti":{}}"#,
        #"{"actor":"l1","vcpu":0,"tdcall":{"rax":"0x19","rcx":"0x10000000000000","rdx":"0x101000"}}"#,
        #"{"actor":"host","post_interrupt":{"vcpu":0,"vectors":[16],"notify":true}}"#,
        #"{"actor":"host","post_interrupt":{"vcpu":0,"vectors":[80],"notify":false}}"#,
        #"{"actor":"host","post_interrupt":{"vcpu":0,"vectors":[],"notify":true}}"#,
    ].joined(separator: "\n")

    static func recorded() throws -> Trace {
        try Trace.record(try Scenario.parse(text, file: "pi.jsonl"), file: "pi.jsonl")
    }

    @Test func outcomesAreTheHandWorkedOnes() throws {
        let t = try Self.recorded()
        let o = t.outcomes
        #expect(t.steps[5].shared == .postInterrupt(vcpu: 0, vectors: [48, 3], notify: true))  // the defaults
        // L1 runs: the CPU merges both vectors, RVI 0x30 — a completed host step.
        #expect(o[5].result == .completed && o[5].delivery == nil)
        // sti: 0x30 delivered (PPR 0x30, RVI 3); then RVI 3 (class 0) is not deliverable.
        #expect(o[6].delivery == Delivery(vm: 0, info: InterruptionInfo(0x8000_0030), via: .virtualInterrupt))
        #expect(o[7].delivery == nil)
        #expect(o[8].result == .l2(vm: 1))
        // L2 runs: vector 16 goes into VIRR but does not raise RVI (below 31) → module handles 1.
        #expect(o[9].result == .moduleHandled(1))
        // No notification: nothing runs, the host step completes.
        #expect(o[10].result == .completed)
        // An empty post still notifies: the module drains PIR (0x50 from the step before), RVI 0x50 class 5 >
        // PPR class 3 → L2→L1 exit TDX_L2_EXIT_PENDING_INTERRUPT | 1, R9 = 0x800000F2.
        guard case .l1(let r) = o[11].result else {
            Issue.record("expected L1 to resume, got \(o[11].result)")
            return
        }
        #expect(r.rax == 0x0000_1102_0000_0001 && r.r9 == 0x8000_00F2)
    }

    @Test func roundTripsAndReplaysInBothForms() throws {
        let t = try Self.recorded()
        let json = try Trace.parse(t.jsonLines(), file: "t.jsonl")
        #expect(json.steps == t.steps)
        #expect(json.outcomes == t.outcomes)
        let bin = try Trace(binary: t.binary(), file: "t.bin")
        #expect(bin.steps.map(\.shared) == t.steps.map(\.shared))
        #expect(bin.steps.map(\.instruction) == t.steps.map(\.instruction))
        #expect(bin.outcomes == t.outcomes)
        #expect(try Replayer.replay(json, file: "t.jsonl").matches)
        #expect(try Replayer.replay(binary: t.binary(), file: "t.bin").matches)
        var reader = try BinaryTraceReader(t.binary(), file: "t.bin")
        var engine = Engine(machine: Machine(config: t.scenario.config))
        #expect(reader.replayMatching(&engine) == nil, "the fast path runs the records itself")
    }

    @Test func aDifferentVectorOrDeliveryIsADivergence() throws {
        var t = try Self.recorded()
        t.scenario.steps[5].shared = .postInterrupt(vcpu: 0, vectors: [0x20, 3], notify: true)
        let r = try Replayer.replay(binary: t.binary(), file: "t.bin")
        #expect(r.divergence?.step == 6, "RVI 0x20: a different hash, then a different delivery")
        var u = try Self.recorded()
        u.outcomes[6].delivery = nil
        #expect(
            try Replayer.replay(try Trace.parse(u.jsonLines(), file: "u.jsonl"), file: "u.jsonl").divergence?.step == 7)
        var fast = try BinaryTraceReader(u.binary(), file: "u.bin")
        var engine = Engine(machine: Machine(config: u.scenario.config))
        #expect(fast.replayMatching(&engine) == 7)
        var v = try Self.recorded()
        v.outcomes[9].result = .completed
        #expect(try Replayer.replay(binary: v.binary(), file: "v.bin").divergence?.step == 10)
    }

    @Test func badStepsNameTheirField() throws {
        for (line, field, message) in [
            (#"{"actor":"host","post_interrupt":{"vectors":[256]}}"#, "post_interrupt.vectors[0]", "got 256"),
            (#"{"actor":"host","post_interrupt":{"vcpu":0}}"#, "post_interrupt.vectors", "missing"),
            (
                #"{"actor":"host","post_interrupt":{"vectors":5}}"#, "post_interrupt.vectors",
                "expected an array, got a number"
            ),
            (
                #"{"actor":"host","post_interrupt":{"vectors":[],"notify":1}}"#, "post_interrupt.notify",
                "expected a boolean, got a number"
            ),
            (
                #"{"actor":"host","post_interrupt":{"vectors":[],"vcpu":1}}"#, "post_interrupt.vcpu",
                "vCPU 1 does not exist (the TD has 1)"
            ),
            (
                #"{"actor":"host","post_interrupt":{"vectors":[],"x":1}}"#, "post_interrupt.x",
                "unknown key (known: vcpu, vectors, notify)"
            ),
            (
                #"{"actor":"l1","post_interrupt":{"vectors":[]}}"#, "post_interrupt",
                "only a \"host\" step has \"post_interrupt\""
            ),
            (#"{"actor":"l1","sti":{"x":1}}"#, "sti.x", "unknown key (known: )"),
        ] {
            let got = #expect(throws: InputError.self) {
                try Scenario.parse(Self.header + "\n" + line, file: "s.jsonl")
            }
            #expect(got?.field == field, "\(line)")
            #expect(got?.message.contains(message) == true, "\(line): \(got?.message ?? "")")
        }
    }

    @Test func notifyingWithoutPostedInterruptsNamesTheStep() throws {
        let s = try Scenario.parse(
            Self.header + "\n" + #"{"actor":"host","post_interrupt":{"vectors":[48]}}"#, file: "s.jsonl")
        #expect(throws: InputError.self) { try Trace.record(s, file: "s.jsonl") }
    }

    @Test func theCorpusScenarioDeliversWhatItsCommentsSay() throws {
        let t = try Corpus.trace("posted-interrupts.trace.jsonl")
        let delivered = t.outcomes.enumerated().compactMap { n, o in o.delivery.map { (n + 1, $0) } }
        #expect(delivered.map(\.0) == [12, 19, 27])
        #expect(delivered.map(\.1.vector) == [0x47, 0x61, 2])
        #expect(delivered.last?.1.via == .pendingNMI)
        #expect(delivered.last?.1.info.rawValue == 0x8000_0202)
    }
}
