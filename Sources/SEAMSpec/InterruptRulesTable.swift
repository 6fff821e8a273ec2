import SEAMCore
import SEAMFormats
import SEAMTypes

/// `Specs/interrupt-rules.tsv`: who may inject what into L1 and L2, how, and what comes of it. One rule per
/// row, each run as a short script of host, L1 and L2 steps on a fresh TD whose outcome is compared with the
/// row's expectations (worked out by hand from the module source and the SDM).
///
///     row ──parse──▶ Case (steps, expectations)
///         ──run──▶ fixture TD ─▶ steps (host TDH.VP.WR / post / TDH.VP.ENTER, L1 TDG.VP.WR / TDG.VP.ENTER /
///                  ACCEPT, L2 events) ─▶ last step's result + deliveries + state ──▶ agree?
///
/// The step and expectation languages are documented in the table's header. Cell errors are `InputError`s
/// naming the file, the line and the column.
public enum InterruptRulesTable {
    /// The table's file name under `Specs/`.
    public static let file = "interrupt-rules.tsv"
    /// The columns the checker reads (plus `source`, which every table has).
    public static let columns = ["id", "who", "how", "vectors", "situation", "steps", "expect"]
    /// The injectors a row may name.
    public static let injectors = ["host", "L1", "CPU", "module"]

    // MARK: - The fixture

    /// L1's notification vector and PID address the `pi` step writes.
    public static let notificationVector: UInt64 = 0xF2
    public static let pidAddress: UInt64 = 0x5000
    /// PAGE_INFO of the fixture's PENDING 2M page (GPA 0x400000, level 1).
    public static let pending2M: UInt64 = 0x40_0001
    /// Host TDH.VP.WR field IDs (module `include/auto_gen/td_vmcs_fields_lookup.c`,
    /// `include/auto_gen/tdvps_fields_lookup.c`): L1's TD VMCS notification vector (0x0002), PID address
    /// (0x2016), pin-based controls (0x4000), VM-entry interruption information (0x4016); TDVPS PEND_NMI.
    static let hostFields: [String: (id: UInt64, mask: UInt64)] = [
        "nv": (0x0024_0001_0000_0002, 0xFFFF), "pid": (0x0024_0003_0000_2016, ~0),
        "pin": (0x0024_0002_0000_4000, 0x80), "entry_info": (0x0024_0002_0000_4016, 0xFFFF_FFFF),
        "pend_nmi": (0x2020_0000_0000_000B, 0xFF),
    ]

    // MARK: - Parsed rows

    /// One step of the `steps` cell.
    public enum Step: Sendable, Equatable {
        /// The host enables posted interrupts: TDH.VP.WR of NV 0xF2, PID 0x5000, pin-based bit 7 (must succeed).
        case enablePostedInterrupts
        /// One host TDH.VP.WR (its status is the step's result).
        case hostWrite(field: String, value: UInt64)
        /// The host's `post_interrupt` step.
        case post(vectors: [UInt8], notify: Bool)
        /// The host's TDH.VP.ENTER.
        case hostEnter(resumeL1: Bool)
        /// L1's virtual RVI and PPR set directly (as software writing the virtual-APIC page).
        case l1State(rvi: UInt8, ppr: UInt8)
        /// L1's TDG.VP.WRs of an exit-routing `setup` item (each must succeed).
        case l1Write([ExitRoutingTable.SetupItem])
        /// L1 writes 8 bytes at a GPA.
        case poke(gpa: UInt64, value: UInt64)
        /// L1's TDG.VP.ENTER of VM1 with this RFLAGS and interrupt status in the guest-state buffer.
        case enter(rflags: UInt64, status: UInt16)
        /// L1's TDG.MEM.PAGE.ACCEPT of the PENDING 2M page.
        case accept2M
        /// L1's TDG.VP.RD of VM1's VMCS field (a TDCALL the module completes).
        case vpRead(encoding: UInt32)
        /// L1 takes a virtual interrupt if one is recognized.
        case l1Take
        /// L2 events (register writes first).
        case l2([L2Event])
    }

    /// One parsed row.
    public struct Case: Sendable {
        public var id: String
        public var steps: [Step]
        public var result: String?
        public var status: TDXStatus?
        public var deliveries: [Delivery]?
        public var state: [(key: String, value: String)]
        public var checks: [ExitRoutingTable.Check]
    }

    /// The result kinds the `result=` expectation names.
    public static let resultKinds = [
        "none", "done", "entered", "completed", "interrupted", "l2", "module", "l1", "host", "resumed_l1", "resumed_l2",
        "refused", "stopped",
    ]
    /// The state items an expectation may name.
    static let stateKeys = [
        "l1.rvi", "l1.ppr", "l1.irr", "l1.isr", "pid.on", "pid.pir", "pend_nmi", "location", "stranded",
    ]

    /// Loads the table from a `Specs` directory.
    public static func load(from directory: String) throws(InputError) -> SpecTable {
        try SpecCatalog.load(file, from: directory)
    }

    /// Parses one row, or names the bad cell.
    public static func parse(_ row: SpecTable.Row) throws(InputError) -> Case {
        guard injectors.contains(row["who"]) else {
            throw InputError(
                file: row.file, line: row.line, field: "who",
                "expected one of \(injectors.joined(separator: ", ")), got \"\(row["who"])\"")
        }
        for column in ["how", "vectors", "situation"] where row[column].isEmpty || row[column] == "-" {
            throw InputError(file: row.file, line: row.line, field: column, "must say something")
        }
        let steps = try parseSteps(row["steps"], file: row.file, line: row.line)
        var c = Case(id: row["id"], steps: steps, result: nil, status: nil, deliveries: nil, state: [], checks: [])
        try parseExpect(row["expect"], into: &c, file: row.file, line: row.line)
        return c
    }

    /// nil when the model agrees with the row, else what it did instead.
    public static func check(_ row: SpecTable.Row) throws(InputError) -> String? {
        let c = try parse(row)
        return run(c).map { "\(c.id): \($0)" }
    }

    // MARK: - The `steps` cell

    static func integer(_ text: some StringProtocol, _ bad: (String) -> InputError) throws(InputError) -> UInt64 {
        guard let v = ConfigDecoder.parseInteger(String(text)) else { throw bad("\"\(text)\" is not an integer") }
        return v
    }

    /// Parses a `steps` cell: `;`-separated steps.
    static func parseSteps(_ cell: String, file: String, line: Int) throws(InputError) -> [Step] {
        func bad(_ why: String) -> InputError { InputError(file: file, line: line, field: "steps", why) }
        var steps: [Step] = []
        for part in cell.split(separator: ";", omittingEmptySubsequences: false) {
            let text = String(part.drop(while: { $0 == " " }))
            var words = text.split(separator: " ").map(String.init)
            guard !words.isEmpty else { throw bad("empty step") }
            let verb = words.removeFirst()
            func pairs() throws(InputError) -> [String: UInt64] {
                var d: [String: UInt64] = [:]
                for w in words {
                    let kv = w.split(separator: "=", maxSplits: 1)
                    guard kv.count == 2 else { throw bad("\(verb): expected KEY=VALUE, got \"\(w)\"") }
                    d[String(kv[0])] = try integer(kv[1], bad)
                }
                return d
            }
            switch verb {
            case "pi":
                guard words.isEmpty else { throw bad("pi takes no operands") }
                steps.append(.enablePostedInterrupts)
            case "host_wr":
                let d = try pairs()
                guard d.count == 1, let (k, v) = d.first, hostFields[k] != nil else {
                    throw bad("host_wr: expected one of \(hostFields.keys.sorted().joined(separator: ", "))=VALUE")
                }
                steps.append(.hostWrite(field: k, value: v))
            case "post", "post_quiet":
                guard words.count == 1 else { throw bad("\(verb): expected V,V,… (vectors)") }
                var vectors: [UInt8] = []
                for v in words[0].split(separator: ",") {
                    let n = try integer(v, bad)
                    guard n <= 0xFF else { throw bad("\(verb): vector \(v) above 255") }
                    vectors.append(UInt8(n))
                }
                steps.append(.post(vectors: vectors, notify: verb == "post"))
            case "host_enter":
                guard words.isEmpty || words == ["resume_l1"] else { throw bad("host_enter takes only resume_l1") }
                steps.append(.hostEnter(resumeL1: !words.isEmpty))
            case "l1_state":
                let d = try pairs()
                guard Set(d.keys) == ["rvi", "ppr"], let rvi = d["rvi"], let ppr = d["ppr"], rvi <= 0xFF, ppr <= 0xFF
                else { throw bad("l1_state: expected rvi=V ppr=V (bytes)") }
                steps.append(.l1State(rvi: UInt8(rvi), ppr: UInt8(ppr)))
            case "wr":
                guard words.count == 1 else { throw bad("wr: expected one setup item (vmcs.ENC=V, tsc_deadline=V, …)") }
                let items: [ExitRoutingTable.SetupItem]
                do {
                    items = try ExitRoutingTable.parseSetup(words[0], memoryGPA: nil, file: file, line: line)
                } catch {
                    throw bad("wr: \(error.message)")
                }
                for item in items {
                    guard case .vpWrite = item else { throw bad("wr: \(words[0]) is not a TDG.VP.WR") }
                }
                steps.append(.l1Write(items))
            case "poke":
                let p = words.first?.split(separator: ":") ?? []
                guard words.count == 1, p.count == 2 else { throw bad("poke: expected GPA:VALUE") }
                steps.append(.poke(gpa: try integer(p[0], bad), value: try integer(p[1], bad)))
            case "enter":
                let d = try pairs()
                if let k = d.keys.sorted().first(where: { !["rflags", "status"].contains($0) }) {
                    throw bad("enter takes rflags= and status=, not \(k)=")
                }
                guard (d["status"] ?? 0) <= 0xFFFF else { throw bad("enter: status above 16 bits") }
                steps.append(.enter(rflags: d["rflags"] ?? 0x202, status: UInt16(d["status"] ?? 0)))
            case "accept2m":
                guard words.isEmpty else { throw bad("accept2m takes no operands") }
                steps.append(.accept2M)
            case "vp_rd":
                guard words.count == 1 else { throw bad("vp_rd: expected a VMCS encoding") }
                let enc = try integer(words[0], bad)
                guard enc <= 0x7FFF else { throw bad("vp_rd: not a 15-bit VMCS encoding") }
                steps.append(.vpRead(encoding: UInt32(enc)))
            case "l1_take":
                guard words.isEmpty else { throw bad("l1_take takes no operands") }
                steps.append(.l1Take)
            case "l2":
                var rest = words
                var during = false
                if rest.first == "during_delivery" {
                    during = true
                    rest.removeFirst()
                }
                var events: [L2Event]
                do {
                    (events, _) = try ExitRoutingTable.parseEvent(rest.joined(separator: " "), file: file, line: line)
                } catch {
                    throw bad("l2: \(error.message)")
                }
                if during, let last = events.popLast() { events.append(.duringDelivery(last)) }
                steps.append(.l2(events))
            default:
                throw bad(
                    "unknown step \"\(verb)\" (known: pi, host_wr, post, post_quiet, host_enter, l1_state, wr, poke, enter, accept2m, vp_rd, l1_take, l2)"
                )
            }
        }
        return steps
    }

    // MARK: - The `expect` cell

    /// Parses a `deliveries` item `VM:VECTOR:TYPE:VIA:COUNT` (TYPE and VIA in their trace spellings).
    static func parseDelivery(_ text: Substring, _ bad: (String) -> InputError) throws(InputError) -> Delivery {
        let p = text.split(separator: ":")
        guard p.count == 5, let vm = Int(p[0]), (0...3).contains(vm),
            let type = InterruptionInfo.InterruptionType(name: String(p[2])),
            let via = Delivery.Via(name: String(p[3])), let count = UInt32(p[4])
        else { throw bad("expected VM:VECTOR:TYPE:VIA:COUNT (trace spellings of TYPE and VIA), got \"\(text)\"") }
        let vector = try integer(p[1], bad)
        guard vector <= 0xFF else { throw bad("vector above 255 in \"\(text)\"") }
        return Delivery(vm: vm, info: InterruptionInfo(vector: UInt8(vector), type: type), via: via, count: count)
    }

    static func parseExpect(_ cell: String, into c: inout Case, file: String, line: Int) throws(InputError) {
        func bad(_ why: String) -> InputError { InputError(file: file, line: line, field: "expect", why) }
        var rest: [String] = []
        for part in cell.split(separator: ";", omittingEmptySubsequences: false) {
            let text = String(part.drop(while: { $0 == " " }))
            guard let eq = text.firstIndex(of: "=") else { throw bad("\"\(text)\" is not KEY=VALUE") }
            let key = String(text[..<eq]), value = text[text.index(after: eq)...]
            switch key {
            case "result":
                guard resultKinds.contains(String(value)) else {
                    throw bad("result: expected one of \(resultKinds.joined(separator: ", ")), got \"\(value)\"")
                }
                c.result = String(value)
            case "status":
                guard let s = TDXStatus.allNamed.first(where: { $0.name == value })?.status else {
                    throw bad("status: unknown status \(value)")
                }
                c.status = s
            case "deliveries":
                if value == "none" {
                    c.deliveries = []
                } else {
                    var list: [Delivery] = []
                    for d in value.split(separator: ",") { list.append(try parseDelivery(d, bad)) }
                    c.deliveries = list
                }
            case _ where stateKeys.contains(key):
                c.state.append((key, String(value)))
            default:
                rest.append(text)
            }
        }
        guard c.result != nil else { throw bad("every row needs result=") }
        if !rest.isEmpty {
            do {
                c.checks = try ExitRoutingTable.parseChecks(
                    rest.joined(separator: ";"), route: .l1, file: file, line: line)
            } catch {
                throw bad(error.message)
            }
        }
    }

    // MARK: - Running a case

    /// A step's result.
    enum Got {
        case none
        case done(RegisterFile)
        case entered
        case completed(RegisterFile)
        case interrupted(RegisterFile)
        case l2
        case module
        case l1(RegisterFile)
        case host(RegisterFile)
        case resumedL1(RegisterFile?)
        case resumedL2
        case refused(String)
        case stopped

        var kind: String {
            switch self {
            case .none: "none"
            case .done: "done"
            case .entered: "entered"
            case .completed: "completed"
            case .interrupted: "interrupted"
            case .l2: "l2"
            case .module: "module"
            case .l1: "l1"
            case .host: "host"
            case .resumedL1: "resumed_l1"
            case .resumedL2: "resumed_l2"
            case .refused: "refused"
            case .stopped: "stopped"
            }
        }

        var registers: RegisterFile? {
            switch self {
            case .done(let r), .completed(let r), .interrupted(let r), .l1(let r), .host(let r): r
            case .resumedL1(let r): r
            default: nil
            }
        }
    }

    static func got(_ o: L2Outcome) -> Got {
        switch o {
        case .continued: .l2
        case .moduleHandled: .module
        case .exitToL1(let r): .l1(r)
        case .tdExit(let e): .host(e.registers)
        }
    }

    static func got(_ outcome: TDCallOutcome, _ r: RegisterFile) -> Got {
        switch outcome {
        case .completed: .completed(r)
        case .enteredL2: .entered
        case .interrupted: .interrupted(r)
        case .tdExit(let e): .host(e.registers)
        }
    }

    static func got(_ error: MachineError) -> Got {
        if case .moduleStopped = error { return .stopped }
        return .refused("\(error)")
    }

    /// The fixture TD: NUM_L2_VMS = 1, one vCPU, pages 0x0000–0x7FFF MAPPED, a PENDING 4K page at 0x10000 and a
    /// PENDING 2M page at 0x400000;
    /// VM1's virtual-APIC page at 0x2000 (L1 writes it first).
    static func machine() -> Machine {
        Machine(
            config: MachineConfig(
                numL2VMs: 1,
                memory: [
                    .init(gpa: 0, size: 0x8000, state: .mapped),
                    .init(gpa: 0x10000, size: 0x1000, state: .pending),
                    .init(gpa: 0x40_0000, size: 0x20_0000, state: .pending, pageLevel: .size2M),
                ]))
    }

    /// Runs `c` on a fresh fixture; nil when everything the row says holds.
    public static func run(_ c: Case) -> String? {
        var m = machine()
        var deliveries: [Delivery] = []
        func l1(_ regs: RegisterFile) -> (TDCallOutcome?, RegisterFile, MachineError?) {
            var r = regs
            do { return (try m.tdcall(vcpu: 0, &r), r, nil) } catch { return (nil, r, error) }
        }
        func host(_ regs: RegisterFile) -> RegisterFile {
            var r = regs
            m.seamcall(&r)
            return r
        }
        let vapic = l1(
            RegisterFile(
                rax: 10, rdx: ExitRoutingTable.vmcsFieldID(0x2012), r8: ExitRoutingTable.virtualAPICGPA, r9: ~0))
        guard vapic.1.rax == 0 else {
            return "setup: TDG.VP.WR of the virtual-APIC GPA returned \(TDXStatus(vapic.1.rax))"
        }
        var last = Got.none
        for (n, step) in c.steps.enumerated() {
            let label = "step \(n + 1)"
            switch step {
            case .enablePostedInterrupts:
                for k in ["nv", "pid", "pin"] {
                    let f = hostFields[k]!
                    let value = k == "nv" ? notificationVector : k == "pid" ? pidAddress : 0x80
                    let r = host(RegisterFile(rax: 43, rcx: Machine.tdvpr(vcpu: 0), rdx: f.id, r8: value, r9: f.mask))
                    guard r.rax == 0 else { return "\(label) pi: TDH.VP.WR \(k) returned \(TDXStatus(r.rax))" }
                }
                last = .none
            case .hostWrite(let k, let value):
                let f = hostFields[k]!
                last = .done(host(RegisterFile(rax: 43, rcx: Machine.tdvpr(vcpu: 0), rdx: f.id, r8: value, r9: f.mask)))
            case .post(let vectors, let notify):
                do {
                    last = try m.postInterrupt(vcpu: 0, vectors: vectors, notify: notify).map(got) ?? .none
                } catch {
                    last = got(error)
                }
            case .hostEnter(let resumeL1):
                switch m.hostEnter(vcpu: 0, resumeL1: resumeL1, hostRegisters: RegisterFile()) {
                case .resumedL1(let r): last = .resumedL1(r)
                case .resumedL2: last = .resumedL2
                case let other: return "\(label): TDH.VP.ENTER gave \(other)"
                }
            case .l1State(let rvi, let ppr):
                do { try m.setL1VirtualInterruptState(vcpu: 0, rvi: rvi, ppr: ppr) } catch {
                    return "\(label): \(error)"
                }
                last = .none
            case .l1Write(let items):
                for case .vpWrite(let id, let value, let mask, let text) in items {
                    let (_, r, e) = l1(RegisterFile(rax: 10, rdx: id, r8: value, r9: mask))
                    guard e == nil, r.rax == 0 else {
                        return "\(label) wr \(text): TDG.VP.WR returned \(TDXStatus(r.rax)) \(e.map { "\($0)" } ?? "")"
                    }
                    last = .done(r)
                }
            case .poke(let gpa, let value):
                do {
                    try m.writeMemory(gpa: gpa, (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) })
                } catch {
                    return "\(label) poke: \(error)"
                }
                last = .none
            case .enter(let rflags, let status):
                var buffer = [UInt8](repeating: 0, count: 0x9A)
                for (offset, value) in [
                    (0x20, ExitRoutingTable.l2RSP), (0x80, rflags), (0x88, ExitRoutingTable.l2RIP),
                    (0x98, UInt64(status)),
                ] {
                    for b in 0..<(offset == 0x98 ? 2 : 8) {
                        buffer[offset + b] = UInt8(truncatingIfNeeded: value >> UInt64(8 * b))
                    }
                }
                do { try m.writeMemory(gpa: ExitRoutingTable.bufferGPA, buffer) } catch { return "\(label): \(error)" }
                let (o, r, e) = l1(RegisterFile(rax: 25, rcx: 1 << 52, rdx: ExitRoutingTable.bufferGPA))
                last = e.map(got) ?? got(o ?? .completed, r)
            case .accept2M:
                let (o, r, e) = l1(RegisterFile(rax: 6, rcx: pending2M))
                last = e.map(got) ?? got(o ?? .completed, r)
            case .vpRead(let enc):
                let (o, r, e) = l1(RegisterFile(rax: 9, rdx: ExitRoutingTable.vmcsFieldID(enc)))
                last = e.map(got) ?? got(o ?? .completed, r)
            case .l1Take:
                do { _ = try m.l1Interruptible(vcpu: 0) } catch { return "\(label): \(error)" }
                last = .none
            case .l2(let events):
                for e in events {
                    do { last = got(try m.l2Event(vcpu: 0, e)) } catch { last = got(error) }
                    if case .l2 = last { continue }
                    if case .module = last { continue }
                    break
                }
            }
            if let d = m.takeDelivery() { deliveries.append(d) }
        }
        return judge(c, last, deliveries, m)
    }

    static func judge(_ c: Case, _ last: Got, _ deliveries: [Delivery], _ m: Machine) -> String? {
        if last.kind != c.result {
            var detail = ""
            if let r = last.registers { detail = " (RAX \(hex64(r.rax)))" }
            if case .refused(let why) = last { detail = " (\(why))" }
            return "the last step gave \(last.kind)\(detail), the table says \(c.result ?? "-")"
        }
        if let s = c.status {
            guard let r = last.registers else { return "status=: the last step has no registers" }
            if r.rax & 0xFFFF_FFFF_0000_0000 != s.rawValue {
                return "RAX is \(hex64(r.rax)), expected \(s) in bits 63:32"
            }
        }
        if let want = c.deliveries, want != deliveries {
            func show(_ l: [Delivery]) -> String {
                l.isEmpty
                    ? "none"
                    : l.map {
                        "\($0.vm):\(hexShort(UInt64($0.vector))):\($0.info.type.name):\($0.via.name):\($0.count)"
                    }
                    .joined(separator: ",")
            }
            return "deliveries \(show(deliveries)), expected \(show(want))"
        }
        let v = m.vcpus[0]
        let l = v.l1Interrupts
        for (key, text) in c.state {
            let got: String
            switch key {
            case "l1.rvi": got = hexShort(UInt64(l.apic.rvi))
            case "l1.ppr": got = hexShort(UInt64(l.apic.ppr))
            case "l1.irr": got = vectorList(l.apic.irr)
            case "l1.isr": got = vectorList(l.apic.isr)
            case "pid.on": got = l.pid.on ? "1" : "0"
            case "pid.pir": got = vectorList(l.pid.pir)
            case "pend_nmi": got = "\(l.pendNMI)"
            case "stranded": got = m.strandedVector(vcpu: 0, vm: 1).map { hexShort(UInt64($0)) } ?? "none"
            default:
                switch v.location {
                case .l1: got = "l1"
                case .l2(let vm): got = "l2.\(vm)"
                case .host: got = "host"
                }
            }
            if normalize(got) != normalize(text) { return "\(key) is \(got), expected \(text)" }
        }
        for check in c.checks {
            let value: UInt64
            switch ExitRoutingTable.read(check.target, m, last.registers) {
            case .success(let x): value = x
            case .failure(let why): return "\(check): \(why)"
            }
            let bits = value >> UInt64(check.lo) & check.mask
            if bits != check.value { return "\(check) failed: got \(hexShort(bits)) (whole value \(hex64(value)))" }
        }
        return nil
    }

    static func vectorList(_ b: VectorBits) -> String {
        b.isEmpty ? "none" : b.vectors.map { hexShort(UInt64($0)) }.joined(separator: ",")
    }

    /// Numbers compared by value (0x30 = 48), lists item by item.
    static func normalize(_ s: String) -> String {
        s.split(separator: ",").map { ConfigDecoder.parseInteger(String($0)).map { "\($0)" } ?? String($0) }
            .joined(separator: ",")
    }
}
