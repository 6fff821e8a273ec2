import SEAMCore
import SEAMDemos
import SEAMFormats
import SEAMTypes
import Testing

@Suite struct ConfigDecoderTests {
    @Test func fullConfigDecodes() throws {
        let text = """
            {"num_l2_vms": 2, "vcpus": 4, "gpaw": 52, "module": "1.5.01",
             "memory": [{"gpa": "0x100000", "size": "0x4000", "state": "mapped"},
                        {"gpa": 2097152, "size": "0x200000", "state": "pending", "page_size": "2M"}],
             "l2_sept": "on-demand", "vm_ctls": [0, 1]}
            """
        let c = try ConfigDecoder.decode(text, file: "c.json")
        #expect(c.numL2VMs == 2 && c.vcpus == 4 && c.gpaw == .gpaw52 && c.l2SEPT == .onDemand)
        #expect(c.vmCtls == [0, 1])
        #expect(
            c.memory == [
                .init(gpa: 0x10_0000, size: 0x4000, state: .mapped),
                .init(gpa: 0x20_0000, size: 0x20_0000, state: .pending, pageLevel: .size2M),
            ])
    }

    @Test func configRoundTripsThroughItsJSON() throws {
        let c = AliasTableDemo.config
        #expect(try ConfigDecoder.decode(c.json()) == c)
    }

    /// `vm_ctls` lists VM1…VM`num_l2_vms`: a TD with one L2 VM takes one entry (in either key order), and a
    /// config without the key round-trips through its JSON with one 0 per VM.
    @Test func vmCtlsHasOneEntryPerL2VM() throws {
        #expect(try ConfigDecoder.decode("{\"num_l2_vms\": 1, \"vm_ctls\": [1]}").vmCtls == [1])
        #expect(try ConfigDecoder.decode("{\"vm_ctls\": [0, 1], \"num_l2_vms\": 2}").vmCtls == [0, 1])
        #expect(try ConfigDecoder.decode("{\"num_l2_vms\": 0, \"vm_ctls\": []}").vmCtls == [])
        let c = try ConfigDecoder.decode("{\"num_l2_vms\": 2}")
        #expect(c.json().contains("\"vm_ctls\":[0,0]}"))
        #expect(try ConfigDecoder.decode(c.json()) == c)
        #expect(MachineConfig(numL2VMs: 1).json().contains("\"vm_ctls\":[0]}"))
    }

    @Test func anUnfinalizedConfigRoundTripsThroughItsJSON() throws {
        let c = try ConfigDecoder.decode("{\"num_l2_vms\": 1, \"finalize\": false}")
        #expect(!c.finalize)
        #expect(c.json().contains("\"finalize\":false"))
        #expect(try ConfigDecoder.decode(c.json()) == c)
    }

    @Test(arguments: [
        (
            "{\"num_l2_vms\": 1,\n \"vcpu\": 2}",
            InputError(
                file: "c.json", line: 2, field: "vcpu",
                "unknown key (known: num_l2_vms, vcpus, gpaw, module, memory, l2_sept, vm_ctls, finalize, attributes, xfam, config_flags, platform, mrconfigid, mrowner, mrownerconfig)"
            )
        ),
        ("{\"num_l2_vms\": 4}", InputError(file: "c.json", line: 1, field: "num_l2_vms", "must be 0…3, got 4")),
        ("{\"num_l2_vms\": -1}", InputError(file: "c.json", line: 1, field: "num_l2_vms", "must be 0…3, got -1")),
        (
            "{\"num_l2_vms\": 18446744073709551616}",
            InputError(
                file: "c.json", line: 1, field: "num_l2_vms",
                "must be 0…3, got 18446744073709551616 (more than 64 bits)")
        ),
        ("{\"gpaw\": -48}", InputError(file: "c.json", line: 1, field: "gpaw", "must be 48 or 52, got -48")),
        ("{\"gpaw\": 50}", InputError(file: "c.json", line: 1, field: "gpaw", "must be 48 or 52, got 50")),
        (
            "{\"module\": \"1.5.06\"}",
            InputError(
                file: "c.json", line: 1, field: "module",
                "unknown module \"1.5.06\" (known: \"1.5.01\")")
        ),
        (
            "{\"vcpus\": 0}",
            InputError(file: "c.json", line: 1, field: "vcpus", "must be 1…\(MachineConfig.maxVCPUs), got 0")
        ),
        (
            "{\"vcpus\": \"-2\"}",
            InputError(file: "c.json", line: 1, field: "vcpus", "must be 1…\(MachineConfig.maxVCPUs), got -2")
        ),
        (
            "{\"memory\": [{\"gpa\": \"-0x1000\", \"size\": \"0x1000\", \"state\": \"mapped\"}]}",
            InputError(file: "c.json", line: 1, field: "memory[0].gpa", "must be 0…2^64−1, got -0x1000")
        ),
        (
            "{\"memory\": [{\"gpa\": \"0x1000\", \"size\": -4096, \"state\": \"mapped\"}]}",
            InputError(file: "c.json", line: 1, field: "memory[0].size", "must be 0…2^64−1, got -4096")
        ),
        ("{\"finalize\": \"no\"}", InputError(file: "c.json", line: 1, field: "finalize", "expected true or false")),
        (
            "{\"finalize\": false, \"memory\": [{\"gpa\": \"0x200000\", \"size\": \"0x200000\", \"state\": \"mapped\", \"page_size\": \"2M\"}]}",
            InputError(
                file: "c.json", line: 1, field: "memory[0]",
                "a mapped 2M region is AUGed and accepted by L1, which cannot run before the TD is finalized (\"finalize\": false)"
            )
        ),
        (
            "{\"vcpus\": \"two\"}",
            InputError(file: "c.json", line: 1, field: "vcpus", "expected an integer, got \"two\"")
        ),
        (
            "{\"l2_sept\": \"lazy\"}",
            InputError(
                file: "c.json", line: 1, field: "l2_sept",
                "expected \"supplied\" or \"on-demand\", got \"lazy\"")
        ),
        (
            "{\"memory\": [\n{\"gpa\": \"0x1000\", \"size\": \"0x1000\", \"state\": \"mappd\"}]}",
            InputError(
                file: "c.json", line: 2, field: "memory[0].state", "expected \"mapped\" or \"pending\", got \"mappd\"")
        ),
        (
            "{\"memory\": [{\"gpa\": \"0x1000\", \"size\": \"0x1000\"}]}",
            InputError(file: "c.json", line: 1, field: "memory[0].state", "missing")
        ),
        (
            "{\"memory\": [{\"gpa\": \"0x1000\", \"size\": \"0x1000\", \"state\": \"mapped\", \"page_size\": \"1G\"}]}",
            InputError(file: "c.json", line: 1, field: "memory[0].page_size", "expected \"4K\" or \"2M\", got \"1G\"")
        ),
        (
            "{\"memory\": [{\"gpa\": \"0x1000\", \"size\": \"0x800\", \"state\": \"mapped\"}]}",
            InputError(file: "c.json", line: 1, field: "memory[0].size", "must be a non-zero multiple of 4K pages")
        ),
        (
            "{\"memory\": [{\"gpa\": \"0x800000000000\", \"size\": \"0x1000\", \"state\": \"mapped\"}]}",
            InputError(
                file: "c.json", line: 1, field: "memory[0]", "region is not inside the private GPA space of GPAW 48")
        ),
        (
            "{\"memory\": [{\"gpa\": \"0x1000\", \"size\": \"0x2000\", \"state\": \"mapped\"},\n"
                + "{\"gpa\": \"0x2000\", \"size\": \"0x1000\", \"state\": \"pending\"}]}",
            InputError(file: "c.json", line: 2, field: "memory[1]", "overlaps memory[0]")
        ),
        (
            "{\"memory\": [{\"gpa\": \"0x0\", \"size\": \"0x400001000\", \"state\": \"mapped\"}]}",
            InputError(
                file: "c.json", line: 1, field: "memory[0].size", "the memory regions add up to more than 4194304 pages"
            )
        ),
        (
            "{\"vm_ctls\": [0, 2, 0]}",
            InputError(file: "c.json", line: 1, field: "vm_ctls[1]", "must be 0…1, got 2")
        ),
        (
            "{\"num_l2_vms\": 1, \"vm_ctls\": [-1]}",
            InputError(file: "c.json", line: 1, field: "vm_ctls[0]", "must be 0…1, got -1")
        ),
        // vm_ctls has one entry per L2 VM, whichever key comes first.
        (
            "{\"num_l2_vms\": 2,\n \"vm_ctls\": [0, 0, 0]}",
            InputError(
                file: "c.json", line: 2, field: "vm_ctls",
                "expected one entry per L2 VM (VM1…VM2): num_l2_vms is 2, so 2 entries, got 3")
        ),
        (
            "{\"vm_ctls\": [0], \"num_l2_vms\": 0}",
            InputError(
                file: "c.json", line: 1, field: "vm_ctls",
                "expected one entry per L2 VM (none): num_l2_vms is 0, so 0 entries, got 1")
        ),
        (
            "{\"vm_ctls\": [1]}",
            InputError(
                file: "c.json", line: 1, field: "vm_ctls",
                "expected one entry per L2 VM (VM1…VM3): num_l2_vms is 3 (the default), so 3 entries, got 1")
        ),
        (
            "{\"num_l2_vms\": 1, \"vm_ctls\": 0}",
            InputError(
                file: "c.json", line: 1, field: "vm_ctls", "expected an array of integers, one per L2 VM, got a number")
        ),
        ("[1]", InputError(file: "c.json", line: 1, "expected an object, got an array")),
        ("{\"vcpus\": 1,}", InputError(file: "c.json", line: 1, "malformed JSON: expected a string key")),
        ("{\"vcpus\": 1, \"vcpus\": 2}", InputError(file: "c.json", line: 1, field: "vcpus", "duplicate key")),
    ])
    func badConfigNamesFileLineAndKey(_ text: String, _ expected: InputError) {
        #expect(throws: expected) { try ConfigDecoder.decode(text, file: "c.json") }
    }

    @Test func errorDescriptionReadsAsFileLineFieldMessage() {
        let e = InputError(file: "c.json", line: 3, field: "memory[0].state", "missing")
        #expect(e.description == "c.json:3: memory[0].state: missing")
    }
}

@Suite struct ScenarioTests {
    let header =
        "{\"softseam\":\"scenario\",\"version\":1,\"config\":{\"num_l2_vms\":1,\"memory\":[{\"gpa\":\"0x100000\",\"size\":\"0x1000\",\"state\":\"mapped\"}]}}"

    @Test func scenarioRunsItsSteps() throws {
        let text =
            header
            + "\n{\"actor\":\"l1\",\"vcpu\":0,\"tdcall\":{\"rax\":\"0x18\",\"rcx\":\"0x100000\",\"rdx\":\"0x80030000\",\"r8\":\"0xf0000\"},\"comment\":\"alias\"}\n"
        let s = try Scenario.parse(text, file: "s.jsonl")
        #expect(s.steps.count == 1 && s.steps[0].line == 2 && s.steps[0].comment == "alias")
        let m = try s.machineAfter()
        #expect(m.space.leaf(containing: 0x10_0000)?.attrs(vm: 1) == GPAAttributes(0x8003))
    }

    @Test(arguments: [
        ("\n{\"actor\":\"l3\",\"tdcall\":{}}", 3, "actor", "expected \"l1\", \"l2\" or \"host\", got \"l3\""),
        ("\n{\"actor\":\"l2\",\"vm\":2,\"event\":\"cpuid\"}", 3, "vm", "L2 VM 2 does not exist (the TD has 1 L2 VMs)"),
        ("\n{\"actor\":\"l2\",\"vm\":1}", 3, "event", "missing"),
        ("\n{\"actor\":\"l2\",\"event\":\"cpuid\"}", 3, "vm", "missing"),
        (
            "\n{\"actor\":\"l2\",\"vm\":1,\"event\":\"rdtscp\"}", 3, "event",
            "unknown L2 event \"rdtscp\" (known: cpuid, hlt, rdmsr, wrmsr, tdcall, vmcall, clts, nmi, sti, eoi, iret, or an object with one of set, jump, io, mov_to_cr, mov_from_cr, lmsw, read, write, fetch, exception, interrupt, exit, during_delivery, time)"
        ),
        // The time event: a count of ticks, an integer like every other.
        (
            "\n{\"actor\":\"l2\",\"vm\":1,\"event\":{\"time\":\"0xZZ\"}}", 3, "event.time",
            "expected an integer, got \"0xZZ\""
        ),
        (
            "\n{\"actor\":\"l2\",\"vm\":1,\"event\":{\"io\":{\"port\":\"0x3f8\",\"size\":3,\"dir\":\"out\"}}}", 3,
            "event.io.size", "must be 1, 2 or 4"
        ),
        // L2Event.problem, the rules the binary reader and the machine apply too.
        (
            "\n{\"actor\":\"l2\",\"vm\":1,\"event\":{\"read\":{\"gpa\":\"0x1ffc\",\"size\":8}}}", 3,
            "event.read.gpa", "the access crosses a 4 KiB page"
        ),
        (
            "\n{\"actor\":\"l2\",\"vm\":1,\"event\":{\"exit\":{\"reason\":10}}}", 3, "event.exit.reason",
            "exit reason 10 has its own event: use cpuid"
        ),
        ("\n{\"actor\":\"l1\",\"vm\":1,\"tdcall\":{}}", 3, "vm", "only an \"l2\" step has \"vm\""),
        ("\n{\"actor\":\"l1\",\"vcpu\":1,\"tdcall\":{}}", 3, "vcpu", "vCPU 1 does not exist (the TD has 1)"),
        (
            "\n{\"actor\":\"l1\",\"tdcall\":{\"rzx\":1}}", 3, "tdcall.rzx",
            "not a register (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8…r15)"
        ),
        (
            "\n{\"actor\":\"host\",\"seamcall\":{\"rax\":\"0xZZ\"}}", 3, "seamcall.rax",
            "expected an integer, got \"0xZZ\""
        ),
        ("\n{\"actor\":\"host\",\"tdcall\":{}}", 3, "tdcall", "the host issues SEAMCALLs"),
        ("\n{\"actor\":\"l1\"}", 3, "tdcall", "missing"),
        (
            "\n{\"actor\":\"l1\",\"tdcall\":{},\"when\":1}", 3, "when",
            "unknown key (known: actor, vcpu, vm, tdcall, seamcall, event, write, comment, map_shared, "
                + "unmap_shared, write_shared, read, cpuid, rdmsr, wrmsr, l1_interrupt_state, post_interrupt, sti, "
                + "irte_push)"
        ),
        // The host's shared-memory steps (Traces/FORMAT.md): host only, one operation a step, known keys.
        (
            "\n{\"actor\":\"l1\",\"map_shared\":{\"gpa\":\"0x800000008000\",\"size\":\"0x1000\"}}", 3,
            "map_shared", "only a \"host\" step has \"map_shared\""
        ),
        (
            "\n{\"actor\":\"host\",\"seamcall\":{},\"unmap_shared\":{\"gpa\":\"0x800000008000\",\"size\":\"0x1000\"}}",
            3, "unmap_shared",
            "a host step is one of seamcall, map_shared, unmap_shared, write_shared, l1_interrupt_state, post_interrupt, "
                + "irte_push"
        ),
        (
            "\n{\"actor\":\"host\",\"map_shared\":{\"gpa\":\"0x800000008000\"}}", 3, "map_shared.size", "missing"
        ),
        (
            "\n{\"actor\":\"host\",\"map_shared\":{\"gpa\":\"0x800000008000\",\"size\":\"0x1000\",\"x\":1}}", 3,
            "map_shared.x", "unknown key (known: gpa, size)"
        ),
        (
            "\n{\"actor\":\"host\",\"write_shared\":{\"gpa\":\"0x800000008000\"}}", 3, "write_shared",
            "needs data or value"
        ),
    ])
    func badStepNamesLineAndField(_ tail: String, _ line: Int, _ field: String, _ message: String) {
        #expect(throws: InputError(file: "s.jsonl", line: line, field: field, message)) {
            try Scenario.parse(header + "\n" + tail, file: "s.jsonl")
        }
    }

    /// L1 enters VM 1 (virtual-APIC page and buffer at 0x100000), L2 sets RAX and runs CPUID: the exit
    /// returns to L1 with exit reason 10 (tdx-module src/td_dispatcher/tdx_td_l2_dispatcher.c), and the buffer now
    /// holds L2's RAX.
    @Test func scenarioRunsL2EventsAfterTDGVPEnter() throws {
        let text =
            header
            + "\n{\"actor\":\"l1\",\"tdcall\":{\"rax\":\"0xa\",\"rdx\":\"0x2420000300002012\",\"r8\":\"0x100000\",\"r9\":\"0xffffffffffffffff\"}}"
            + "\n{\"actor\":\"l1\",\"write\":{\"gpa\":\"0x100080\",\"value\":\"0x2\"},\"comment\":\"RFLAGS\"}"
            + "\n{\"actor\":\"l1\",\"tdcall\":{\"rax\":\"0x19\",\"rcx\":\"0x10000000000000\",\"rdx\":\"0x100000\"}}"
            + "\n{\"actor\":\"l2\",\"vm\":1,\"event\":{\"set\":{\"rax\":\"0x7\"}}}"
            + "\n{\"actor\":\"l2\",\"vm\":1,\"vcpu\":0,\"event\":\"cpuid\",\"comment\":\"exits to L1\"}\n"
        let s = try Scenario.parse(text, file: "s.jsonl")
        #expect(s.steps[3].events == [.setRegister(0, 7)])
        let m = try s.machineAfter(file: "s.jsonl")
        #expect(m.vcpus[0].location == .l1)
        #expect(m.vcpus[0].gprs.rax == 10)  // status SUCCESS, exit reason CPUID
        #expect(try m.readMemory(gpa: 0x10_0000, count: 1) == [7])
        // The written form reads back to the same steps.
        let again = try Scenario.parse(s.jsonLines(), file: "t")
        #expect(again.steps.map(\.events) == s.steps.map(\.events))
        #expect(again.steps.map(\.write) == s.steps.map(\.write))
    }

    /// A host shared-memory step the machine refuses names its line and key: map_shared of a private GPA, and
    /// write_shared to a shared page the host did not map (GPAW 48: SHARED bit 47).
    @Test func aRefusedSharedMemoryStepNamesItsLineAndKey() throws {
        let map = try Scenario.parse(
            header + "\n{\"actor\":\"host\",\"map_shared\":{\"gpa\":\"0x100000\",\"size\":\"0x1000\"}}", file: "s.jsonl"
        )
        #expect(
            throws: InputError(
                file: "s.jsonl", line: 2, field: "map_shared",
                "GPA 0x100000: the range is not all shared GPAs (SHARED bit 47 set, within GPAW 48)")
        ) { try map.machineAfter(file: "s.jsonl") }
        let write = try Scenario.parse(
            header
                + "\n{\"actor\":\"host\",\"write_shared\":{\"gpa\":\"0x800000008000\",\"size\":1,\"value\":\"0x1\"}}",
            file: "s.jsonl")
        #expect(
            throws: InputError(
                file: "s.jsonl", line: 2, field: "write_shared", "GPA 0x800000008000: not a shared page the host mapped"
            )
        ) { try write.machineAfter(file: "s.jsonl") }
    }

    /// The three host steps survive a JSON Lines round trip.
    @Test func sharedMemoryStepsRoundTrip() throws {
        let text =
            header + "\n{\"actor\":\"host\",\"map_shared\":{\"gpa\":\"0x800000008000\",\"size\":\"0x2000\"}}"
            + "\n{\"actor\":\"host\",\"write_shared\":{\"gpa\":\"0x800000008ffe\",\"data\":\"010203\"}}"
            + "\n{\"actor\":\"host\",\"unmap_shared\":{\"gpa\":\"0x800000009000\",\"size\":\"0x1000\"}}"
        let s = try Scenario.parse(text, file: "s.jsonl")
        #expect(
            s.steps.map(\.shared) == [
                .map(gpa: 0x8000_0000_8000, size: 0x2000),
                .write(Step.MemoryWrite(gpa: 0x8000_0000_8FFE, bytes: [1, 2, 3])),
                .unmap(gpa: 0x8000_0000_9000, size: 0x1000),
            ])
        let again = try Scenario.parse(s.jsonLines(), file: "t")
        #expect(again.steps.map(\.shared) == s.steps.map(\.shared))
        let m = try s.machineAfter(file: "s.jsonl")
        #expect(try m.readShared(gpa: 0x8000_0000_8FFE, count: 2) == [1, 2])
        #expect(!m.isSharedMapped(0x8000_0000_9000))
    }

    @Test func l2EventForAVMThatIsNotRunningIsAnErrorWithItsLine() throws {
        let s = try Scenario.parse(header + "\n{\"actor\":\"l2\",\"vm\":1,\"event\":\"hlt\"}", file: "s.jsonl")
        #expect(
            throws: InputError(file: "s.jsonl", line: 2, field: "vm", "vCPU 0 must be running L2 VM 1, but is l1")
        ) {
            try s.machineAfter(file: "s.jsonl")
        }
    }

    /// The machine's rule, with the step's line: no L1 step before the host's TDH.MR.FINALIZE.
    @Test func anL1StepBeforeFinalizeIsRefusedWithItsLine() throws {
        let text =
            "{\"softseam\":\"scenario\",\"version\":1,\"config\":{\"finalize\":false}}\n"
            + "{\"actor\":\"l1\",\"tdcall\":{\"rax\":\"0x1\"}}\n"
        let s = try Scenario.parse(text, file: "s.jsonl")
        let refusal = InputError(
            file: "s.jsonl", line: 2, field: "actor",
            "L1 and L2 cannot run before the host's TDH.MR.FINALIZE (the TD is INITIALIZED)")
        #expect(throws: refusal) { try Trace.record(s, file: "s.jsonl") }
        #expect(throws: refusal) { try s.machineAfter(file: "s.jsonl") }
    }

    @Test func wrongVersionIsRejected() {
        let text = "{\"softseam\":\"scenario\",\"version\":9,\"config\":{}}"
        #expect(
            throws: InputError(
                file: "s.jsonl", line: 1, field: "version",
                "unsupported version 9 (this SoftSEAM reads scenario version 1)")
        ) {
            try Scenario.parse(text, file: "s.jsonl")
        }
    }

    @Test func truncatedStepIsMalformedJSONWithItsLine() {
        #expect(throws: InputError(file: "s.jsonl", line: 2, "malformed JSON: unterminated string")) {
            try Scenario.parse(header + "\n{\"actor\":\"l1", file: "s.jsonl")
        }
    }

    @Test func configInsideScenarioReportsItsPath() {
        let text = "{\"softseam\":\"scenario\",\"version\":1,\"config\":{\"gpaw\":47}}"
        #expect(throws: InputError(file: "s.jsonl", line: 1, field: "config.gpaw", "must be 48 or 52, got 47")) {
            try Scenario.parse(text, file: "s.jsonl")
        }
    }

    @Test func scenarioDetectionLooksAtTheHeader() {
        #expect(Scenario.isScenario(header))
        #expect(!Scenario.isScenario("{\"num_l2_vms\": 1}"))
        #expect(!Scenario.isScenario("not json"))
    }
}
