import SEAMTypes

/// The field-level difference of two machine states.
///
///     old, new ──▶ td.…    scalar TD fields (Mirror over Machine's stored properties, declaration order)
///              ──▶ space.… scalar GPA-space fields (Mirror), then by ascending key:
///                  page <gpa> L1 state / VMn attributes,  SEPT page <gpa> level L,  blocked entry …,
///                  page <gpa> contents bytes <first>…<last>  (runs of differing 64-byte chunks)
///              ──▶ vcpuN.… scalar TDVPS fields (Mirror), then vmN.vmcs <FIELD> (<encoding>) in table order
///                  and vmN.msrBitmap[word]
///
/// Scalars are found with `Mirror`, so a stored property added later is compared without a change here.
/// Left out, because they are derived from what is compared or are memos that never change what an
/// operation returns: `Machine.vcpusHashMemo`, `GPASpace.digest`, `.contentVersion`, `.leafVersion`, `.blockedTables` (a count of NL_BLOCKED tables)
/// and `.width` (equal to `Machine.width`); `VCPU.digest`, `.resets` (the field table's reset values),
/// `.bufferWords`, `.bufferGPA`, `.bufferVersion`, `.bufferClean`, `.guestStateChecked` and `.ripChanged`.
/// Everything the state hash covers is compared, so equal states give an empty list and an empty list means
/// equal hashes.
extension Machine {
    /// What differs between `old` and this machine, in a fixed order (see above); empty when both hold the
    /// same state.
    public func differences(from old: Machine) -> [StateDifference] {
        var out: [StateDifference] = []
        StateDiff.fields("td", old, self, skipping: ["space", "vcpus", "vcpusHashMemo"], into: &out)
        StateDiff.space(old.space, space, into: &out)
        for i in 0..<max(old.vcpus.count, vcpus.count) {
            guard i < old.vcpus.count, i < vcpus.count else {
                let present = i < vcpus.count
                out.append(
                    .init(field: "vcpu\(i)", before: present ? "none" : "present", after: present ? "present" : "none"))
                continue
            }
            StateDiff.vcpu(i, old.vcpus[i], vcpus[i], into: &out)
        }
        return out
    }
}

/// The pieces of `Machine.differences(from:)`.
enum StateDiff {
    static let vcpuSkipped: Set<String> = [
        "vmcs", "msrBitmaps", "resets", "digest", "bufferWords", "bufferGPA", "bufferVersion", "bufferClean",
        "guestStateChecked", "ripChanged",
    ]
    static let spaceSkipped: Set<String> = [
        "leaves", "tables", "contents", "blocks", "settledDigest", "deferred", "contentVersion", "leafVersion",
        "blockedTables", "width", "acceptCounters",
    ]

    // MARK: Scalars

    /// Compares the stored properties of two values of one type, recursing into plain structs (register
    /// files, a pending TD exit) and spreading `PerVM` into `[0]`…`[3]`.
    static func fields(
        _ name: String, _ old: Any, _ new: Any, skipping: Set<String> = [], into out: inout [StateDifference]
    ) {
        if let a = old as? PerVM, let b = new as? PerVM {
            for vm in 0...3 where a[vm] != b[vm] {
                out.append(.init(field: "\(name)[\(vm)]", before: number(a[vm]), after: number(b[vm])))
            }
            return
        }
        let ma = Mirror(reflecting: old)
        let mb = Mirror(reflecting: new)
        if ma.displayStyle == .optional, mb.displayStyle == .optional, let a = ma.children.first,
            let b = mb.children.first
        {
            fields(name, a.value, b.value, into: &out)
            return
        }
        if ma.displayStyle == .struct, !isAtomic(old), ma.children.count == mb.children.count, !ma.children.isEmpty {
            for (a, b) in zip(ma.children, mb.children) {
                guard let label = a.label, !skipping.contains(label) else { continue }
                fields("\(name).\(label)", a.value, b.value, into: &out)
            }
            return
        }
        let before = text(old)
        let after = text(new)
        if before != after { out.append(.init(field: name, before: before, after: after)) }
    }

    /// Values shown whole rather than field by field.
    static func isAtomic(_ v: Any) -> Bool { v is ModuleProfile || v is GPAWidth }

    /// A scalar as text: small numbers in decimal, others in hex; enums and values by their description.
    static func text(_ v: Any) -> String {
        switch v {
        case let x as UInt64: return number(x)
        case let x as UInt32: return number(UInt64(x))
        case let x as UInt16: return number(UInt64(x))
        case let x as UInt8: return number(UInt64(x))
        case let x as VCPU.Location:
            switch x {
            case .l1: return "L1"
            case .l2(let vm): return "L2 VM\(vm)"
            case .host: return "host"
            }
        case let p as VCPU.PendingTDExit: return "\(p.kind) from VM\(p.vm): \(p.exit)"
        case let x as CustomStringConvertible: return x.description
        default:
            let m = Mirror(reflecting: v)
            if m.displayStyle == .optional {
                guard let some = m.children.first else { return "none" }
                return text(some.value)
            }
            return String(describing: v)
        }
    }

    /// `7`, `0x1000`: single digits need no base.
    static func number(_ v: UInt64) -> String { v < 10 ? "\(v)" : hexShort(v) }

    // MARK: GPA space

    static func space(_ a: GPASpace, _ b: GPASpace, into out: inout [StateDifference]) {
        fields("space", a, b, skipping: spaceSkipped, into: &out)
        for key in union(a.leaves.sortedKeys, b.leaves.sortedKeys) {
            let o = a.leaves[key]
            let n = b.leaves[key]
            guard o != n else { continue }
            let page = "page \(hexShort(key << 12))"
            let l1Before = leafText(o)
            let l1After = leafText(n)
            if l1Before != l1After { out.append(.init(field: "\(page) L1 state", before: l1Before, after: l1After)) }
            for vm in 1...3 {
                guard PageRecord.aliasStateDiffers(vm: vm, o, n) else { continue }
                out.append(
                    .init(field: "\(page) VM\(vm) attributes", before: aliasText(o, vm), after: aliasText(n, vm)))
            }
        }
        for key in union(a.tables.sortedKeys, b.tables.sortedKeys) where a.tables[key] != b.tables[key] {
            let level = key >> 48
            let gpa = (key & (1 << 48 - 1)) << (12 + 9 * level)
            out.append(
                .init(
                    field: "SEPT page \(hexShort(gpa)) level \(level)", before: tableText(a.tables[key] ?? 0),
                    after: tableText(b.tables[key] ?? 0)))
        }
        for key in union(a.blocks.sortedKeys, b.blocks.sortedKeys) where a.blocks[key] != b.blocks[key] {
            let field: String
            if key & 1 << 62 != 0 {
                let level = (key >> 48) & 0xFF
                let gpa = (key & (1 << 48 - 1)) << (12 + 9 * level)
                field = "blocked entry \(hexShort(gpa)) level \(level)"
            } else {
                field = "page \(hexShort(key << 12)) block"
            }
            out.append(.init(field: field, before: blockText(a.blocks[key]), after: blockText(b.blocks[key])))
        }
        for key in union(a.acceptCounters.sortedKeys, b.acceptCounters.sortedKeys)
        where a.acceptCounters[key] != b.acceptCounters[key] {
            out.append(
                .init(
                    field: "page \(hexShort(key << 12)) accept counter", before: number(UInt64(a.acceptCounter(key))),
                    after: number(UInt64(b.acceptCounter(key)))))
        }
        for key in union(a.contents.sortedKeys, b.contents.sortedKeys) {
            let o = a.contents[key]
            let n = b.contents[key]
            guard o?.bytes != n?.bytes else { continue }
            contents("page \(hexShort(key << 12)) contents", o?.bytes, n?.bytes, into: &out)
        }
    }

    /// `4K MAPPED`, or `none` when there is no leaf.
    static func leafText(_ r: PageRecord?) -> String {
        guard let r else { return "none" }
        return "\(r.level) \(r.state)"
    }

    /// VM `vm`'s alias as the alias map prints it (`RW`, `RWX`, `—` for none), with the attribute bits beyond
    /// the permissions (`VGP`, `SSS`…) and `L2-blocked` when its permissions are parked.
    static func aliasText(_ r: PageRecord?, _ vm: Int) -> String {
        guard let r else { return "—" }
        let a = r.attrs(vm: vm)
        let extra = GPAAttributes(a.rawValue & ~(GPAAttributes.presentMask | GPAAttributes.valid.rawValue))
        var s = r.isAliased(vm: vm) ? a.permissionString : (a.rawValue == 0 ? "—" : "no alias, \(a)")
        if r.isAliased(vm: vm) && extra.rawValue != 0 { s += " \(extra)" }
        if r.isL2Blocked(vm: vm) { s += " L2-blocked" }
        return s
    }

    /// Which SEPTs have the paging page (`L1, VM1, VM2 L2_NL_BLOCKED`), `none` when no SEPT has it.
    static func tableText(_ bits: UInt8) -> String {
        let parts = (0..<4).compactMap { b -> String? in
            let present = bits >> b & 1 != 0
            let blocked = bits >> (b + 4) & 1 != 0
            guard present || blocked else { return nil }
            let name = b == 0 ? "L1" : "VM\(b)"
            return blocked ? "\(name) \(b == 0 ? "NL_BLOCKED" : "L2_NL_BLOCKED")" : name
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    static func blockText(_ tracked: Bool?) -> String {
        switch tracked {
        case nil: "none"
        case false?: "blocked, not tracked"
        case true?: "blocked, tracked"
        }
    }

    /// One entry per run of differing 64-byte chunks; the values are the differing bytes of the run, from the
    /// first to the last that differ, in hex (at most 32 shown).
    static func contents(_ name: String, _ a: [UInt8]?, _ b: [UInt8]?, into out: inout [StateDifference]) {
        let zeros = [UInt8](repeating: 0, count: 4096)
        let old = a ?? zeros
        let new = b ?? zeros
        guard old.count == 4096, new.count == 4096 else {
            out.append(.init(field: name, before: "\(old.count) bytes", after: "\(new.count) bytes"))
            return
        }
        let chunk = PageContents.chunk
        let differs = (0..<4096 / chunk).map { c in old[c * chunk..<(c + 1) * chunk] != new[c * chunk..<(c + 1) * chunk]
        }
        var c = 0
        while c < differs.count {
            guard differs[c] else {
                c += 1
                continue
            }
            var end = c
            while end + 1 < differs.count && differs[end + 1] { end += 1 }
            let range = c * chunk..<(end + 1) * chunk
            let first = range.first { old[$0] != new[$0] }!
            let last = range.last { old[$0] != new[$0] }!
            let field = "\(name) bytes \(hexShort(UInt64(range.lowerBound)))…\(hexShort(UInt64(range.upperBound - 1)))"
            out.append(.init(field: field, before: bytesText(old, first, last), after: bytesText(new, first, last)))
            c = end + 1
        }
    }

    /// `@0x48 0100000000000000`: bytes `first`…`last` of `page` in hex, at most 32 of them.
    static func bytesText(_ page: [UInt8], _ first: Int, _ last: Int) -> String {
        let shown = page[first...min(last, first + 31)]
        let digits = shown.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        return "@\(hexShort(UInt64(first))) \(digits)\(last - first >= 32 ? "…" : "")"
    }

    /// The keys of both sorted lists, ascending, each once.
    static func union(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(max(a.count, b.count))
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                out.append(a[i])
                i += 1
            } else if i == a.count || b[j] < a[i] {
                out.append(b[j])
                j += 1
            } else {
                out.append(a[i])
                i += 1
                j += 1
            }
        }
        return out
    }

    // MARK: vCPUs

    static func vcpu(_ i: Int, _ a: VCPU, _ b: VCPU, into out: inout [StateDifference]) {
        let name = "vcpu\(i)"
        fields(name, a, b, skipping: vcpuSkipped, into: &out)
        let rows = L2VMCSLayout.fields
        for vm in 1...3 {
            let base = (vm - 1) * L2VMCSLayout.count
            for (row, f) in rows.enumerated() {
                let slot = base + row
                guard slot < a.vmcs.count, slot < b.vmcs.count, a.vmcs[slot] != b.vmcs[slot] else { continue }
                out.append(
                    .init(
                        field: "\(name).vm\(vm).vmcs \(f.name) (\(hexShort(UInt64(f.encoding.rawValue))))",
                        before: number(a.vmcs[slot]), after: number(b.vmcs[slot])))
            }
            for word in 0..<VCPU.msrBitmapWords {
                let slot = (vm - 1) * VCPU.msrBitmapWords + word
                guard slot < a.msrBitmaps.count, slot < b.msrBitmaps.count, a.msrBitmaps[slot] != b.msrBitmaps[slot]
                else { continue }
                out.append(
                    .init(
                        field: "\(name).vm\(vm).msrBitmap[\(word)] (\(msrRange(word)))",
                        before: number(a.msrBitmaps[slot]), after: number(b.msrBitmaps[slot])))
            }
        }
    }

    /// The MSRs a bitmap word covers: `read 0xc0…0xff`, `write 0xc0000080…0xc00000bf` (the page holds
    /// read-low, read-high, write-low and write-high quarters of 128 words).
    static func msrRange(_ word: Int) -> String {
        let quarter = word / 128
        let first = UInt64(quarter & 1 == 0 ? 0 : 0xC000_0000) + UInt64(word % 128) * 64
        return "\(quarter < 2 ? "read" : "write") \(hexShort(first))…\(hexShort(first + 63))"
    }
}
