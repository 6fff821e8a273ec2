import SEAMCore
import SEAMTypes

extension Scenario {
    static let headerKeys = ["softseam", "version", "comment", "config", "labels"]
    static let stepKeys = [
        "actor", "vcpu", "vm", "tdcall", "seamcall", "event", "write", "comment", "map_shared", "unmap_shared",
        "write_shared", "read", "cpuid", "rdmsr", "wrmsr", "l1_interrupt_state", "post_interrupt", "sti",
        "irte_push",
    ]
    /// The L1 steps that are no TDCALL: a store, or an instruction (`Step.L1Instruction`).
    static let l1OpKeys = ["write", "read", "cpuid", "rdmsr", "wrmsr", "sti"]
    /// The host steps that are no SEAMCALL: edits of the host's shared memory, L1's interrupt state, a posted
    /// interrupt.
    static let sharedKeys = [
        "map_shared", "unmap_shared", "write_shared", "l1_interrupt_state", "post_interrupt", "irte_push",
    ]

    /// Whether `text` starts with a scenario header (its first non-blank line is an object with a
    /// "softseam" key); anything else is read as a config.
    public static func isScenario(_ text: String) -> Bool { headerKind(of: text) != nil }

    /// The "softseam" value of the first non-blank line of `text` ("" when it is not a string), or nil when
    /// that line is no JSON object with that key.
    package static func headerKind(of text: String) -> String? {
        guard let first = text.split(separator: "\n").first(where: { !$0.allSatisfy(\.isWhitespace) }),
            let node = try? JSONParser.parse(String(first), file: ""), let kind = node["softseam"]
        else { return nil }
        if case .string(let s) = kind.value { return s }
        return ""
    }

    /// Reads a scenario from JSON Lines text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(InputError) -> Scenario {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard let first = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw InputError(file: file, "empty scenario")
        }
        var scenario = try parseHeader(
            JSONParser.parse(String(lines[first]), file: file, firstLine: first + 1), file: file, kind: "scenario",
            version: formatVersion)
        for i in (first + 1)..<lines.count where !lines[i].allSatisfy(\.isWhitespace) {
            let node = try JSONParser.parse(String(lines[i]), file: file, firstLine: i + 1)
            scenario.steps.append(try parseStep(node, file: file, line: i + 1, config: scenario.config))
        }
        return scenario
    }

    /// A header line: `{"softseam": kind, "version": version, "comment", "config", "labels"}` plus
    /// `extraKeys`, which the caller reads. Returns the scenario without steps.
    package static func parseHeader(
        _ header: JSONNode, file: String, kind: String, version expected: Int, extraKeys: [String] = []
    ) throws(InputError) -> Scenario {
        let line = header.line
        guard case .object = header.value else {
            throw InputError(file: file, line: line, "the header must be an object")
        }
        try header.rejectUnknownKeys(headerKeys + extraKeys, file: file)
        guard case .string(kind)? = header["softseam"]?.value else {
            throw InputError(file: file, line: line, field: "softseam", "expected \"\(kind)\"")
        }
        guard let version = header["version"] else {
            throw InputError(file: file, line: line, field: "version", "missing")
        }
        let v = try ConfigDecoder.integer(version, file, "version", max: .max)
        guard v == UInt64(expected) else {
            throw InputError(
                file: file, line: version.line, field: "version",
                "unsupported version \(v) (this SoftSEAM reads \(kind) version \(expected))")
        }
        guard let configNode = header["config"] else {
            throw InputError(file: file, line: line, field: "config", "missing")
        }
        let config = try ConfigDecoder.decode(configNode, file: file, path: "config")
        var labels: [(label: String, gpa: UInt64)] = []
        if let l = header["labels"] {
            guard case .object(let items) = l.value else {
                throw InputError(file: file, line: l.line, field: "labels", "expected an object")
            }
            for (name, node) in items {
                labels.append((name, try ConfigDecoder.integer(node, file, "labels.\(name)", max: .max)))
            }
        }
        var comment: String?
        if let c = header["comment"] { comment = try ConfigDecoder.string(c, file, "comment") }
        return Scenario(config: config, labels: labels, comment: comment)
    }

    /// One step line. `extraKeys` are further keys the caller reads (a trace's outcomes).
    package static func parseStep(
        _ node: JSONNode, file: String, line: Int, config: MachineConfig, extraKeys: [String] = []
    ) throws(InputError) -> Step {
        let vcpus = config.vcpus
        let numL2VMs = config.numL2VMs
        guard case .object = node.value else {
            throw InputError(file: file, line: line, "a step must be an object")
        }
        try node.rejectUnknownKeys(stepKeys + extraKeys, file: file, line: line)
        guard let actorNode = node["actor"] else { throw InputError(file: file, line: line, field: "actor", "missing") }
        let actorName = try ConfigDecoder.string(actorNode, file, "actor")
        var comment: String?
        if let c = node["comment"] { comment = try ConfigDecoder.string(c, file, "comment") }
        for k in ["vm", "event"] where actorName != "l2" && node[k] != nil {
            throw InputError(file: file, line: line, field: k, "only an \"l2\" step has \"\(k)\"")
        }
        for k in sharedKeys where actorName != "host" && node[k] != nil {
            throw InputError(file: file, line: line, field: k, "only a \"host\" step has \"\(k)\"")
        }
        switch actorName {
        case "l2":
            for k in ["tdcall", "seamcall"] where node[k] != nil {
                throw InputError(file: file, line: line, field: k, "an L2 step is an \"event\"")
            }
            guard let vmNode = node["vm"] else { throw InputError(file: file, line: line, field: "vm", "missing") }
            let vm = Int(try ConfigDecoder.integer(vmNode, file, "vm", max: 3))
            guard vm >= 1 && vm <= numL2VMs else {
                throw InputError(
                    file: file, line: line, field: "vm", "L2 VM \(vm) does not exist (the TD has \(numL2VMs) L2 VMs)")
            }
            let vcpu = try stepVCPU(node, file: file, line: line, vcpus: vcpus)
            guard let e = node["event"] else { throw InputError(file: file, line: line, field: "event", "missing") }
            var step = Step(actor: .l2(vm: vm, vcpu: vcpu), registers: RegisterFile(), comment: comment, line: line)
            step.events = try L2EventJSON.parse(e, file)
            return step
        case "l1":
            guard node["seamcall"] == nil else {
                throw InputError(file: file, line: line, field: "seamcall", "L1 issues TDCALLs, not SEAMCALLs")
            }
            let vcpu = try stepVCPU(node, file: file, line: line, vcpus: vcpus)
            let ops = l1OpKeys.filter { node[$0] != nil }
            if let k = ops.first, let n = node[k] {
                guard node["tdcall"] == nil, ops.count == 1 else {
                    throw InputError(
                        file: file, line: line, field: ops.count > 1 ? ops[1] : k,
                        "a step is one of tdcall, write, read, cpuid, rdmsr, wrmsr, sti")
                }
                var step = Step(actor: .l1(vcpu: vcpu), registers: RegisterFile(), comment: comment, line: line)
                if k == "write" {
                    step.write = try memoryWrite(n, file)
                } else {
                    step.instruction = try l1Instruction(k, n, file)
                }
                return step
            }
            guard let regs = node["tdcall"] else {
                throw InputError(file: file, line: line, field: "tdcall", "missing")
            }
            return Step(
                actor: .l1(vcpu: vcpu), registers: try registers(regs, file, "tdcall"), comment: comment, line: line)
        case "host":
            guard node["tdcall"] == nil, node["vcpu"] == nil else {
                throw InputError(
                    file: file, line: line, field: node["tdcall"] != nil ? "tdcall" : "vcpu",
                    "the host issues SEAMCALLs")
            }
            let given = (["seamcall"] + sharedKeys).filter { node[$0] != nil }
            guard given.count <= 1 else {
                throw InputError(
                    file: file, line: line, field: given[1],
                    "a host step is one of seamcall, map_shared, unmap_shared, write_shared, l1_interrupt_state, post_interrupt, "
                        + "irte_push"
                )
            }
            if let k = given.first, k != "seamcall", let n = node[k] {
                var step = Step(actor: .host, registers: RegisterFile(), comment: comment, line: line)
                step.shared = try sharedOp(k, n, file, vcpus: vcpus)
                return step
            }
            guard let regs = node["seamcall"] else {
                throw InputError(file: file, line: line, field: "seamcall", "missing")
            }
            return Step(actor: .host, registers: try registers(regs, file, "seamcall"), comment: comment, line: line)
        default:
            throw InputError(
                file: file, line: line, field: "actor", "expected \"l1\", \"l2\" or \"host\", got \"\(actorName)\"")
        }
    }

    /// A host step's shared-memory operation: `map_shared` / `unmap_shared` `{"gpa", "size"}` (whole 4K
    /// pages), `write_shared` in the form of an L1 "write", `post_interrupt` `{"vcpu" (default 0), "vectors":
    /// [0…255, …], "notify" (default true)}`.
    static func sharedOp(_ key: String, _ n: JSONNode, _ file: String, vcpus: Int = MachineConfig.maxVCPUs)
        throws(InputError) -> Step.SharedMemoryOp
    {
        if key == "write_shared" { return .write(try memoryWrite(n, file, field: key)) }
        if key == "l1_interrupt_state" {
            try n.rejectUnknownKeys(["vcpu", "rvi", "ppr"], file: file, prefix: key)
            var v: [UInt64] = []
            for (f, max) in [("vcpu", UInt64(0xFFFF)), ("rvi", 0xFF), ("ppr", 0xFF)] {
                guard let x = n[f] else { throw InputError(file: file, line: n.line, field: "\(key).\(f)", "missing") }
                v.append(try ConfigDecoder.integer(x, file, "\(key).\(f)", max: max))
            }
            return .l1InterruptState(vcpu: Int(v[0]), rvi: UInt8(v[1]), ppr: UInt8(v[2]))
        }
        if key == "post_interrupt" { return try postInterrupt(n, file, vcpus: vcpus) }
        if key == "irte_push" { return try irtePush(n, file, vcpus: vcpus) }
        try n.rejectUnknownKeys(["gpa", "size"], file: file, prefix: key)
        guard let g = n["gpa"] else { throw InputError(file: file, line: n.line, field: "\(key).gpa", "missing") }
        guard let z = n["size"] else { throw InputError(file: file, line: n.line, field: "\(key).size", "missing") }
        let gpa = try ConfigDecoder.integer(g, file, "\(key).gpa", max: .max)
        let size = try ConfigDecoder.integer(z, file, "\(key).size", max: .max)
        return key == "map_shared" ? .map(gpa: gpa, size: size) : .unmap(gpa: gpa, size: size)
    }

    /// An L1 instruction step: `read` `{"gpa", "size" (1…2³²−1)}`, `cpuid` `{"leaf", "subleaf" (default 0)}`,
    /// `rdmsr` `{"msr"}`, `wrmsr` `{"msr", "value"}`.
    static func l1Instruction(_ key: String, _ n: JSONNode, _ file: String) throws(InputError) -> Step.L1Instruction {
        let keys: [String] =
            switch key {
            case "read": ["gpa", "size"]
            case "cpuid": ["leaf", "subleaf"]
            case "rdmsr": ["msr"]
            case "sti": []
            default: ["msr", "value"]
            }
        try n.rejectUnknownKeys(keys, file: file, prefix: key)
        func field(_ name: String, max: UInt64, default d: UInt64? = nil) throws(InputError) -> UInt64 {
            guard let v = n[name] else {
                if let d { return d }
                throw InputError(file: file, line: n.line, field: "\(key).\(name)", "missing")
            }
            return try ConfigDecoder.integer(v, file, "\(key).\(name)", max: max)
        }
        switch key {
        case "read":
            let gpa = try field("gpa", max: .max)
            let size = try field("size", max: 0xFFFF_FFFF)
            guard size >= 1 else {
                throw InputError(file: file, line: n.line, field: "read.size", "must be at least 1")
            }
            return .read(gpa: gpa, size: Int(size))
        case "cpuid":
            return .cpuid(
                leaf: UInt32(try field("leaf", max: 0xFFFF_FFFF)),
                subleaf: UInt32(try field("subleaf", max: 0xFFFF_FFFF, default: 0)))
        case "rdmsr": return .rdmsr(msr: UInt32(try field("msr", max: 0xFFFF_FFFF)))
        case "sti": return .interruptible
        default:
            return .wrmsr(msr: UInt32(try field("msr", max: 0xFFFF_FFFF)), value: try field("value", max: .max))
        }
    }

    /// An L1 "write": `{"gpa", "size" (1…8, default 8), "value"}` stores a little-endian value;
    /// `{"gpa", "data": "hex bytes"}` stores any number of bytes.
    static func memoryWrite(_ w: JSONNode, _ file: String, field: String = "write") throws(InputError)
        -> Step.MemoryWrite
    {
        let line = w.line
        try w.rejectUnknownKeys(["gpa", "size", "value", "data"], file: file, prefix: field)
        guard let g = w["gpa"] else { throw InputError(file: file, line: line, field: "\(field).gpa", "missing") }
        let gpa = try ConfigDecoder.integer(g, file, "\(field).gpa", max: .max)
        if let d = w["data"] {
            guard w["value"] == nil, w["size"] == nil else {
                throw InputError(
                    file: file, line: line, field: "\(field).data", "give data, or size and value, not both")
            }
            let hex = Array(try ConfigDecoder.string(d, file, "\(field).data").utf8)
            guard !hex.isEmpty, hex.count % 2 == 0 else {
                throw InputError(
                    file: file, line: d.line, field: "\(field).data", "expected an even number of hex digits")
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(hex.count / 2)
            for i in stride(from: 0, to: hex.count, by: 2) {
                guard let hi = hexDigit(hex[i]), let lo = hexDigit(hex[i + 1]) else {
                    throw InputError(
                        file: file, line: d.line, field: "\(field).data", "not a hex digit at character \(i + 1)")
                }
                bytes.append(hi << 4 | lo)
            }
            return Step.MemoryWrite(gpa: gpa, bytes: bytes)
        }
        guard let v = w["value"] else {
            throw InputError(file: file, line: line, field: field, "needs data or value")
        }
        let size =
            try w["size"].map { n throws(InputError) in try ConfigDecoder.integer(n, file, "\(field).size", max: 8) }
            ?? 8
        guard size >= 1 else { throw InputError(file: file, line: line, field: "\(field).size", "must be 1…8") }
        return Step.MemoryWrite(
            gpa: gpa, size: Int(size), value: try ConfigDecoder.integer(v, file, "\(field).value", max: .max))
    }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }

    /// A step's "vcpu" (0 when absent), which the TD must have; an error names it as `prefix.vcpu` when the
    /// field sits inside an object (`post_interrupt`, `irte_push`).
    static func stepVCPU(_ node: JSONNode, file: String, line: Int, vcpus: Int, prefix: String? = nil)
        throws(InputError) -> Int
    {
        let field = prefix.map { "\($0).vcpu" } ?? "vcpu"
        var vcpu = 0
        if let v = node["vcpu"] {
            vcpu = Int(try ConfigDecoder.integer(v, file, field, max: UInt64(MachineConfig.maxVCPUs)))
        }
        guard vcpu < vcpus else {
            throw InputError(file: file, line: line, field: field, "vCPU \(vcpu) does not exist (the TD has \(vcpus))")
        }
        return vcpu
    }

    package static func registers(_ node: JSONNode, _ file: String, _ field: String) throws(InputError) -> RegisterFile
    {
        var regs = RegisterFile()
        for (i, v) in try registerList(node, file, field) { regs[i] = v }
        return regs
    }

    /// An object of register names and values, in the order given.
    static func registerList(_ node: JSONNode, _ file: String, _ field: String) throws(InputError) -> [(Int, UInt64)] {
        guard case .object(let members) = node.value else {
            throw InputError(file: file, line: node.line, field: field, "expected an object of registers")
        }
        var out: [(Int, UInt64)] = []
        for (name, v) in members {
            guard let i = RegisterFile.names.firstIndex(of: name) else {
                throw InputError(
                    file: file, line: v.line, field: "\(field).\(name)",
                    "not a register (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8…r15)")
            }
            out.append((i, try ConfigDecoder.integer(v, file, "\(field).\(name)", max: .max)))
        }
        return out
    }

    /// The scenario as JSON Lines, in the form `parse` reads.
    public func jsonLines() -> String {
        var out = "{" + headerFields(kind: "scenario", version: Scenario.formatVersion) + "}\n"
        for s in steps {
            for line in Scenario.stepFields(s) { out += "{" + line + "}\n" }
        }
        return out
    }

    /// The members of a header line, without braces; `extra` (members with a leading comma) follow the
    /// version.
    package func headerFields(kind: String, version: Int, extra: String = "") -> String {
        var out = "\"softseam\":\"\(kind)\",\"version\":\(version)" + extra
        if let comment { out += ",\"comment\":\"\(jsonEscaped(comment))\"" }
        out += ",\"config\":\(config.json())"
        if !labels.isEmpty {
            out +=
                ",\"labels\":{"
                + labels.map { "\"\(jsonEscaped($0.label))\":\"\(hexShort($0.gpa))\"" }.joined(separator: ",") + "}"
        }
        return out
    }

    /// `{"rax":"0x…",…}` with the non-zero registers, in architectural order.
    package static func registersJSON(_ r: RegisterFile) -> String {
        "{"
            + (0..<16).filter { r[$0] != 0 }.map { "\"\(RegisterFile.names[$0])\":\"\(hexShort(r[$0]))\"" }
            .joined(separator: ",") + "}"
    }

    /// The members of a step's line, without braces: one line per L2 event (a "set" step parsed into several
    /// events is written back one event per line, the comment on the last).
    package static func stepFields(_ s: Step, prefix: String = "") -> [String] {
        let comment = s.comment.map { ",\"comment\":\"\(jsonEscaped($0))\"" } ?? ""
        switch s.actor {
        case .host:
            switch s.shared {
            case .map(let gpa, let size)?:
                return [
                    prefix
                        + "\"actor\":\"host\",\"map_shared\":{\"gpa\":\"\(hexShort(gpa))\",\"size\":\"\(hexShort(size))\"}"
                        + comment
                ]
            case .unmap(let gpa, let size)?:
                return [
                    prefix
                        + "\"actor\":\"host\",\"unmap_shared\":{\"gpa\":\"\(hexShort(gpa))\",\"size\":\"\(hexShort(size))\"}"
                        + comment
                ]
            case .write(let w)?:
                return [prefix + "\"actor\":\"host\",\"write_shared\":\(Scenario.render(w))" + comment]
            case .l1InterruptState(let vcpu, let rvi, let ppr)?:
                return [
                    prefix
                        + "\"actor\":\"host\",\"l1_interrupt_state\":{\"vcpu\":\(vcpu),\"rvi\":\"\(hexShort(UInt64(rvi)))\","
                        + "\"ppr\":\"\(hexShort(UInt64(ppr)))\"}" + comment
                ]
            case .postInterrupt(let vcpu, let vectors, let notify)?:
                let list = vectors.map { "\($0)" }.joined(separator: ",")
                return [
                    prefix
                        + "\"actor\":\"host\",\"post_interrupt\":{\"vcpu\":\(vcpu),\"vectors\":[\(list)],\"notify\":\(notify)}"
                        + comment
                ]
            case .irtePush(let vcpu, let gpa, let event)?:
                return [
                    prefix + "\"actor\":\"host\",\"irte_push\":" + Scenario.renderIRTEPush(vcpu, gpa, event) + comment
                ]
            case nil:
                return [prefix + "\"actor\":\"host\",\"seamcall\":\(registersJSON(s.registers))" + comment]
            }
        case .l1(let vcpu):
            if let w = s.write {
                return [prefix + "\"actor\":\"l1\",\"vcpu\":\(vcpu),\"write\":\(Scenario.render(w))" + comment]
            }
            if let op = s.instruction {
                let body: String
                switch op {
                case .read(let gpa, let size): body = "\"read\":{\"gpa\":\"\(hexShort(gpa))\",\"size\":\(size)}"
                case .cpuid(let leaf, let subleaf):
                    body =
                        "\"cpuid\":{\"leaf\":\"\(hexShort(UInt64(leaf)))\",\"subleaf\":\"\(hexShort(UInt64(subleaf)))\"}"
                case .rdmsr(let msr): body = "\"rdmsr\":{\"msr\":\"\(hexShort(UInt64(msr)))\"}"
                case .wrmsr(let msr, let value):
                    body = "\"wrmsr\":{\"msr\":\"\(hexShort(UInt64(msr)))\",\"value\":\"\(hexShort(value))\"}"
                case .interruptible: body = "\"sti\":{}"
                }
                return [prefix + "\"actor\":\"l1\",\"vcpu\":\(vcpu)," + body + comment]
            }
            return [prefix + "\"actor\":\"l1\",\"vcpu\":\(vcpu),\"tdcall\":\(registersJSON(s.registers))" + comment]
        case .l2(let vm, let vcpu):
            return s.events.enumerated().map { n, e in
                prefix + "\"actor\":\"l2\",\"vm\":\(vm),\"vcpu\":\(vcpu),\"event\":\(L2EventJSON.render(e))"
                    + (n + 1 == s.events.count ? comment : "")
            }
        }
    }
}

extension Scenario {
    /// A write in the form `memoryWrite` reads: 1…8 bytes as size and value, more as hex data.
    package static func render(_ w: Step.MemoryWrite) -> String {
        if (1...8).contains(w.bytes.count) {
            return "{\"gpa\":\"\(hexShort(w.gpa))\",\"size\":\(w.bytes.count),\"value\":\"\(hexShort(w.value))\"}"
        }
        return "{\"gpa\":\"\(hexShort(w.gpa))\",\"data\":\"\(hexBytes(w.bytes))\"}"
    }

    /// `bytes` as lowercase hex digits, two a byte, no prefix.
    package static func hexBytes(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(2 * bytes.count)
        for b in bytes { hex += [digits[Int(b >> 4)], digits[Int(b & 15)]] }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Hex digits (`hexBytes`' form, either case) as bytes; with `prefix`, a leading "0x" is allowed (config
    /// values).
    package static func parseHexBytes(_ n: JSONNode, _ file: String, field: String, prefix: Bool = false)
        throws(InputError) -> [UInt8]
    {
        var hex = Array(try ConfigDecoder.string(n, file, field).utf8)
        if prefix, hex.starts(with: Array("0x".utf8)) { hex.removeFirst(2) }
        guard hex.count % 2 == 0 else {
            throw InputError(file: file, line: n.line, field: field, "expected an even number of hex digits")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
        for i in stride(from: 0, to: hex.count, by: 2) {
            guard let hi = hexDigit(hex[i]), let lo = hexDigit(hex[i + 1]) else {
                throw InputError(file: file, line: n.line, field: field, "not a hex digit at character \(i + 1)")
            }
            bytes.append(hi << 4 | lo)
        }
        return bytes
    }
}

/// `s` with JSON string escapes for quotes, backslashes and control characters.
package func jsonEscaped(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count)
                    + String(u.value, radix: 16)
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out
}

extension MachineConfig {
    /// The config as JSON, in the form `ConfigDecoder` reads (keys in a fixed order; `vm_ctls` with one entry
    /// per L2 VM; `finalize`, `attributes`, `xfam`, `config_flags`, `platform` and the TD_PARAMS measurements
    /// only when not the default).
    public func json() -> String {
        let regions = memory.map { r in
            "{\"gpa\":\"\(hexShort(r.gpa))\",\"size\":\"\(hexShort(r.size))\",\"state\":\"\(r.state.rawValue)\""
                + (r.pageLevel == .size4K ? "" : ",\"page_size\":\"\(r.pageLevel)\"")
                + (r.contents.isEmpty ? "" : ",\"contents\":\"\(Scenario.hexBytes(r.contents))\"")
                + (r.measured ? ",\"measure\":true" : "") + "}"
        }.joined(separator: ",")
        return "{\"num_l2_vms\":\(numL2VMs),\"vcpus\":\(vcpus),\"gpaw\":\(gpaw.bits),\"module\":\"\(profile.version)\","
            + "\"memory\":[\(regions)],\"l2_sept\":\"\(l2SEPT.rawValue)\",\"vm_ctls\":[\((0..<numL2VMs).map { String($0 < vmCtls.count ? vmCtls[$0] : 0) }.joined(separator: ","))]"
            + (finalize ? "" : ",\"finalize\":false")
            + (attributes == 0 ? "" : ",\"attributes\":\"\(hexShort(attributes))\"")
            + (xfam == 0x3 ? "" : ",\"xfam\":\"\(hexShort(xfam))\"")
            + (configFlags == 0 ? "" : ",\"config_flags\":\"\(hexShort(configFlags | gpaw.control))\"")
            + (platform == .default ? "" : ",\"platform\":\"\(platform.name)\"")
            + [
                ("mrconfigid", measurements.mrConfigID), ("mrowner", measurements.mrOwner),
                ("mrownerconfig", measurements.mrOwnerConfig),
            ].map { key, v in
                v.isEmpty ? "" : ",\"\(key)\":\"\(Scenario.hexBytes(v))\""
            }.joined() + "}"
    }
}

extension Scenario {
    /// A host `post_interrupt`: `{"vcpu" (default 0), "vectors": [0…255, …], "notify" (default true)}`.
    static func postInterrupt(_ n: JSONNode, _ file: String, vcpus: Int) throws(InputError) -> Step.SharedMemoryOp {
        let key = "post_interrupt"
        try n.rejectUnknownKeys(["vcpu", "vectors", "notify"], file: file, prefix: key)
        let vcpu = try stepVCPU(n, file: file, line: n.line, vcpus: vcpus, prefix: key)
        guard let list = n["vectors"] else {
            throw InputError(file: file, line: n.line, field: "\(key).vectors", "missing")
        }
        guard case .array(let items) = list.value else {
            throw InputError(
                file: file, line: list.line, field: "\(key).vectors", "expected an array, got \(list.typeName)")
        }
        var vectors: [UInt8] = []
        for (i, item) in items.enumerated() {
            vectors.append(UInt8(try ConfigDecoder.integer(item, file, "\(key).vectors[\(i)]", max: 255)))
        }
        var notify = true
        if let b = n["notify"] {
            guard case .bool(let v) = b.value else {
                throw InputError(
                    file: file, line: b.line, field: "\(key).notify", "expected a boolean, got \(b.typeName)")
            }
            notify = v
        }
        return .postInterrupt(vcpu: vcpu, vectors: vectors, notify: notify)
    }
}
