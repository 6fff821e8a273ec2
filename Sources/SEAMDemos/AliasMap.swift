import SEAMCore
import SEAMFormats
import SEAMTypes

/// The alias table of a TD: for each L1 leaf, L1's permissions and each L2 VM's, read back the way L1
/// reads them, with TDG.MEM.PAGE.ATTR.RD.
public struct AliasMap: Sendable {
    /// One L1 leaf.
    public struct Row: Hashable, Sendable {
        /// The scenario's name for the page, if it has one.
        public var label: String?
        public var gpa: UInt64
        public var level: PageLevel
        public var state: SEPTState
        /// The 16-bit fields ATTR.RD returned, index 0 = L1 (always 0 in 1.5.01), 1…3 = VM1…3; nil when
        /// ATTR.RD does not complete for the page (it is blocked: the host would see a TD exit).
        public var attrs: [UInt16]?
    }

    public var numL2VMs: Int
    public var rows: [Row]

    /// Reads every L1 leaf of `machine` in GPA order, as ATTR.RD answers for it (`Machine.pageAttributes`):
    /// no vCPU runs, so the table is the same whatever the vCPUs are doing and whether or not the TD is
    /// finalized.
    public init(_ machine: Machine, labels: [(label: String, gpa: UInt64)] = []) {
        numL2VMs = machine.numL2VMs
        rows = machine.space.leaves.sortedKeys.map { key in
            let record = machine.space.leaves[key]!
            let gpa = key << 12
            var attrs: [UInt16]?
            if case .read(_, let a) = machine.pageAttributes(gpa) { attrs = (0..<4).map { a[vm: $0].rawValue } }
            return Row(
                label: labels.first { $0.gpa == gpa }?.label, gpa: gpa, level: record.level, state: record.state,
                attrs: attrs)
        }
    }

    /// L1's permissions: a private page L1 has mapped is RWX to L1; a pending or blocked one is not usable.
    public static func l1Permissions(_ state: SEPTState) -> String {
        state.isGuestAccessibleLeaf ? "RWX" : state.description.lowercased()
    }

    /// The table as text. Rows with a label are shown one by one; unlabelled runs of pages with the same
    /// state and attributes are folded into one range row.
    public func text() -> String {
        var lines: [[String]] = [["page", "gpa", "size", "L1"] + (0..<numL2VMs).map { "VM\($0 + 1)" }]
        var i = 0
        while i < rows.count {
            let r = rows[i]
            var j = i + 1
            if r.label == nil {
                while j < rows.count, rows[j].label == nil, rows[j].level == r.level, rows[j].state == r.state,
                    rows[j].attrs == r.attrs, rows[j].gpa == rows[j - 1].gpa + r.level.bytes
                { j += 1 }
            }
            let count = j - i
            let gpa =
                count == 1 ? hexShort(r.gpa) : "\(hexShort(r.gpa))–\(hexShort(rows[j - 1].gpa + r.level.bytes - 1))"
            let size = count == 1 ? "\(r.level)" : "\(count)×\(r.level)"
            let vms: [String] =
                numL2VMs == 0
                ? []
                : (1...numL2VMs).map { vm in
                    guard let a = r.attrs else { return "blocked" }
                    return GPAAttributes(a[vm]).permissionString
                }
            lines.append([r.label ?? "", gpa, size, AliasMap.l1Permissions(r.state)] + vms)
            i = j
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
        "{\"pages\":\(pagesJSON()),\"state_hash\":\"\(hex64(stateHash))\"}"
    }

    /// The `pages` array of `json(stateHash:)`.
    public func pagesJSON() -> String {
        let pages = rows.map { r in
            let label = r.label.map { "\"\(jsonEscaped($0))\"" } ?? "null"
            let attrs = r.attrs.map { "[" + $0.map(String.init).joined(separator: ",") + "]" } ?? "null"
            return "{\"label\":\(label),\"gpa\":\"\(hexShort(r.gpa))\",\"attrs\":\(attrs)}"
        }
        return "[\(pages.joined(separator: ","))]"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
