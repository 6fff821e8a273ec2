import SEAMTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The TD's one shared GPA space: the L1 secure EPT, each L2 VM's secure EPT over the same GPAs (aliases),
/// and page contents.
///
///     leaves   [gpa>>12 of leaf base : PageRecord]   L1 leaf state, level, TDAL, per-VM L2 leaf attributes
///     tables   [level, gpa>>(12+9·level) : bits]     which SEPT paging pages exist: bit 0 L1, bit vm L2 VM vm;
///                                                     bit 4 + n: that page's parent entry is (L2_)NL_BLOCKED
///     contents [gpa>>12 : 4096 bytes]                 sparse; a page never written reads as zeros
///     shared   [gpa>>12 of a shared page : true]      the host's shared EPT: shared GPAs (SHARED bit set)
///                                                     the host mapped; their bytes are in `contents` too,
///                                                     under their own page index (the SHARED bit keeps it
///                                                     apart from every private page's)
///     acceptCounters [key as in leaves : 1…511]    a PENDING 2M leaf's ACCEPT progress (absent = 0)
///     digest   Σ XXH3(record) over all the maps       maintained on every change (O(records changed)); a
///                                                     changed page's chunk hashes may wait (`deferred`)
///
/// A "table at level L" is the paging page that an entry at level L points to; the root page (entries at
/// `width.rootLevel`) belongs to TDR/TDCS and always exists. An L2 leaf maps the same page at the same level
/// as the L1 leaf it aliases, so it lives in the L1 leaf's record rather than in a map of its own.
public struct GPASpace: Sendable, Codable {
    /// Table bit for the L1 SEPT.
    public static let l1TableBit: UInt8 = 1
    /// Table bit set, with the presence bits shifted up by 4, when the host blocked the entry pointing to the
    /// page (NL_BLOCKED in L1, L2_NL_BLOCKED in an L2 SEPT).
    public static let blockedShift: UInt8 = 4

    public let width: GPAWidth
    package private(set) var leaves = U64Map(placeholder: PageRecord(state: .free, level: .size4K)) {
        didSet { leafVersion &+= 1 }  // in place: a didSet that does not read oldValue copies nothing
    }
    package private(set) var tables = U64Map<UInt8>(placeholder: 0)
    package private(set) var contents = U64Map(placeholder: PageContents(bytes: []))
    /// Leaves blocked by the host (key as in `leaves`): false until a TDH.MEM.TRACK follows the block.
    package private(set) var blocks = U64Map(placeholder: false)
    /// The shared pages the host mapped in its shared EPT (key gpa >> 12, SHARED bit included). Not part of
    /// any SEPT: no key here is ever a `leaves` or `tables` key.
    package private(set) var shared = U64Map(placeholder: true)
    /// The accept counter of a 2M leaf whose TDG.MEM.PAGE.ACCEPT was interrupted (key as in `leaves`): how many
    /// of its 4K chunks are initialized, 1…511. The module keeps it in bits 20:12 of the L1 SEPT entry
    /// (`accept_counter` of `ia32e_sept_t`, `include/x86_defs.h`); here a record exists only while the counter
    /// is not 0, so it is hashed as absent in every state without one.
    package private(set) var acceptCounters = U64Map<UInt16>(placeholder: 0)
    /// Wrapping sum of the XXH3 of every record, with each page in `deferred` at its hash when it was
    /// deferred; `digest` adds what the deferred chunks changed. See `StateHash`.
    package private(set) var settledDigest: UInt64 = 0
    /// Pages whose bytes changed since their hash was last brought up to date, with the chunks that changed
    /// and what those chunks hashed to before (GPASpace+DeferredHashes.swift). Not state: `digest` is the
    /// same whether they are settled or not.
    package private(set) var deferred: [DeferredChunks] = []
    /// Bumped whenever any page's bytes change. Not state (it is not hashed): it lets a vCPU know that the
    /// guest-state buffer it last read or wrote still holds what it remembers.
    package private(set) var contentVersion: UInt64 = 0
    /// Bumped whenever any leaf record changes. Not state (it is not hashed, not saved): it lets a checker
    /// that compared every leaf know that none has changed since.
    public private(set) var leafVersion: UInt64 = 0
    /// Number of L1 paging entries that are NL_BLOCKED: while it is 0 no walk can stop at a blocked table,
    /// which keeps the one-lookup fast path of `walkL1` and `leafSlot` valid.
    public private(set) var blockedTables = 0

    public init(width: GPAWidth) { self.width = width }

    enum CodingKeys: String, CodingKey {
        case width, leaves, tables, contents, blocks, shared, acceptCounters, digest, contentVersion, blockedTables
    }

    /// Decodes a snapshot; one written before shared memory was modelled has no `shared` and maps none, one
    /// written before interrupted ACCEPTs were modelled has no `acceptCounters` and no counter.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        width = try c.decode(GPAWidth.self, forKey: .width)
        leaves = try c.decode(U64Map<PageRecord>.self, forKey: .leaves)
        tables = try c.decode(U64Map<UInt8>.self, forKey: .tables)
        contents = try c.decode(U64Map<PageContents>.self, forKey: .contents)
        blocks = try c.decode(U64Map<Bool>.self, forKey: .blocks)
        shared = try c.decodeIfPresent(U64Map<Bool>.self, forKey: .shared) ?? U64Map(placeholder: true)
        acceptCounters =
            try c.decodeIfPresent(U64Map<UInt16>.self, forKey: .acceptCounters) ?? U64Map(placeholder: 0)
        settledDigest = try c.decode(UInt64.self, forKey: .digest)
        contentVersion = try c.decode(UInt64.self, forKey: .contentVersion)
        blockedTables = try c.decode(Int.self, forKey: .blockedTables)
    }

    // MARK: Keys

    /// The `leaves` key of the level-`level` leaf that would map `gpa`.
    @inline(__always)
    public static func leafKey(_ gpa: UInt64, _ level: PageLevel) -> UInt64 {
        (gpa >> level.shift) << (level.shift - 12)
    }

    /// The `blocks` key of a blocked non-leaf entry: its `tables` key with bit 62 set, apart from leaf keys.
    @inline(__always)
    public static func tableBlockKey(_ gpa: UInt64, _ level: PageLevel) -> UInt64 {
        tableKey(gpa, level) | 1 << 62
    }

    /// The `tables` key of the paging page that the level-`level` entry for `gpa` points to.
    @inline(__always)
    public static func tableKey(_ gpa: UInt64, _ level: PageLevel) -> UInt64 {
        UInt64(level.rawValue) << 48 | gpa >> level.shift
    }

    // MARK: Reads

    /// The leaf record whose page contains `gpa`, if any (checks 4K, then 2M, then 1G).
    public func leaf(containing gpa: UInt64) -> PageRecord? {
        for l: UInt8 in 0...2 {
            let level = PageLevel(l)
            if let r = leaves[GPASpace.leafKey(gpa, level)], r.level == level { return r }
        }
        return nil
    }

    /// The leaf record at exactly (`gpa` aligned to `level`, `level`).
    @inline(__always)
    public func leaf(at gpa: UInt64, level: PageLevel) -> PageRecord? {
        if let r = leaves[GPASpace.leafKey(gpa, level)], r.level == level { return r }
        return nil
    }

    /// Table bits of the paging page under the level-`level` entry for `gpa` (0 when none).
    public func tableBits(_ gpa: UInt64, _ level: PageLevel) -> UInt8 {
        tables[GPASpace.tableKey(gpa, level)] ?? 0
    }

    /// What an L1 SEPT entry is.
    public enum Entry: Equatable, Sendable {
        case free
        /// NL_MAPPED: points to a paging page.
        case table
        /// NL_BLOCKED: points to a paging page, blocked by the host; walks stop here.
        case blockedTable
        case leaf(PageRecord)
    }

    /// The L1 entry at `level` for `gpa`, assuming the walk reaches that level.
    public func l1Entry(_ gpa: UInt64, _ level: PageLevel) -> Entry {
        if let r = leaf(at: gpa, level: level) { return .leaf(r) }
        if level.rawValue >= 1 {
            let bits = tableBits(gpa, level)
            if bits & GPASpace.l1TableBit != 0 {
                return bits & GPASpace.l1TableBit << GPASpace.blockedShift != 0 ? .blockedTable : .table
            }
        }
        return .free
    }

    /// Whether an NL_BLOCKED entry lies on the walk from the root to the level-`level` entry for `gpa`.
    func blockedAbove(_ gpa: UInt64, _ level: PageLevel) -> Bool {
        guard blockedTables > 0 else { return false }
        var l = width.rootLevel
        while l > level {
            if tableBits(gpa, l) & GPASpace.l1TableBit << GPASpace.blockedShift != 0 { return true }
            l = PageLevel(l.rawValue - 1)
        }
        return false
    }

    /// Where an L1 SEPT walk toward `target` ended, and the entry there.
    public struct Walk: Equatable, Sendable {
        /// The level of the entry the walk stopped at; equal to the target when it got there.
        public var level: PageLevel
        public var entry: Entry
    }

    /// Walks the L1 SEPT from the root toward level `target`, stopping early at a FREE entry or a leaf.
    public func walkL1(_ gpa: UInt64, to target: PageLevel) -> Walk {
        // A leaf at the target level implies every table above it exists (tables are never removed while
        // a leaf is below them), so unless some table is blocked the common case is one lookup.
        if blockedTables == 0, let r = leaf(at: gpa, level: target) { return Walk(level: target, entry: .leaf(r)) }
        var level = width.rootLevel
        while true {
            let e = l1Entry(gpa, level)
            if level == target { return Walk(level: level, entry: e) }
            guard e == .table else { return Walk(level: level, entry: e) }
            level = PageLevel(level.rawValue - 1)
        }
    }

    /// Walks the L1 SEPT down to the first leaf or FREE entry (as ATTR.RD and L2 accesses do).
    public func walkL1ToLeaf(_ gpa: UInt64) -> Walk {
        walkL1(gpa, to: .size4K)
    }

    /// Walks VM `vm`'s L2 SEPT toward level `target`: nil when every paging page down to it exists and no
    /// entry on the way is L2_NL_BLOCKED, else the level of the entry where the walk stopped (an L2_FREE or
    /// blocked entry has no permissions, tdx-module src/common/helpers/helpers.c l2_sept_walk_guest_side).
    public func walkL2(_ gpa: UInt64, vm: Int, to target: PageLevel) -> PageLevel? {
        GPASpace.walkL2(tables, root: width.rootLevel.rawValue, gpa, vm: vm, to: target.rawValue)
    }

    /// `walkL2` over the tables map alone: called from ATTR.WR's per-VM loop, where calling a method on
    /// the whole `GPASpace` made the compiler copy the struct (184 bytes) on every call.
    @inline(__always)
    static func walkL2(_ tables: U64Map<UInt8>, root: UInt8, _ gpa: UInt64, vm: Int, to target: UInt8) -> PageLevel? {
        let bit = UInt8(1) << UInt8(vm)
        var level = root
        while level > target {
            let key = UInt64(level) << 48 | gpa >> (12 &+ 9 &* UInt64(level))
            guard let slot = tables.slot(of: key), tables.value(at: slot) & (bit | bit << 4) == bit else {
                return PageLevel(level)
            }
            level &-= 1
        }
        return nil
    }

    /// Calls `body` with the GPA and record of every L1 leaf, in GPA order, without sorting: a walk of the
    /// L1 SEPT from the root page, through every paging page whose L1 bit is set (a leaf exists only below
    /// such pages, whether or not they are blocked). Costs a lookup per entry of each paging page and no
    /// memory, where sorting the keys would hold a second copy of them.
    public func forEachLeafInGPAOrder(_ body: (UInt64, PageRecord) throws -> Void) rethrows {
        func visit(entriesAt level: PageLevel, from base: UInt64) throws {
            for i in UInt64(0)..<512 {
                let gpa = base + i << level.shift
                if level <= .size1G, let r = leaf(at: gpa, level: level) {
                    try body(gpa, r)
                } else if level > .size4K, tableBits(gpa, level) & GPASpace.l1TableBit != 0 {
                    try visit(entriesAt: PageLevel(level.rawValue - 1), from: gpa)
                }
            }
        }
        try visit(entriesAt: width.rootLevel, from: 0)
    }

    /// The 4 KiB page at `pageIndex` (gpa >> 12), zeros when never written.
    public func page(_ pageIndex: UInt64) -> [UInt8] {
        contents[pageIndex]?.bytes ?? [UInt8](repeating: 0, count: 4096)
    }

    // MARK: Writes (each keeps `digest` equal to the sum of record hashes)

    /// Replaces the leaf record under `key` (nil removes it, and with it any accept counter: the freed SEPT
    /// entry is all zeros).
    package mutating func setLeaf(_ key: UInt64, _ record: PageRecord?) {
        if let old = leaves[key] { settledDigest &-= StateHash.leafHash(key, old) }
        leaves[key] = record
        if let record {
            settledDigest &+= StateHash.leafHash(key, record)
        } else if acceptCounters.count > 0 {
            setAcceptCounter(key, 0)
        }
    }

    /// The accept counter of the 2M leaf under `key`: 0 unless an ACCEPT of it was interrupted.
    public func acceptCounter(_ key: UInt64) -> UInt16 {
        acceptCounters.count > 0 ? acceptCounters[key] ?? 0 : 0
    }

    /// Sets the accept counter of the leaf under `key`; 0 removes the record.
    package mutating func setAcceptCounter(_ key: UInt64, _ counter: UInt16) {
        if let old = acceptCounters[key] { settledDigest &-= StateHash.acceptCounterHash(key, old) }
        acceptCounters[key] = counter == 0 ? nil : counter
        if counter != 0 { settledDigest &+= StateHash.acceptCounterHash(key, counter) }
    }

    /// Makes room for `additional` more leaves, so a build that knows its size never grows the map.
    package mutating func reserveLeaves(_ additional: Int) { leaves.reserve(additional: additional) }

    /// Adds the record of a leaf that must not exist yet (the built-in host's bulk build); the state is as
    /// `setLeaf` would leave it. Stops on an existing key: the build asked for a page twice.
    package mutating func addNewLeaf(_ key: UInt64, _ record: PageRecord) {
        precondition(leaves.insertAbsent(key, record), "leaf \(hexShort(key << 12)) added twice")
        settledDigest &+= StateHash.leafHash(key, record)
    }

    /// Replaces the record in a slot found by `leafSlot` just before (no insertion or removal since).
    @inline(__always)
    package mutating func replaceLeaf(at slot: Int, with record: PageRecord) {
        let old = leaves.value(at: slot)
        guard old != record else { return }
        let key = leaves.key(at: slot)
        settledDigest &-= StateHash.leafHash(key, old)
        settledDigest &+= StateHash.leafHash(key, record)
        leaves.setValue(record, at: slot)
    }

    /// The slot of the leaf at (`gpa`, `level`), for an in-place update.
    @inline(__always)
    package func leafSlot(_ gpa: UInt64, _ level: PageLevel) -> Int? {
        guard let i = GPASpace.leafSlot(leaves, gpa, level), blockedTables == 0 || !blockedAbove(gpa, level) else {
            return nil
        }
        return i
    }

    /// `leafSlot` over the leaves map alone, for when no table is blocked: a method call on the whole
    /// `GPASpace` from ATTR.WR made the compiler copy the struct (160 bytes) on every call.
    @inline(__always)
    static func leafSlot(_ leaves: U64Map<PageRecord>, _ gpa: UInt64, _ level: PageLevel) -> Int? {
        guard let i = leaves.slot(of: leafKey(gpa, level)), leaves.value(at: i).level == level else { return nil }
        return i
    }

    /// Sets table bits under the level-`level` entry for `gpa`.
    package mutating func setTableBits(_ gpa: UInt64, _ level: PageLevel, _ bits: UInt8) {
        let key = GPASpace.tableKey(gpa, level)
        let blocked = GPASpace.l1TableBit << GPASpace.blockedShift
        blockedTables += (bits & blocked != 0 ? 1 : 0) - ((tables[key] ?? 0) & blocked != 0 ? 1 : 0)
        if let old = tables[key] { settledDigest &-= StateHash.tableHash(key, old) }
        tables[key] = bits == 0 ? nil : bits
        if bits != 0 { settledDigest &+= StateHash.tableHash(key, bits) }
    }

    /// Writes `source` into page `pageIndex` at `offset`, in place; a page that becomes all zeros is dropped,
    /// so a zeroed page and a never-touched one are the same state. The chunks a write changes have their hash
    /// deferred (`deferred`): a chunk written again before the digest is asked for costs no hashing. A
    /// virtual interrupt's delivery and EOI set and clear VISR and VPPR in the virtual-APIC page, and every
    /// L2→L1 exit writes the guest-state buffer back; hashing each of those writes at once cost 16 XXH3 calls per
    /// deliver–EOI round trip (inject_deliver_eoi, callgrind).
    mutating func write(_ pageIndex: UInt64, offset: Int, _ source: UnsafeRawBufferPointer) {
        precondition(offset >= 0 && offset + source.count <= 4096)
        guard source.count > 0 else { return }
        guard let slot = contents.slot(of: pageIndex) else {
            guard !GPASpace.isAllZero(source) else { return }  // zeros into a zero page
            var c = PageContents(bytes: [UInt8](repeating: 0, count: 4096))
            c.bytes.withUnsafeMutableBytes {
                $0.baseAddress!.advanced(by: offset).copyMemory(from: source.baseAddress!, byteCount: source.count)
            }
            c.hash = PageContents.pageHash(c.bytes)
            contents[pageIndex] = c
            settledDigest &+= StateHash.contentsHash(pageIndex, c.hash)
            contentVersion &+= 1
            return
        }
        let entry = deferredIndex(pageIndex)
        let waiting = entry.map { deferred[$0].mask } ?? 0
        var changed: UInt64 = 0
        var oldHashes: UInt64 = 0
        var becameZero = false
        contents.values[slot].bytes.withUnsafeMutableBytes { page in
            let target = page.baseAddress! + offset
            changed = GPASpace.changedChunks(target, source, offset: offset)
            guard changed != 0 else { return }
            oldHashes = PageContents.chunkHashes(UnsafeRawBufferPointer(page), changed & ~waiting)
            target.copyMemory(from: source.baseAddress!, byteCount: source.count)
            becameZero = GPASpace.isAllZero(source) && GPASpace.isAllZero(UnsafeRawBufferPointer(page))
        }
        guard changed != 0 else { return }
        noteWritten(pageIndex, slot: slot, entry: entry, changed: changed, oldHashes: oldHashes, becameZero: becameZero)
    }

    /// After the chunks `changed` of page `pageIndex` (in `slot`, at `entry` of `deferred` if there) were
    /// written: the content version moves on, and the page is dropped when it became all zeros, or its changed
    /// chunks wait, with what the ones new to the list hashed to before (`oldHashes`).
    private mutating func noteWritten(
        _ pageIndex: UInt64, slot: Int, entry: Int?, changed: UInt64, oldHashes: UInt64, becameZero: Bool
    ) {
        contentVersion &+= 1
        if becameZero {
            if let entry { deferred.remove(at: entry) }
            settledDigest &-= StateHash.contentsHash(pageIndex, contents.values[slot].hash)
            contents[pageIndex] = nil
            return
        }
        var e = entry ?? deferred.count
        if entry == nil {
            if deferred.count == GPASpace.deferredLimit { settleDeferredHashes() }
            deferred.append(DeferredChunks(page: pageIndex, mask: 0, oldSum: 0))
            e = deferred.count - 1
        }
        deferred[e].mask |= changed
        deferred[e].oldSum &+= oldHashes
    }

    /// Runs `body` on page `pageIndex`'s bytes in place (`PageWriter`), then treats what it stored as a
    /// `write`: the chunks it changed wait for their hash, the page is dropped if it became all zeros. A page
    /// never written is given to `body` as zeros and stored only if `body` changed a byte. L2's virtual-APIC
    /// registers change this way: copying the registers out of the page and writing the changed span back cost
    /// about 1,700 instructions per deliver–EOI round trip (inject_deliver_eoi, callgrind).
    package mutating func withPageWriter<R>(_ pageIndex: UInt64, _ body: (inout PageWriter) -> R) -> R {
        guard let slot = contents.slot(of: pageIndex) else {
            var zeros = [UInt8](repeating: 0, count: 4096)
            let (result, written) = zeros.withUnsafeMutableBytes { p in
                var w = PageWriter(bytes: p.baseAddress!, waiting: ~0)
                return (body(&w), w.written)
            }
            if written != 0 { zeros.withUnsafeBytes { write(pageIndex, offset: 0, $0) } }
            return result
        }
        let entry = deferredIndex(pageIndex)
        var w = PageWriter(bytes: nil, waiting: entry.map { deferred[$0].mask } ?? 0)
        var becameZero = false
        let result = contents.values[slot].bytes.withUnsafeMutableBytes { p in
            w.bytes = p.baseAddress!
            let r = body(&w)
            if w.written != 0 && w.writtenChunksAreZero() { becameZero = GPASpace.isAllZero(UnsafeRawBufferPointer(p)) }
            return r
        }
        guard w.written != 0 else { return result }
        noteWritten(
            pageIndex, slot: slot, entry: entry, changed: w.written, oldHashes: w.oldSum, becameZero: becameZero)
        return result
    }

    /// Runs `body` on page `pageIndex`'s bytes, or on nil for a page never written (all zeros).
    package func withPageBytes<R>(_ pageIndex: UInt64, _ body: (UnsafeRawPointer?) -> R) -> R {
        guard let slot = contents.slot(of: pageIndex) else { return body(nil) }
        return contents.values[slot].bytes.withUnsafeBytes { body($0.baseAddress!) }
    }

    /// Brings every deferred page's hash, and `settledDigest`, up to date (GPASpace+DeferredHashes.swift).
    /// `digest` does not change.
    package mutating func settleDeferredHashes() {
        for e in deferred {
            let slot = contents.slot(of: e.page)!
            let then = contents.values[slot].hash
            let now = currentHash(e, slot: slot)
            settledDigest = settledDigest &- StateHash.contentsHash(e.page, then) &+ StateHash.contentsHash(e.page, now)
            contents.values[slot].hash = now
        }
        deferred.removeAll(keepingCapacity: true)
    }

    /// The 64-byte chunks of the page (bit c: chunk c) in which writing `source` at page offset `offset` over
    /// `target` (the page's bytes there) changes a byte: only those have their hash deferred, so a write that
    /// spans chunks it does not change (the guest-state buffer written back, a virtual-APIC span) rehashes none
    /// of them.
    static func changedChunks(_ target: UnsafeMutableRawPointer, _ source: UnsafeRawBufferPointer, offset: Int)
        -> UInt64
    {
        var mask: UInt64 = 0
        var at = 0
        while at < source.count {
            let chunk = (offset + at) / PageContents.chunk
            let end = min(source.count, (chunk + 1) * PageContents.chunk - offset)
            if memcmp(target + at, source.baseAddress! + at, end - at) != 0 { mask |= 1 << UInt64(chunk) }
            at = end
        }
        return mask
    }

    /// Whether every byte of `b` is 0, eight at a time, stopping at the first word that is not: clearing a bit
    /// of an L2 virtual-APIC page (a page with a few non-zero words) asks this of the whole page, and scanning
    /// all 4 KiB cost about 1,500 instructions per virtual EOI (callgrind, inject_deliver_eoi).
    static func isAllZero(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        var acc: UInt64 = 0
        while i + 8 <= b.count {
            acc |= b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if acc != 0 { return false }
            i += 8
        }
        while i < b.count {
            acc |= UInt64(b[i])
            i += 1
        }
        return acc == 0
    }

    /// Copies `count` bytes of page `pageIndex` from `offset` into the first bytes of `value`, whose memory
    /// holds plain little-endian words (`GuestStateWords`); the host is little-endian, as x86 is.
    func read<T>(_ pageIndex: UInt64, offset: Int, count: Int, into value: inout T) {
        precondition(count <= MemoryLayout<T>.size)
        withUnsafeMutableBytes(of: &value) {
            read(pageIndex, offset: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<count]))
        }
    }

    /// Writes the first `count` bytes of `value` into page `pageIndex` at `offset` (see `read(_:offset:count:into:)`).
    mutating func write<T>(_ pageIndex: UInt64, offset: Int, count: Int, from value: inout T) {
        precondition(count <= MemoryLayout<T>.size)
        withUnsafeBytes(of: &value) {
            write(pageIndex, offset: offset, UnsafeRawBufferPointer(rebasing: $0[0..<count]))
        }
    }

    /// Copies `count` bytes of page `pageIndex` from `offset` into `destination` (zeros for a page never
    /// written). Inlined: called out of line it took a copy of the whole space (callgrind).
    @inline(__always)
    func read(_ pageIndex: UInt64, offset: Int, into destination: UnsafeMutableRawBufferPointer) {
        precondition(offset >= 0 && offset + destination.count <= 4096)
        guard let slot = contents.slot(of: pageIndex) else {
            destination.initializeMemory(as: UInt8.self, repeating: 0)
            return
        }
        contents.values[slot].bytes.withUnsafeBytes {
            destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + destination.count]))
        }
    }

    /// Zeroes `count` pages from `first` (a 2M ACCEPT or REMOVE covers 512): nothing to look up when no page
    /// holds data.
    package mutating func zeroPages(from first: UInt64, count: UInt64) {
        guard contents.count > 0 else { return }
        for page in first..<first + count where contents[page] != nil { setPage(page, nil) }
    }

    private mutating func setPage(_ pageIndex: UInt64, _ bytes: [UInt8]?) {
        contentVersion &+= 1
        if let e = deferredIndex(pageIndex) { deferred.remove(at: e) }  // the digest holds the hash it had then
        if let old = contents[pageIndex] { settledDigest &-= StateHash.contentsHash(pageIndex, old.hash) }
        if let bytes, bytes.contains(where: { $0 != 0 }) {
            let c = PageContents(bytes: bytes)
            contents[pageIndex] = c
            settledDigest &+= StateHash.contentsHash(pageIndex, c.hash)
        } else {
            contents[pageIndex] = nil
        }
    }

    /// Maps (`true`) or unmaps (`false`) the shared page `pageIndex` in the host's shared EPT. Unmapping
    /// drops the page's bytes (the host freed its memory: a page mapped again reads as zeros).
    package mutating func setShared(_ pageIndex: UInt64, _ mapped: Bool) {
        if shared[pageIndex] != nil {
            guard !mapped else { return }
            shared[pageIndex] = nil
            settledDigest &-= StateHash.sharedHash(pageIndex)
            if contents[pageIndex] != nil { setPage(pageIndex, nil) }
        } else if mapped {
            shared[pageIndex] = true
            settledDigest &+= StateHash.sharedHash(pageIndex)
        }
    }

    /// Whether the host mapped the shared page `pageIndex` (gpa >> 12, SHARED bit included).
    public func isSharedMapped(_ pageIndex: UInt64) -> Bool { shared.count > 0 && shared[pageIndex] != nil }

    /// Number of shared pages the host mapped.
    public var sharedPageCount: Int { shared.count }

    /// Records whether the block of the leaf under `key` is tracked; nil forgets the block.
    package mutating func setBlockTracked(_ key: UInt64, _ tracked: Bool?) {
        if let old = blocks[key] { settledDigest &-= StateHash.blockHash(key, old) }
        blocks[key] = tracked
        if let tracked { settledDigest &+= StateHash.blockHash(key, tracked) }
    }

    /// Whether the leaf under `key` was blocked and a TDH.MEM.TRACK has happened since.
    public func isBlockTracked(_ key: UInt64) -> Bool { blocks[key] ?? false }

    /// Marks every block tracked (TDH.MEM.TRACK). The order keys are visited in cannot matter: each key is
    /// updated on its own.
    package mutating func trackAllBlocks() {
        for (key, tracked) in blocks.entries where !tracked { setBlockTracked(key, true) }
    }

    /// The digest recomputed from every record; equal to `digest` unless there is a bug. The sum is
    /// commutative, so the maps' slot order cannot change the result.
    public func recomputedDigest() -> UInt64 {
        var d: UInt64 = 0
        for (k, r) in leaves.entries { d &+= StateHash.leafHash(k, r) }
        for (k, b) in tables.entries { d &+= StateHash.tableHash(k, b) }
        for (k, c) in contents.entries { d &+= StateHash.contentsHash(k, PageContents.pageHash(c.bytes)) }
        for (k, t) in blocks.entries { d &+= StateHash.blockHash(k, t) }
        for (k, _) in shared.entries { d &+= StateHash.sharedHash(k) }
        for (k, n) in acceptCounters.entries { d &+= StateHash.acceptCounterHash(k, n) }
        return d
    }
}

/// One 4 KiB page's bytes with their hash: the wrapping sum over its 64 chunks of 64 bytes (a cache line: XXH3 of
/// up to 64 bytes is a few dozen instructions, of 256 bytes ten times that) of
/// XXH3-64(chunk, seed: chunk index). A write rehashes only the chunks it touches.
package struct PageContents: Sendable, Codable {
    package var bytes: [UInt8]
    package var hash: UInt64
    static let chunk = 64

    package init(bytes: [UInt8]) {
        self.bytes = bytes
        hash = PageContents.pageHash(bytes)
    }

    static func pageHash(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { p in (0..<bytes.count / chunk).reduce(0) { $0 &+ chunkHash(p, $1) } }
    }

    @inline(__always)
    static func chunkHash(_ page: UnsafeRawBufferPointer, _ c: Int) -> UInt64 {
        XXH3.hash(UnsafeRawBufferPointer(rebasing: page[c * chunk..<(c + 1) * chunk]), seed: UInt64(c))
    }

    /// The sum of the hashes of the chunks whose bits are set in `mask`.
    static func chunkHashes(_ page: UnsafeRawBufferPointer, _ mask: UInt64) -> UInt64 {
        var sum: UInt64 = 0
        var m = mask
        while m != 0 {
            sum &+= chunkHash(page, m.trailingZeroBitCount)
            m &= m &- 1
        }
        return sum
    }
}
