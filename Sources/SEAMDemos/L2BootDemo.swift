import SEAMCore
import SEAMFormats
import SEAMTypes

/// The built-in L2 boot scenario: on a TD with 2 L2 VMs, a Swift L1 VMM first builds an alias table with
/// TDG.MEM.PAGE.ATTR.WR (as `AliasTableDemo` does), then boots an L2 in VM1 from the reset vector through
/// real mode and protected mode into long mode, the way a TD-partitioning paravisor does.
///
///     L1 set-up ──TDG.VP.WR──▶ VM1: virtual-APIC page, L2_CTLS, MSR bitmap, CR0/CR4 masks and shadows,
///                              CR3-load and descriptor-table exiting, real-mode CR0/EFER/segments
///     loop: TDG.VP.ENTER ──▶ L2 events (`L2BootProgram`) ──▶ module | TD exit (host) | L2→L1 exit
///           L2→L1 exit ──▶ L1 emulates (CPUID, I/O, LGDT, MOV CR, RDMSR, WRMSR IA32_TSC_DEADLINE), aliases
///                          pages lazily, fixes a failed VM entry, and advances L2's RIP in the
///                          L2_ENTER_GUEST_STATE buffer
///
/// The timer at the end: L2 programs IA32_TSC_DEADLINE (WRMSR, which L1's MSR bitmap intercepts); L1 emulates
/// it with TDG.VP.WR of TSC_DEADLINE[VM1], so the module arms the VMX-preemption timer at each entry. L2
/// enables interrupts and waits (an L2 `time` event: the only way the virtual TSC advances); at the deadline
/// the timer exits to L1 (52). L1 disarms it (TSC_DEADLINE = all ones: IA32_TSC_DEADLINE is one-shot, the
/// deadline is not) and injects vector 0xEC the way a paravisor does with virtual-interrupt delivery on: the
/// vector's bit in VIRR of VM1's virtual-APIC page (an L1 page) and RVI in the guest-state buffer. At the next
/// TDG.VP.ENTER the CPU delivers it (SDM Vol. 3C §30.2.2); L2's handler EOIs with WRMSR 0x80B, which L1's MSR
/// bitmap lets through so the CPU virtualizes it without an exit (§30.1.4; VM1's EOI-exit bitmap is clear:
/// the timer is edge-triggered, L1 needs no virtualized-EOI exit), and returns with IRETQ.
///
/// Every L2→L1 exit, every exit the module handled, every TD exit, every event delivered to L2 and every EOI
/// the CPU virtualized goes into `Result.log`.
///
/// What stands for what: L2 code is not executed; `L2BootProgram` turns each instruction of `firmware` into
/// the L2 events the CPU would cause. The two far JMPs that follow the mode-switching MOVs to CR0 are not
/// L2 events at all: L1 owns CR0.PE and CR0.PG, so those MOVs exit to it, and L1 emulates each MOV together
/// with the far JMP after it (decoding the JMP from L2's memory and loading CS from L2's GDT with
/// TDG.VP.WR), the way KVM emulates a mode switch. The data segments keep their real-mode descriptors
/// (base 0, limit 0xFFFF), which is all this guest's protected-mode code needs.
public enum L2BootDemo {
    /// Private memory of the TD. L2 sees a page only once L1 aliases it into VM1 or VM2.
    ///
    ///     0x9000, 0xA000        L2 low RAM: PML4 and PDPT (aliased into VM1 lazily)
    ///     0x100000–0x103FFF     K kernel text, D data, V and W: VM2's pages (aliased up front)
    ///     0x104000–0x105FFF     H1, H2: pending heap (H1 accepted and aliased lazily; H2 aliased up front)
    ///     0x200000, 0x201000    L1 only: L2_ENTER_GUEST_STATE buffer, VM1's virtual-APIC page
    ///     0xFFFFF000            L2 boot ROM (aliased lazily, on the first fetch)
    public static let config = MachineConfig(
        numL2VMs: 2, vcpus: 1,
        memory: [
            .init(gpa: 0x9000, size: 0x2000, state: .mapped),
            .init(gpa: 0x10_0000, size: 0x4000, state: .mapped),
            .init(gpa: 0x10_4000, size: 0x2000, state: .pending),
            .init(gpa: 0x20_0000, size: 0x2000, state: .mapped),
            .init(gpa: 0xFFFF_F000, size: 0x1000, state: .mapped),
        ])

    /// The L2_ENTER_GUEST_STATE buffer and VM1's virtual-APIC page.
    static let guestStateBuffer: UInt64 = 0x20_0000
    static let virtualAPICPage: UInt64 = 0x20_1000

    /// The alias table L1 builds before it starts L2: each page's label, GPA and what VM1 and VM2 get.
    public static let pages: [(label: String, gpa: UInt64, vms: [GPAAttributes])] = {
        let r = GPAAttributes.r, rw = GPAAttributes.r | .w, rx = GPAAttributes.r | .xs,
            rwx = GPAAttributes.r | .w | .xs | .xu, none = GPAAttributes.none
        return [
            ("K", 0x10_0000, [rx, none]), ("D", 0x10_1000, [rw, r]), ("V", 0x10_2000, [none, rwx]),
            ("W", 0x10_3000, [none, rw]), ("H2", 0x10_5000, [none, rw]),
        ]
    }()

    /// The pages L1 aliases into VM1 only when L2 first touches them (an EPT violation exits to L1).
    public static let lazyAliases: [(label: String, gpa: UInt64, attrs: GPAAttributes)] = [
        ("ROM", romPage, .r | .xs), ("PML4", pml4, .r | .w), ("PDPT", pdpt, .r | .w), ("H1", heap, .r | .w),
    ]

    /// Labels of every page of the TD, for `AliasMap`.
    public static var labels: [(label: String, gpa: UInt64)] {
        (pages.map { ($0.label, $0.gpa) } + lazyAliases.map { ($0.label, $0.gpa) }
            + [("BUF", guestStateBuffer), ("VAPIC", virtualAPICPage)]).sorted { $0.gpa < $1.gpa }
    }

    /// One line of the exit log.
    public struct LogEntry: Hashable, Sendable {
        /// Who dealt with the exit.
        public enum Route: String, Hashable, Sendable {
            /// An L2→L1 exit: L1's TDG.VP.ENTER returned.
            case l1 = "L1"
            /// A TD exit: the host handled it and re-entered the vCPU.
            case host
            /// The module handled the VM exit and resumed L2.
            case module
            /// No VM exit: the CPU in VMX non-root operation did it — an event delivered to L2 (vector and how
            /// it got there, `Delivery`), or L2's EOI virtualized.
            case cpu = "CPU"
        }

        /// Operations done so far (L1 TDCALLs and L2 events), counting this one.
        public var step: Int
        /// The VM that exited; 0 for L1's own TD exits.
        public var vm: Int
        /// The VMX exit reason (bit 31 set for a VM-entry failure); 77 for a TDG.VP.VMCALL; nil for what the
        /// CPU did without an exit (route `cpu`).
        public var reason: ExitReason?
        public var route: Route
        /// L2's RIP at the exiting instruction; nil for L1.
        public var rip: UInt64?
        /// The L2 instruction (or, for L1, the TDCALL).
        public var instruction: String
        /// What the module, L1 or the host did.
        public var note: String
    }

    /// What the demo did.
    public struct Result: Sendable {
        /// The TD after L2's HLT, L1 running.
        public var machine: Machine
        /// `machine.stateHash()` at the end.
        public var stateHash: UInt64
        /// Every exit, in order.
        public var log: [LogEntry]
        /// L2's CPU mode at the end, from guest CR0, EFER, the entry controls and CS access rights as L1 reads
        /// them with TDG.VP.RD.
        public var modeAtEnd: String
        /// What reached the host's serial console (port 0x3F8).
        public var serial: String
        /// L1 TDCALLs plus L2 events.
        public var steps: Int
        /// Every call the demo made, in order: replaying this scenario rebuilds `machine`.
        public var scenario: Scenario

        /// The log as a table, header first.
        public var lines: [String] { L2BootDemo.table(log) }

        /// What L1 itself sees of the run, one line each — the L2→L1 exits its TDG.VP.ENTER returned and its
        /// own TDG.VP.VMCALLs (`exit vm=1 reason=0xa rip=0xf003`, `exit vm=0 reason=0x4d rip=-`), then L2's mode
        /// and the state hash — the form Examples/l1-minimal prints, so a C L1 can be checked against this one.
        /// Exits the module or the host handled without L1 are not in it.
        public var l1View: [String] {
            log.filter { $0.route == .l1 || ($0.route == .host && $0.vm == 0) }.map { e in
                "exit vm=\(e.vm) reason=\(hexShort(UInt64(e.reason?.rawValue ?? 0))) rip=\(e.rip.map(hexShort) ?? "-")"
            } + ["mode=\(modeAtEnd)", "state_hash=\(hex64(stateHash))"]
        }

        /// `{"exits":[{"step":…,"vm":…,"reason":…,"route":"L1","rip":"0x…"|null,…}…],"mode":"…",
        /// "serial":"…","state_hash":"0x…"}`.
        public func json() -> String {
            let exits = log.map { e in
                "{\"step\":\(e.step),\"vm\":\(e.vm),\"reason\":\(e.reason.map { String($0.rawValue) } ?? "null"),\"route\":\"\(e.route.rawValue)\","
                    + "\"rip\":\(e.rip.map { "\"\(hexShort($0))\"" } ?? "null"),"
                    + "\"instruction\":\"\(jsonEscaped(e.instruction))\",\"note\":\"\(jsonEscaped(e.note))\"}"
            }
            return "{\"exits\":[\(exits.joined(separator: ","))],\"mode\":\"\(jsonEscaped(modeAtEnd))\","
                + "\"serial\":\"\(jsonEscaped(serial))\",\"state_hash\":\"\(hex64(stateHash))\"}"
        }
    }

    /// Runs the demo L1 to the L2's HLT. Deterministic: the same machine and log every time.
    public static func run() -> Result {
        var l1 = L1VMM(machine: Machine(config: config))
        l1.probeTD()
        l1.buildAliasTable()
        l1.loadImage()
        l1.setUpVM1()
        while !l1.halted {
            let exit = l1.enterL2()
            l1.handle(exit)
        }
        let mode = l1.modeAtEnd()
        return Result(
            machine: l1.m, stateHash: l1.m.stateHash(), log: l1.log, modeAtEnd: mode,
            serial: String(decoding: l1.host.serial, as: UTF8.self), steps: l1.steps,
            scenario: Scenario(
                config: config, labels: labels,
                comment: "The default demo's L2 boot: a Swift L1 boots VM1 from the reset vector into long mode",
                steps: l1.engine.observer.inputs))
    }

    /// L2's CPU mode from the VMCS fields that decide it.
    public static func mode(cr0: UInt64, efer: UInt64, entryControls: UInt64, csAccessRights: UInt64) -> String {
        let cs = SegmentAccessRights(rawValue: UInt32(truncatingIfNeeded: csAccessRights))
        if !CR0(rawValue: cr0).contains(.pe) { return "real mode" }
        if EntryControls(rawValue: entryControls).contains(.ia32eModeGuest) && IA32EFER(rawValue: efer).contains(.lma) {
            return cs.contains(.l) ? "long mode (IA-32e, CS.L=1)" : "compatibility mode (IA-32e, CS.L=0)"
        }
        if CR0(rawValue: cr0).contains(.pg) { return "protected mode with paging" }
        return cs.contains(.db) ? "protected mode (32-bit)" : "protected mode (16-bit)"
    }

    /// `10 CPUID`, or `0x80000021 ENTRY_FAIL_GUEST_STATE` for a VM-entry failure.
    public static func reasonText(_ reason: ExitReason) -> String {
        let basic = ExitReason(reason.rawValue & 0xFFFF).description
        let name = basic.firstIndex(of: " ").map { String(basic[..<$0]) } ?? basic
        let number =
            reason.rawValue & ExitReason.entryFailureBit != 0
            ? hexShort(UInt64(reason.rawValue)) : String(reason.rawValue)
        return name == number ? number : "\(number) \(name)"
    }

    /// The log as aligned text columns.
    static func table(_ log: [LogEntry]) -> [String] {
        let rows: [[String]] =
            [["step", "vm", "exit reason", "route", "rip", "instruction", "what happened"]]
            + log.map { e in
                [
                    String(e.step), String(e.vm), e.reason.map(reasonText) ?? "—", e.route.rawValue,
                    e.rip.map(hexShort) ?? "—",
                    e.instruction, e.note,
                ]
            }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            row.enumerated().map { c, cell in
                c < 2
                    ? String(repeating: " ", count: widths[c] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[c] - cell.count)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}
