import ArgumentParser
import CSoftSEAM
import CSoftSEAMBench
import SEAMCore
import SEAMFormats
import SEAMFuzz
import SEAMTypes
import SoftSEAMC

/// `softseam bench`: in-process benchmarks of the model's hot paths. Build with `-c release` (`make bench`)
/// before reading the figures. Wall-clock time is used here only, never inside the model.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure operations per second (use a release build).")

    @Flag(help: "Print {\"attr_wr\": N, …} (operations per second).")
    var json = false

    @Option(parsing: .unconditional, help: "Minimum seconds to run each benchmark (more than 0).")
    var seconds: Double = 1.0

    @Option(help: "Run only the benchmark with this name (e.g. attr_wr).")
    var only: String?

    @Option(
        parsing: .unconditional,
        help:
            "Run exactly this many operations (≥ 1) once instead of timing (for instruction counting under callgrind).")
    var iterations: Int?

    func validate() throws {
        if let only, !Benchmarks.all.contains(where: { $0.name == only }) {
            throw ValidationError(
                "no benchmark named \(only) (known: \(Benchmarks.all.map(\.name).joined(separator: ", ")))")
        }
        guard seconds > 0, seconds.isFinite else {
            throw ValidationError("--seconds must be more than 0 (the least time each benchmark runs), got \(seconds)")
        }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be ≥ 1, got \(iterations)") }
    }

    func run() throws {
        if let iterations {
            for b in Benchmarks.all where only == nil || b.name == only { _ = b.body(iterations) }
            return
        }
        var stderr = StandardError()
        let results = Benchmarks.all.filter { only == nil || $0.name == only }.map { b in
            print("bench: \(b.name) (\(seconds) s)…", to: &stderr)  // progress: each one runs ≥ `seconds`
            return (b.name, Benchmarks.figure(b.name, b.body, seconds: seconds))
        }
        if json {
            print(
                "{" + results.map { "\"\($0.0)\": \(Benchmarks.formatted($0.0, $0.1))" }.joined(separator: ", ") + "}")
        } else {
            for (name, value) in results {
                print("\(name): \(Benchmarks.formatted(name, value)) \(name == "bytes_per_page" ? "bytes" : "ops/s")")
            }
        }
    }
}

/// The benchmark bodies. Each runs `n` operations and returns a value derived from them, so the optimiser
/// cannot drop the work.
enum Benchmarks {
    typealias Body = @Sendable (Int) -> UInt64

    static let all: [(name: String, body: Body)] = [
        ("attr_wr", attrWr),
        ("attr_rd", attrRd),
        ("c_abi_tdcall", cABITDCall),
        ("state_hash", stateHash),
        ("vp_enter_cpuid_roundtrip", { vpEnterCPUIDRoundTrip($0, advanceRIP: false) }),
        ("vp_enter_cpuid_roundtrip_l1_advances_rip", { vpEnterCPUIDRoundTrip($0, advanceRIP: true) }),
        ("inject_deliver_eoi", injectDeliverEOI),
        ("replay_binary_steps", replayBinarySteps),
        ("td_build_pages", tdBuildPages),
        ("bytes_per_page", tdBuildPeak),
        ("fuzz_execs", fuzzExecs),
    ]

    /// Runs `body` with growing counts until it takes at least `seconds`; returns operations per second.
    static func measure(_ body: Body, seconds: Double) -> Double {
        var n = 1024
        let clock = ContinuousClock()
        while true {
            var sink: UInt64 = 0
            let t = clock.measure { sink = body(n) }
            let s = Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18
            precondition(sink != 0x5EED, "unreachable: keeps the result alive")
            if s >= seconds { return Double(n) / s }
            n = s < 0.01 ? n * 10 : Int(Double(n) * seconds / s * 1.1)
        }
    }

    /// 4,096 mapped 4K pages in a TD with 3 L2 VMs, every alias table entry present.
    static let pages = 4096
    static let base = Machine(
        config: MachineConfig(
            numL2VMs: 3, memory: [.init(gpa: 0x10_0000, size: UInt64(pages) * 0x1000, state: .mapped)]))
    /// A fresh copy of the benchmark TD (copy-on-write: building it is not part of any measurement).
    static func machine() -> Machine { base }

    /// The ATTR.WR requests the benchmark cycles through, per page: create aliases in all three VMs, narrow
    /// them, widen them, remove VM2's, then remove the rest — every path of the commit step.
    static let attrWrRequests: [(rdx: UInt64, r8: UInt64)] = [
        (0x800F_8003_8001 << 16, 0x000F_000F_000F << 16),  // create VM1 R, VM2 RW, VM3 RWX
        (0x8001_8001_8001 << 16, 0x000F_000F_000F << 16),  // narrow all to R
        (0x8003_0000_800F << 16, 0x000F_0000_000F << 16),  // widen VM1, VM3; VM2 not named
        (0x0000_8000_0000 << 16, 0x0000_000F_0000 << 16),  // remove VM2
        (0x8000_0000_8000 << 16, 0x800F_0000_800F << 16),  // remove VM1 and VM3, INVEPT VM3
    ]

    /// TDG.MEM.PAGE.ATTR.WR through `Machine.tdcall`, 3 L2 VMs, with the incremental state hash on (it is
    /// always kept), cycling over pages and the requests above. Fails loudly if a call does not succeed.
    static func attrWr(_ n: Int) -> UInt64 {
        var m = machine()
        let requests = attrWrRequests
        var regs = RegisterFile()
        var acc: UInt64 = 0
        for i in 0..<n {
            let page = UInt64(i % pages)
            let req = requests[(i / pages) % requests.count]
            regs.rax = 24
            regs.rcx = 0x10_0000 + page << 12
            regs.rdx = req.rdx
            regs.r8 = req.r8
            _ = try? m.tdcall(vcpu: 0, &regs)
            precondition(regs.rax == 0, "attr_wr: \(TDXStatus(regs.rax))")
            acc &+= regs.rdx
        }
        return acc &+ m.stateHash()
    }

    /// TDG.VP.INFO from C through the C ABI (libsoftseam's `softseam_tdcall`, called by a loop compiled from
    /// C): the cost a C L1 pays per TDCALL — handle and thread checks, register conversion, the leaf.
    static func cABITDCall(_ n: Int) -> UInt64 {
        var error = [CChar](repeating: 0, count: 256)
        let config = #"{"num_l2_vms": 3, "vcpus": 1, "memory": [{"gpa": "0x0", "size": "0x1000", "state": "mapped"}]}"#
        guard let m = softseam_create(config, &error, error.count) else {
            preconditionFailure(
                "c_abi_tdcall: softseam_create: \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))"
            )
        }
        defer { softseam_destroy(m) }
        let sum = ssbench_vp_info_loop(m, UInt64(n))
        precondition(sum != .max, "c_abi_tdcall: TDG.VP.INFO failed")
        return sum
    }

    /// TDG.MEM.PAGE.ATTR.RD over aliased pages.
    static func attrRd(_ n: Int) -> UInt64 {
        var m = machine()
        var regs = RegisterFile()
        for p in 0..<pages {
            regs = RegisterFile(
                rax: 24, rcx: 0x10_0000 + UInt64(p) << 12, rdx: attrWrRequests[0].rdx, r8: attrWrRequests[0].r8)
            _ = try? m.tdcall(vcpu: 0, &regs)
        }
        var acc: UInt64 = 0
        for i in 0..<n {
            regs.rax = 23
            regs.rcx = 0x10_0000 + UInt64(i % pages) << 12
            _ = try? m.tdcall(vcpu: 0, &regs)
            acc &+= regs.rdx
        }
        return acc
    }

    /// `Machine.stateHash()` of a TD with 4,096 aliased pages (O(1) in pages: it reads the digest).
    static func stateHash(_ n: Int) -> UInt64 {
        let m = machine()
        var acc: UInt64 = 0
        for _ in 0..<n { acc &+= m.stateHash() }
        return acc
    }

    /// A TD whose VM 1 is set up in 64-bit mode by L1 through TDG.VP.WR (virtual-APIC page, IA-32e entry
    /// control, EFER.LME|LMA, CR0.PG, CR4.PAE, CS.L) with its L2_ENTER_GUEST_STATE buffer at 0x101000.
    static let roundTripBase: Machine = {
        var m = machine()
        func wr(_ code: UInt64, _ size: UInt64, _ value: UInt64) {
            var r = RegisterFile(rax: 10, rdx: 0x2420_0000_0000_0000 | size << 32 | code, r8: value, r9: ~0)
            _ = try? m.tdcall(vcpu: 0, &r)
            precondition(r.rax == 0, "round-trip setup \(hexShort(code)): \(TDXStatus(r.rax))")
        }
        wr(0x2012, 3, 0x10_0000)  // virtual-APIC page
        wr(0x6804, 3, 0x2060)  // CR4: PAE
        wr(0x2806, 3, 0xD01)  // EFER: SCE, LME, LMA, NXE
        wr(0x6800, 3, 0x8000_0021)  // CR0: PG, NE, PE
        wr(0x4012, 2, 0x3E_D3FF)  // entry controls: IA-32e mode guest
        wr(0x4816, 2, 0xA09B)  // CS: 64-bit code
        try? m.writeMemory(gpa: 0x10_1080, [2, 0, 0, 0, 0, 0, 0, 0])  // RFLAGS = 2
        return m
    }()

    /// TDG.VP.ENTER of VM 1 → L2 executes CPUID → L2→L1 exit with reason 10, through `Machine.tdcall` and
    /// `Machine.l2Event`, with the incremental state hash kept. With `advanceRIP` L1 then also does what a
    /// VMM does with a CPUID exit: it advances L2's RIP in the guest-state buffer by the instruction length
    /// (R11[63:32]) with `Machine.writeMemory`, so each round trip changes the buffer and the VMCS (RIP) and
    /// both are rehashed; without it every entry re-executes the same CPUID from an unchanged buffer.
    static func vpEnterCPUIDRoundTrip(_ n: Int, advanceRIP: Bool) -> UInt64 {
        var m = roundTripBase
        var acc: UInt64 = 0
        var rip: UInt64 = 0x1000
        for _ in 0..<n {
            var regs = RegisterFile(rax: 25, rcx: 1 << 52, rdx: 0x10_1000)
            guard case .enteredL2 = try? m.tdcall(vcpu: 0, &regs) else { preconditionFailure("entry: \(regs)") }
            guard case .exitToL1(let out)? = try? m.l2Event(vcpu: 0, .cpuid) else { preconditionFailure("no exit") }
            acc &+= out.rax
            if advanceRIP {
                rip &+= out.r11 >> 32
                withUnsafeBytes(of: rip.littleEndian) { try? m.writeMemory(gpa: 0x10_1088, from: $0) }
            }
        }
        precondition(acc == UInt64(n) * 10, "every exit is CPUID")
        return acc &+ m.stateHash()
    }

    /// The binary trace `replay_binary_steps` replays (46,096 steps): L1 sets VM1 up for 64-bit mode with
    /// TDG.VP.WR and fills its guest-state buffer, then walks the 4,096 pages through the five ATTR.WR
    /// requests above, each followed by an ATTR.RD of the page, and after every 16th page enters VM1 with
    /// TDG.VP.ENTER, where L2 executes CPUID and exits to L1.
    static let replayTrace: [UInt8] = {
        var steps: [Step] = []
        func l1(_ regs: RegisterFile) { steps.append(Step(actor: .l1(vcpu: 0), registers: regs)) }
        for (code, size, value) in [
            (0x2012, 3, 0x10_0000), (0x6804, 3, 0x2060), (0x2806, 3, 0xD01), (0x6800, 3, 0x8000_0021),
            (0x4012, 2, 0x3E_D3FF), (0x4816, 2, 0xA09B),
        ] as [(UInt64, UInt64, UInt64)] {
            l1(RegisterFile(rax: 10, rdx: 0x2420_0000_0000_0000 | size << 32 | code, r8: value, r9: ~0))
        }
        var write = Step(actor: .l1(vcpu: 0), registers: RegisterFile())
        write.write = Step.MemoryWrite(gpa: 0x10_1080, size: 8, value: 2)
        steps.append(write)
        for i in 0..<(pages * attrWrRequests.count) {
            let page = 0x10_0000 + UInt64(i % pages) << 12
            let req = attrWrRequests[i / pages]
            l1(RegisterFile(rax: 24, rcx: page, rdx: req.rdx, r8: req.r8))
            l1(RegisterFile(rax: 23, rcx: page))
            if i % 16 == 15 {
                l1(RegisterFile(rax: 25, rcx: 1 << 52, rdx: 0x10_1000))
                var cpuid = Step(actor: .l2(vm: 1, vcpu: 0), registers: RegisterFile())
                cpuid.events = [.cpuid]
                steps.append(cpuid)
            }
        }
        let config = MachineConfig(
            numL2VMs: 3, memory: [.init(gpa: 0x10_0000, size: UInt64(pages) * 0x1000, state: .mapped)])
        guard let trace = try? Trace.record(Scenario(config: config, steps: steps), file: "<bench>") else {
            preconditionFailure("replay_binary_steps: the benchmark scenario does not run")
        }
        return trace.binary()
    }()

    /// Replays `replayTrace` from its binary form — check the file's checksum, build the TD its config
    /// describes, then decode each record, run it, compare its outputs and the state hash after it — as many
    /// times as it takes to do `n` steps. Fails loudly on a divergence.
    static func replayBinarySteps(_ n: Int) -> UInt64 {
        let bytes = replayTrace
        var done = 0
        var acc: UInt64 = 0
        while done < n {
            guard let r = try? Replayer.replay(binary: bytes, file: "<bench>"), r.matches else {
                preconditionFailure("replay_binary_steps: the trace does not replay")
            }
            done += r.replayed
            acc &+= r.finalHash
        }
        return acc
    }

    /// The inputs `fuzz_execs` cycles through: 1,024 fresh inputs of seed 1 (`FuzzCampaign.freshInput`).
    static let fuzzInputs: [[UInt8]] = (0..<1024).map { FuzzCampaign.freshInput(seed: 1, iteration: UInt64($0)) }

    /// Fuzz executions (`fuzzOne`): each decodes an input into up to 32 operations, runs them from a fresh
    /// copy of the fuzz TD through the step engine with the isolation oracle on. Fails loudly on a finding.
    static func fuzzExecs(_ n: Int) -> UInt64 {
        let inputs = fuzzInputs
        var acc: UInt64 = 0
        for i in 0..<n {
            let finding = inputs[i % inputs.count].withUnsafeBytes { fuzzOne($0) }
            precondition(finding == nil, "fuzz_execs: \(finding!)")
            acc &+= UInt64(inputs[i % inputs.count].count)
        }
        return acc
    }
}
