import SEAMCore
import SEAMFormats
import SEAMTypes

/// Checks the model against spec-table rows: each row is one case, each case passes or says what differed.
/// Used by the SEAMSpec tests (one parameterized test case per row) and available to the CLI.
public enum ConformanceRunner {
    /// nil when the model agrees with `row`, else a sentence saying what the model did instead.
    public static func check(_ row: SpecTable.Row) throws(InputError) -> String? {
        switch row.file {
        case "leaves.tsv": return try checkLeaf(row)
        case "status-codes.tsv": return try checkStatus(row)
        case "operand-ids.tsv": return try checkOperand(row)
        case "gpa-attr-bits.tsv": return try checkAttrBit(row)
        case "gpa-attr-legality.tsv": return try checkLegality(row)
        case "attr-wr-failures.tsv": return try checkAttrWr(row)
        case "l2-vmcs-fields.tsv": return try checkL2VMCSField(row)
        case VMEntryCheckTable.file: return try VMEntryCheckTable.check(row)
        case "exit-routing.tsv": return try ExitRoutingTable.check(row)
        case GlobalMetadataTableGenerator.tableFile: return try checkGlobalField(row)
        case InterruptRulesTable.file: return try InterruptRulesTable.check(row)
        default: throw InputError(file: row.file, line: row.line, "no checker for this table")
        }
    }

    static func yesNo(_ row: SpecTable.Row, _ column: String) throws(InputError) -> Bool {
        switch row[column] {
        case "yes": return true
        case "no": return false
        default:
            throw InputError(
                file: row.file, line: row.line, field: column, "expected yes or no, got \"\(row[column])\"")
        }
    }

    static func checkLeaf(_ row: SpecTable.Row) throws(InputError) -> String? {
        let n = try row.integer("leaf")
        guard n <= 0xFFFF else { throw InputError(file: row.file, line: row.line, field: "leaf", "above 0xFFFF") }
        let leaf = Leaf(UInt16(n))
        let defined = try yesNo(row, "defined")
        let expectedName = row["name"] == "-" ? nil : row["name"]
        if leaf.name != expectedName { return "leaf \(n) is named \(leaf.name ?? "-"), table says \(row["name"])" }
        if ModuleProfile.v1_5_01.leaves.contains(leaf) != defined {
            return "profile 1.5.01 disagrees on whether leaf \(n) exists"
        }
        let entry = TDCallLeaves.entry(leaf)
        let maxVersion = entry.map { String($0.maxVersion) } ?? "-"
        if maxVersion != row["max_version"] {
            return "the registry gives leaf \(n) highest version \(maxVersion), table says \(row["max_version"])"
        }
        let implemented = try yesNo(row, "implemented")
        if Machine.implementedLeaves.contains(leaf) != implemented {
            return "leaf \(n) is \(implemented ? "not " : "")implemented, table says \(row["implemented"])"
        }
        // An undefined leaf, or one SoftSEAM does not implement yet, answers OPERAND_INVALID(RAX).
        if !defined || !implemented {
            var m = Machine(config: MachineConfig(numL2VMs: 1))
            var regs = RegisterFile(rax: n)
            _ = try? m.tdcall(vcpu: 0, &regs)
            if regs.rax != TDXStatus.operandInvalid.with(.rax).rawValue {
                return "leaf \(n) returned \(TDXStatus(regs.rax)), expected TDX_OPERAND_INVALID(RAX)"
            }
        }
        return nil
    }

    static func checkStatus(_ row: SpecTable.Row) throws(InputError) -> String? {
        let value = try row.integer("value")
        let isError = try yesNo(row, "error")
        guard let named = TDXStatus.allNamed.first(where: { $0.name == row["name"] }) else {
            return "SEAMTypes has no status named \(row["name"])"
        }
        if named.status.rawValue != value {
            return "\(row["name"]) is \(hex64(named.status.rawValue)), table says \(hex64(value))"
        }
        if named.status.isError != isError { return "\(row["name"]).isError is \(named.status.isError)" }
        return nil
    }

    static func checkOperand(_ row: SpecTable.Row) throws(InputError) -> String? {
        let id = try row.integer("id")
        let name = OperandID(UInt32(truncatingIfNeeded: id)).description
        return name == row["name"] ? nil : "operand \(id) is named \(name), table says \(row["name"])"
    }

    static func checkAttrBit(_ row: SpecTable.Row) throws(InputError) -> String? {
        let bit = try row.integer("bit")
        let named: [String: GPAAttributes] = [
            "R": .r, "W": .w, "Xs": .xs, "Xu": .xu, "VGP": .vgp, "PWA": .pwa,
            "SSS": .sss, "SVE": .sve, "VALID": .valid,
        ]
        guard let a = named[row["name"]] else { return "SEAMTypes has no attribute named \(row["name"])" }
        return a.rawValue == 1 << bit ? nil : "\(row["name"]) is \(hexShort(UInt64(a.rawValue))), table says bit \(bit)"
    }

    static func checkLegality(_ row: SpecTable.Row) throws(InputError) -> String? {
        let a = GPAAttributes(UInt16(truncatingIfNeeded: try row.integer("attrs")))
        let present = try yesNo(row, "present"), legal = try yesNo(row, "legal")
        if a.isPresent != present { return "\(a): isPresent is \(a.isPresent)" }
        if a.isLegal != legal { return "\(a): isLegal is \(a.isLegal)" }
        return nil
    }

    static func checkAttrWr(_ row: SpecTable.Row) throws(InputError) -> String? {
        var m = AttrWrFixture.machine
        let before = m.stateHash()
        let input = RegisterFile(
            rax: UInt64(Leaf.memPageAttrWr.rawValue), rcx: try row.integer("rcx"),
            rdx: try row.integer("rdx"), r8: try row.integer("r8"))
        var regs = input
        let outcome = try? m.tdcall(vcpu: 0, &regs)
        let operand = row["operand"]
        if row["expected"] == "TD_EXIT" {
            guard case .tdExit(let exit)? = outcome else {
                return "completed with \(TDXStatus(regs.rax)), expected a TD exit"
            }
            guard operand.hasPrefix("eeq="), let kind = UInt8(operand.dropFirst(4)) else {
                throw InputError(file: row.file, line: row.line, field: "operand", "expected eeq=<type> for TD_EXIT")
            }
            if exit.exitReason != .eptViolation { return "TD exit reason \(exit.exitReason), expected EPT_VIOLATION" }
            if exit.eeq.kind.rawValue != kind { return "TD exit EEQ type \(exit.eeq.kind.rawValue), expected \(kind)" }
            if regs != input { return "a fault-like TD exit changed L1's registers" }
            // The vCPU waits for the host; once its TDH.VP.ENTER re-enters L1, nothing else has changed.
            guard m.vcpus[0].location == .host else { return "after the TD exit the vCPU does not wait for the host" }
            guard case .resumedL1(nil) = m.hostEnter(vcpu: 0, resumeL1: false, hostRegisters: RegisterFile()) else {
                return "TDH.VP.ENTER did not resume L1 after the fault-like exit"
            }
            if m.stateHash() != before { return "a TD exit changed the state" }
            return nil
        }
        guard let base = TDXStatus.allNamed.first(where: { $0.name == row["expected"] })?.status else {
            throw InputError(file: row.file, line: row.line, field: "expected", "unknown status \(row["expected"])")
        }
        let expected = try expectedStatus(base, operand, row)
        guard outcome == .completed else { return "TD exit, expected \(expected)" }
        if regs.rax != expected.rawValue { return "returned \(TDXStatus(regs.rax)), expected \(expected)" }
        if expected.isError {
            if m.stateHash() != before { return "a failed ATTR.WR changed the state" }
            if regs.rcx != 0 { return "RCX is \(hexShort(regs.rcx)) on failure, expected 0" }
            if expected.code != .pageAttrInvalid && regs.rdx != 0 { return "RDX is \(hexShort(regs.rdx)), expected 0" }
        }
        if row["out_rcx"] != "-", regs.rcx != (try row.integer("out_rcx")) {
            return "RCX is \(hex64(regs.rcx)), expected \(row["out_rcx"])"
        }
        if row["out_rdx"] != "-", regs.rdx != (try row.integer("out_rdx")) {
            return "RDX is \(hex64(regs.rdx)), expected \(row["out_rdx"])"
        }
        return nil
    }

    static func expectedStatus(_ base: TDXStatus, _ operand: String, _ row: SpecTable.Row) throws(InputError)
        -> TDXStatus
    {
        if operand == "-" { return base }
        if let id = OperandID.names.first(where: { $0.value == operand })?.key { return base.with(OperandID(id)) }
        if let level = UInt32(operand) { return base.with(detail: level) }
        let parts = operand.split(separator: ",").map { $0.split(separator: "=") }
        if parts.count == 2, parts[0].count == 2, parts[1].count == 2, parts[0][0] == "hi", parts[1][0] == "lo",
            let hi = UInt16(parts[0][1]), let lo = UInt16(parts[1][1])
        {
            return base.with(hi: hi, lo: lo)
        }
        throw InputError(file: row.file, line: row.line, field: "operand", "cannot read \"\(operand)\"")
    }
}
