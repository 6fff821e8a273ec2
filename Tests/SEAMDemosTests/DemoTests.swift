import Foundation
import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes
import Testing

@Suite struct DemoTests {
    /// The seed talk's table ("L2 Private Memory Virtualization"), as the raw fields ATTR.RD returns: R =
    /// 0x8001, RW = 0x8003, RWX (Xs and Xu) = 0x800F, — = 0; L1's field is always 0 in 1.5.01 (tdx-module
    /// src/common/memory_handlers/sept_manager.h sept_get_gpa_attr).
    static let expected: [(String, [UInt16])] = [
        ("A", [0, 0x8001, 0, 0]),
        ("B", [0, 0x8003, 0x8003, 0x8001]),
        ("C", [0, 0x800F, 0, 0]),
        ("D", [0, 0, 0x800F, 0]),
        ("E", [0, 0x800F, 0, 0x8001]),
        ("F", [0, 0x800F, 0, 0x8001]),
        ("G", [0, 0x8003, 0, 0x8001]),
        ("H", [0, 0x800F, 0, 0x8001]),
    ]

    @Test func demoBuildsTheSeedTalkAliasTable() {
        let result = AliasTableDemo.run()
        let map = AliasMap(result.machine, labels: result.scenario.labels)
        #expect(map.rows.count == 8)
        for (row, (label, attrs)) in zip(map.rows, Self.expected) {
            #expect(row.label == label)
            #expect(row.attrs == attrs, "page \(label)")
            #expect(row.state == .mapped, "page \(label) should be accepted")
        }
    }

    @Test func demoAcceptsThePendingPagesAndUnblocksTheirAliases() {
        let m = AliasTableDemo.run().machine
        for gpa in stride(from: UInt64(0x10_4000), to: 0x10_8000, by: 0x1000) {
            let r = m.space.leaf(containing: gpa)
            #expect(r?.state == .mapped)
            #expect(r?.l2Blocked == 0)
        }
    }

    @Test func demoTextShowsTheTable() {
        let result = AliasTableDemo.run()
        let text = AliasMap(result.machine, labels: result.scenario.labels).text()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].split(separator: " ") == ["page", "gpa", "size", "L1", "VM1", "VM2", "VM3"])
        #expect(lines[2].split(separator: " ") == ["B", "0x101000", "4K", "RWX", "RW", "RW", "R"])
        #expect(lines[4].split(separator: " ") == ["D", "0x103000", "4K", "RWX", "—", "RWX", "—"])
    }

    @Test func demoJSONHasTheRawAttributesAndTheHash() {
        let result = AliasTableDemo.run()
        let json = AliasMap(result.machine, labels: result.scenario.labels).json(stateHash: result.machine.stateHash())
        #expect(json.hasPrefix("{\"pages\":[{\"label\":\"A\",\"gpa\":\"0x100000\",\"attrs\":[0,32769,0,0]},"))
        #expect(json.hasSuffix("\"state_hash\":\"\(hex64(result.machine.stateHash()))\"}"))
    }

    @Test func demoScenarioReplaysToTheSameState() throws {
        let result = AliasTableDemo.run()
        let text = result.scenario.jsonLines()
        let parsed = try Scenario.parse(text, file: "demo.jsonl")
        // Equal apart from the line numbers the parser records.
        #expect(
            parsed.steps.map { Step(actor: $0.actor, registers: $0.registers, comment: $0.comment) }
                == result.scenario.steps)
        #expect(try parsed.machineAfter().stateHash() == result.machine.stateHash())
    }

    @Test func committedDemoScenarioMatchesTheBuiltInDemo() throws {
        // Traces/alias-table-demo.scenario.jsonl was written by `softseam demo --emit-scenario`.
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        let path = parts.joined(separator: "/") + "/Traces/alias-table-demo.scenario.jsonl"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let scenario = try Scenario.parse(text, file: path)
        #expect(try scenario.machineAfter(file: path).stateHash() == AliasTableDemo.run().machine.stateHash())
    }

    @Test func demoStateHashIsPinned() {
        // Golden value: the demo's behaviour is checked row by row in DemoTests; this pins the serialization
        // (StateHash.formatVersion 6: TD words, then one word for the vCPUs; the MRTD log's records in the digest word) so an accidental change to it is seen.
        #expect(AliasTableDemo.run().machine.stateHash() == 0x9E99_F5F3_4E87_ECDE)
    }

    @Test func l2BootDemoStateHashIsPinned() {
        // Golden value: the L2 boot's exits, routes, final mode and the incremental-versus-scratch hash are
        // checked in L2BootDemoTests (the timer interrupt's delivery, EOI, disarmed deadline and virtual TSC in
        // timerInterruptIsDeliveredOnceAndEOIed); this pins the whole end state (VMCS, buffer, aliases, contents).
        #expect(L2BootDemo.run().stateHash == 0x4CE0_0B5B_3BCF_3013)
    }

    /// The alias map reads each page as ATTR.RD answers for it, whatever the vCPUs do: a BLOCKED page (ATTR.RD
    /// would TD-exit) has no attributes, and the pages after it are read although vCPU 0 waits for the host
    /// after a fault-like ACCEPT exit.
    @Test func aliasMapReadsEveryPageWhateverTheVCPUsDo() throws {
        var m = Machine(
            config: MachineConfig(numL2VMs: 1, memory: [.init(gpa: 0x10_0000, size: 0x3000, state: .mapped)]))
        // ATTR.WR: VM1 gets R and W on 0x101000 (RDX bits 31:16 = VALID | W | R, R8 bits 31:16 = mask RWX).
        var wr = RegisterFile(rax: 24, rcx: 0x10_1000, rdx: 0x8003_0000, r8: 0x0007_0000)
        #expect(try m.tdcall(vcpu: 0, &wr) == .completed && wr.rax == 0)
        var block = RegisterFile(rax: 7, rcx: 0x10_0000)  // TDH.MEM.RANGE.BLOCK
        m.seamcall(&block)
        #expect(block.rax == 0)
        var accept = RegisterFile(rax: 6, rcx: 0x20_0000)  // ACCEPT of a FREE page: fault-like TD exit
        guard case .tdExit = try m.tdcall(vcpu: 0, &accept) else {
            Issue.record("ACCEPT of a FREE page must TD-exit")
            return
        }
        #expect(m.vcpus[0].location == .host)
        let map = AliasMap(m)
        #expect(map.rows.map(\.gpa) == [0x10_0000, 0x10_1000, 0x10_2000])
        #expect(map.rows[0].attrs == nil, "BLOCKED: ATTR.RD would TD-exit")
        #expect(map.rows[1].attrs.map { $0[1] & 0x7 } == 0x3, "VM1: R and W")
        #expect(map.rows[2].attrs == [0, 0, 0, 0], "mapped, no alias")
    }
}
