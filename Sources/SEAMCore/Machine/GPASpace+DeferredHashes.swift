import SEAMTypes

/// Page hashes brought up to date when they are asked for rather than on every write.
///
///     write of chunks C of page p ──▶ deferred[p]: mask |= C, oldSum += hash of each chunk of C new to mask
///     digest ──▶ settledDigest + Σ over deferred pages (contentsHash(p, now) − contentsHash(p, then))
///     settleDeferredHashes() ──▶ each deferred page's hash and settledDigest brought up to date, list emptied
///
/// While a page is deferred, its `PageContents.hash` and its term in `settledDigest` are those it had when it
/// was first deferred; its hash now is that hash minus `oldSum` plus what the chunks in `mask` hash to now.
/// Dropping or replacing a deferred page removes the term `settledDigest` holds, so it only forgets the entry.
extension GPASpace {
    /// A page whose chunk hashes are deferred: the chunks written since (`mask`, bit c = chunk c) and the sum
    /// of what those chunks hashed to before their first write (`oldSum`).
    package struct DeferredChunks: Sendable, Equatable {
        package var page: UInt64
        package var mask: UInt64
        package var oldSum: UInt64

        package init(page: UInt64, mask: UInt64, oldSum: UInt64) {
            self.page = page
            self.mask = mask
            self.oldSum = oldSum
        }
    }

    /// At most this many pages wait; the next one settles them all first. A handful of pages (the guest-state
    /// buffer, a virtual-APIC page, a stack) is what a step between two state hashes writes; the bound keeps
    /// `digest` O(1) whatever a caller writes without asking for it.
    static let deferredLimit = 8

    /// Wrapping sum of the XXH3 of every record; see `StateHash`. O(deferred chunks); inlined, since every
    /// state hash reads it and nothing usually waits (fuzz_execs, callgrind).
    public var digest: UInt64 {
        @inline(__always) get { deferred.isEmpty ? settledDigest : settledDigest &+ deferredChange() }
    }

    /// What the deferred pages' changes add to `settledDigest`.
    func deferredChange() -> UInt64 {
        var d: UInt64 = 0
        for e in deferred {
            let slot = contents.slot(of: e.page)!
            let then = contents.values[slot].hash
            d = d &- StateHash.contentsHash(e.page, then) &+ StateHash.contentsHash(e.page, currentHash(e, slot: slot))
        }
        return d
    }

    /// The hash page `e.page` (in `slot` of `contents`) has now: the hash it had when deferred, less what its
    /// changed chunks hashed to then, plus what they hash to now. By slot: looking the page up again by key
    /// copied its record (fuzz_execs, callgrind).
    @inline(__always)
    func currentHash(_ e: DeferredChunks, slot: Int) -> UInt64 {
        let now = contents.values[slot].bytes.withUnsafeBytes { PageContents.chunkHashes($0, e.mask) }
        return contents.values[slot].hash &- e.oldSum &+ now
    }

    /// The hash page `pageIndex`'s stored hash stands for once settled (its stored hash when not deferred).
    func settledHash(_ pageIndex: UInt64) -> UInt64? {
        guard let slot = contents.slot(of: pageIndex) else { return nil }
        guard let e = deferredIndex(pageIndex) else { return contents.values[slot].hash }
        return currentHash(deferred[e], slot: slot)
    }

    /// The index of page `pageIndex` in `deferred`, or nil. A linear scan: the list holds at most
    /// `deferredLimit` pages.
    @inline(__always)
    func deferredIndex(_ pageIndex: UInt64) -> Int? {
        var i = 0
        while i < deferred.count {
            if deferred[i].page == pageIndex { return i }
            i += 1
        }
        return nil
    }

    /// Encodes the space as a snapshot holds it: settled, under the keys `init(from:)` reads.
    public func encode(to encoder: any Encoder) throws {
        var s = self
        s.settleDeferredHashes()
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(s.width, forKey: .width)
        try c.encode(s.leaves, forKey: .leaves)
        try c.encode(s.tables, forKey: .tables)
        try c.encode(s.contents, forKey: .contents)
        try c.encode(s.blocks, forKey: .blocks)
        try c.encode(s.shared, forKey: .shared)
        try c.encode(s.acceptCounters, forKey: .acceptCounters)
        try c.encode(s.settledDigest, forKey: .digest)
        try c.encode(s.contentVersion, forKey: .contentVersion)
        try c.encode(s.blockedTables, forKey: .blockedTables)
    }
}

/// Stores into one page in place for `GPASpace.withPageWriter`: each store that changes a byte marks its
/// 64-byte chunk written, and the first store into a chunk whose hash is not already waiting adds what the
/// chunk hashed to before it (`oldSum`).
package struct PageWriter {
    var bytes: UnsafeMutableRawPointer!
    /// Chunks whose earlier hash `deferred` already holds.
    let waiting: UInt64
    /// Chunks in which a store changed a byte.
    package private(set) var written: UInt64 = 0
    /// What the chunks in `written` but not in `waiting` hashed to before their first store.
    private(set) var oldSum: UInt64 = 0

    init(bytes: UnsafeMutableRawPointer?, waiting: UInt64) {
        self.bytes = bytes
        self.waiting = waiting
    }

    @inline(__always)
    package func byte(_ offset: Int) -> UInt8 { bytes.load(fromByteOffset: offset, as: UInt8.self) }

    @inline(__always)
    package mutating func setByte(_ offset: Int, _ value: UInt8) {
        guard byte(offset) != value else { return }
        let chunk = offset >> 6
        let bit: UInt64 = 1 << UInt64(chunk)
        if (waiting | written) & bit == 0 {
            oldSum &+= PageContents.chunkHash(UnsafeRawBufferPointer(start: bytes, count: 4096), chunk)
        }
        written |= bit
        bytes.storeBytes(of: value, toByteOffset: offset, as: UInt8.self)
    }

    /// Whether every chunk in `written` is now all zeros (only then can the page have become all zeros).
    func writtenChunksAreZero() -> Bool {
        var m = written
        while m != 0 {
            let c = m.trailingZeroBitCount
            guard GPASpace.isAllZero(UnsafeRawBufferPointer(start: bytes + c * 64, count: 64)) else { return false }
            m &= m &- 1
        }
        return true
    }
}
