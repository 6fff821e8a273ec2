import SEAMTypes

extension Scenario {
    static let headerKeys = ["softseam", "version", "comment", "config", "labels"]
    static let stepKeys = ["actor", "vcpu", "vm", "tdcall", "seamcall", "event", "write", "comment"]

    /// Whether `text` starts with a scenario header (its first non-blank line is an object with a
    /// "softseam" key); anything else is read as a config.
    public static func isScenario(_ text: String) -> Bool {
        guard let first = text.split(separator: "\n").first(where: { !$0.allSatisfy(\.isWhitespace) }),
            let node = try? JSONParser.parse(String(first), file: "")
        else { return false }
        return node["softseam"] != nil
    }

    /// Reads a scenario from JSON Lines text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(InputError) -> Scenario {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw InputError(file: file, "empty scenario")
        }
        let header = try JSONParser.parse(String(lines[first]), file: file, firstLine: first + 1)
        guard case .object(let members) = header.value else {
            throw InputError(file: file, line: first + 1, "the header must be an object")
        }
        for (k, v) in members where !headerKeys.contains(k) {
            throw InputError(
                file: file, line: v.line, field: k, "unknown key (known: \(headerKeys.joined(separator: ", ")))")
        }
        guard case .string("scenario")? = header["softseam"]?.value else {
            throw InputError(file: file, line: first + 1, field: "softseam", "expected \"scenario\"")
        }
        guard let version = header["version"] else {
            throw InputError(file: file, line: first + 1, field: "version", "missing")
        }
        let v = try ConfigDecoder.integer(version, file, "version", max: .max)
        guard v == UInt64(formatVersion) else {
            throw InputError(
                file: file, line: version.line, field: "version",
                "unsupported version \(v) (this SoftSEAM reads \(formatVersion))")
        }
        guard let configNode = header["config"] else {
            throw InputError(file: file, line: first + 1, field: "config", "missing")
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
        var steps: [Step] = []
        for i in (first + 1)..<lines.count where !lines[i].allSatisfy(\.isWhitespace) {
            steps.append(
                try parseStep(String(lines[i]), file: file, line: i + 1, vcpus: config.vcpus, numL2VMs: config.numL2VMs)
            )
        }
        return Scenario(config: config, labels: labels, comment: comment, steps: steps)
    }

    static func parseStep(_ text: String, file: String, line: Int, vcpus: Int, numL2VMs: Int = 3) throws(InputError)
        -> Step
    {
        let node = try JSONParser.parse(text, file: file, firstLine: line)
        guard case .object(let members) = node.value else {
            throw InputError(file: file, line: line, "a step must be an object")
        }
        for (k, _) in members where !stepKeys.contains(k) {
            throw InputError(
                file: file, line: line, field: k, "unknown key (known: \(stepKeys.joined(separator: ", ")))")
        }
        guard let actorNode = node["actor"] else { throw InputError(file: file, line: line, field: "actor", "missing") }
        let actorName = try ConfigDecoder.string(actorNode, file, "actor")
        var comment: String?
        if let c = node["comment"] { comment = try ConfigDecoder.string(c, file, "comment") }
        for k in ["vm", "event"] where actorName != "l2" && node[k] != nil {
            throw InputError(file: file, line: line, field: k, "only an \"l2\" step has \"\(k)\"")
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
            if let w = node["write"] {
                guard node["tdcall"] == nil else {
                    throw InputError(file: file, line: line, field: "write", "a step is a TDCALL or a write, not both")
                }
                for (k, n) in w.objectMembers where !["gpa", "size", "value"].contains(k) {
                    throw InputError(
                        file: file, line: n.line, field: "write.\(k)", "unknown key (known: gpa, size, value)")
                }
                guard let g = w["gpa"], let v = w["value"] else {
                    throw InputError(file: file, line: line, field: "write", "needs gpa and value")
                }
                let size =
                    try w["size"].map { n throws(InputError) in try ConfigDecoder.integer(n, file, "write.size", max: 8)
                    } ?? 8
                guard size >= 1 else { throw InputError(file: file, line: line, field: "write.size", "must be 1…8") }
                var step = Step(actor: .l1(vcpu: vcpu), registers: RegisterFile(), comment: comment, line: line)
                step.write = .init(
                    gpa: try ConfigDecoder.integer(g, file, "write.gpa", max: .max), size: Int(size),
                    value: try ConfigDecoder.integer(v, file, "write.value", max: .max))
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
            guard let regs = node["seamcall"] else {
                throw InputError(file: file, line: line, field: "seamcall", "missing")
            }
            return Step(actor: .host, registers: try registers(regs, file, "seamcall"), comment: comment, line: line)
        default:
            throw InputError(
                file: file, line: line, field: "actor", "expected \"l1\", \"l2\" or \"host\", got \"\(actorName)\"")
        }
    }

    /// A step's "vcpu" (0 when absent), which the TD must have.
    static func stepVCPU(_ node: JSONNode, file: String, line: Int, vcpus: Int) throws(InputError) -> Int {
        var vcpu = 0
        if let v = node["vcpu"] {
            vcpu = Int(try ConfigDecoder.integer(v, file, "vcpu", max: UInt64(ConfigDecoder.maxVCPUs)))
        }
        guard vcpu < vcpus else {
            throw InputError(file: file, line: line, field: "vcpu", "vCPU \(vcpu) does not exist (the TD has \(vcpus))")
        }
        return vcpu
    }

    static func registers(_ node: JSONNode, _ file: String, _ field: String) throws(InputError) -> RegisterFile {
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
        var out = "{\"softseam\":\"scenario\",\"version\":\(Scenario.formatVersion)"
        if let comment { out += ",\"comment\":\"\(jsonEscaped(comment))\"" }
        out += ",\"config\":\(config.json())"
        if !labels.isEmpty {
            out +=
                ",\"labels\":{" + labels.map { "\"\($0.label)\":\"\(hexShort($0.gpa))\"" }.joined(separator: ",") + "}"
        }
        out += "}\n"
        for s in steps {
            let regs = (0..<16).filter { s.registers[$0] != 0 }
                .map { "\"\(RegisterFile.names[$0])\":\"\(hexShort(s.registers[$0]))\"" }.joined(separator: ",")
            switch s.actor {
            case .host: out += "{\"actor\":\"host\",\"seamcall\":{\(regs)}"
            case .l1(let vcpu):
                if let w = s.write {
                    out +=
                        "{\"actor\":\"l1\",\"vcpu\":\(vcpu),\"write\":{\"gpa\":\"\(hexShort(w.gpa))\",\"size\":\(w.size),\"value\":\"\(hexShort(w.value))\"}"
                } else {
                    out += "{\"actor\":\"l1\",\"vcpu\":\(vcpu),\"tdcall\":{\(regs)}"
                }
            case .l2(let vm, let vcpu):
                // A "set" step parsed into several events is written back one event per line.
                for (n, e) in s.events.enumerated() {
                    out += "{\"actor\":\"l2\",\"vm\":\(vm),\"vcpu\":\(vcpu),\"event\":\(L2EventJSON.render(e))"
                    if n + 1 < s.events.count { out += "}\n" }
                }
            }
            if let c = s.comment { out += ",\"comment\":\"\(jsonEscaped(c))\"" }
            out += "}\n"
        }
        return out
    }
}

/// `s` with JSON string escapes for quotes, backslashes and control characters.
func jsonEscaped(_ s: String) -> String {
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
    /// The config as JSON, in the form `ConfigDecoder` reads (keys in a fixed order).
    public func json() -> String {
        let regions = memory.map { r in
            "{\"gpa\":\"\(hexShort(r.gpa))\",\"size\":\"\(hexShort(r.size))\",\"state\":\"\(r.state.rawValue)\""
                + (r.pageLevel == .size4K ? "" : ",\"page_size\":\"\(r.pageLevel)\"") + "}"
        }.joined(separator: ",")
        return "{\"num_l2_vms\":\(numL2VMs),\"vcpus\":\(vcpus),\"gpaw\":\(gpaw.bits),\"module\":\"\(profile.version)\","
            + "\"memory\":[\(regions)],\"l2_sept\":\"\(l2SEPT.rawValue)\",\"vm_ctls\":[\(vmCtls.map(String.init).joined(separator: ","))]}"
    }
}
