import SEAMCore
import SEAMFormats
import SEAMTypes
import Testing

@testable import SEAMFormats

/// Mutated corpus traces for MutationTests: each mutant is made by one kind of damage from a fixed
/// SplitMix64 seed, so a failure names a mutant that the next run makes again.
///
///     corpus trace ──kind + seed──▶ mutant (text or bytes, what it must do) ──parse──▶ error or round trip
enum Mutants {
    /// What a mutant must do when parsed.
    enum Verdict {
        /// Parse, or fail with a position.
        case either
        /// Fail with a position; `fields` (when given) holds every acceptable `field` of the error.
        case fails(fields: [String]?)
        /// Fail with a position and a field whose last component (after a dot) is one of `keys`.
        case failsNaming([String])
    }

    /// One damaged trace.
    struct Mutant {
        /// `kind source #n: what was done`, and the file name the parser is given.
        var label: String
        var file: String
        var bytes: [UInt8]
        var verdict: Verdict
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// The JSON Lines traces mutated: the two big demos (full and l1-observed) and a few small ones.
    static let jsonSources = [
        "l2-boot-demo.trace.jsonl", "l2-boot-demo.l1-observed.trace.jsonl", "td-build.trace.jsonl",
        "fatal-td.trace.jsonl", "fatal-machine-check.trace.jsonl", "alias-table-demo.trace.jsonl",
        "accept-interrupted.trace.jsonl",
        "tsc-deadline.trace.jsonl",
        "svsm-irte-ring.trace.jsonl",
    ]

    /// The traces whose binary form is mutated (one is committed binary).
    static let binarySources = [
        "multi-vcpu.trace.bin", "l2-boot-demo.trace.jsonl", "l2-boot-demo.l1-observed.trace.jsonl",
        "td-build.trace.jsonl", "fatal-td.trace.jsonl", "l2-msr-io.trace.jsonl", "alias-table-demo.trace.jsonl",
        "accept-interrupted.trace.jsonl",
        "tsc-deadline.trace.jsonl",
        "svsm-irte-ring.trace.jsonl",
    ]

    /// Deterministic draws from SplitMix64 (not `random(in:using:)`, whose algorithm the standard library
    /// does not promise to keep).
    struct Dice {
        var g: SplitMix64
        init(_ seed: UInt64) { g = SplitMix64(seed: seed) }
        mutating func below(_ n: Int) -> Int {
            precondition(n > 0)
            return Int(g.next() % UInt64(n))
        }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: g.next()) }
    }

    static func seed(_ kind: Int, _ source: Int) -> UInt64 { 0x5EA3_0000 &+ UInt64(kind) << 16 &+ UInt64(source) }
}

/// A JSON Lines trace split for mutation: line 0 is the header, the last line the end line.
struct JSONSource {
    let name: String
    let bytes: [UInt8]
    /// Lines without their newline (the file ends with one, so there is no empty last element here).
    let lines: [[UInt8]]
    /// Byte offset where each line starts.
    let starts: [Int]

    init(_ name: String) throws {
        self.name = name
        bytes = try Corpus.bytes(name)
        precondition(bytes.last == 0x0A, "\(name) ends with a newline")
        var lines: [[UInt8]] = []
        var starts: [Int] = []
        var start = 0
        for (i, b) in bytes.enumerated() where b == 0x0A {
            lines.append(Array(bytes[start..<i]))
            starts.append(start)
            start = i + 1
        }
        self.lines = lines
        self.starts = starts
    }

    var endLine: Int { lines.count - 1 }
    var stepLines: Range<Int> { 1..<endLine }
    var stepCount: Int { endLine - 1 }

    /// The file made of `lines`, each with its newline.
    static func join(_ lines: [[UInt8]]) -> [UInt8] { lines.flatMap { $0 + [0x0A] } }

    /// The keys of a line's objects at any depth (never text inside a string value), as the byte range of
    /// the key's characters.
    static func keys(_ line: [UInt8]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var i = 0
        while i < line.count {
            guard line[i] == UInt8(ascii: "\"") else {
                i += 1
                continue
            }
            let start = i + 1
            var j = start
            while j < line.count && line[j] != UInt8(ascii: "\"") { j += line[j] == UInt8(ascii: "\\") ? 2 : 1 }
            if j + 1 < line.count && line[j + 1] == UInt8(ascii: ":") { out.append(start..<j) }
            i = j + 1
        }
        return out
    }
}

extension Mutants {
    /// The kinds of damage done to a JSON Lines trace.
    enum JSONKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case truncatedMidLine, truncatedAtLineBoundary, garbledByte, deletedStepLine, swappedStepLines
        case duplicatedStepLine, wrongVersion, damagedEndLine, garbageRegisterValue, renamedKey
        var testDescription: String { rawValue }

        /// Mutants of this kind per source trace.
        var perSource: Int {
            switch self {
            case .truncatedMidLine, .truncatedAtLineBoundary: 12
            case .garbledByte: 30
            case .deletedStepLine, .swappedStepLines, .duplicatedStepLine: 8
            case .wrongVersion: Mutants.wrongVersions.count
            case .damagedEndLine: 7
            case .garbageRegisterValue: 20
            case .renamedKey: 15
            }
        }
    }

    /// Header versions that are not 1, in JSON.
    static let wrongVersions = [
        "0", "2", "99", "18446744073709551615", "18446744073709551616", "-1", "1.5", "\"two\"", "null", "true", "[1]",
    ]

    /// Register values that are no 64-bit integer.
    static let garbageValues = [
        "\"0xZZ\"", "\"\"", "-1", "\"0x1ffffffffffffffff\"", "true", "null", "{}", "[]", "\"rax\"", "1e3", "\"0x\"",
        "\"--\"", "18446744073709551616", "\"0x-1\"",
    ]

    static func json(_ kind: JSONKind) throws -> [Mutant] {
        var out: [Mutant] = []
        let kindIndex = JSONKind.allCases.firstIndex(of: kind)!
        for (s, name) in jsonSources.enumerated() {
            let src = try JSONSource(name)
            var dice = Dice(seed(kindIndex, s))
            for n in 0..<kind.perSource {
                var m = Mutant(label: "", file: "", bytes: src.bytes, verdict: .either)
                var what = ""
                switch kind {
                case .truncatedMidLine:
                    // Anywhere before the end line that is not just after a newline (the cut may fall just
                    // before one: the last line is then whole but the end line is missing).
                    var at: Int
                    repeat { at = 1 + dice.below(src.starts[src.endLine] - 1) } while src.bytes[at - 1] == 0x0A
                    m.bytes = Array(src.bytes[..<at])
                    m.verdict = .fails(fields: nil)
                    what = "cut at byte \(at)"
                case .truncatedAtLineBoundary:
                    // Lines 0…endLine-1 kept whole (n == 0 keeps nothing: an empty file).
                    let keep = n == 0 ? 0 : 1 + dice.below(src.endLine)
                    m.bytes = Array(src.bytes[..<src.starts[keep]])
                    m.verdict = .fails(fields: keep == 0 ? nil : ["end"])
                    what = "cut after line \(keep)"
                case .garbledByte:
                    let at = dice.below(src.bytes.count)
                    var b: UInt8
                    repeat { b = dice.byte() } while b == src.bytes[at]
                    m.bytes[at] = b
                    what = "byte \(at) \(hex(src.bytes[at])) → \(hex(b))"
                case .deletedStepLine:
                    let i = src.stepLines.lowerBound + dice.below(src.stepCount)
                    var lines = src.lines
                    lines.remove(at: i)
                    m.bytes = JSONSource.join(lines)
                    // The last step gone, the end line's count is what is wrong.
                    m.verdict = .fails(fields: [i == src.endLine - 1 ? "steps" : "step"])
                    what = "line \(i + 1) deleted"
                case .swappedStepLines:
                    let i = src.stepLines.lowerBound + dice.below(src.stepCount)
                    var j: Int
                    repeat { j = src.stepLines.lowerBound + dice.below(src.stepCount) } while j == i
                    var lines = src.lines
                    lines.swapAt(i, j)
                    m.bytes = JSONSource.join(lines)
                    m.verdict = .fails(fields: ["step"])
                    what = "lines \(i + 1) and \(j + 1) swapped"
                case .duplicatedStepLine:
                    let i = src.stepLines.lowerBound + dice.below(src.stepCount)
                    var lines = src.lines
                    lines.insert(lines[i], at: i + 1)
                    m.bytes = JSONSource.join(lines)
                    m.verdict = .fails(fields: ["step"])
                    what = "line \(i + 1) duplicated"
                case .wrongVersion:
                    let v = wrongVersions[n]
                    var lines = src.lines
                    lines[0] = replacing(
                        Array("\"version\":1,".utf8), with: Array("\"version\":\(v),".utf8), in: lines[0])
                    m.bytes = JSONSource.join(lines)
                    m.verdict = .fails(fields: ["version"])
                    what = "version \(v)"
                case .damagedEndLine:
                    let count = src.stepCount
                    let (line, fields): (String?, [String]) =
                        switch n {
                        case 0: (nil, ["end"])
                        case 1: ("{\"softseam\":\"end\",\"steps\":\(count + 1)}", ["steps"])
                        case 2: ("{\"softseam\":\"end\",\"steps\":\(count - 1)}", ["steps"])
                        case 3: ("{\"softseam\":\"end\",\"steps\":\"x\"}", ["steps"])
                        case 4: ("{\"softseam\":\"End\",\"steps\":\(count)}", ["softseam"])
                        case 5: ("{\"softseam\":\"end\",\"steps\":\(count),\"extra\":1}", ["extra"])
                        default: ("{\"softseam\":\"end\"}", ["steps"])
                        }
                    var lines = src.lines
                    if let line { lines[src.endLine] = Array(line.utf8) } else { lines.removeLast() }
                    m.bytes = JSONSource.join(lines)
                    m.verdict = .fails(fields: fields)
                    what = line.map { "end line \($0)" } ?? "end line removed"
                case .garbageRegisterValue:
                    // A register's value in a step line: `"rax":"0x…"` wherever a register object is.
                    var sites: [(line: Int, key: Range<Int>)] = []
                    while sites.isEmpty {
                        let i = src.stepLines.lowerBound + dice.below(src.stepCount)
                        sites = JSONSource.keys(src.lines[i]).filter { k in
                            RegisterFile.names.contains(String(decoding: src.lines[i][k], as: UTF8.self))
                                && src.lines[i][k.upperBound + 2] == UInt8(ascii: "\"")
                        }.map { (i, $0) }
                    }
                    let (i, key) = dice.pick(sites)
                    let line = src.lines[i]
                    let valueStart = key.upperBound + 2
                    let valueEnd = line[(valueStart + 1)...].firstIndex(of: UInt8(ascii: "\""))! + 1
                    let garbage = dice.pick(garbageValues)
                    var lines = src.lines
                    lines[i] = Array(line[..<valueStart]) + Array(garbage.utf8) + Array(line[valueEnd...])
                    m.bytes = JSONSource.join(lines)
                    let register = String(decoding: line[key], as: UTF8.self)
                    // The field is the register's path: tdcall.rax, out.rcx, event.set.rdx…
                    m.verdict = .fails(fields: registerPaths(register))
                    what = "line \(i + 1) \(register) = \(garbage)"
                case .renamedKey:
                    // A key in a step line or the end line: unknown, or (cut short) another known key.
                    let i = src.stepLines.lowerBound + dice.below(src.stepCount + 1)
                    let key = dice.pick(JSONSource.keys(src.lines[i]))
                    let old = String(decoding: src.lines[i][key], as: UTF8.self)
                    let new =
                        switch dice.below(4) {
                        case 0: old + "_"
                        case 1: "x" + old
                        case 2: old.uppercased()
                        default: old.count > 1 ? String(old.dropLast()) : old + old
                        }
                    var lines = src.lines
                    lines[i].replaceSubrange(key, with: Array(new.utf8))
                    m.bytes = JSONSource.join(lines)
                    // An end line without "softseam" is read as a step line, which has no "step".
                    m.verdict = .failsNaming(old == "softseam" ? [old, new, "step"] : [old, new])
                    what = "line \(i + 1) key \(old) → \(new)"
                }
                m.label = "\(kind.rawValue) \(name) #\(n): \(what)"
                m.file = "\(kind.rawValue)-\(n)-\(name)"
                out.append(m)
            }
        }
        return out
    }

    /// The fields an error about register `r` may name.
    static func registerPaths(_ r: String) -> [String] {
        ["tdcall", "seamcall", "out", "td_exit", "l1_resumes", "event.set"].map { "\($0).\(r)" }
    }

    static func replacing(_ old: [UInt8], with new: [UInt8], in line: [UInt8]) -> [UInt8] {
        for i in 0...(line.count - old.count) where Array(line[i..<(i + old.count)]) == old {
            return Array(line[..<i]) + new + Array(line[(i + old.count)...])
        }
        preconditionFailure("\(String(decoding: old, as: UTF8.self)) not found")
    }

    static func hex(_ b: UInt8) -> String { "0x" + String(b, radix: 16) }
}

extension Mutants {
    /// The kinds of damage done to a binary trace.
    enum BinaryKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case truncated, flippedByte, flippedByteChecksumFixed, swappedRecords, wrongVersion
        var testDescription: String { rawValue }

        var perSource: Int {
            switch self {
            case .truncated: 10
            case .flippedByte: 15
            case .flippedByteChecksumFixed: 40
            case .swappedRecords: 10
            case .wrongVersion: 6
            }
        }
    }

    /// A binary trace and where its records start and end.
    struct BinarySource {
        let name: String
        let bytes: [UInt8]
        /// Byte ranges of the records, in order.
        let records: [Range<Int>]

        init(_ name: String) throws {
            self.name = name
            let original = try Corpus.bytes(name)
            bytes = Trace.isBinary(original) ? original : try Corpus.trace(name).binary()
            var reader = try BinaryTraceReader(bytes, file: name)
            var records: [Range<Int>] = []
            var start = reader.offset
            while try reader.next() != nil {
                records.append(start..<reader.offset)
                start = reader.offset
            }
            self.records = records
        }
    }

    /// `bytes` with the checksum recomputed, as a writer that damaged it on purpose would.
    static func fixChecksum(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        let sum = XXH3.hash(Array(b[..<(b.count - 8)]))
        for i in 0..<8 { b[b.count - 8 + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i))) }
        return b
    }

    static func binary(_ kind: BinaryKind) throws -> [Mutant] {
        var out: [Mutant] = []
        let kindIndex = 100 + BinaryKind.allCases.firstIndex(of: kind)!
        for (s, name) in binarySources.enumerated() {
            let src = try BinarySource(name)
            let count = src.bytes.count
            var dice = Dice(seed(kindIndex, s))
            for n in 0..<kind.perSource {
                var m = Mutant(label: "", file: "", bytes: src.bytes, verdict: .either)
                var what = ""
                switch kind {
                case .truncated:
                    let at = dice.below(count)
                    m.bytes = Array(src.bytes[..<at])
                    m.verdict = .fails(fields: nil)
                    what = "cut at byte \(at)"
                case .flippedByte:
                    let at = dice.below(count)
                    let mask = 1 + UInt8(dice.below(255))
                    m.bytes[at] ^= mask
                    // The magic is checked first, then the end marker, then the checksum.
                    let field = at < 8 ? "magic" : (count - 16..<count - 8).contains(at) ? "end" : "checksum"
                    m.verdict = .fails(fields: [field])
                    what = "byte \(at) ^ \(hex(mask))"
                case .flippedByteChecksumFixed:
                    let at = 8 + dice.below(count - 24)
                    let mask = 1 + UInt8(dice.below(255))
                    m.bytes[at] ^= mask
                    m.bytes = fixChecksum(m.bytes)
                    what = "byte \(at) ^ \(hex(mask)), checksum fixed"
                case .swappedRecords:
                    let i = dice.below(src.records.count)
                    var j: Int
                    repeat { j = dice.below(src.records.count) } while j == i
                    let (a, b) = (min(i, j), max(i, j))
                    let (ra, rb) = (src.records[a], src.records[b])
                    m.bytes =
                        Array(src.bytes[..<ra.lowerBound]) + src.bytes[rb] + src.bytes[ra.upperBound..<rb.lowerBound]
                        + src.bytes[ra] + src.bytes[rb.upperBound...]
                    m.bytes = fixChecksum(m.bytes)
                    m.verdict = .fails(fields: ["step \(a + 1).step"])
                    what = "records \(a + 1) and \(b + 1) swapped, checksum fixed"
                case .wrongVersion:
                    var v: UInt32 = [0, 2, 0xFFFF_FFFF, 0x0100_0000][n % 4]
                    if n >= 4 { v ^= UInt32(dice.below(1 << 16)) << 8 | 0x80 }
                    for i in 0..<4 { m.bytes[8 + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
                    m.bytes = fixChecksum(m.bytes)
                    m.verdict = .fails(fields: ["version"])
                    what = "version \(v), checksum fixed"
                }
                m.label = "\(kind.rawValue) \(name) #\(n): \(what)"
                m.file = "\(kind.rawValue)-\(n)-\(name).bin"
                out.append(m)
            }
        }
        return out
    }
}
