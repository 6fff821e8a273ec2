import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

@testable import SEAMFormats

/// L1 reads, stores, CPUID, RDMSR and WRMSR as steps (Traces/FORMAT.md): a PENDING page or an instruction the
/// module turns into a #VE gives a `fault` result with VE_INFO filled, and the trace replays it (JSON Lines,
/// binary, and the binary fast path).
@Suite struct L1InstructionStepTests {
    /// 0x100000–0x103FFF MAPPED, 0x104000 PENDING; TD_CTLS.PENDING_VE_DISABLE = 0 (SEPT_VE_DISABLE clear).
    static let text = """
        {"softseam":"scenario","version":1,"config":{"num_l2_vms":0,"vcpus":1,"gpaw":48,"module":"1.5.01","memory":[{"gpa":"0x100000","size":"0x4000","state":"mapped"},{"gpa":"0x104000","size":"0x1000","state":"pending"}]}}
        {"actor":"l1","vcpu":0,"write":{"gpa":"0x100ffc","data":"0102030405060708"}}
        {"actor":"l1","vcpu":0,"read":{"gpa":"0x100ffe","size":4}}
        {"actor":"l1","vcpu":0,"read":{"gpa":"0x103ffc","size":8}}
        {"actor":"l1","vcpu":0,"tdcall":{"rax":"0x3"}}
        {"actor":"l1","vcpu":0,"write":{"gpa":"0x104010","size":2,"value":"0xffff"}}
        {"actor":"l1","vcpu":0,"read":{"gpa":"0x104000","size":1}}
        {"actor":"l1","vcpu":0,"tdcall":{"rax":"0x3"}}
        {"actor":"l1","vcpu":0,"cpuid":{"leaf":"0x40000000"}}
        {"actor":"l1","vcpu":0,"tdcall":{"rax":"0x3"}}
        {"actor":"l1","vcpu":0,"rdmsr":{"msr":"0x8c"}}
        {"actor":"l1","vcpu":0,"rdmsr":{"msr":"0xbd"}}
        {"actor":"l1","vcpu":0,"wrmsr":{"msr":"0x10","value":"0x5"}}
        {"actor":"l1","vcpu":0,"cpuid":{"leaf":"0x0","subleaf":"0x0"}}
        """

    static func recorded() throws -> Trace {
        try Trace.record(try Scenario.parse(text, file: "ve.jsonl"), file: "ve.jsonl")
    }

    @Test func outcomesAreTheHandWorkedOnes() throws {
        let t = try Self.recorded()
        let o = t.outcomes
        #expect(o[0].result == .completed && o[0].registers == nil && o[0].bytes == nil)
        // 0x100ffe..0x101001: the stored bytes from offset 2 (01 02 went to 0x100ffc, 0x100ffd).
        #expect(o[1].bytes == [0x03, 0x04, 0x05, 0x06])
        #expect(o[1].result == .completed)
        // 0x103ffc..0x104003 crosses into the PENDING page: #VE, nothing read.
        #expect(o[2].result == .fault(20))
        #expect(o[2].bytes == nil)
        // VEINFO.GET: RCX = 48 (EPT violation), RDX = 1 (data read), R8 = GLA 0, R9 = first PENDING byte 0x104000.
        let get = try #require(o[3].registers)
        #expect([get.rax, get.rcx, get.rdx, get.r8, get.r9, get.r10] == [0, 48, 1, 0, 0x104000, 0])
        // The store takes a #VE (VE_INFO free again); the next read before a GET is a #DF.
        #expect(o[4].result == .fault(20))
        #expect(o[5].result == .fault(8))
        let get2 = try #require(o[6].registers)
        #expect([get2.rax, get2.rcx, get2.rdx, get2.r9] == [0, 48, 2, 0x104010])  // data write
        // CPUID 0x40000000 is not in the TD's table: #VE, exit reason 10.
        #expect(o[7].result == .fault(20) && o[7].registers == nil)
        #expect(o[8].registers?.rcx == 10)
        #expect(o[9].result == .fault(13))  // RDMSR 0x8C: #GP(0)
        #expect(o[10].result == .completed)
        #expect(o[10].registers.map { [$0.rax, $0.rdx] } == [1, 0])  // RDMSR 0xBD = 1: EDX:EAX
        #expect(o[11].result == .fault(20))  // WRMSR IA32_TIME_STAMP_COUNTER: #VE
        #expect(o[12].result == .completed && o[12].registers != nil)
        // A fault changes VE_INFO only: the hash moves for a #VE, not for a #DF or #GP.
        #expect(o[5].hash == o[4].hash)
        #expect(o[9].hash == o[8].hash)
        #expect(o[2].hash != o[1].hash)
    }

    @Test func roundTripsAndReplaysInBothForms() throws {
        let t = try Self.recorded()
        let json = try Trace.parse(t.jsonLines(), file: "t.jsonl")
        #expect(json.steps == t.steps)
        #expect(json.outcomes == t.outcomes)
        let bin = try Trace(binary: t.binary(), file: "t.bin")
        #expect(bin.steps.map(\.instruction) == t.steps.map(\.instruction))
        #expect(bin.outcomes == t.outcomes)
        #expect(try Replayer.replay(json, file: "t.jsonl").matches)
        #expect(try Replayer.replay(binary: t.binary(), file: "t.bin").matches)
    }

    /// The binary fast path itself runs every L1 instruction record and matches (it does not fall back to the
    /// general replay), and stops at a record whose bytes differ.
    @Test func theBinaryFastPathMatchesInstructionRecords() throws {
        let t = try Self.recorded()
        var reader = try BinaryTraceReader(t.binary(), file: "t.bin")
        var engine = Engine(machine: Machine(config: t.scenario.config))
        #expect(reader.replayMatching(&engine) == nil)
        var u = t
        u.outcomes[1].bytes = [0x03, 0x04, 0x05, 0x07]
        var bad = try BinaryTraceReader(u.binary(), file: "u.bin")
        var again = Engine(machine: Machine(config: t.scenario.config))
        #expect(bad.replayMatching(&again) == 2)
    }

    @Test func aDifferentByteOrFaultIsADivergence() throws {
        var t = try Self.recorded()
        t.outcomes[1].bytes = [0x03, 0x04, 0x05, 0x07]
        let r = try Replayer.replay(binary: t.binary(), file: "t.bin")
        #expect(r.divergence?.step == 2)
        #expect(r.divergence?.fields.map(\.field) == ["bytes"])
        var u = try Self.recorded()
        u.outcomes[5].result = .fault(20)
        let s = try Replayer.replay(try Trace.parse(u.jsonLines(), file: "u.jsonl"), file: "u.jsonl")
        #expect(s.divergence?.step == 6)
        #expect(try Replayer.replay(binary: u.binary(), file: "u.bin").divergence?.step == 6)
    }

    @Test func badInstructionStepsNameTheirField() throws {
        let header = Self.text.split(separator: "\n")[0]
        for (line, field, message) in [
            (
                "{\"actor\":\"l1\",\"read\":{\"gpa\":\"0x100000\",\"size\":0}}", "read.size", "must be at least 1"
            ),
            ("{\"actor\":\"l1\",\"rdmsr\":{\"msr\":\"0x10\",\"x\":1}}", "rdmsr.x", "unknown key (known: msr)"),
            ("{\"actor\":\"l1\",\"wrmsr\":{\"msr\":\"0x10\"}}", "wrmsr.value", "missing"),
            (
                "{\"actor\":\"l1\",\"read\":{\"gpa\":\"0x100000\",\"size\":1},\"cpuid\":{\"leaf\":0}}", "cpuid",
                "a step is one of tdcall, write, read, cpuid, rdmsr, wrmsr, sti"
            ),
        ] {
            #expect(throws: InputError(file: "s.jsonl", line: 2, field: field, message)) {
                try Scenario.parse(header + "\n" + line, file: "s.jsonl")
            }
        }
    }
}
