import SEAMCore
import SEAMTypes

/// The scenario spelling of an L2 event (one step of actor "l2"): a string for the events without
/// operands, an object with one key for the rest.
///
///     "cpuid" "hlt" "rdmsr" "wrmsr" "tdcall" "vmcall" "clts" "nmi"
///     {"set": {"rax": "0x1"}}                        straight-line code wrote registers
///     {"jump": "0x1000"}                              a branch
///     {"io": {"port": "0x3f8", "size": 1, "dir": "out", "string": false, "rep": false, "imm": false}}
///     {"mov_to_cr": {"cr": 0, "gpr": "rax"}}          {"mov_from_cr": {"cr": 3, "gpr": "rbx"}}
///     {"lmsw": "0x1"}
///     {"read": {"gpa": "0x…", "size": 8}}             {"write": {"gpa": "0x…", "size": 4, "value": "0x…"}}
///     {"fetch": {"gpa": "0x…", "user": true, "gla": "0x…"}}
///     {"exception": {"vector": 14, "error_code": "0x2"}}
///     {"interrupt": "0x30"}                           an external interrupt
///     {"exit": {"reason": 55, "qualification": "0x0", "length": 3}}
///     "sti" "eoi" "iret"
///     {"during_delivery": {"write": {…}}}             the event exited while L2 was being given an event
///
/// Names and operand rules are `L2Event.Kind` and `L2Event.problem`, shared with the binary form and the
/// machine.
package enum L2EventJSON {
    /// The events without operands, by name, in tag order.
    static let simple: [(String, L2Event)] = L2Event.Kind.bareKinds.map { ($0.name, $0.bare!) }
    /// The keys of the events with operands, in tag order (a memory access has three).
    static let objectKeys = L2Event.Kind.allCases.filter { $0.bare == nil }.flatMap {
        $0 == .memory ? MemoryAccess.Kind.allCases.map(\.name) : [$0.name]
    }

    /// The events one step names (a "set" gives one event per register), each checked against
    /// `L2Event.problem`.
    package static func parse(_ node: JSONNode, _ file: String) throws(InputError) -> [L2Event] {
        let f = "event"
        if case .string(let name) = node.value {
            guard let e = simple.first(where: { $0.0 == name }) else {
                throw InputError(
                    file: file, line: node.line, field: f,
                    "unknown L2 event \"\(name)\" (known: \(simple.map(\.0).joined(separator: ", ")), or an object with one of \(objectKeys.joined(separator: ", ")))"
                )
            }
            return [e.1]
        }
        guard case .object(let members) = node.value, members.count == 1, let (key, v) = members.first else {
            throw InputError(
                file: file, line: node.line, field: f,
                "expected an event: a JSON string such as \"hlt\" or an object with one key such as {\"io\":{…}}")
        }
        let path = "\(f).\(key)"
        func int(_ name: String, max: UInt64, default d: UInt64? = nil) throws(InputError) -> UInt64 {
            guard let n = v[name] else {
                if let d { return d }
                throw InputError(file: file, line: v.line, field: "\(path).\(name)", "missing")
            }
            return try ConfigDecoder.integer(n, file, "\(path).\(name)", max: max)
        }
        func flag(_ name: String) throws(InputError) -> Bool {
            guard let n = v[name] else { return false }
            guard case .bool(let b) = n.value else {
                throw InputError(file: file, line: n.line, field: "\(path).\(name)", "expected true or false")
            }
            return b
        }
        func gpr(_ name: String) throws(InputError) -> UInt8 {
            guard let n = v[name] else { return 0 }
            let s = try ConfigDecoder.string(n, file, "\(path).\(name)")
            guard let i = RegisterFile.names.firstIndex(of: s) else {
                throw InputError(file: file, line: n.line, field: "\(path).\(name)", "not a register name")
            }
            return UInt8(i)
        }
        func checkKeys(_ known: [String]) throws(InputError) {
            guard case .object = v.value else {
                throw InputError(file: file, line: v.line, field: path, "expected an object")
            }
            try v.rejectUnknownKeys(known, file: file, prefix: path)
        }
        func events() throws(InputError) -> [L2Event] {
            switch key {
            case L2Event.Kind.setRegister.name:
                return try Scenario.registerList(v, file, path).map { .setRegister($0.0, $0.1) }
            case L2Event.Kind.jump.name:
                return [.jump(rip: try ConfigDecoder.integer(v, file, path, max: .max))]
            case L2Event.Kind.lmsw.name:
                return [.lmsw(UInt16(try ConfigDecoder.integer(v, file, path, max: 0xFFFF)))]
            case L2Event.Kind.duringDelivery.name:
                let inner = try parse(v, file)
                guard inner.count == 1 else {
                    throw InputError(file: file, line: v.line, field: path, "one event (not a \"set\" of several)")
                }
                if case .duringDelivery = inner[0] {
                    throw InputError(
                        file: file, line: v.line, field: path, "a during_delivery event cannot hold another")
                }
                return [.duringDelivery(inner[0])]
            case L2Event.Kind.externalInterrupt.name:
                return [.externalInterrupt(vector: UInt8(try ConfigDecoder.integer(v, file, path, max: 0xFF)))]
            case L2Event.Kind.time.name:
                return [.time(ticks: try ConfigDecoder.integer(v, file, path, max: .max))]
            case L2Event.Kind.io.name:
                try checkKeys(["port", "size", "dir", "string", "rep", "imm"])
                let size = try int("size", max: 0xFF)  // 1, 2 or 4: L2Event.problem
                guard let d = v["dir"], case .string(let dir) = d.value, dir == "in" || dir == "out" else {
                    throw InputError(file: file, line: v.line, field: "\(path).dir", "expected \"in\" or \"out\"")
                }
                return [
                    .io(
                        IOAccess(
                            port: UInt16(try int("port", max: 0xFFFF)), size: UInt8(size), isIn: dir == "in",
                            isString: try flag("string"), isRep: try flag("rep"), isImmediate: try flag("imm")))
                ]
            case L2Event.Kind.movToCR.name, L2Event.Kind.movFromCR.name:
                try checkKeys(["cr", "gpr"])
                let cr = try int("cr", max: 0xFF)  // 0, 3, 4 or 8: L2Event.problem
                return key == L2Event.Kind.movToCR.name
                    ? [.movToCR(cr: UInt8(cr), gpr: try gpr("gpr"))] : [.movFromCR(cr: UInt8(cr), gpr: try gpr("gpr"))]
            case _ where MemoryAccess.Kind.allCases.contains(where: { $0.name == key }):
                try checkKeys(["gpa", "size", "value", "user", "gla"])
                let kind = MemoryAccess.Kind.allCases.first { $0.name == key }!
                let size = try int("size", max: 0xFF, default: kind == .fetch ? 1 : 8)  // 1…8: L2Event.problem
                let gla: UInt64? = v["gla"] == nil ? nil : try int("gla", max: .max)
                return [
                    .memory(
                        MemoryAccess(
                            kind: kind, gpa: try int("gpa", max: .max), size: UInt8(size),
                            value: try int("value", max: .max, default: 0),
                            isUser: try flag("user"), gla: gla))
                ]
            case L2Event.Kind.exception.name:
                try checkKeys(["vector", "error_code"])
                let vector = try int("vector", max: 0xFF)  // 0…31 but 2: L2Event.problem
                let code: UInt32? = v["error_code"] == nil ? nil : UInt32(try int("error_code", max: 0xFFFF_FFFF))
                return [.exception(vector: UInt8(vector), errorCode: code)]
            case L2Event.Kind.exit.name:
                try checkKeys(["reason", "qualification", "length"])
                return [
                    .exit(
                        ExitReason(UInt32(try int("reason", max: 0xFFFF_FFFF))),
                        qualification: try int("qualification", max: .max, default: 0),
                        instructionLength: UInt32(try int("length", max: 0xFFFF_FFFF, default: 0)))
                ]
            default:
                throw InputError(
                    file: file, line: v.line, field: path,
                    "unknown L2 event (known: \(objectKeys.joined(separator: ", ")))"
                )
            }
        }
        let list = try events()
        for e in list {
            if let (operand, message) = e.problem {
                throw InputError(file: file, line: v.line, field: "\(path).\(operand)", message)
            }
        }
        return list
    }

    /// The scenario spelling of one event.
    package static func render(_ e: L2Event) -> String {
        func hx(_ v: UInt64) -> String { "\"\(hexShort(v))\"" }
        // An index no register has (an event built in code) is written as is; reading it back is an error.
        func name(_ r: Int) -> String { (0..<16).contains(r) ? RegisterFile.names[r] : "r?\(r)" }
        let key = "{\"\(e.kind.name)\":"  // the object's key (a memory access: its access kind, below)
        switch e {
        case .setRegister(let r, let v): return key + "{\"\(name(r))\":\(hx(v))}}"
        case .jump(let rip): return key + "\(hx(rip))}"
        case .cpuid, .hlt, .rdmsr, .wrmsr, .tdcall, .vmcall, .clts, .nmi, .sti, .eoi, .iret:
            return "\"\(e.kind.name)\""
        case .duringDelivery(let inner): return key + render(inner) + "}"
        case .io(let a):
            return key + "{\"port\":\(hx(UInt64(a.port))),\"size\":\(a.size),\"dir\":\"\(a.isIn ? "in" : "out")\""
                + ",\"string\":\(a.isString),\"rep\":\(a.isRep),\"imm\":\(a.isImmediate)}}"
        case .movToCR(let cr, let g), .movFromCR(let cr, let g):
            return key + "{\"cr\":\(cr),\"gpr\":\"\(name(Int(g)))\"}}"
        case .lmsw(let v): return key + "\(hx(UInt64(v)))}"
        case .memory(let a):
            return
                "{\"\(a.kind.name)\":{\"gpa\":\(hx(a.gpa)),\"size\":\(a.size),\"value\":\(hx(a.value)),\"user\":\(a.isUser)"
                + (a.gla.map { ",\"gla\":\(hx($0))" } ?? "") + "}}"
        case .exception(let v, let code):
            return key + "{\"vector\":\(v)" + (code.map { ",\"error_code\":\(hx(UInt64($0)))" } ?? "") + "}}"
        case .externalInterrupt(let v): return key + "\(hx(UInt64(v)))}"
        case .time(let ticks): return key + "\(hx(ticks))}"
        case .exit(let r, let q, let len):
            return key + "{\"reason\":\(r.rawValue),\"qualification\":\(hx(q)),\"length\":\(len)}}"
        }
    }
}
