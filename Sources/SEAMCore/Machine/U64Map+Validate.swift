import SEAMTypes

extension U64Map {
    /// The first broken invariant of the slot table, or nil when every lookup, insertion and removal will
    /// behave: for a map that came from a file, before anything probes it.
    ///
    /// Checked: at least the initial 16 slots (the capacity grows by half, so it need not be a power of two);
    /// as many values as keys; `count` equals the occupied slots; at most 3/4 full, so a probe always meets
    /// an empty slot and ends; and each key sits where a lookup from its home slot finds it (no duplicate, no
    /// empty slot between its home and its slot, which backward-shift deletion relies on).
    package func problem() -> String? {
        guard keys.count >= 16 else { return "capacity \(keys.count) is below the initial 16 slots" }
        guard values.count == keys.count else { return "\(values.count) values for \(keys.count) key slots" }
        let occupied = keys.reduce(0) { $1 == U64Map.empty ? $0 : $0 + 1 }
        guard occupied == count else { return "count \(count) but \(occupied) occupied slots" }
        guard count * 4 <= keys.count * 3 else { return "\(count) keys in \(keys.count) slots: over 3/4 full" }
        for s in keys.indices where keys[s] != U64Map.empty {
            guard slot(of: keys[s]) == s else {
                return "key \(hexShort(keys[s])) in slot \(s) is not where a lookup finds it"
            }
        }
        return nil
    }
}
