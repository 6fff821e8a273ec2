import Crypto

/// What MRTD measures, as the log of the build steps the module feeds to MRTD's SHA-384 (TDCS
/// `td_sha_ctx`): TDH.MNG.INIT starts the hash, each TDH.MEM.PAGE.ADD and TDH.MR.EXTEND adds records, and
/// TDH.MR.FINALIZE closes it into MRTD (tdx-module `src/vmm_dispatcher/api_calls/tdh_mng_init.c`,
/// `tdh_mem_page_add.c`, `tdh_mr_extend.c`, `tdh_mr_finalize.c`):
///
///     TDH.MEM.PAGE.ADD  one 128-byte block: "MEM.PAGE.ADD" zero-padded to 16 bytes, the page's GPA (8 bytes,
///                       little-endian), 104 zero bytes — the page's contents are not measured
///     TDH.MR.EXTEND     the same block with "MR.EXTEND" and the chunk's GPA, then the chunk's 256 bytes
///     MRTD              SHA-384 of every block, in call order
///
/// The log, not a running hash, is the state: consecutive PAGE.ADDs of consecutive pages are one entry, so a TD
/// built from a config of 4 Mi pages holds one entry per region, and the hash is computed only when MRTD is
/// read (`Machine.mrtd`). The state hash covers the log (`digest`), which determines MRTD.
public struct MRTDLog: Sendable, Equatable {
    /// One step of the build.
    public enum Entry: Sendable, Equatable, CustomStringConvertible {
        /// `count` 4K pages PAGE.ADDed at `gpa`, `gpa` + 4K, … in that order.
        case pages(gpa: UInt64, count: UInt64)
        /// TDH.MR.EXTEND of the 256 bytes at `gpa`.
        case chunk(gpa: UInt64, bytes: [UInt8])

        /// `PAGE.ADD 0x100000 ×2` or `MR.EXTEND 0x101000` with the chunk's XXH3 (a state difference shows it).
        public var description: String {
            switch self {
            case .pages(let gpa, let count): "PAGE.ADD 0x\(String(gpa, radix: 16)) ×\(count)"
            case .chunk(let gpa, let bytes):
                "MR.EXTEND 0x\(String(gpa, radix: 16)) (XXH3 0x\(String(XXH3.hash(bytes), radix: 16)))"
            }
        }
    }

    /// The steps, in call order.
    public private(set) var entries: [Entry] = []
    /// Wrapping sum of the entries' record hashes (`recordHash`), kept up to date on each change.
    public private(set) var digest: UInt64 = 0

    public init() {}

    /// The log of `entries`, its digest computed (decoding, validation).
    init(entries: [Entry]) {
        self.entries = entries
        digest = Self.recount(entries)
    }

    static func recount(_ entries: [Entry]) -> UInt64 {
        entries.indices.reduce(0) { $0 &+ recordHash(index: $1, entries[$1]) }
    }

    /// TDH.MEM.PAGE.ADD of the 4K page at `gpa`.
    mutating func pageAdded(_ gpa: UInt64) { pagesAdded(gpa, count: 1) }

    /// `count` PAGE.ADDs of consecutive pages from `gpa` (the built-in host's bulk build).
    mutating func pagesAdded(_ gpa: UInt64, count: UInt64) {
        guard count > 0 else { return }
        if case .pages(let first, let n)? = entries.last, first &+ n << 12 == gpa {
            let last = entries.count - 1
            digest = digest &- Self.recordHash(index: last, entries[last])
            entries[last] = .pages(gpa: first, count: n + count)
            digest = digest &+ Self.recordHash(index: last, entries[last])
        } else {
            entries.append(.pages(gpa: gpa, count: count))
            digest = digest &+ Self.recordHash(index: entries.count - 1, entries[entries.count - 1])
        }
    }

    /// TDH.MR.EXTEND of the 256 bytes `bytes` at `gpa`.
    mutating func chunkExtended(_ gpa: UInt64, _ bytes: [UInt8]) {
        precondition(bytes.count == 256, "TDH.MR.EXTEND measures 256 bytes")
        entries.append(.chunk(gpa: gpa, bytes: bytes))
        digest = digest &+ Self.recordHash(index: entries.count - 1, entries[entries.count - 1])
    }

    /// The entry's record in the state hash: key 0x4D << 56 | kind << 48 | index; value the XXH3 of the GPA and
    /// count (kind 0) or of the GPA and the 256 bytes (kind 1).
    static func recordHash(index: Int, _ e: Entry) -> UInt64 {
        switch e {
        case .pages(let gpa, let count):
            return StateHash.vcpuRecordHash(0x4D << 56 | UInt64(index), XXH3.hash(words: gpa, count))
        case .chunk(let gpa, let bytes):
            let value = bytes.withUnsafeBytes { XXH3.hash($0, seed: gpa) }
            return StateHash.vcpuRecordHash(0x4D << 56 | 1 << 48 | UInt64(index), value)
        }
    }

    /// The 128-byte block the module hashes for `name` at `gpa`.
    static func block(_ name: String, _ gpa: UInt64) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 128)
        for (i, c) in name.utf8.enumerated() { b[i] = c }
        for k in 0..<8 { b[16 + k] = UInt8(truncatingIfNeeded: gpa >> (8 * UInt64(k))) }
        return b
    }

    /// MRTD: SHA-384 of every block in call order (O(pages): computed when read, `Machine.mrtd`).
    public func measurement() -> [UInt8] {
        var hasher = SHA384()
        for e in entries {
            switch e {
            case .pages(let first, let count):
                var b = Self.block("MEM.PAGE.ADD", first)
                for i in 0..<count {
                    let gpa = first &+ i << 12
                    for k in 0..<8 { b[16 + k] = UInt8(truncatingIfNeeded: gpa >> (8 * UInt64(k))) }
                    hasher.update(data: b)
                }
            case .chunk(let gpa, let bytes):
                hasher.update(data: Self.block("MR.EXTEND", gpa))
                hasher.update(data: bytes)
            }
        }
        return Array(hasher.finalize())
    }
}

extension MRTDLog: Codable {
    enum CodingKeys: String, CodingKey { case entries }
    enum EntryKeys: String, CodingKey { case gpa, count, bytes }

    /// Entries as `{"gpa": …, "count": …}` or `{"gpa": …, "bytes": [256 numbers]}`; the digest is recomputed.
    public init(from decoder: any Decoder) throws {
        var list = try decoder.container(keyedBy: CodingKeys.self).nestedUnkeyedContainer(forKey: .entries)
        var entries: [Entry] = []
        while !list.isAtEnd {
            let e = try list.nestedContainer(keyedBy: EntryKeys.self)
            let gpa = try e.decode(UInt64.self, forKey: .gpa)
            if let bytes = try e.decodeIfPresent([UInt8].self, forKey: .bytes) {
                entries.append(.chunk(gpa: gpa, bytes: bytes))
            } else {
                entries.append(.pages(gpa: gpa, count: try e.decode(UInt64.self, forKey: .count)))
            }
        }
        self.init(entries: entries)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        var list = c.nestedUnkeyedContainer(forKey: .entries)
        for e in entries {
            var n = list.nestedContainer(keyedBy: EntryKeys.self)
            switch e {
            case .pages(let gpa, let count):
                try n.encode(gpa, forKey: .gpa)
                try n.encode(count, forKey: .count)
            case .chunk(let gpa, let bytes):
                try n.encode(gpa, forKey: .gpa)
                try n.encode(bytes, forKey: .bytes)
            }
        }
    }

    /// Nil when well formed (page runs of at least one 4K-aligned page, chunks of 256 bytes at 256-byte
    /// aligned GPAs), else what is wrong, for `validateDecoded`.
    var problem: String? {
        for (i, e) in entries.enumerated() {
            switch e {
            case .pages(let gpa, let count) where count == 0 || gpa & 0xFFF != 0:
                return "entry \(i): a page run needs a 4K-aligned GPA and a count of at least 1"
            case .chunk(let gpa, let bytes) where bytes.count != 256 || gpa & 0xFF != 0:
                return "entry \(i): a chunk is 256 bytes at a 256-byte-aligned GPA"
            default: continue
            }
        }
        return nil
    }
}
