import SEAMCore
import SEAMTypes

/// The JSON Lines form of a trace (Traces/FORMAT.md): a header line, one line per step with its number,
/// inputs and outcome, and an end line with the step count, so a file cut short at a line boundary is an
/// error rather than a shorter trace.
///
///     {"softseam":"trace","version":1,"variant":"full","comment":"…","config":{…},"labels":{…}}
///     {"step":1,"actor":"l1","vcpu":0,"tdcall":{"rax":"0x18",…},"comment":"…","out":{…},"hash":"0x…"}
///     {"step":2,"actor":"l1","vcpu":0,"tdcall":{"rax":"0x19",…},"out":{…},"enters_l2":1,"hash":"0x…"}
///     {"softseam":"end","steps":2}
extension Trace {
    static let outcomeKeys = [
        "step", "out", "td_exit", "enters_l2", "module_handled", "l1_resumes", "hash", "l2_events", "bytes",
        "fault", "interrupted", "delivered", "refused",
    ]
    static let resultKeys = [
        "td_exit", "enters_l2", "module_handled", "l1_resumes", "fault", "interrupted", "refused",
    ]

    /// Whether `text` starts like a JSON Lines trace (a header whose "softseam" is "trace").
    public static func isJSONTrace(_ text: String) -> Bool { Scenario.headerKind(of: text) == "trace" }

    /// Reads a JSON Lines trace; errors name `file`, the line and the field.
    public static func parse(_ text: String, file: String) throws(InputError) -> Trace {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        guard let first = lines.firstIndex(where: { !$0.allSatisfy(\.isWhitespace) }) else {
            throw InputError(file: file, line: 1, "empty trace")
        }
        let header = try JSONParser.parse(String(lines[first]), file: file, firstLine: first + 1)
        var scenario = try Scenario.parseHeader(
            header, file: file, kind: "trace", version: formatVersion, extraKeys: ["variant"])
        guard let v = header["variant"] else {
            throw InputError(file: file, line: first + 1, field: "variant", "missing (\"full\" or \"l1-observed\")")
        }
        let name = try ConfigDecoder.string(v, file, "variant")
        guard let variant = Variant(rawValue: name) else {
            throw InputError(
                file: file, line: v.line, field: "variant", "expected \"full\" or \"l1-observed\", got \"\(name)\"")
        }
        var outcomes: [StepOutcome] = []
        var endLine: Int?
        for i in (first + 1)..<lines.count where !lines[i].allSatisfy(\.isWhitespace) {
            let line = i + 1
            if let endLine {
                throw InputError(file: file, line: line, "text after the end line (line \(endLine))")
            }
            let node = try JSONParser.parse(String(lines[i]), file: file, firstLine: line)
            if node["softseam"] != nil {
                try checkEnd(node, file: file, line: line, steps: outcomes.count)
                endLine = line
                continue
            }
            let (step, outcome) = try parseStep(
                node, file: file, line: line, number: outcomes.count + 1, variant: variant, config: scenario.config)
            scenario.steps.append(step)
            outcomes.append(outcome)
        }
        guard endLine != nil else {
            throw InputError(
                file: file, line: lines.count, field: "end",
                "the trace ends without its end line {\"softseam\":\"end\",\"steps\":\(outcomes.count)} (cut short?)")
        }
        return Trace(variant: variant, scenario: scenario, outcomes: outcomes)
    }

    static func checkEnd(_ node: JSONNode, file: String, line: Int, steps: Int) throws(InputError) {
        for (k, _) in node.objectMembers where k != "softseam" && k != "steps" {
            throw InputError(file: file, line: line, field: k, "unknown key in the end line (known: softseam, steps)")
        }
        guard case .string("end")? = node["softseam"]?.value else {
            throw InputError(file: file, line: line, field: "softseam", "expected \"end\" (a second header?)")
        }
        guard let n = node["steps"] else { throw InputError(file: file, line: line, field: "steps", "missing") }
        let count = try ConfigDecoder.integer(n, file, "steps", max: .max)
        guard count == UInt64(steps) else {
            throw InputError(
                file: file, line: line, field: "steps", "the end line says \(count) steps, the file has \(steps)")
        }
    }

    static func parseStep(
        _ node: JSONNode, file: String, line: Int, number: Int, variant: Variant, config: MachineConfig
    ) throws(InputError) -> (Step, StepOutcome) {
        guard let n = node["step"] else {
            throw InputError(file: file, line: line, field: "step", "missing (expected \(number))")
        }
        let found = try ConfigDecoder.integer(n, file, "step", max: .max)
        guard found == UInt64(number) else {
            throw InputError(
                file: file, line: line, field: "step", "expected step \(number), found \(found) (lines reordered?)")
        }
        var step = try Scenario.parseStep(node, file: file, line: line, config: config, extraKeys: outcomeKeys)
        let isCall = step.write == nil && step.shared == nil && step.instruction == nil && step.actor.isCaller
        // CPUID and RDMSR give L1 registers ("out") unless they fault; a read gives "bytes" unless it faults.
        let mayOut: Bool
        switch step.instruction {
        case .cpuid?, .rdmsr?: mayOut = true
        default: mayOut = isCall
        }
        func forbid(_ key: String, _ why: String) throws(InputError) {
            if node[key] != nil { throw InputError(file: file, line: line, field: key, why) }
        }
        if case .l2 = step.actor, step.events.count != 1 {
            throw InputError(file: file, line: line, field: "event", "a trace step is one L2 event")
        }
        var outcome = StepOutcome()
        if let out = node["out"] {
            guard mayOut else {
                throw InputError(
                    file: file, line: line, field: "out", "only a TDCALL, SEAMCALL, CPUID or RDMSR step has \"out\"")
            }
            outcome.registers = try Scenario.registers(out, file, "out")
        } else if isCall {
            throw InputError(file: file, line: line, field: "out", "missing (the registers the call returned)")
        }
        if let b = node["bytes"] {
            guard case .read? = step.instruction else {
                throw InputError(file: file, line: line, field: "bytes", "only a read step has \"bytes\"")
            }
            outcome.bytes = try Scenario.parseHexBytes(b, file, field: "bytes")
        }
        switch variant {
        case .full:
            try forbid("l2_events", "only an l1-observed trace has \"l2_events\" (a full trace has L2 steps)")
            guard let h = node["hash"] else {
                throw InputError(
                    file: file, line: line, field: "hash", "missing (a full trace has the hash after each step)")
            }
            outcome.hash = try ConfigDecoder.integer(h, file, "hash", max: .max)
            outcome.result = try parseResult(node, file: file, line: line, config: config)
            if let d = node["delivered"] {
                outcome.delivery = try DeliveryTrace.parse(d, file: file, numL2VMs: config.numL2VMs)
            }
        case .l1Observed:
            try forbid("delivered", "an l1-observed trace records no deliveries")
            guard case .l1 = step.actor else {
                throw InputError(file: file, line: line, field: "actor", "an l1-observed trace has only L1 steps")
            }
            try forbid("hash", "an l1-observed trace has no state hashes")
            if node["fault"] != nil { outcome.result = try parseResult(node, file: file, line: line, config: config) }
            for k in resultKeys where k != "fault" {
                try forbid(k, "an l1-observed step has only \"out\": L1 sees its TDCALL complete")
            }
            if let list = node["l2_events"] {
                guard step.write == nil else {
                    throw InputError(file: file, line: line, field: "l2_events", "only a TDCALL step runs L2")
                }
                guard case .array(let items) = list.value else {
                    throw InputError(file: file, line: list.line, field: "l2_events", "expected an array of L2 events")
                }
                for e in items { step.events += try L2EventJSON.parse(e, file) }
            }
        }
        return (step, outcome)
    }

    static func parseResult(_ node: JSONNode, file: String, line: Int, config: MachineConfig) throws(InputError)
        -> StepResult
    {
        let present = resultKeys.filter { node[$0] != nil }
        guard present.count <= 1 else {
            throw InputError(file: file, line: line, field: present[1], "a step has one result, also \"\(present[0])\"")
        }
        guard let key = present.first, let v = node[key] else { return .completed }
        switch key {
        case "td_exit": return .tdExit(try Scenario.registers(v, file, key))
        case "l1_resumes": return .l1(try Scenario.registers(v, file, key))
        case "module_handled": return .moduleHandled(UInt32(try ConfigDecoder.integer(v, file, key, max: 0xFFFF_FFFF)))
        case "fault": return .fault(UInt32(try ConfigDecoder.integer(v, file, key, max: 255)))
        case "interrupted":
            guard case .bool(true) = v.value else {
                throw InputError(file: file, line: v.line, field: key, "expected true (the only value it has)")
            }
            return .interrupted
        case "refused":
            guard case .string(let name) = v.value, let why = IRTERingProblem(name: name) else {
                throw InputError(
                    file: file, line: v.line, field: key,
                    "expected one of " + IRTERingProblem.allCases.map { "\"\($0.name)\"" }.joined(separator: ", "))
            }
            return .refused(why)
        default:
            let vm = Int(try ConfigDecoder.integer(v, file, key, max: 3))
            guard vm >= 1 && vm <= config.numL2VMs else {
                throw InputError(file: file, line: v.line, field: key, "L2 VM \(vm) does not exist")
            }
            return .l2(vm: vm)
        }
    }

    /// The trace as JSON Lines, in the form `parse` reads.
    public func jsonLines() -> String {
        var out =
            "{"
            + scenario.headerFields(
                kind: "trace", version: Trace.formatVersion, extra: ",\"variant\":\"\(variant.rawValue)\"") + "}\n"
        for (i, step) in steps.enumerated() {
            out += "{" + Trace.stepLine(step, outcomes[i], number: i + 1, variant: variant) + "}\n"
        }
        out += "{\"softseam\":\"end\",\"steps\":\(count)}\n"
        return out
    }

    static func stepLine(_ step: Step, _ o: StepOutcome, number: Int, variant: Variant) -> String {
        var single = step
        if variant == .l1Observed { single.events = [] }
        var line = Scenario.stepFields(single, prefix: "\"step\":\(number),").joined()
        if variant == .l1Observed && !step.events.isEmpty {
            line += ",\"l2_events\":[" + step.events.map(L2EventJSON.render).joined(separator: ",") + "]"
        }
        if let r = o.registers { line += ",\"out\":" + Scenario.registersJSON(r) }
        if let b = o.bytes { line += ",\"bytes\":\"" + Scenario.hexBytes(b) + "\"" }
        switch o.result {
        case .completed: break
        case .tdExit(let r): line += ",\"td_exit\":" + Scenario.registersJSON(r)
        case .l2(let vm): line += ",\"enters_l2\":\(vm)"
        case .moduleHandled(let reason): line += ",\"module_handled\":\(reason)"
        case .l1(let r): line += ",\"l1_resumes\":" + Scenario.registersJSON(r)
        case .fault(let v): line += ",\"fault\":\(v)"
        case .interrupted: line += ",\"interrupted\":true"
        case .refused(let why): line += ",\"refused\":\"\(why.name)\""
        }
        if let d = o.delivery { line += ",\"delivered\":" + DeliveryTrace.json(d) }
        if let h = o.hash { line += ",\"hash\":\"\(hash16(h))\"" }
        return line
    }
}

/// `0x` and sixteen hex digits.
public func hash16(_ h: UInt64) -> String {
    let digits = String(h, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}

extension Step.Actor {
    /// Host and L1 steps are calls that return registers; an L2 step is an event.
    var isCaller: Bool {
        if case .l2 = self { return false }
        return true
    }
}
