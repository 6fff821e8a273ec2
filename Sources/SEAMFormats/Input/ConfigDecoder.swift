import SEAMCore
import SEAMTypes

/// Reads the config JSON of DESIGN.md ("C ABI contract") into a `MachineConfig`. Every key is checked: an
/// unknown key or a bad value is an `InputError` naming the file, line and key.
public enum ConfigDecoder {
    static let keys = [
        "num_l2_vms", "vcpus", "gpaw", "module", "memory", "l2_sept", "vm_ctls", "finalize", "attributes", "xfam",
        "config_flags", "platform", "mrconfigid", "mrowner", "mrownerconfig",
    ]
    static let regionKeys = ["gpa", "size", "state", "page_size", "contents", "measure"]
    /// Upper bound on the leaves the built-in host creates for a config's memory: 4 Mi leaves (16 GiB of 4K
    /// pages) is 64 MiB of metadata; a larger request is far more likely a typo than a test.
    public static let maxLeaves: UInt64 = 1 << 22

    /// Decodes config JSON text. `file` names the source in errors.
    public static func decode(_ text: String, file: String = "<config>") throws(InputError) -> MachineConfig {
        let root = try JSONParser.parse(text, file: file)
        return try decode(root, file: file)
    }

    package static func decode(_ root: JSONNode, file: String, path: String = "") throws(InputError) -> MachineConfig {
        guard case .object(let members) = root.value else {
            throw InputError(
                file: file, line: root.line, field: path.isEmpty ? nil : path,
                "expected an object, got \(root.typeName)")
        }
        var config = MachineConfig()
        var vmCtls: JSONNode?
        var numL2VMsLine: Int?
        var paramLines: [String: Int] = [:]
        func name(_ k: String) -> String { path.isEmpty ? k : "\(path).\(k)" }
        for (key, node) in members {
            let field = name(key)
            switch key {
            case "num_l2_vms":
                config.numL2VMs = Int(try integer(node, file, field, max: 3))
                numL2VMsLine = node.line
            case "vcpus":
                config.vcpus = Int(try integer(node, file, field, min: 1, max: UInt64(MachineConfig.maxVCPUs)))
            case "gpaw":
                let v = try integer(node, file, field, max: 64, allowed: "48 or 52")
                guard let w = GPAWidth(bits: Int(v)) else {
                    throw InputError(file: file, line: node.line, field: field, "must be 48 or 52, got \(v)")
                }
                config.gpaw = w
            case "module":
                let s = try string(node, file, field)
                guard let p = ModuleProfile.named(s) else {
                    let known = ModuleProfile.all.map { "\"\($0.version)\"" }.joined(separator: ", ")
                    throw InputError(
                        file: file, line: node.line, field: field, "unknown module \"\(s)\" (known: \(known))")
                }
                config.profile = p
            case "l2_sept":
                let s = try string(node, file, field)
                guard let v = MachineConfig.L2SEPT(rawValue: s) else {
                    throw InputError(
                        file: file, line: node.line, field: field,
                        "expected \"supplied\" or \"on-demand\", got \"\(s)\"")
                }
                config.l2SEPT = v
            case "finalize":
                guard case .bool(let b) = node.value else {
                    throw InputError(file: file, line: node.line, field: field, "expected true or false")
                }
                config.finalize = b
            case "vm_ctls":
                guard case .array(let items) = node.value else {
                    throw InputError(
                        file: file, line: node.line, field: field,
                        "expected an array of integers, one per L2 VM, got \(node.typeName)")
                }
                var ctls: [UInt64] = []
                for (i, item) in items.enumerated() {
                    ctls.append(try integer(item, file, "\(field)[\(i)]", max: 1))
                }
                config.vmCtls = ctls
                vmCtls = node
            case "attributes":
                config.attributes = try bits(node, file, field, names: TDParams.attributeBits)
                paramLines["attributes"] = node.line
            case "xfam":
                config.xfam = try integer(node, file, field, max: .max)
                paramLines["xfam"] = node.line
            case "config_flags":
                config.configFlags = try bits(node, file, field, names: TDParams.configFlagBits)
                paramLines["config_flags"] = node.line
            case "platform":
                let s = try string(node, file, field)
                guard let p = GlobalPlatform.named(s) else {
                    let known = GlobalPlatform.all.map { "\"\($0.name)\"" }.joined(separator: ", ")
                    throw InputError(
                        file: file, line: node.line, field: field, "unknown platform \"\(s)\" (known: \(known))")
                }
                config.platform = p
            case "mrconfigid": config.measurements.mrConfigID = try measurement(node, file, field)
            case "mrowner": config.measurements.mrOwner = try measurement(node, file, field)
            case "mrownerconfig": config.measurements.mrOwnerConfig = try measurement(node, file, field)
            case "memory":
                guard case .array(let items) = node.value else {
                    throw InputError(
                        file: file, line: node.line, field: field, "expected an array, got \(node.typeName)")
                }
                config.memory = []
                for (i, item) in items.enumerated() {
                    config.memory.append(try region(item, file, "\(field)[\(i)]"))
                }
            default:
                throw InputError(
                    file: file, line: node.line, field: field,
                    "unknown key (known: \(keys.joined(separator: ", ")))")
            }
        }
        if let vmCtls, config.vmCtls.count != config.numL2VMs {
            let n = config.numL2VMs
            let vms = n == 0 ? "none" : n == 1 ? "VM1" : "VM1…VM\(n)"
            throw InputError(
                file: file, line: vmCtls.line, field: name("vm_ctls"),
                "expected one entry per L2 VM (\(vms)): num_l2_vms is \(n)"
                    + (numL2VMsLine == nil ? " (the default)" : "") + ", so \(n) entr\(n == 1 ? "y" : "ies"), "
                    + "got \(config.vmCtls.count)")
        }
        if vmCtls == nil { config.vmCtls = Array(repeating: 0, count: config.numL2VMs) }
        if paramLines["config_flags"] == nil { config.configFlags = config.gpaw.control }
        let xfamFixed0 = config.platform.values.first { $0.name == "XFAM_FIXED0" }?.value ?? 0
        if let (key, rule) = TDParams.violation(
            attributes: config.attributes, xfam: config.xfam, configFlags: config.configFlags, gpaw: config.gpaw,
            xfamFixed0: xfamFixed0)
        {
            throw InputError(
                file: file, line: paramLines[key] ?? root.line, field: name(key),
                "TDH.MNG.INIT would refuse it: \(rule)")
        }
        config.configFlags &= ~1  // GPAW is `gpaw`'s
        try validate(config, root, file: file, field: name("memory"))
        if !config.finalize, let i = config.memory.firstIndex(where: { $0.state == .mapped && $0.pageLevel != .size4K })
        {
            throw InputError(
                file: file, line: root.line, field: name("memory[\(i)]"),
                "a mapped 2M region is AUGed and accepted by L1, which cannot run before the TD is finalized (\"finalize\": false)"
            )
        }
        return config
    }

    static func region(_ node: JSONNode, _ file: String, _ field: String) throws(InputError) -> MachineConfig.Region {
        guard case .object(let members) = node.value else {
            throw InputError(file: file, line: node.line, field: field, "expected an object, got \(node.typeName)")
        }
        var gpa: UInt64?, size: UInt64?, state: MachineConfig.Region.State?, level = PageLevel.size4K
        var contents: [UInt8] = [], measured = false
        var imageLine: (key: String, line: Int)?
        for (key, v) in members {
            let f = "\(field).\(key)"
            switch key {
            case "gpa": gpa = try integer(v, file, f, max: .max)
            case "size": size = try integer(v, file, f, max: .max)
            case "state":
                let s = try string(v, file, f)
                guard let st = MachineConfig.Region.State(rawValue: s) else {
                    throw InputError(
                        file: file, line: v.line, field: f, "expected \"mapped\" or \"pending\", got \"\(s)\"")
                }
                state = st
            case "page_size":
                let s = try string(v, file, f)
                switch s {
                case "4K": level = .size4K
                case "2M": level = .size2M
                default: throw InputError(file: file, line: v.line, field: f, "expected \"4K\" or \"2M\", got \"\(s)\"")
                }
            case "contents":
                contents = try Scenario.parseHexBytes(v, file, field: f, prefix: true)
                imageLine = (key, v.line)
            case "measure":
                guard case .bool(let b) = v.value else {
                    throw InputError(file: file, line: v.line, field: f, "expected true or false")
                }
                measured = b
                if b { imageLine = imageLine ?? (key, v.line) }
            default:
                throw InputError(
                    file: file, line: v.line, field: f, "unknown key (known: \(regionKeys.joined(separator: ", ")))")
            }
        }
        guard let gpa else { throw InputError(file: file, line: node.line, field: "\(field).gpa", "missing") }
        guard let size else { throw InputError(file: file, line: node.line, field: "\(field).size", "missing") }
        guard let state else { throw InputError(file: file, line: node.line, field: "\(field).state", "missing") }
        guard size > 0, size % level.bytes == 0 else {
            throw InputError(
                file: file, line: node.line, field: "\(field).size", "must be a non-zero multiple of \(level) pages")
        }
        guard gpa % level.bytes == 0 else {
            throw InputError(file: file, line: node.line, field: "\(field).gpa", "must be aligned to \(level)")
        }
        if let (key, line) = imageLine, state != .mapped || level != .size4K {
            throw InputError(
                file: file, line: line, field: "\(field).\(key)",
                "only a mapped region of 4K pages has contents or is measured (TDH.MEM.PAGE.ADD copies 4K pages)")
        }
        guard UInt64(contents.count) <= size else {
            throw InputError(
                file: file, line: imageLine?.line ?? node.line, field: "\(field).contents",
                "\(contents.count) bytes do not fit the region's \(size)")
        }
        return MachineConfig.Region(
            gpa: gpa, size: size, state: state, pageLevel: level, contents: contents, measured: measured)
    }

    static func validate(_ c: MachineConfig, _ root: JSONNode, file: String, field: String) throws(InputError) {
        var leaves: UInt64 = 0
        for (i, r) in c.memory.enumerated() {
            leaves += r.size / r.pageLevel.bytes
            guard leaves <= maxLeaves else {
                throw InputError(
                    file: file, line: memoryLine(root, i), field: "\(field)[\(i)].size",
                    "the memory regions add up to more than \(maxLeaves) pages")
            }
        }
        var previous: (end: UInt64, index: Int)?
        let sorted = c.memory.enumerated().sorted { $0.element.gpa < $1.element.gpa }
        for (i, r) in sorted {
            let (end, overflow) = r.gpa.addingReportingOverflow(r.size)
            let line = memoryLine(root, i)
            guard !overflow, c.gpaw.isValidPrivate(end - 1), c.gpaw.isValidPrivate(r.gpa) else {
                throw InputError(
                    file: file, line: line, field: "\(field)[\(i)]",
                    "region is not inside the private GPA space of \(c.gpaw)")
            }
            if let p = previous, r.gpa < p.end {
                throw InputError(file: file, line: line, field: "\(field)[\(i)]", "overlaps \(field)[\(p.index)]")
            }
            previous = (end, i)
        }
    }

    static func memoryLine(_ root: JSONNode, _ i: Int) -> Int {
        if case .array(let items)? = root["memory"]?.value, i < items.count { return items[i].line }
        return root.line
    }

    /// An integer `min…max` from a JSON number or a "0x…" / decimal string. A value outside the range —
    /// negative, too large, more than 64 bits — is an error that gives the range (`allowed`, when given, says
    /// it in words instead): `num_l2_vms: must be 0…3, got -1`.
    package static func integer(
        _ node: JSONNode, _ file: String, _ field: String, min: UInt64 = 0, max: UInt64, allowed: String? = nil
    ) throws(InputError) -> UInt64 {
        let text: String
        switch node.value {
        case .number(let s): text = s
        case .string(let s): text = s
        default:
            throw InputError(file: file, line: node.line, field: field, "expected an integer, got \(node.typeName)")
        }
        let range = allowed ?? (max == .max ? "\(min)…2^64−1" : "\(min)…\(max)")
        func outside(_ why: String = "") -> InputError {
            InputError(file: file, line: node.line, field: field, "must be \(range), got \(text)\(why)")
        }
        guard let v = parseInteger(text) else {
            if text.hasPrefix("-"), parseInteger(String(text.dropFirst())) != nil { throw outside() }
            let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? text.dropFirst(2) : Substring(text)
            let hex = digits.count < text.count
            if !digits.isEmpty, digits.allSatisfy({ $0 == "_" || (hex ? $0.isHexDigit : $0.isASCII && $0.isNumber) }) {
                throw outside(" (more than 64 bits)")
            }
            throw InputError(file: file, line: node.line, field: field, "expected an integer, got \"\(text)\"")
        }
        guard v >= min, v <= max else { throw outside() }
        return v
    }

    /// A 64-bit mask: an integer, or an array of bit names from `names` (`["DEBUG", "SEPT_VE_DISABLE"]`).
    static func bits(_ node: JSONNode, _ file: String, _ field: String, names: [(name: String, bit: UInt64)])
        throws(InputError) -> UInt64
    {
        guard case .array(let items) = node.value else { return try integer(node, file, field, max: .max) }
        var v: UInt64 = 0
        for (i, item) in items.enumerated() {
            let s = try string(item, file, "\(field)[\(i)]")
            guard let b = names.first(where: { $0.name == s }) else {
                throw InputError(
                    file: file, line: item.line, field: "\(field)[\(i)]",
                    "unknown bit \"\(s)\" (known: \(names.map(\.name).joined(separator: ", ")))")
            }
            v |= 1 << b.bit
        }
        return v
    }

    /// Parses `0x…` hexadecimal or decimal, allowing `_` separators; nil for anything else.
    package static func parseInteger(_ text: String) -> UInt64? {
        let t = String(text.filter { $0 != "_" })
        if t.hasPrefix("0x") || t.hasPrefix("0X") { return UInt64(t.dropFirst(2), radix: 16) }
        return UInt64(t, radix: 10)
    }

    package static func string(_ node: JSONNode, _ file: String, _ field: String) throws(InputError) -> String {
        guard case .string(let s) = node.value else {
            throw InputError(file: file, line: node.line, field: field, "expected a string, got \(node.typeName)")
        }
        return s
    }
}

extension ConfigDecoder {
    /// A TD_PARAMS measurement value: 48 bytes as 96 hex digits (an optional "0x" first), in memory order.
    static func measurement(_ node: JSONNode, _ file: String, _ field: String) throws(InputError) -> [UInt8] {
        let bytes = try Scenario.parseHexBytes(node, file, field: field, prefix: true)
        guard bytes.count == 48 else {
            throw InputError(
                file: file, line: node.line, field: field,
                "expected 48 bytes as 96 hex digits, got \(2 * bytes.count) digits")
        }
        return bytes
    }
}
