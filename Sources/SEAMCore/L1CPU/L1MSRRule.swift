/// How the module treats an L1 RDMSR or WRMSR of one MSR or MSR range: whether the MSR bitmap makes the
/// access exit to the module, and what the module then does (module `include/auto_gen/msr_config_lookup.c`,
/// the rows of the TD MSR spreadsheet; `td_msr_access.c` `rd_wr_msr_generic_case`).
///
/// The table is `L1MSRRule.table`, one row per spreadsheet row, in address order. An MSR inside the bitmap
/// ranges (0…0x1FFF, 0xC0000000…0xC0001FFF) but in no row exits and gets #VE: the spreadsheet leaves out
/// the rows that would say "always exits, #VE" (module `rd_wr_msr_generic_case`).
struct L1MSRRule: Sendable {
    /// What the MSR bitmap bit of a direction holds.
    enum Bit: Sendable {
        /// 0: the CPU executes the access natively, without exiting to the module.
        case fixed0
        /// 1: the access always exits to the module.
        case fixed1
        /// 0 when the TD has the feature (native access), 1 otherwise (exit).
        case perfmon, waitpkg, tsx, xfd, pks, pt, cet, uli, lbr
        /// IA32_PERF_CAPABILITIES and IA32_PERF_METRICS: 0 with PERFMON and, respectively, PT or the
        /// platform's perf-metrics support (module `helpers.c` `is_msr_dynamic_bit_cleared`).
        case other
    }

    /// What the module does when the access exits.
    enum Action: Sendable {
        /// Never reached: the bitmap bit is 0 (the module would treat an exit as fatal).
        case none
        /// Inject #VE.
        case ve
        /// Inject #GP(0).
        case gp
        /// #GP(0) when the TD's CPUID does not enumerate the MSR's feature (DCA, TME, MKTME, TSC deadline),
        /// #VE when it does.
        case gpOrVE
        /// A handler of its own in `td_msr_access.c` (virtualized values, IA32_EFER, IA32_XSS, DEBUGCTL…).
        case special
    }

    /// First and last MSR address of the row.
    let first: UInt32
    let last: UInt32
    /// The spreadsheet's name for the row.
    let name: String
    /// Bitmap bit and exit action for RDMSR and for WRMSR.
    let read: (bit: Bit, action: Action)
    let write: (bit: Bit, action: Action)

    init(_ first: UInt32, _ last: UInt32, _ name: String, read: (Bit, Action), write: (Bit, Action)) {
        self.first = first
        self.last = last
        self.name = name
        self.read = read
        self.write = write
    }

    /// The row holding `msr`, if any.
    static func row(for msr: UInt32) -> L1MSRRule? {
        // Binary search over the rows by their first MSR: the linear scan cost about 1,070 instructions per L2
        // x2APIC EOI that L1 let through (callgrind, inject_deliver_eoi). L1MSRRuleTests checks the two agree
        // for every MSR the bitmap covers.
        let rows = sortedTable
        var low = 0
        var high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if rows[mid].first <= msr { low = mid + 1 } else { high = mid }
        }
        guard low > 0, msr <= rows[low - 1].last else { return nil }
        return rows[low - 1]
    }

    /// The table's rows by their first MSR (the ranges do not overlap).
    static let sortedTable = table.sorted { $0.first < $1.first }

    /// `row(for:)` by a linear scan of the table, as it reads.
    static func rowByScan(for msr: UInt32) -> L1MSRRule? {
        table.first { msr >= $0.first && msr <= $0.last }
    }

    /// Whether the MSR bitmap covers `msr` (module `td_msr_access.c` `is_msr_covered_by_bitmap`: 1 KiB of
    /// bits per range, 8192 MSRs from 0 and from 0xC0000000). Any other MSR exits and gets #VE.
    static func isCoveredByBitmap(_ msr: UInt32) -> Bool {
        msr < 0x2000 || (msr >= 0xC000_0000 && msr < 0xC000_2000)
    }
}
