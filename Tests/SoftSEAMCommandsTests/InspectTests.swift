import ArgumentParser
import Foundation
import SEAMCore
import SEAMFormats
import Testing

@testable import SoftSEAMCommands

/// `softseam inspect TRACE --step N`: the machine after step N, checked against what the scenario's steps
/// do by hand (Traces/scenarios/host-routed-resume.scenario.jsonl) and against the hash the trace recorded.
@Suite struct InspectTests {
    let trace = repositoryRoot + "/Traces/host-routed-resume.trace.jsonl"

    func report(_ step: Int) throws -> MachineReport {
        let (machine, steps, labels) = try TraceFiles.machine(after: step, of: trace, field: "step")
        return MachineReport(
            machine, step: step, of: steps.count, last: step > 0 ? steps[step - 1] : nil, labels: labels)
    }

    /// The hash line the trace recorded for step `n`.
    func recordedHash(_ n: Int) throws -> String {
        let text = try String(contentsOfFile: trace, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("{\"step\":\(n),") })
        let range = try #require(line.range(of: "\"hash\":\"0x"))
        return String(line[range.upperBound...].prefix(16))
    }

    /// Step 11 is VM2's INIT exit (exit reason 3, a TD exit), step 12 a TDH.VP.ENTER the module refuses
    /// (RCX bit 0 set): the vCPU still waits for the host with the INIT exit pending, VM index 2 in RCX[33:32].
    /// Steps 1–5 set VM2's virtual-APIC address (0x102000) and the guest-state buffer at 0x101000 with RIP 0x8000
    /// and RSP 0x7f00, which TDG.VP.ENTER loaded into VM2's VMCS.
    @Test func afterAnINITExitTheVCPUWaitsForTheHostWithTheExitPending() throws {
        let r = try report(12)
        let text = r.text()
        #expect(text.hasPrefix("after step 12 of 27: host SEAMCALL TDH.VP.ENTER"))
        #expect(text.contains("vCPU 0: waiting for the host's TDH.VP.ENTER, CURR_VM 2"))
        #expect(text.contains("pending TD exit: asynchronous exit while L2 ran"))
        #expect(text.contains("exit reason INIT (3), qualification 0x200000000"))
        #expect(text.contains("VM2: L2_CTLS 0, guest-state buffer 0x101000, launched"))
        #expect(text.contains("VM1: L2_CTLS 0, guest-state buffer none, not launched"))
        #expect(text.contains("VIRTUAL_APIC_ADDRESS (0x2012)"))
        #expect(text.contains("state hash 0x\(try recordedHash(12).lowercased())"))

        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        #expect(json["step"] as? Int == 12)
        #expect((json["state_hash"] as? String)?.lowercased() == "0x" + (try recordedHash(12)).lowercased())
        let vcpu = try #require((json["vcpus"] as? [[String: Any]])?.first)
        #expect(vcpu["location"] as? String == "host")
        #expect(vcpu["current_vm"] as? Int == 2)
        let exit = try #require(vcpu["pending_td_exit"] as? [String: Any])
        #expect(exit["kind"] as? String == "l2_async")
        #expect(exit["exit_reason"] as? Int == 3)
        #expect(exit["rcx"] as? String == "0x200000000")
        let vms = try #require(vcpu["vms"] as? [[String: Any]])
        #expect(vms.count == 3)
        #expect(vms[1]["guest_state_gpa"] as? String == "0x101000")
        #expect(vms[1]["launched"] as? Bool == true)
        #expect(vms[0]["launched"] as? Bool == false)
        let changed = try #require(vms[1]["vmcs_changed"] as? [[String: Any]])
        func value(_ name: String) -> String? {
            changed.first { $0["field"] as? String == name }?["value"] as? String
        }
        #expect(value("VIRTUAL_APIC_ADDRESS") == "0x102000")
        #expect(value("GUEST_RIP") == "0x8000")
        #expect(value("GUEST_RSP") == "0x7f00")
        #expect((vms[0]["vmcs_changed"] as? [Any])?.isEmpty == true)
        let pages = try #require(json["pages"] as? [[String: Any]])
        #expect(pages.map { $0["gpa"] as? String } == ["0x100000", "0x101000", "0x102000", "0x103000"])
    }

    /// Step 0 is the TD as the config builds it: L1 runs, nothing pending, every VMCS field at reset.
    @Test func stepZeroIsTheTDAsBuilt() throws {
        let r = try report(0)
        let text = r.text()
        #expect(text.hasPrefix("after step 0 of 27: the TD as its config builds it"))
        #expect(text.contains("vCPU 0: L1, CURR_VM 0\n  pending TD exit: none"))
        #expect(!text.contains("not at their reset value"))
        #expect(r.machine.stateHash() == Machine(config: try Trace.inputs(ofFile: trace).scenario.config).stateHash())
    }

    @Test func aStepPastTheEndOrBelowZeroExitsTwo() throws {
        var past = try SoftSEAMCommand.parseAsRoot(["inspect", trace, "--step", "28"])
        #expect(throws: ExitCode(2)) { try past.run() }
        #expect(throws: (any Error).self) { _ = try SoftSEAMCommand.parseAsRoot(["inspect", trace, "--step=-1"]) }
        var json = try SoftSEAMCommand.parseAsRoot(["inspect", trace, "--step", "27", "--json"])
        #expect(throws: Never.self) { try json.run() }
    }
}
