import SEAMCore
import SEAMFormats
import SEAMTypes

/// The alias table of a TD: for each L1 leaf, L1's permissions and each L2 VM's, read back the way L1
/// reads them, with TDG.MEM.PAGE.ATTR.RD.
public struct AliasMap: Sendable {
    /// One L1 leaf, or a run of unlabelled leaves that read the same.
    public struct Row: Hashable, Sendable {
        /// The scenario's name for the page, if it has one.
        public var label: String?
        /// The first leaf's GPA.
        public var gpa: UInt64
        public var level: PageLevel
        public var state: SEPTState
        /// The 16-bit fields ATTR.RD returned, index 0 = L1 (always 0 in 1.5.01), 1…3 = VM1…3; nil when
        /// ATTR.RD does not complete for the page (it is blocked: the host would see a TD exit).
        public var attrs: [UInt16]?
        /// Number of leaves in the run, contiguous from `gpa`: 1 for a labelled leaf.
        public var count = 1
    }

    public var numL2VMs: Int
    /// The leaves in GPA order; consecutive unlabelled leaves with the same level, state and attributes and
    /// no gap between them are one row, so a 16 GiB TD of 4K pages no alias touched is one row, not 4 Mi.
    public var rows: [Row]

    /// Reads every L1 leaf of `machine` in GPA order, as ATTR.RD answers for it (`Machine.pageAttributes`):
    /// no vCPU runs, so the table is the same whatever the vCPUs are doing and whether or not the TD is
    /// finalized.
    public init(_ machine: Machine, labels: [(label: String, gpa: UInt64)] = []) {
        numL2VMs = machine.numL2VMs
        var names: [UInt64: String] = [:]  // looked up, never iterated
        for (label, gpa) in labels where names[gpa] == nil { names[gpa] = label }
        var rows: [Row] = []
        var lastAttr: GPAAttr?  // the last row's attributes as ATTR.RD's one word: no array per leaf
        machine.space.forEachLeafInGPAOrder { gpa, record in
            var attr: GPAAttr?
            if case .read(_, let a) = machine.pageAttributes(gpa) { attr = a }
            let label = names.isEmpty ? nil : names[gpa]
            if label == nil, let last = rows.last, last.label == nil, last.level == record.level,
                last.state == record.state, lastAttr == attr,
                last.gpa + UInt64(last.count) * record.level.bytes == gpa
            {
                rows[rows.count - 1].count += 1
            } else {
                let attrs = attr.map { a in (0..<4).map { a[vm: $0].rawValue } }
                rows.append(Row(label: label, gpa: gpa, level: record.level, state: record.state, attrs: attrs))
                lastAttr = attr
            }
        }
        self.rows = rows
    }

    /// L1's permissions: a private page L1 has mapped is RWX to L1; a pending or blocked one is not usable.
    public static func l1Permissions(_ state: SEPTState) -> String {
        state.isGuestAccessibleLeaf ? "RWX" : state.description.lowercased()
    }

    /// The table as text: one line per row (a run of unlabelled leaves that read the same is one line).
    public func text() -> String {
        var lines: [[String]] = [["page", "gpa", "size", "L1"] + (0..<numL2VMs).map { "VM\($0 + 1)" }]
        for r in rows {
            let end = r.gpa + UInt64(r.count) * r.level.bytes - 1
            let gpa = r.count == 1 ? hexShort(r.gpa) : "\(hexShort(r.gpa))–\(hexShort(end))"
            let size = r.count == 1 ? "\(r.level)" : "\(r.count)×\(r.level)"
            let vms: [String] =
                numL2VMs == 0
                ? []
                : (1...numL2VMs).map { vm in
                    guard let a = r.attrs else { return "blocked" }
                    return GPAAttributes(a[vm]).permissionString
                }
            lines.append([r.label ?? "", gpa, size, AliasMap.l1Permissions(r.state)] + vms)
        }
        let widths = (0..<lines[0].count).map { c in lines.map { $0[c].count }.max()! }
        return lines.map { row in
            row.enumerated().map { c, cell in cell + String(repeating: " ", count: widths[c] - cell.count) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    /// `{"pages":[{"label":"A","gpa":"0x…","attrs":[l1,vm1,vm2,vm3]}…],"state_hash":"0x…"}`: one entry per
    /// leaf, attrs as the raw 16-bit values ATTR.RD returns (null for a blocked page), label null when none.
    public func json(stateHash: UInt64) -> String {
        var out = ""
        writeJSON(stateHash: stateHash) { out += $0 }
        return out
    }

    /// `json(stateHash:)` handed to `write` in pieces of at most 4,096 entries, so a 4 Mi-page TD's
    /// 200-odd MB of JSON need not be held at once.
    public func writeJSON(stateHash: UInt64, _ write: (String) -> Void) {
        write("{\"pages\":")
        writePagesJSON(write)
        write(",\"state_hash\":\"\(hex64(stateHash))\"}")
    }

    /// The `pages` array of `json(stateHash:)`.
    public func pagesJSON() -> String {
        var out = ""
        writePagesJSON { out += $0 }
        return out
    }

    /// The `pages` array, handed to `write` in pieces of at most 4,096 entries.
    public func writePagesJSON(_ write: (String) -> Void) {
        var out = "["
        var entries = 0
        for (n, r) in rows.enumerated() {
            let label = r.label.map { "\"\(jsonEscaped($0))\"" } ?? "null"
            let attrs = r.attrs.map { "[" + $0.map(String.init).joined(separator: ",") + "]" } ?? "null"
            for i in 0..<UInt64(r.count) {
                if n > 0 || i > 0 { out += "," }
                out += "{\"label\":\(label),\"gpa\":\"\(hexShort(r.gpa + i * r.level.bytes))\",\"attrs\":\(attrs)}"
                entries += 1
                if entries % 4096 == 0 {
                    write(out)
                    out = ""
                }
            }
        }
        write(out + "]")
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
