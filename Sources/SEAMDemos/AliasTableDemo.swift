import SEAMCore
import SEAMFormats
import SEAMTypes

/// The built-in default scenario: a TD with 3 L2 VMs whose L1, in Swift, builds the alias table of the
/// seed talk ("L2 Private Memory Virtualization") with real TDG.MEM.PAGE.ATTR.WR calls.
///
///     page  VM1  VM2  VM3        (X = Xs and Xu; — = no alias; L1 is RWX on all)
///     A     R    —    —
///     B     RW   RW   R
///     C     RWX  —    —
///     D     —    RWX  —
///     E,F,H RWX  —    R
///     G     RW   —    R
///
/// A–D are mapped by the host; E–H are AUGed (pending). L1 aliases every page first — aliases of the
/// pending pages start L2-blocked — then accepts E–H, which unblocks their aliases.
public enum AliasTableDemo {
    /// Each page's label, GPA and the permissions L1 gives VM1…VM3.
    public static let pages: [(label: String, gpa: UInt64, vms: [GPAAttributes])] = {
        let r = GPAAttributes.r, rw = GPAAttributes.r | .w, rwx = GPAAttributes.r | .w | .xs | .xu,
            none = GPAAttributes.none
        let table: [(String, [GPAAttributes])] = [
            ("A", [r, none, none]), ("B", [rw, rw, r]), ("C", [rwx, none, none]), ("D", [none, rwx, none]),
            ("E", [rwx, none, r]), ("F", [rwx, none, r]), ("G", [rw, none, r]), ("H", [rwx, none, r]),
        ]
        return table.enumerated().map { i, row in (row.0, 0x10_0000 + UInt64(i) * 0x1000, row.1) }
    }()

    /// TD with 3 L2 VMs and one vCPU; A–D mapped, E–H pending.
    public static let config = MachineConfig(
        numL2VMs: 3, vcpus: 1,
        memory: [
            .init(gpa: 0x10_0000, size: 0x4000, state: .mapped), .init(gpa: 0x10_4000, size: 0x4000, state: .pending),
        ])

    /// What the demo L1 did.
    public struct Result: Sendable {
        public var machine: Machine
        /// Every TDCALL L1 made, as scenario steps.
        public var scenario: Scenario
        public var tdcalls: Int { scenario.steps.count }
    }

    /// Runs the demo L1. ATTR.WR is retried until the returned RDX equals the request, as the
    /// TD-partitioning SVSM does.
    public static func run() -> Result {
        var engine = Engine(machine: Machine(config: config), observer: StepRecorder())
        func call(_ leaf: Leaf, rcx: UInt64, rdx: UInt64 = 0, r8: UInt64 = 0, _ comment: String) -> RegisterFile {
            var regs = RegisterFile(rax: UInt64(leaf.rawValue), rcx: rcx, rdx: rdx, r8: r8)
            let outcome = try? engine.tdcall(vcpu: 0, &regs, comment: comment)
            precondition(outcome == .completed, "demo: \(leaf) at \(hexShort(rcx)) TD-exited")
            return regs
        }
        for page in pages {
            var request = GPAAttr(0)
            var flags = AttrFlags(0)
            for (i, a) in page.vms.enumerated() where a.isPresent {
                request[vm: i + 1] = a | .valid
                flags = flags | AttrFlags(vm: i + 1, mask: GPAAttributes.rwx.rawValue, invept: true)
            }
            guard request.rawValue != 0 else { continue }
            var tries = 0
            while true {
                let out = call(
                    .memPageAttrWr, rcx: page.gpa, rdx: request.rawValue, r8: flags.rawValue,
                    "alias page \(page.label)")
                tries += 1
                if out.rax == 0 && out.rdx == request.rawValue { break }
                precondition(tries < 4, "demo: ATTR.WR of page \(page.label) returned \(TDXStatus(out.rax))")
            }
        }
        for page in pages where page.gpa >= 0x10_4000 {
            let out = call(.memPageAccept, rcx: page.gpa, "accept page \(page.label)")
            precondition(out.rax == 0, "demo: ACCEPT of page \(page.label) returned \(TDXStatus(out.rax))")
        }
        let scenario = Scenario(
            config: config, labels: pages.map { ($0.label, $0.gpa) },
            comment:
                "The default demo's alias table: L1 aliases pages A–H to VM1–VM3 with ATTR.WR and accepts the pending ones",
            steps: engine.observer.steps)
        return Result(machine: engine.machine, scenario: scenario)
    }
}
