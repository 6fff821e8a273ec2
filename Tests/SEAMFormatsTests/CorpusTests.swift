import Foundation
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes
import Testing

/// The committed trace corpus (Traces/): it replays, it is what its sources record today, its two forms
/// convert into each other without loss, and its step comments' hand-derived expectations hold.
@Suite struct CorpusTests {
    @Test func theCorpusHasAtLeastTwelveTracesInBothForms() {
        #expect(Corpus.names.count >= 12)
        #expect(Corpus.names.contains { $0.hasSuffix(".bin") })
        #expect(Corpus.names.contains("alias-table-demo.trace.jsonl"))
        #expect(Corpus.names.contains("l2-boot-demo.trace.jsonl"))
    }

    @Test(arguments: Corpus.names)
    func everyTraceReplays(_ name: String) throws {
        let bytes = try Corpus.bytes(name)
        let result =
            Trace.isBinary(bytes)
            ? try Replayer.replay(binary: bytes, file: name)
            : try Replayer.replay(Trace.load(bytes, file: name), file: name)
        #expect(result.matches, "\(name): \(result.divergence.map { "step \($0.step) \($0.fields)" } ?? "")")
        #expect(result.replayed == result.steps && result.steps > 0)
    }

    @Test(arguments: Corpus.names)
    func everyTraceIsWhatItsSourceRecordsToday(_ name: String) throws {
        let (scenario, l1Observed) = try Corpus.source(of: name)
        var recorded = try Trace.record(scenario, file: name)
        if l1Observed { recorded = try recorded.observedByL1(file: name) }
        let committed = try Corpus.trace(name)
        #expect(recorded.jsonLines() == committed.jsonLines(), "run `make traces` after a deliberate change")
    }

    @Test(arguments: Corpus.names)
    func bothFormsConvertWithoutLoss(_ name: String) throws {
        let bytes = try Corpus.bytes(name)
        let trace = try Trace.load(bytes, file: name)
        if Trace.isBinary(bytes) {
            let json = trace.jsonLines()
            #expect(try Trace.parse(json, file: "converted").binary() == bytes)
        } else {
            let binary = trace.binary()
            #expect(try Trace(binary: binary, file: "converted").jsonLines() == String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test(arguments: Corpus.names)
    func everyTraceSaysWhatItCovers(_ name: String) throws {
        let comment = try Corpus.trace(name).scenario.comment ?? ""
        #expect(comment.count >= 40, "\(name): the header comment says what the trace covers")
    }

    /// Every step comment of the scenario-built traces ends with the result worked out by hand, not by SoftSEAM
    /// (FORMAT.md, "Corpus"); the recorded outcome must be that result.
    @Test(arguments: Corpus.names.filter { !$0.hasPrefix("alias-table-demo") && !$0.hasPrefix("l2-boot-demo") })
    func handDerivedExpectationsHold(_ name: String) throws {
        let trace = try Corpus.trace(name)
        var checked = 0
        for (i, step) in trace.steps.enumerated() {
            guard let comment = step.comment else { continue }
            guard let expected = Expectation(comment: comment) else {
                Issue.record("\(name) step \(i + 1): no expectation in \"\(comment)\"")
                continue
            }
            if let why = expected.mismatch(step, trace.outcomes[i]) {
                Issue.record("\(name) step \(i + 1) (\(comment)): \(why)")
            }
            checked += 1
        }
        #expect(checked > 0)
    }

    /// Together the traces call every leaf SoftSEAM implements, each successfully at least once, and take
    /// every exit route of Specs/exit-routing.tsv.
    @Test func theCorpusCoversEveryLeafAndRoute() throws {
        var tdcalls: Set<UInt16> = [], seamcalls: Set<UInt16> = [], succeeded: Set<String> = []
        var routes: Set<String> = []
        for name in Corpus.names {
            let trace = try Corpus.trace(name)
            var lastL2Exit: [Int: Bool] = [:]
            for (i, step) in trace.steps.enumerated() {
                let o = trace.outcomes[i]
                let leaf = UInt16(truncatingIfNeeded: step.registers.rax)
                switch step.actor {
                case .l1(let vcpu) where step.write == nil:
                    tdcalls.insert(leaf)
                    if o.registers?.rax == 0 || o.result == .l2(vm: 1) || o.result == .l2(vm: 2) {
                        succeeded.insert("tdcall \(leaf)")
                    }
                    if o.result == .completed, o.registers?.rax == 0x8000_0021 { routes.insert("vm-entry failure") }
                    lastL2Exit[vcpu] = false
                case .host:
                    seamcalls.insert(leaf)
                    if o.registers?.rax == 0 { succeeded.insert("seamcall \(leaf)") }
                    let vcpu = Int((step.registers.rcx & 0xF_FFFF_FFFF_F000 &- 0x20_0000_0000) >> 12)
                    if leaf == 0, lastL2Exit[vcpu] == true {
                        if case .l1 = o.result { routes.insert("host>l1") }
                        if case .l2 = o.result { routes.insert("host>l2") }
                    }
                case .l2(_, let vcpu):
                    switch o.result {
                    case .completed: routes.insert("l2")
                    case .moduleHandled: routes.insert("module")
                    case .l1: routes.insert("l1")
                    case .tdExit(let r): routes.insert(r.rax >> 62 & 1 == 1 ? "fatal" : "host")
                    case .l2, .fault, .interrupted, .refused: break
                    }
                    if case .tdExit = o.result { lastL2Exit[vcpu] = true }
                default: break
                }
            }
        }
        for leaf in Machine.implementedLeaves {
            #expect(tdcalls.contains(leaf.rawValue), "TDCALL \(leaf) is in no trace")
            // TDG.SERVTD.RD/WR cannot succeed in SoftSEAM: it models no service-TD binding (TDGServTDRdWr.swift).
            if leaf == .servTDRd || leaf == .servTDWr { continue }
            #expect(succeeded.contains("tdcall \(leaf.rawValue)"), "TDCALL \(leaf) never succeeds")
        }
        for (leaf, name) in SEAMCallLeaves.all.map({ ($0.leaf, $0.name) }) {
            #expect(seamcalls.contains(leaf.rawValue), "\(name) is in no trace")
            #expect(succeeded.contains("seamcall \(leaf.rawValue)"), "\(name) never succeeds")
        }
        for route in ["l2", "module", "l1", "host", "host>l1", "host>l2", "fatal", "vm-entry failure"] {
            #expect(routes.contains(route), "route \(route) is taken in no trace")
        }
    }

    /// The L2 boot trace is the default demo: replaying its inputs ends in the demo's state.
    @Test func theDemoTraceEndsInTheDemosState() throws {
        let trace = try Corpus.trace("l2-boot-demo.trace.jsonl")
        #expect(trace.outcomes.last?.hash == L2BootDemo.run().stateHash)
        let alias = try Corpus.trace("alias-table-demo.trace.jsonl")
        #expect(alias.outcomes.last?.hash == AliasTableDemo.run().machine.stateHash())
    }
}
