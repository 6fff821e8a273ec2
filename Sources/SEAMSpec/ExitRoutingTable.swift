import SEAMCore
import SEAMFormats
import SEAMTypes

/// `Specs/exit-routing.tsv`: one L2 event per row, on a fresh TD, with where the module sends it (module
/// `src/td_dispatcher/tdx_td_l2_dispatcher.c`) and the registers the exit leaves, checked against
/// `Machine.l2Event`.
///
///     row ──parse──▶ Case (setup items, L2 events, route, exit reason, checks)
///         ──run──▶ fixture TD ─▶ L1: TDG.VP.WR setup, buffer, TDG.VP.ENTER ─▶ L2 events
///                  ─▶ outcome (continued / L2→L1 exit / TD exit [─▶ TDH.VP.ENTER]) ──▶ agree?
///
/// The event, setup and check languages are documented in the table's header. Cell errors are `InputError`s
/// naming the file, the line and the column.
public enum ExitRoutingTable {
    /// The table's file name under `Specs/`.
    public static let file = "exit-routing.tsv"
    /// The columns the checker reads (plus `source`, which every table has).
    public static let columns = ["id", "event", "setup", "route", "exit_reason", "checks"]

    // MARK: - The fixture (the table's header describes it)

    /// GPA of the L2_ENTER_GUEST_STATE buffer.
    public static let bufferGPA: UInt64 = 0x1000
    /// GPA of VM1's virtual-APIC page.
    public static let virtualAPICGPA: UInt64 = 0x2000
    /// The always-mapped pages 0x0000–0x3FFF; an event page must lie above them.
    static let fixedPagesEnd: UInt64 = 0x4000
    /// L2's RIP, RSP and RFLAGS in the buffer TDG.VP.ENTER loads.
    public static let l2RIP: UInt64 = 0x8000
    public static let l2RSP: UInt64 = 0x7F00
    public static let l2RFLAGS: UInt64 = 0x2
    /// L1's RSP and RBP when it calls TDG.VP.ENTER.
    public static let l1RSP: UInt64 = 0x7777_0000
    public static let l1RBP: UInt64 = 0x1111

    // MARK: - Parsed rows

    /// Where the row says the event goes.
    public enum Route: String, Sendable, CaseIterable {
        /// The module handles it and L2 goes on (instruction emulated, #GP injected, error in L2's RAX).
        case module
        /// An L2→L1 exit: L1's TDG.VP.ENTER returns.
        case l1
        /// A TD exit to the host (not fatal).
        case host
        /// Completes inside L2 without the module or L1.
        case l2
        /// A TD exit that makes the TD unusable.
        case fatal
        /// A TD exit, then TDH.VP.ENTER with RESUME_L1: L1's TDG.VP.ENTER returns a HOST_ROUTED status.
        case hostThenL1 = "host>l1"
        /// A TD exit, then TDH.VP.ENTER without RESUME_L1: L2 runs again.
        case hostThenL2 = "host>l2"

        /// Whether the route ends with a register file the plain register names of `checks` refer to.
        var hasExitRegisters: Bool { self == .l1 || self == .host || self == .fatal || self == .hostThenL1 }
    }

    /// The state of the event's page (GPA bits 46:12) when the TD is built.
    public enum PageState: String, Sendable, CaseIterable {
        case mapped, pending, unmapped, blocked
    }

    /// One item of the `setup` cell, in the order L1 (or the host) performs it before TDG.VP.ENTER.
    public enum SetupItem: Sendable, Equatable {
        /// TDG.VP.WR of `fieldID` with R8 = `value`, R9 = `mask`; must succeed.
        case vpWrite(fieldID: UInt64, value: UInt64, mask: UInt64, label: String)
        /// TDG.MEM.PAGE.ATTR.WR giving VM1 these attributes (R, W, Xs, Xu in bits 3:0) on the event page.
        case alias(UInt16)
        /// The event page's state.
        case page(PageState)
        /// L1 writes an 8-byte little-endian value at a GPA before entering L2.
        case poke(gpa: UInt64, value: UInt64)
        /// A register the host passes to TDH.VP.ENTER on a host>l1 or host>l2 row.
        case hostRegister(Int, UInt64)
    }

    /// What a check reads.
    public enum Target: Sendable, Equatable {
        /// Register `n` of the exit: L1's registers after an L2→L1 exit, the host's after a TD exit.
        case exitRegister(Int)
        /// L2's GPR `n`: the live image while L2 runs or the host holds the vCPU, else the guest-state buffer.
        case l2Register(Int)
        case l2RIP, l2RFLAGS, l2CR0, l2CR4, l2EFER
        /// VM1's VMCS field with this encoding, raw.
        case vmcs(UInt32)
        /// 8 bytes at a GPA, little-endian, as L1 reads them.
        case memory(UInt64)
    }

    /// One `KEY=VALUE` of the `checks` cell; bits `hi`…`lo` of the target must equal `value`.
    public struct Check: Sendable, Equatable, CustomStringConvertible {
        public var target: Target
        public var hi: Int
        public var lo: Int
        public var value: UInt64
        public var text: String

        var mask: UInt64 { hi - lo == 63 ? ~0 : ((1 << UInt64(hi - lo + 1)) - 1) }
        public var description: String { text }
    }

    /// One parsed row.
    public struct Case: Sendable {
        public var id: String
        public var setup: [SetupItem]
        /// The events L2 performs: register writes first, then the event itself.
        public var events: [L2Event]
        /// The GPA of a memory event (its page is the one `page=` and `alias=` act on).
        public var memoryGPA: UInt64?
        public var route: Route
        public var exitReason: UInt32?
        public var checks: [Check]
    }

    /// Loads the table from a `Specs` directory.
    public static func load(from directory: String) throws(InputError) -> SpecTable {
        try SpecCatalog.load(file, from: directory)
    }

    /// Parses one row, or names the bad cell.
    public static func parse(_ row: SpecTable.Row) throws(InputError) -> Case {
        let (events, gpa) = try parseEvent(row["event"], file: row.file, line: row.line)
        let setup = try parseSetup(row["setup"], memoryGPA: gpa, file: row.file, line: row.line)
        guard let route = Route(rawValue: row["route"]) else {
            let names = Route.allCases.map(\.rawValue).joined(separator: ", ")
            throw InputError(
                file: row.file, line: row.line, field: "route", "expected one of \(names), got \"\(row["route"])\"")
        }
        let reason: UInt32?
        if row["exit_reason"] == "-" {
            reason = nil
        } else {
            let n = try row.integer("exit_reason")
            guard n <= UInt32.max else {
                throw InputError(file: row.file, line: row.line, field: "exit_reason", "above 32 bits")
            }
            reason = UInt32(n)
        }
        let needsReason = route == .l1 || route == .host || route == .fatal || route == .hostThenL1
        guard needsReason == (reason != nil) else {
            throw InputError(
                file: row.file, line: row.line, field: "exit_reason",
                needsReason ? "route \(route.rawValue) needs an exit reason" : "route \(route.rawValue) takes -")
        }
        let checks = try parseChecks(row["checks"], route: route, file: row.file, line: row.line)
        return Case(
            id: row["id"], setup: setup, events: events, memoryGPA: gpa, route: route, exitReason: reason,
            checks: checks)
    }

    /// nil when the model agrees with the row, else what it did instead.
    public static func check(_ row: SpecTable.Row) throws(InputError) -> String? {
        let c = try parse(row)
        return run(c).map { "\(c.id): \($0)" }
    }

    // MARK: - The `event` cell

    /// The events without operands, by their `L2Event.Kind` names; RDMSR, WRMSR and TDCALL take their
    /// register operand in this table's cells.
    static let bare: [String: L2Event] = Dictionary(
        uniqueKeysWithValues: L2Event.Kind.bareKinds.filter { ![.rdmsr, .wrmsr, .tdcall].contains($0) }.map {
            ($0.name, $0.bare!)
        })

    /// Parses an `event` cell into L2 events (register writes first) and the GPA of a memory event.
    static func parseEvent(_ cell: String, file: String, line: Int) throws(InputError) -> ([L2Event], UInt64?) {
        func bad(_ why: String) -> InputError { InputError(file: file, line: line, field: "event", why) }
        var words = cell.split(separator: " ").map(String.init)
        guard !words.isEmpty else { throw bad("empty event") }
        let kind = words.removeFirst()
        // Trailing REG=VALUE words: L2 writes those registers before the event.
        var presets: [(Int, UInt64)] = []
        var options: [String: String] = [:]
        var flags: Set<String> = []
        var operands: [String] = []
        for w in words {
            if let eq = w.firstIndex(of: "=") {
                let key = String(w[..<eq]), text = String(w[w.index(after: eq)...])
                guard let value = ConfigDecoder.parseInteger(text) else {
                    throw bad("expected an integer after \(key)= in \"\(w)\"")
                }
                if let r = RegisterFile.names.firstIndex(of: key) {
                    presets.append((r, value))
                } else {
                    guard options[key] == nil else { throw bad("\(key)= given twice") }
                    options[key] = text
                }
            } else if ["user", "str", "rep", "imm", "in", "out"].contains(w) {
                flags.insert(w)
            } else {
                operands.append(w)
            }
        }
        func operand(_ i: Int, _ what: String) throws(InputError) -> UInt64 {
            guard i < operands.count else { throw bad("\(kind): missing \(what)") }
            guard let v = ConfigDecoder.parseInteger(operands[i]) else {
                throw bad("\(kind): \(what) \"\(operands[i])\" is not an integer")
            }
            return v
        }
        func option(_ key: String) -> UInt64? { options[key].flatMap(ConfigDecoder.parseInteger) }
        func expect(operands n: Int, options allowed: [String] = [], flags allowedFlags: [String] = [])
            throws(InputError)
        {
            guard operands.count <= n else { throw bad("\(kind): unexpected \"\(operands[n])\"") }
            if let k = options.keys.sorted().first(where: { !allowed.contains($0) }) {
                throw bad("\(kind) takes no \(k)= (registers are \(RegisterFile.names.joined(separator: ", ")))")
            }
            if let f = flags.sorted().first(where: { !allowedFlags.contains($0) }) {
                throw bad("\(kind) takes no \"\(f)\"")
            }
        }
        func register(_ i: Int, default d: Int) throws(InputError) -> Int {
            guard i < operands.count else { return d }
            guard let r = RegisterFile.names.firstIndex(of: operands[i]) else {
                throw bad("\(kind): \"\(operands[i])\" is not a register name")
            }
            return r
        }

        var events: [L2Event] = []
        var gpa: UInt64?
        switch kind {
        case _ where bare[kind] != nil:
            try expect(operands: 0)
            events = [bare[kind] ?? .cpuid]
        case "io":
            try expect(operands: 2, flags: ["in", "out", "str", "rep", "imm"])
            guard flags.contains("in") != flags.contains("out") else { throw bad("io needs exactly one of in, out") }
            let port = try operand(0, "port"), size = try operand(1, "size")
            guard port <= 0xFFFF, [1, 2, 4].contains(size) else { throw bad("io: port above 0xFFFF or size not 1/2/4") }
            events = [
                .io(
                    IOAccess(
                        port: UInt16(port), size: UInt8(size), isIn: flags.contains("in"),
                        isString: flags.contains("str"), isRep: flags.contains("rep"),
                        isImmediate: flags.contains("imm")))
            ]
        case "rdmsr":
            try expect(operands: 1)
            events = [.setRegister(1, try operand(0, "MSR")), .rdmsr]
        case "wrmsr":
            try expect(operands: 2)
            let v = try operand(1, "value")
            events = [
                .setRegister(1, try operand(0, "MSR")), .setRegister(0, v & 0xFFFF_FFFF), .setRegister(2, v >> 32),
                .wrmsr,
            ]
        case "tdcall":
            try expect(operands: 1)
            events = [.setRegister(0, try operand(0, "RAX")), .tdcall]
        case "mov_to_cr", "mov_from_cr":
            let cr = try operand(0, "CR number")
            guard [0, 3, 4, 8].contains(cr) else { throw bad("\(kind): CR\(cr) is not 0, 3, 4 or 8") }
            if kind == "mov_to_cr" {
                try expect(operands: 3)
                let gpr = try register(2, default: 0)
                guard gpr != 4 else { throw bad("mov_to_cr from rsp is not supported by the table") }
                events = [.setRegister(gpr, try operand(1, "value")), .movToCR(cr: UInt8(cr), gpr: UInt8(gpr))]
            } else {
                try expect(operands: 2)
                events = [.movFromCR(cr: UInt8(cr), gpr: UInt8(try register(1, default: 0)))]
            }
        case "lmsw":
            try expect(operands: 1)
            let v = try operand(0, "source")
            guard v <= 0xFFFF else { throw bad("lmsw: source above 16 bits") }
            events = [.lmsw(UInt16(v))]
        case "read", "write", "fetch":
            try expect(operands: kind == "write" ? 2 : 1, options: ["gla", "size"], flags: ["user"])
            let a = try operand(0, "GPA")
            let size = option("size") ?? 8
            guard (1...8).contains(size) else { throw bad("\(kind): size= must be 1…8") }
            let k: MemoryAccess.Kind = kind == "read" ? .read : kind == "write" ? .write : .fetch
            let value = kind == "write" && operands.count > 1 ? try operand(1, "value") : 0
            events = [
                .memory(
                    MemoryAccess(
                        kind: k, gpa: a, size: UInt8(size), value: value, isUser: flags.contains("user"),
                        gla: option("gla")))
            ]
            gpa = a
        case "exception":
            try expect(operands: 1, options: ["err"])
            let v = try operand(0, "vector")
            guard v < 32, v != 2 else { throw bad("exception: vector must be 0…31 and not 2 (use nmi)") }
            events = [
                .exception(
                    vector: UInt8(v),
                    errorCode: options["err"] == nil ? nil : UInt32(truncatingIfNeeded: option("err") ?? 0))
            ]
        case "extint":
            try expect(operands: 1)
            let v = try operand(0, "vector")
            guard v <= 0xFF else { throw bad("extint: vector above 255") }
            events = [.externalInterrupt(vector: UInt8(v))]
        case "time":
            try expect(operands: 1)
            events = [.time(ticks: try operand(0, "ticks"))]
        case "exit":
            try expect(operands: 1, options: ["qual", "len"])
            let r = try operand(0, "exit reason")
            guard r <= 0xFFFF else { throw bad("exit: basic reason above 0xFFFF") }
            events = [
                .exit(
                    ExitReason(UInt32(r)), qualification: option("qual") ?? 0,
                    instructionLength: UInt32(truncatingIfNeeded: option("len") ?? 0))
            ]
        default:
            throw bad(
                "unknown event \"\(kind)\" (known: cpuid, hlt, vmcall, clts, nmi, io, rdmsr, wrmsr, tdcall, mov_to_cr, mov_from_cr, lmsw, read, write, fetch, exception, extint, exit)"
            )
        }
        let all = presets.map { L2Event.setRegister($0.0, $0.1) } + events
        // The same operand rules as every other reader of L2 events (and the machine).
        for e in all {
            if let (operand, message) = e.problem { throw bad("\(e.kind.name).\(operand): \(message)") }
        }
        return (all, gpa)
    }

    // MARK: - The `setup` cell

    /// TDG.VP.WR field IDs (module `include/auto_gen/tdvps_fields_lookup.c`): VM1's VMCS (class 36), L1's MSR
    /// bitmap for VM1 (class 37), L2_CTLS[1] and TSC_DEADLINE[1] (management class 32).
    static func vmcsFieldID(_ encoding: UInt32) -> UInt64 {
        // VMCS encoding bits 14:13 give the width: 0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural width.
        let sizeCode: UInt64 = [1, 3, 2, 3][Int(encoding >> 13 & 3)]
        return 0x2420_0000_0000_0000 | sizeCode << 32 | UInt64(encoding)
    }
    static func msrBitmapFieldID(word: Int) -> UInt64 { 0x2520_0003_0000_0000 | UInt64(word) }
    static let l2CtlsVM1FieldID: UInt64 = 0xA020_0003_0000_0051
    /// TSC_DEADLINE[1] (management class 32, field code 0x58 + VM).
    static let tscDeadlineVM1FieldID: UInt64 = 0xA020_0003_0000_0059

    /// Named VMCS fields a setup item may write with `NAME=VALUE`.
    static let namedFields: [(name: String, encoding: UInt32)] = [
        ("cr0_mask", 0x6000), ("cr4_mask", 0x6002), ("cr0_shadow", 0x6004), ("cr4_shadow", 0x6006),
        ("exc_bitmap", 0x4004), ("pfec_mask", 0x4006), ("pfec_match", 0x4008),
    ]

    /// The TDG.VP.WRs `mode=long64` stands for: IA-32e mode guest, EFER LME|LMA (0xD01 with SCE and NXE),
    /// CR0 PG|NE|PE, CR4 PAE|MCE|VMXE, CS access rights 0xA09B (L = 1, D = 0: a present, accessed, readable
    /// DPL 0 code segment with G).
    static let long64: [SetupItem] = [
        .vpWrite(
            fieldID: vmcsFieldID(VMCSField.entryControls.rawValue), value: EntryControls.ia32eModeGuest.rawValue,
            mask: EntryControls.ia32eModeGuest.rawValue, label: "mode=long64 (entry controls)"),
        .vpWrite(
            fieldID: vmcsFieldID(VMCSField.guestEFER.rawValue), value: IA32EFER([.sce, .lme, .lma, .nxe]).rawValue,
            mask: ~0, label: "mode=long64 (EFER)"),
        .vpWrite(
            fieldID: vmcsFieldID(VMCSField.guestCR0.rawValue), value: CR0([.pg, .ne, .pe]).rawValue, mask: ~0,
            label: "mode=long64 (CR0)"),
        .vpWrite(
            fieldID: vmcsFieldID(VMCSField.guestCR4.rawValue), value: CR4([.pae, .mce, .vmxe]).rawValue, mask: ~0,
            label: "mode=long64 (CR4)"),
        .vpWrite(
            fieldID: vmcsFieldID(VMCSField.guestCSAccessRights.rawValue),
            value: UInt64(SegmentAccessRights([.g, .l, .p, .s, .code, .readWrite, .accessed]).rawValue), mask: ~0,
            label: "mode=long64 (CS AR)"),
    ]

    /// The bit of L1's MSR bitmap page for (MSR, write) (SDM 3C 25.6.9: read-low, read-high, write-low,
    /// write-high quarters of 1 KiB), or nil for an MSR outside both ranges.
    static func msrBitmapBit(_ msr: UInt64, write: Bool) -> Int? {
        let base: Int
        switch msr {
        case 0...0x1FFF: base = 0
        case 0xC000_0000...0xC000_1FFF: base = 0x2000
        default: return nil
        }
        return base + Int(msr & 0x1FFF) + (write ? 0x4000 : 0)
    }

    /// Parses a `setup` cell; `memoryGPA` is the event's GPA, which `alias=` and `page=` act on.
    static func parseSetup(_ cell: String, memoryGPA: UInt64?, file: String, line: Int) throws(InputError)
        -> [SetupItem]
    {
        if cell == "-" { return [] }
        func bad(_ why: String) -> InputError { InputError(file: file, line: line, field: "setup", why) }
        var items: [SetupItem] = []
        for part in cell.split(separator: ";", omittingEmptySubsequences: false) {
            let text = String(part)
            guard let eq = text.firstIndex(of: "=") else { throw bad("\"\(text)\" is not KEY=VALUE") }
            var key = String(text[..<eq])
            let valueText = String(text[text.index(after: eq)...])
            let orBits = key.hasSuffix("|")
            if orBits { key.removeLast() }
            func integer(_ t: String) throws(InputError) -> UInt64 {
                guard let v = ConfigDecoder.parseInteger(t) else { throw bad("expected an integer in \"\(text)\"") }
                return v
            }
            if orBits && !key.hasPrefix("vmcs.") { throw bad("|= is only for vmcs.<encoding> in \"\(text)\"") }
            if let f = namedFields.first(where: { $0.name == key }) {
                items.append(
                    .vpWrite(fieldID: vmcsFieldID(f.encoding), value: try integer(valueText), mask: ~0, label: text))
            } else if key.hasPrefix("vmcs.") {
                let enc = try integer(String(key.dropFirst(5)))
                guard enc <= 0x7FFF, enc & 1 == 0 else { throw bad("\(key): not an even 15-bit VMCS encoding") }
                let v = try integer(valueText)
                items.append(.vpWrite(fieldID: vmcsFieldID(UInt32(enc)), value: v, mask: orBits ? v : ~0, label: text))
            } else if key.hasPrefix("host.") {
                guard let r = RegisterFile.names.firstIndex(of: String(key.dropFirst(5))) else {
                    throw bad("\(key): not a register name")
                }
                items.append(.hostRegister(r, try integer(valueText)))
            } else {
                switch key {
                case "l2ctls":
                    items.append(
                        .vpWrite(fieldID: l2CtlsVM1FieldID, value: try integer(valueText), mask: ~0, label: text))
                case "tsc_deadline":
                    items.append(
                        .vpWrite(fieldID: tscDeadlineVM1FieldID, value: try integer(valueText), mask: ~0, label: text))
                case "mode":
                    guard valueText == "long64" else { throw bad("mode: only long64 is defined") }
                    items += long64
                case "msr_bitmap_clear":
                    let parts = valueText.split(separator: ":")
                    guard parts.count == 2, ["r", "w", "rw"].contains(parts[1]) else {
                        throw bad("msr_bitmap_clear: expected MSR:r, MSR:w or MSR:rw in \"\(text)\"")
                    }
                    let msr = try integer(String(parts[0]))
                    for write in [false, true] where parts[1].contains(write ? "w" : "r") {
                        guard let bit = msrBitmapBit(msr, write: write) else {
                            throw bad("msr_bitmap_clear: \(hexShort(msr)) is outside the MSR bitmap ranges")
                        }
                        items.append(
                            .vpWrite(
                                fieldID: msrBitmapFieldID(word: bit >> 6), value: 0, mask: 1 << UInt64(bit & 63),
                                label: text))
                    }
                case "alias":
                    guard memoryGPA != nil else { throw bad("alias= needs a read, write or fetch event") }
                    if valueText == "none" { break }
                    var attrs: UInt16 = 0
                    for ch in valueText {
                        guard let i = "rwxu".firstIndex(of: ch) else {
                            throw bad("alias: expected none or letters from r, w, x (Xs), u (Xu), got \"\(valueText)\"")
                        }
                        attrs |= 1 << UInt16("rwxu".distance(from: "rwxu".startIndex, to: i))
                    }
                    items.append(.alias(attrs))
                case "page":
                    guard let gpa = memoryGPA else { throw bad("page= needs a read, write or fetch event") }
                    guard let state = PageState(rawValue: valueText) else {
                        throw bad("page: expected mapped, pending, unmapped or blocked, got \"\(valueText)\"")
                    }
                    guard privatePage(gpa) >= fixedPagesEnd else {
                        throw bad("page=: the event's page \(hexShort(privatePage(gpa))) is one of the fixed pages")
                    }
                    items.append(.page(state))
                case "poke":
                    let parts = valueText.split(separator: ":")
                    guard parts.count == 2 else { throw bad("poke: expected GPA:VALUE in \"\(text)\"") }
                    items.append(.poke(gpa: try integer(String(parts[0])), value: try integer(String(parts[1]))))
                default:
                    throw bad(
                        "unknown setup key \"\(key)\" (known: l2ctls, tsc_deadline, mode, msr_bitmap_clear, alias, page, poke, \(namedFields.map(\.name).joined(separator: ", ")), vmcs.<encoding>, host.<register>)"
                    )
                }
            }
        }
        return items
    }

    /// The private page an event GPA names: bits 46:12 (the shared bit 47 and bits 51:48 dropped).
    static func privatePage(_ gpa: UInt64) -> UInt64 { gpa & 0x0000_7FFF_FFFF_F000 }

    // MARK: - The `checks` cell

    /// Parses a `checks` cell; plain register names need a route that ends with exit registers.
    static func parseChecks(_ cell: String, route: Route, file: String, line: Int) throws(InputError) -> [Check] {
        if cell == "-" { return [] }
        func bad(_ why: String) -> InputError { InputError(file: file, line: line, field: "checks", why) }
        var checks: [Check] = []
        for part in cell.split(separator: ";", omittingEmptySubsequences: false) {
            let text = String(part)
            guard let eq = text.firstIndex(of: "=") else { throw bad("\"\(text)\" is not KEY=VALUE") }
            var key = String(text[..<eq])
            guard let value = ConfigDecoder.parseInteger(String(text[text.index(after: eq)...])) else {
                throw bad("expected an integer after = in \"\(text)\"")
            }
            var (hi, lo) = (63, 0)
            if key.hasSuffix(".hi") {
                (hi, lo) = (63, 32)
                key.removeLast(3)
            } else if key.hasSuffix(".lo") {
                (hi, lo) = (31, 0)
                key.removeLast(3)
            } else if key.hasSuffix("]"), let open = key.lastIndex(of: "[") {
                let range = key[key.index(after: open)..<key.index(before: key.endIndex)].split(separator: ":")
                guard range.count == 2, let h = Int(range[0]), let l = Int(range[1]), h >= l, h < 64, l >= 0 else {
                    throw bad("bad bit range in \"\(text)\" (write KEY[hi:lo])")
                }
                (hi, lo) = (h, l)
                key = String(key[..<open])
            }
            let target: Target
            if let r = RegisterFile.names.firstIndex(of: key) {
                guard route.hasExitRegisters else {
                    throw bad("\(key): route \(route.rawValue) has no exit registers (use l2.\(key) for L2's)")
                }
                target = .exitRegister(r)
            } else if key.hasPrefix("l2.") {
                let name = String(key.dropFirst(3))
                if let r = RegisterFile.names.firstIndex(of: name) {
                    target = .l2Register(r)
                } else {
                    switch name {
                    case "rip": target = .l2RIP
                    case "rflags": target = .l2RFLAGS
                    case "cr0": target = .l2CR0
                    case "cr4": target = .l2CR4
                    case "efer": target = .l2EFER
                    default:
                        throw bad("unknown L2 item \(key) (l2.<register>, l2.rip, l2.rflags, l2.cr0, l2.cr4, l2.efer)")
                    }
                }
            } else if key.hasPrefix("vmcs.") {
                guard let enc = ConfigDecoder.parseInteger(String(key.dropFirst(5))), enc <= 0x7FFF, enc & 1 == 0 else {
                    throw bad("\(key): not an even 15-bit VMCS encoding")
                }
                target = .vmcs(UInt32(enc))
            } else if key.hasPrefix("mem.") {
                guard let gpa = ConfigDecoder.parseInteger(String(key.dropFirst(4))) else {
                    throw bad("\(key): not a GPA")
                }
                target = .memory(gpa)
            } else {
                throw bad("unknown check key \"\(key)\" (a register, l2.<item>, vmcs.<encoding> or mem.<gpa>)")
            }
            let check = Check(target: target, hi: hi, lo: lo, value: value, text: text)
            guard value & ~check.mask == 0 else {
                throw bad("\(hexShort(value)) does not fit bits \(hi):\(lo) in \"\(text)\"")
            }
            checks.append(check)
        }
        return checks
    }

    // MARK: - Running a case

    /// The fixture TD for `c`: NUM_L2_VMS = 1, GPAW 48, one vCPU, L2 SEPT pages supplied; pages 0x0000–0x3FFF
    /// MAPPED; the event's page in the state `page=` gives (MAPPED when not given).
    static func machine(for c: Case) -> Machine {
        var memory = [MachineConfig.Region(gpa: 0, size: fixedPagesEnd, state: .mapped)]
        var state = PageState.mapped
        for case .page(let s) in c.setup { state = s }
        if let gpa = c.memoryGPA, privatePage(gpa) >= fixedPagesEnd {
            switch state {
            case .mapped, .blocked: memory.append(.init(gpa: privatePage(gpa), size: 0x1000, state: .mapped))
            case .pending: memory.append(.init(gpa: privatePage(gpa), size: 0x1000, state: .pending))
            case .unmapped: break
            }
        }
        return Machine(config: MachineConfig(numL2VMs: 1, memory: memory))
    }

    /// Runs `c` on a fresh fixture; nil when everything the row says holds.
    public static func run(_ c: Case) -> String? {
        var m = machine(for: c)
        var host = RegisterFile()
        func l1(_ regs: RegisterFile) -> RegisterFile {
            var r = regs
            _ = try? m.tdcall(vcpu: 0, &r)
            return r
        }
        // L1 sets up VM1: the virtual-APIC page, then the row's items in order.
        let vapic = l1(RegisterFile(rax: 10, rdx: vmcsFieldID(0x2012), r8: virtualAPICGPA, r9: ~0))
        guard vapic.rax == 0 else { return "setup: TDG.VP.WR of the virtual-APIC GPA returned \(TDXStatus(vapic.rax))" }
        var blockPage = false
        for item in c.setup {
            switch item {
            case .vpWrite(let id, let value, let mask, let label):
                let r = l1(RegisterFile(rax: 10, rdx: id, r8: value, r9: mask))
                guard r.rax == 0 else { return "setup \(label): TDG.VP.WR returned \(TDXStatus(r.rax))" }
            case .alias(let attrs):
                let page = privatePage(c.memoryGPA ?? 0)
                // VM1's field (bits 31:16): VALID with the row's attributes, under an R/W/Xs/Xu mask.
                var rdx = GPAAttr(0)
                rdx[vm: 1] = GPAAttributes(attrs) | .valid
                let r8 = AttrFlags(vm: 1, mask: GPAAttributes.rwx.rawValue)
                let r = l1(RegisterFile(rax: 24, rcx: page, rdx: rdx.rawValue, r8: r8.rawValue))
                guard r.rax == 0 else { return "setup alias: TDG.MEM.PAGE.ATTR.WR returned \(TDXStatus(r.rax))" }
            case .page(let s):
                blockPage = s == .blocked
            case .poke(let gpa, let value):
                do {
                    try m.writeMemory(gpa: gpa, (0..<8).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * $0)) })
                } catch {
                    return "setup poke: \(error)"
                }
            case .hostRegister(let r, let value):
                host[r] = value
            }
        }
        if blockPage {
            var r = RegisterFile(
                rax: UInt64(SEAMCallLeaf.memRangeBlock.rawValue), rcx: privatePage(c.memoryGPA ?? 0), rdx: 0x7000_0000)
            m.seamcall(&r)
            guard r.rax == 0 else { return "setup page=blocked: TDH.MEM.RANGE.BLOCK returned \(TDXStatus(r.rax))" }
        }
        // The guest-state buffer: RSP, RFLAGS, RIP; every other GPR, SSP and the interrupt status 0.
        var buffer = [UInt8](repeating: 0, count: 0x9A)
        for (offset, value) in [(0x20, l2RSP), (0x80, l2RFLAGS), (0x88, l2RIP)] {
            for b in 0..<8 { buffer[offset + b] = UInt8(truncatingIfNeeded: value >> UInt64(8 * b)) }
        }
        do { try m.writeMemory(gpa: bufferGPA, buffer) } catch { return "setup: cannot write the buffer: \(error)" }
        var enter = RegisterFile(rax: 25, rcx: 1 << 52, rdx: bufferGPA)
        enter.rsp = l1RSP
        enter.rbp = l1RBP
        let entry: TDCallOutcome
        do { entry = try m.tdcall(vcpu: 0, &enter) } catch { return "TDG.VP.ENTER: \(error)" }
        guard entry == .enteredL2(vm: 1) else {
            return "TDG.VP.ENTER did not enter VM1: \(entry), RAX \(hex64(enter.rax)) reason \(enter.rax & 0xFFFF_FFFF)"
        }

        var outcome = L2Outcome.continued
        for e in c.events {
            switch outcome {
            case .continued, .moduleHandled: break
            default: return "the event ended before its last step (\(outcome))"
            }
            do { outcome = try m.l2Event(vcpu: 0, e) } catch { return "L2 event \(e): \(error)" }
        }
        return judge(c, outcome, &m, host: host)
    }

    /// Compares the outcome with the row's route, exit reason and checks.
    static func judge(_ c: Case, _ outcome: L2Outcome, _ m: inout Machine, host: RegisterFile) -> String? {
        var exitRegisters: RegisterFile?
        switch (c.route, outcome) {
        case (.module, .moduleHandled), (.l2, .continued):
            break
        case (.l1, .exitToL1(let r)):
            exitRegisters = r
            if r.rax != UInt64(c.exitReason ?? 0) {
                return "L1's RAX is \(hex64(r.rax)), expected SUCCESS with exit reason \(c.exitReason ?? 0)"
            }
            let rip = m.vcpus[0].vmcs(1, VMCSField.guestRIP) ?? 0
            if rip != l2RIP {
                return "L2's RIP is \(hexShort(rip)) after the L2→L1 exit, expected it unmoved (module td_exit.c)"
            }
        case (.host, .tdExit(let e)), (.fatal, .tdExit(let e)):
            if m.isFatal != (c.route == .fatal) {
                return c.route == .fatal
                    ? "the TD exit \(e) did not make the TD fatal" : "the TD exit \(e) made the TD fatal"
            }
            exitRegisters = e.registers
            let got = c.route == .fatal ? e.rax & 0xFFFF_FFFF : e.rax
            if got != UInt64(c.exitReason ?? 0) {
                return "the host's RAX is \(hex64(e.rax)), expected exit reason \(c.exitReason ?? 0)"
            }
        case (.hostThenL1, .tdExit(let e)), (.hostThenL2, .tdExit(let e)):
            if m.isFatal { return "the TD exit \(e) made the TD fatal" }
            let resumeL1 = c.route == .hostThenL1
            switch m.hostEnter(vcpu: 0, resumeL1: resumeL1, hostRegisters: host) {
            case .resumedL1(let r?) where resumeL1:
                exitRegisters = r
                if r.rax & 0xFFFF_FFFF != UInt64(c.exitReason ?? 0) {
                    return "L1's RAX is \(hex64(r.rax)) after RESUME_L1, expected exit reason \(c.exitReason ?? 0)"
                }
            case .resumedL2(vm: 1) where !resumeL1:
                break
            case let other:
                return "TDH.VP.ENTER (RESUME_L1 = \(resumeL1 ? 1 : 0)) after \(e) gave \(other)"
            }
        default:
            return "the event gave \(describe(outcome)), the table says route \(c.route.rawValue)"
        }
        for check in c.checks {
            let got: UInt64
            switch read(check.target, m, exitRegisters) {
            case .success(let v): got = v
            case .failure(let why): return "\(check): \(why)"
            }
            let bits = got >> UInt64(check.lo) & check.mask
            if bits != check.value { return "\(check) failed: got \(hexShort(bits)) (whole value \(hex64(got)))" }
        }
        return nil
    }

    /// The value a check reads.
    static func read(_ t: Target, _ m: Machine, _ exit: RegisterFile?) -> Result<UInt64, ReadFailureReason> {
        let v = m.vcpus[0]
        func field(_ f: VMCSField) -> UInt64 { v.vmcs(1, f) ?? 0 }
        func buffer(_ offset: Int) -> Result<UInt64, ReadFailureReason> {
            guard let bytes = try? m.readMemory(gpa: bufferGPA + UInt64(offset), count: 8) else {
                return .failure(ReadFailureReason("cannot read the guest-state buffer"))
            }
            return .success(bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) })
        }
        let l1IsCurrent = v.location == .l1
        switch t {
        case .exitRegister(let r):
            guard let exit else { return .failure(ReadFailureReason("no exit registers")) }
            return .success(exit[r])
        case .l2Register(let r):
            if l1IsCurrent { return buffer(8 * r) }
            return .success(r == 4 ? field(.guestRSP) : v.gprs[r])
        case .l2RIP: return l1IsCurrent ? buffer(0x88) : .success(field(.guestRIP))
        case .l2RFLAGS: return l1IsCurrent ? buffer(0x80) : .success(field(.guestRFLAGS))
        case .l2CR0: return .success(field(.guestCR0))
        case .l2CR4: return .success(field(.guestCR4))
        case .l2EFER: return .success(field(.guestEFER))
        case .vmcs(let enc):
            guard let value = v.vmcs(1, VMCSField(enc)) else {
                return .failure(ReadFailureReason("the model's L2 VMCS has no field \(hexShort(UInt64(enc)))"))
            }
            return .success(value)
        case .memory(let gpa):
            guard let bytes = try? m.readMemory(gpa: gpa, count: 8) else {
                return .failure(ReadFailureReason("L1 cannot read \(hexShort(gpa))"))
            }
            return .success(bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) })
        }
    }

    /// Why a check could not read its target.
    struct ReadFailureReason: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    static func describe(_ o: L2Outcome) -> String {
        switch o {
        case .continued: "L2 going on"
        case .moduleHandled(let r): "the module handling exit \(r.rawValue)"
        case .exitToL1(let r): "an L2→L1 exit with RAX \(hex64(r.rax))"
        case .tdExit(let e): "a TD exit (\(e), RAX \(hex64(e.rax)))"
        }
    }
}
