import SEAMCore
import SEAMFormats
import SEAMTypes

/// `Specs/vm-entry-checks.tsv`: L2 guest states built from a base state and a list of edits, with the first
/// VM-entry check they fail (SDM Vol. 3C §27.3.1), checked against `VMEntryChecks`.
///
///     row ──parse──▶ Case (base state + edits + expected failure) ──apply──▶ L2GuestState
///                                                                       ──VMEntryChecks.check──▶ agree?
///
/// Cell errors are `InputError`s naming the file, the line and the column.
public enum VMEntryCheckTable {
    /// The table's file name under `Specs/`.
    public static let file = "vm-entry-checks.tsv"
    /// The columns the checker reads (plus `source`, which every table has).
    public static let columns = ["id", "base", "set", "expect", "qualification", "mistake"]

    /// The base states a row may name, in the order the table's header lists them.
    public static let bases: [(name: String, state: L2GuestState)] = [
        ("reset", .reset), ("protected", .protectedFlat), ("paged32", .paged32), ("long64", .long64),
        ("compat", .compatibility),
    ]

    /// One edit of a `set` cell: `cr0|=0x20`, `cs.ar=0xC09B`, `entryControls&=~0x200`.
    public struct Edit: Hashable, Sendable, CustomStringConvertible {
        /// How the value combines with the field.
        public enum Operation: String, Hashable, Sendable {
            case assign = "=", or = "|=", andNot = "&=~"
        }
        /// An `L2GuestState` property name, or `<segment>.sel|base|limit|ar`.
        public var field: String
        public var operation: Operation
        public var value: UInt64

        public init(field: String, operation: Operation, value: UInt64) {
            self.field = field
            self.operation = operation
            self.value = value
        }

        public var description: String { field + operation.rawValue + hexShort(value) }
    }

    /// One parsed row.
    public struct Case: Sendable {
        public var id: String
        public var base: L2GuestState
        public var edits: [Edit]
        /// nil when the row expects the state to pass.
        public var expected: VMEntryFailure?

        public init(id: String, base: L2GuestState, edits: [Edit], expected: VMEntryFailure?) {
            self.id = id
            self.base = base
            self.edits = edits
            self.expected = expected
        }

        /// The base state with every edit applied in order.
        public var state: L2GuestState {
            var s = base
            for e in edits { VMEntryCheckTable.apply(e, to: &s) }
            return s
        }
    }

    /// Loads the table from a `Specs` directory.
    public static func load(from directory: String) throws(InputError) -> SpecTable {
        try SpecCatalog.load(file, from: directory)
    }

    /// Parses one row, or names the bad cell.
    public static func parse(_ row: SpecTable.Row) throws(InputError) -> Case {
        guard let base = bases.first(where: { $0.name == row["base"] })?.state else {
            let names = bases.map(\.name).joined(separator: ", ")
            throw InputError(
                file: row.file, line: row.line, field: "base", "expected one of \(names), got \"\(row["base"])\"")
        }
        let edits = try parseSet(row["set"], file: row.file, line: row.line)
        let expected: VMEntryFailure?
        if row["expect"] == "pass" {
            guard row["qualification"] == "-" else {
                throw InputError(file: row.file, line: row.line, field: "qualification", "expected - for a pass row")
            }
            expected = nil
        } else {
            guard let check = VMEntryChecks.all.first(where: { $0.id == row["expect"] }) else {
                throw InputError(
                    file: row.file, line: row.line, field: "expect", "no VM-entry check named \"\(row["expect"])\"")
            }
            expected = VMEntryFailure(check: check.id, qualification: try row.integer("qualification"))
        }
        return Case(id: row["id"], base: base, edits: edits, expected: expected)
    }

    /// nil when `VMEntryChecks` agrees with the row, else what it did instead.
    public static func check(_ row: SpecTable.Row) throws(InputError) -> String? {
        let c = try parse(row)
        let got = VMEntryChecks.check(c.state)
        guard got != c.expected else { return nil }
        let want = c.expected.map { "\($0)" } ?? "pass"
        return "\(c.id): the checks give \(got.map { "\($0)" } ?? "pass"), the table expects \(want)"
    }

    // MARK: - The `set` cell

    /// Parses `-` or `edit;edit;…`; `line` and `file` name the row in errors.
    public static func parseSet(_ cell: String, file: String, line: Int) throws(InputError) -> [Edit] {
        if cell == "-" { return [] }
        var edits: [Edit] = []
        for part in cell.split(separator: ";", omittingEmptySubsequences: false) {
            let text = String(part).trimmingSpaces
            func bad(_ why: String) -> InputError { InputError(file: file, line: line, field: "set", why) }
            var operation: Edit.Operation?
            var split: (field: Substring, value: Substring)?
            for op in [Edit.Operation.andNot, .or, .assign] {  // longest operator first
                if let r = text.firstRange(of: op.rawValue) {
                    operation = op
                    split = (text[..<r.lowerBound], text[r.upperBound...])
                    break
                }
            }
            guard let operation, let split else {
                throw bad("\"\(text)\" is not FIELD=VALUE, FIELD|=VALUE or FIELD&=~VALUE")
            }
            let field = String(split.field)
            guard let width = fieldWidth(field) else { throw bad("unknown field \"\(field)\" in \"\(text)\"") }
            guard let value = ConfigDecoder.parseInteger(String(split.value)) else {
                throw bad("expected an integer after \(operation.rawValue) in \"\(text)\"")
            }
            guard width == 64 || value >> UInt64(width) == 0 else {
                throw bad("\(hexShort(value)) does not fit the \(width)-bit field \(field)")
            }
            edits.append(Edit(field: field, operation: operation, value: value))
        }
        return edits
    }

    /// The bit width of a field a `set` cell may name, or nil.
    static func fieldWidth(_ field: String) -> Int? {
        if let dot = field.firstIndex(of: ".") {
            guard L2GuestState.SegmentRegister(rawValue: String(field[..<dot])) != nil else { return nil }
            switch field[field.index(after: dot)...] {
            case "sel": return 16
            case "base": return 64
            case "limit", "ar": return 32
            default: return nil
            }
        }
        if wide[field] != nil { return 64 }
        if narrow[field] != nil { return 32 }
        return nil
    }

    static let wide: [String: WritableKeyPath<L2GuestState, UInt64> & Sendable] = [
        "cr0": \.cr0, "cr3": \.cr3, "cr4": \.cr4, "dr7": \.dr7, "efer": \.efer, "pat": \.pat, "rflags": \.rflags,
        "rip": \.rip, "rsp": \.rsp, "pendingDebugExceptions": \.pendingDebugExceptions, "debugCtl": \.debugCtl,
        "sysenterESP": \.sysenterESP, "sysenterEIP": \.sysenterEIP, "gdtrBase": \.gdtrBase, "idtrBase": \.idtrBase,
        "pdpte0": \.pdpte0, "pdpte1": \.pdpte1, "pdpte2": \.pdpte2, "pdpte3": \.pdpte3,
    ]

    static let narrow: [String: WritableKeyPath<L2GuestState, UInt32> & Sendable] = [
        "entryControls": \.entryControls, "activityState": \.activityState, "interruptibility": \.interruptibility,
        "entryInterruptionInfo": \.entryInterruptionInfo, "gdtrLimit": \.gdtrLimit, "idtrLimit": \.idtrLimit,
    ]

    static func combine(_ old: UInt64, _ e: Edit) -> UInt64 {
        switch e.operation {
        case .assign: e.value
        case .or: old | e.value
        case .andNot: old & ~e.value
        }
    }

    /// Applies one edit parsed by `parseSet` (so its field exists and its value fits).
    static func apply(_ e: Edit, to s: inout L2GuestState) {
        if let dot = e.field.firstIndex(of: "."),
            let r = L2GuestState.SegmentRegister(rawValue: String(e.field[..<dot]))
        {
            var seg = s[r]
            switch e.field[e.field.index(after: dot)...] {
            case "sel": seg.selector = UInt16(combine(UInt64(seg.selector), e))
            case "base": seg.base = combine(seg.base, e)
            case "limit": seg.limit = UInt32(combine(UInt64(seg.limit), e))
            default: seg.accessRights = UInt32(combine(UInt64(seg.accessRights), e))
            }
            s[r] = seg
        } else if let path = wide[e.field] {
            s[keyPath: path] = combine(s[keyPath: path], e)
        } else if let path = narrow[e.field] {
            s[keyPath: path] = UInt32(combine(UInt64(s[keyPath: path]), e))
        } else {
            preconditionFailure("edit of unknown field \(e.field) got past parseSet")
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
