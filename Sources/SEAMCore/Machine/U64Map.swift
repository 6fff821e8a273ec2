/// A hash map from 64-bit keys to values: open addressing, linear probing, a multiplicative hash mapped onto
/// the table with a multiply-high ("fast range"), so the capacity need not be a power of two.
///
/// It exists because `Dictionary<UInt64, _>` hashes every key with the per-process seeded SipHash: on the
/// ATTR.WR benchmark (`softseam bench --only attr_wr`, perf) hashing and probing took a fifth of the time.
/// Keys here are GPA indexes, which a Fibonacci multiply spreads well. Value semantics come from the two
/// arrays (copy-on-write), so a `Machine` copy is still a snapshot. Iteration order depends on insertion
/// history: anything that reaches output or a hash sorts the keys or combines commutatively.
///
/// The table grows by half when it would pass 3/4 full, so between insertions it is never less than half full
/// once past its first 12 entries: with 8-byte keys and 8-byte values that bounds a `PageRecord` entry at 32
/// bytes of slots (DESIGN.md's budget per mapped page), where doubling would let it reach 43. While it grows
/// the old table and the new one are both alive (up to 53⅓ bytes per entry), so a caller that knows how many
/// entries are coming calls `reserve(additional:)` first: one table, at most 3/4 full.
public struct U64Map<Value>: Sendable where Value: Sendable {
    /// Marks an empty slot; no GPA index or table key reaches it.
    @usableFromInline static var empty: UInt64 { ~0 }

    @usableFromInline var keys: [UInt64]
    /// Values by slot; empty slots hold `placeholder` (non-optional values keep the slot 8 bytes for an
    /// 8-byte value, where an Optional would pad it to 16).
    @usableFromInline var values: [Value]
    let placeholder: Value
    public private(set) var count = 0

    /// An empty map; `placeholder` fills empty slots and is never returned.
    public init(placeholder: Value) {
        self.placeholder = placeholder
        keys = [UInt64](repeating: U64Map.empty, count: 16)
        values = [Value](repeating: placeholder, count: 16)
    }

    /// Number of slots.
    public var capacity: Int { keys.count }

    /// The fewest slots that hold `count` keys without passing 3/4 full (never below the initial 16).
    public static func slotsNeeded(for count: Int) -> Int { max(16, (count * 4 + 2) / 3) }

    /// Makes room for `additional` more keys at once, so inserting them never grows the table: a build that
    /// knows its size (the built-in host does, from the config) pays for one table, not for the half-full
    /// tables and the old-plus-new copies of every step of growth.
    public mutating func reserve(additional: Int) {
        let needed = U64Map.slotsNeeded(for: count + additional)
        guard needed > keys.count else { return }
        rehash(capacity: needed)
    }

    /// Inserts `key`, which must be absent, with one probe (a bulk build; `insert` looks the key up first).
    /// Returns false, changing nothing, when the key is present.
    package mutating func insertAbsent(_ key: UInt64, _ v: Value) -> Bool {
        precondition(key != U64Map.empty)
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var i = home(key)
        while true {
            let k = keys[i]
            if k == key { return false }
            if k == U64Map.empty { break }
            i = next(i)
        }
        keys[i] = key
        values[i] = v
        count += 1
        return true
    }

    /// Bytes the slots take (keys and values), for the metadata budget.
    public var slotBytes: Int { keys.count * (MemoryLayout<UInt64>.stride + MemoryLayout<Value>.stride) }

    @inlinable @inline(__always)
    func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(by: UInt64(keys.count)).high)
    }

    @inlinable @inline(__always)
    func next(_ i: Int) -> Int { i &+ 1 == keys.count ? 0 : i &+ 1 }

    /// The slot holding `key`, or nil.
    @inlinable
    public func slot(of key: UInt64) -> Int? {
        precondition(key != U64Map.empty)
        var i = home(key)
        while true {
            let k = keys[i]
            if k == key { return i }
            if k == U64Map.empty { return nil }
            i = next(i)
        }
    }

    /// The value in an occupied slot.
    @inlinable
    public func value(at slot: Int) -> Value { values[slot] }

    /// Replaces the value in an occupied slot.
    @inlinable
    package mutating func setValue(_ v: Value, at slot: Int) { values[slot] = v }

    /// The key in an occupied slot.
    @inlinable
    public func key(at slot: Int) -> UInt64 { keys[slot] }

    public subscript(key: UInt64) -> Value? {
        get { slot(of: key).map { value(at: $0) } }
        set {
            if let v = newValue { insert(key, v) } else { remove(key) }
        }
    }

    mutating func insert(_ key: UInt64, _ v: Value) {
        if let s = slot(of: key) { values[s] = v; return }
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var i = home(key)
        while keys[i] != U64Map.empty { i = next(i) }
        keys[i] = key
        values[i] = v
        count += 1
    }

    /// Removes `key` by backward-shift deletion, so probes never need tombstones.
    mutating func remove(_ key: UInt64) {
        guard var hole = slot(of: key) else { return }
        var i = hole
        while true {
            i = next(i)
            let k = keys[i]
            if k == U64Map.empty { break }
            // Move k into the hole unless its home lies cyclically in (hole, i].
            let h = home(k)
            let inRange = hole <= i ? (h > hole && h <= i) : (h > hole || h <= i)
            if !inRange {
                keys[hole] = k
                values[hole] = values[i]
                hole = i
            }
        }
        keys[hole] = U64Map.empty
        values[hole] = placeholder
        count -= 1
    }

    mutating func grow() { rehash(capacity: keys.count + keys.count / 2) }

    /// Moves every entry into a table of `newCapacity` slots.
    mutating func rehash(capacity newCapacity: Int) {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: U64Map.empty, count: newCapacity)
        values = [Value](repeating: placeholder, count: newCapacity)
        count = 0
        for (i, k) in oldKeys.enumerated() where k != U64Map.empty { insert(k, oldValues[i]) }
    }

    /// Every (key, value), in slot order (not a stable order: sort or combine commutatively).
    public var entries: [(key: UInt64, value: Value)] {
        keys.indices.compactMap { i in keys[i] == U64Map.empty ? nil : (keys[i], values[i]) }
    }

    /// Every key, ascending.
    public var sortedKeys: [UInt64] { keys.filter { $0 != U64Map.empty }.sorted() }
}

/// Slots as they are (keys, values, placeholder, count): a decoded map probes exactly as the encoded one did.
/// Decoding does not check the table; `Machine.validateRestored` does (`U64Map.problem()`).
extension U64Map: Codable where Value: Codable {}
