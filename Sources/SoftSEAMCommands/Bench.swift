import ArgumentParser
import SEAMCore
import SEAMTypes

/// `softseam bench`: in-process benchmarks of the model's hot paths. Build with `-c release` (`make bench`)
/// before reading the figures. Wall-clock time is used here only, never inside the model.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure operations per second (use a release build).")

    @Flag(help: "Print {\"attr_wr\": N, …} (operations per second).")
    var json = false

    @Option(help: "Minimum seconds to run each benchmark.")
    var seconds: Double = 1.0

    @Option(help: "Run only the benchmark with this name (e.g. attr_wr).")
    var only: String?

    @Option(help: "Run exactly this many operations once instead of timing (for instruction counting under callgrind).")
    var iterations: Int?

    func validate() throws {
        if let only, !Benchmarks.all.contains(where: { $0.name == only }) {
            throw ValidationError(
                "no benchmark named \(only) (known: \(Benchmarks.all.map(\.name).joined(separator: ", ")))")
        }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number") }
        if let iterations, iterations < 1 { throw ValidationError("--iterations must be at least 1") }
    }

    func run() throws {
        if let iterations {
            for b in Benchmarks.all where only == nil || b.name == only { _ = b.body(iterations) }
            return
        }
        var stderr = StandardError()
        let results = Benchmarks.all.filter { only == nil || $0.name == only }.map { b in
            print("bench: \(b.name) (\(seconds) s)…", to: &stderr)  // progress: each one runs ≥ `seconds`
            return (b.name, Benchmarks.measure(b.body, seconds: seconds))
        }
        if json {
            print("{" + results.map { "\"\($0.0)\": \(Int($0.1))" }.joined(separator: ", ") + "}")
        } else {
            for (name, rate) in results { print("\(name): \(Int(rate)) ops/s") }
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
        ("state_hash", stateHash),
        ("vp_enter_cpuid_roundtrip", vpEnterCPUIDRoundtrip),
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

    /// The L2 boot demo's TD at its end: VM1 in long mode, L1 running (copy-on-write, built once).
    static let longModeTD = L2BootDemo.run().machine

    /// One op = TDG.VP.ENTER of VM1 through `Machine.tdcall`, an L2 CPUID event, and the L2→L1 exit it
    /// causes, with the incremental state hash kept (it always is). L1 does not advance L2's RIP, so every
    /// entry re-executes the same CPUID from an unchanged L2_ENTER_GUEST_STATE buffer.
    static func vpEnterCPUIDRoundtrip(_ n: Int) -> UInt64 {
        var m = longModeTD
        var regs = RegisterFile()
        var acc: UInt64 = 0
        for _ in 0..<n {
            regs.rax = 25
            regs.rcx = 1 << 52
            regs.rdx = 0x20_0000
            guard (try? m.tdcall(vcpu: 0, &regs)) == .enteredL2(vm: 1) else {
                preconditionFailure("vp_enter_cpuid_roundtrip: TDG.VP.ENTER \(TDXStatus(regs.rax))")
            }
            guard case .exitToL1(let r)? = try? m.l2Event(vcpu: 0, .cpuid), r.rax == 10 else {
                preconditionFailure("vp_enter_cpuid_roundtrip: CPUID did not exit to L1")
            }
            regs = r
            acc &+= r.rax
        }
        return acc &+ m.stateHash()
    }
}
