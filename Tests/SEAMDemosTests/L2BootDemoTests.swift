import SEAMCore
import SEAMDemos
import SEAMTypes
import Testing

@Suite struct L2BootDemoTests {
    /// L2 VMCS field ids of VM1 for TDG.VP.RD (tdx-module include/tdx_api_defs.h md_field_id_t,
    /// include/auto_gen/tdvps_fields_lookup.h): class 36, context VP, size code, encoding (guest CR0 =
    /// 0x2420000300006800).
    enum VM1 {
        static let guestCR0: UInt64 = 0x2420_0003_0000_6800
        static let guestEFER: UInt64 = 0x2420_0003_0000_2806
        static let entryControls: UInt64 = 0x2420_0002_0000_4012
        static let csAccessRights: UInt64 = 0x2420_0002_0000_4816
        static let csSelector: UInt64 = 0x2420_0001_0000_0802
        static let gdtrBase: UInt64 = 0x2420_0003_0000_6816
        static let guestCR3: UInt64 = 0x2420_0003_0000_6802
        static let guestCR4: UInt64 = 0x2420_0003_0000_6804
    }

    /// TDG.VP.RD (leaf 9) of `id`; the read must succeed.
    static func read(_ m: inout Machine, _ id: UInt64) throws -> UInt64 {
        var r = RegisterFile(rax: 9, rdx: id)
        #expect(try m.tdcall(vcpu: 0, &r) == .completed)
        #expect(r.rax == 0, "TDG.VP.RD \(hexShort(id)): TDX_SUCCESS")
        return r.r8
    }

    @Test func l2ReachesLongModeAsL1ReadsItWithVPRd() throws {
        let result = L2BootDemo.run()
        var m = result.machine
        let cr0 = try Self.read(&m, VM1.guestCR0)
        #expect(cr0 & 0x8000_0001 == 0x8000_0001, "CR0.PG and CR0.PE")
        #expect(cr0 & 0x1_0000 != 0, "CR0.WP, set by L2's last MOV to CR0 (the module applied it)")
        #expect(try Self.read(&m, VM1.guestEFER) & 0x500 == 0x500, "EFER.LMA and EFER.LME")
        #expect(try Self.read(&m, VM1.entryControls) & 0x200 != 0, "entry control IA-32e mode guest")
        let csAR = try Self.read(&m, VM1.csAccessRights)
        #expect(csAR & 1 << 13 != 0, "CS.L")
        #expect(csAR & 1 << 14 == 0, "CS.D must be 0 with CS.L")
        #expect(try Self.read(&m, VM1.csSelector) == 0x18)
        #expect(try Self.read(&m, VM1.guestCR4) & 0x20 != 0, "CR4.PAE")
        #expect(try Self.read(&m, VM1.guestCR3) == 0x9000)
        #expect(try Self.read(&m, VM1.gdtrBase) == 0xFFFF_F108, "the GDTR L1's LGDT emulation loaded")
        #expect(result.modeAtEnd == "long mode (IA-32e, CS.L=1)")
    }

    /// The exits the script must cause, derived by hand from the firmware listing (instruction lengths added
    /// up from each block's start) and the module's L2 exit handling (tdx-module
    /// src/td_dispatcher/tdx_td_l2_dispatcher.c; src/td_dispatcher/vm_exits_l2/td_l2_other_exits.c
    /// td_l2_cr_access_exit; src/td_dispatcher/vm_exits/td_msr_access.c wrmsr_ia32_efer): CPUID (10), I/O (30), GDTR
    /// access (46, descriptor-table exiting), MOV CR (28) and EPT violations (48) exit to L1; WRMSR of EFER.LME (32)
    /// with L1's bitmap bit clear and a MOV to CR0 that changes no L1-owned bit are handled by the module; TDVMCALLs
    /// (77) from L1, and from L2 with ENABLE_TDVMCALL, go to the host.
    /// The timer at the end (long-mode block from 0x100100: tdcall at 0x10013C is 4 bytes, then mov ecx (5),
    /// mov eax (5), xor edx (2), wrmsr at 0x10014C (2), sti at 0x10014E (1), pause at 0x10014F (2), hlt at
    /// 0x100151; handler from 0x100180: mov ecx (5), xor eax (2), xor edx (2), wrmsr at 0x100189): the WRMSR of
    /// IA32_TSC_DEADLINE exits to L1 (its bitmap bit is set); the wait ends at the deadline with exit 52
    /// (module src/td_dispatcher/tdx_td_l2_dispatcher.c sends it to L1), RIP on the pause; the vector L1
    /// injects is delivered at the next entry with no exit (route CPU, reason none); the handler's EOI is
    /// virtualized with no exit (L1's bitmap bit for writes of 0x80B is clear, the EOI-exit bitmap is 0).
    static let expected: [(vm: Int, reason: UInt32?, route: L2BootDemo.LogEntry.Route, rip: UInt64?)] = [
        (1, 48, .l1, 0xFFF0),  // fetch of the reset vector: the boot ROM is not aliased yet
        (1, 10, .l1, 0xF003),  // cpuid
        (1, 30, .l1, 0xF00D),  // out dx, al
        (0, 77, .host, nil),  // L1 forwards the byte with TDG.VP.VMCALL <IO>
        (1, 30, .l1, 0xF011),  // in al, dx
        (1, 46, .l1, 0xF012),  // lgdt
        (1, 28, .l1, 0xF01F),  // mov cr0, eax (PE: L1 owns it)
        (1, 48, .l1, 0x10_0000),  // store to the PML4 page
        (1, 48, .l1, 0x10_000A),  // store to the PDPT page
        (1, 28, .l1, 0x10_0019),  // mov cr4, eax: always L1
        (1, 28, .l1, 0x10_0021),  // mov cr3, eax (CR3-load exiting)
        (1, 31, .l1, 0x10_0029),  // rdmsr EFER: L1's bitmap intercepts reads
        (1, 32, .module, 0x10_0030),  // wrmsr EFER.LME: the module applies it
        (1, 28, .l1, 0x10_0037),  // mov cr0, eax (PG: L1 owns it)
        (1, 0x8000_0021, .l1, 0x10_0100),  // VM entry fails: IA-32e mode guest without EFER.LMA
        (1, 48, .l1, 0x10_0100),  // store to the pending heap page
        // mov cr0, rax (WP) at 0x100111: no bit of the VMCS guest/host mask changes, so the CPU runs it
        // without a VM exit (SDM 26.1.3) and it is not in the log.
        (1, 77, .host, 0x10_013C),  // tdcall: TDG.VP.VMCALL <IO> to the host
        (1, 32, .l1, 0x10_014C),  // wrmsr IA32_TSC_DEADLINE: L1 emulates it with TSC_DEADLINE[VM1]
        (1, 52, .l1, 0x10_014F),  // pause: the VMX-preemption timer expires at the deadline
        (1, nil, .cpu, 0x10_014F),  // vector 0xEC delivered at TDG.VP.ENTER (virtual-interrupt delivery)
        (1, nil, .cpu, 0x10_0189),  // the handler's wrmsr 0x80B: EOI virtualization
        (1, 12, .l1, 0x10_0151),  // hlt
    ]

    @Test func exitLogHasTheScriptsExitsInOrderWithTheirRoutes() {
        let log = L2BootDemo.run().log
        #expect(log.count == Self.expected.count)
        for (i, (e, x)) in zip(log, Self.expected).enumerated() {
            #expect(e.vm == x.vm, "entry \(i)")
            #expect(e.reason?.rawValue == x.reason, "entry \(i): \(e.reason.map { "\($0)" } ?? "none")")
            #expect(e.route == x.route, "entry \(i)")
            #expect(e.rip == x.rip, "entry \(i): rip \(e.rip.map(hexShort) ?? "nil")")
        }
        #expect(log.map(\.step) == log.map(\.step).sorted(), "steps grow")
    }

    /// The timer interrupt, step by step from the demo's recorded steps: the TDG.VP.ENTER after exit 52 delivers
    /// vector 0xEC to VM1 by virtual-interrupt delivery, once; the EOI step is an L2 `eoi` that completes in L2.
    /// At the end (hand-worked): L1 disarmed the deadline (TSC_DEADLINE[VM1] all ones, so the entries after it
    /// clear pin-based bit 6); VISR and VIRR are empty and the guest interrupt status is 0 (RVI 0 after the
    /// delivery, SVI 0 after the EOI); the virtual TSC is 0x10000 (the first wait, cut at the deadline) +
    /// 0x20000 (the whole second wait, after IRETQ) = 0x30000.
    @Test func timerInterruptIsDeliveredOnceAndEOIed() throws {
        let result = L2BootDemo.run()
        var engine = Engine(machine: Machine(config: L2BootDemo.config))
        var deliveries: [(step: Step, delivery: Delivery)] = []
        var eois = 0
        for step in result.scenario.steps {
            let outcome = try engine.perform(step)
            if let d = outcome.delivery { deliveries.append((step, d)) }
            if step.events == [.eoi] {
                eois += 1
                #expect(outcome.result == .completed, "the EOI does not exit")
            }
        }
        #expect(deliveries.count == 1)
        let d = try #require(deliveries.first)
        #expect(
            d.delivery
                == Delivery(
                    vm: 1, info: InterruptionInfo(vector: 0xEC, type: .externalInterrupt), via: .virtualInterrupt))
        #expect(d.step.actor == .l1(vcpu: 0) && d.step.registers.rax == 25, "on L1's TDG.VP.ENTER (leaf 25)")
        #expect(eois == 1)
        var m = engine.machine
        #expect(m.stateHash() == result.stateHash, "the steps rebuild the demo's machine")
        #expect(m.virtualTSC == 0x3_0000)
        #expect(try Self.read(&m, 0xA020_0003_0000_0059) == ~0, "TSC_DEADLINE[VM1] disarmed")
        #expect(try Self.read(&m, 0x2420_0002_0000_4000) & 1 << 6 == 0, "pin-based bit 6 cleared at the last entry")
        #expect(try Self.read(&m, 0x2420_0001_0000_0810) == 0, "guest interrupt status: RVI 0, SVI 0")
        let isrWord7 = try m.readMemory(gpa: 0x20_1000 + 0x100 + 0x70, count: 4)
        let irrWord7 = try m.readMemory(gpa: 0x20_1000 + 0x200 + 0x70, count: 4)
        #expect(isrWord7 == [0, 0, 0, 0] && irrWord7 == [0, 0, 0, 0], "VISR and VIRR bit 0xEC clear")
    }

    @Test func incrementalStateHashEqualsTheRecomputedOne() {
        let result = L2BootDemo.run()
        #expect(result.stateHash == result.machine.stateHash())
        #expect(result.machine.stateHash() == result.machine.recomputedStateHash())
    }

    @Test func twoRunsGiveTheSameHashAndLog() {
        let a = L2BootDemo.run()
        let b = L2BootDemo.run()
        #expect(a.stateHash == b.stateHash)
        #expect(a.log == b.log)
        #expect(a.lines == b.lines)
    }

    @Test func serialOutputReachesTheHostFromRealModeAndLongMode() {
        // 'R' through L1's emulated OUT and its TDVMCALL, 'L' through L2's own TDVMCALL.
        #expect(L2BootDemo.run().serial == "RL")
    }

    @Test func l1AliasedTheTouchedPagesLazilyAndKeptVM2sTable() {
        let result = L2BootDemo.run()
        let map = AliasMap(result.machine, labels: L2BootDemo.labels)
        func attrs(_ label: String) -> [UInt16]? { map.rows.first { $0.label == label }?.attrs }
        // ATTR.RD fields L1, VM1, VM2, VM3 (none in this TD), tdx-module include/tdx_api_defs.h
        // gpa_attr_single_vm_t: R = 1, W = 2, Xs = 4, Xu = 8, VALID = 0x8000.
        #expect(attrs("ROM") == [0, 0x8005, 0, 0])
        #expect(attrs("PML4") == [0, 0x8003, 0, 0])
        #expect(attrs("PDPT") == [0, 0x8003, 0, 0])
        #expect(attrs("H1") == [0, 0x8003, 0, 0])
        #expect(attrs("K") == [0, 0x8005, 0, 0])
        #expect(attrs("D") == [0, 0x8003, 0x8001, 0])
        #expect(attrs("H2") == [0, 0, 0x8003, 0])
        #expect(attrs("BUF") == [0, 0, 0, 0], "L1's guest-state buffer is never aliased")
        #expect(map.rows.allSatisfy { $0.state == .mapped }, "H1 and H2 were accepted")
    }

    @Test func logTableAndJSONCarryEveryExit() {
        let result = L2BootDemo.run()
        #expect(result.lines.count == result.log.count + 1)
        #expect(result.lines[0].hasPrefix("step  vm  exit reason"))
        #expect(result.lines.contains { $0.contains("0x80000021 ENTRY_FAIL_GUEST_STATE") })
        let json = result.json()
        #expect(json.hasPrefix("{\"exits\":[{\"step\":"))
        #expect(json.hasSuffix("\"state_hash\":\"\(hex64(result.stateHash))\"}"))
        #expect(json.contains("\"route\":\"module\""))
    }

    @Test(arguments: [
        (0x21 as UInt64, 0x900 as UInt64, 0 as UInt64, 0xC09B as UInt64, "protected mode (32-bit)"),
        (0x20, 0x900, 0, 0x9B, "real mode"),
        (0x8000_0021, 0xD00, 0x200, 0xC09B, "compatibility mode (IA-32e, CS.L=0)"),
        (0x8000_0021, 0xD00, 0x200, 0xA09B, "long mode (IA-32e, CS.L=1)"),
    ])
    func modeNamesFollowCR0EFERAndCS(cr0: UInt64, efer: UInt64, entry: UInt64, csAR: UInt64, name: String) {
        #expect(L2BootDemo.mode(cr0: cr0, efer: efer, entryControls: entry, csAccessRights: csAR) == name)
    }
}
