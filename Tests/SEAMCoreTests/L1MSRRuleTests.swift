import Testing

@testable import SEAMCore

/// The MSR rule lookup: the binary search `L1MSRRule.row(for:)` finds, for every MSR the TD's bitmap covers
/// (0…0x1FFF, 0xC0000000…0xC0001FFF) and for MSRs outside it, the row a scan of the table as it reads finds.
@Suite struct L1MSRRuleTests {
    @Test func theBinarySearchAgreesWithTheTable() {
        let msrs = Array(0..<UInt32(0x2000)) + Array(0xC000_0000..<UInt32(0xC000_2000)) + [0x2000, 0xBFFF_FFFF, ~0]
        for msr in msrs {
            let a = L1MSRRule.row(for: msr)
            let b = L1MSRRule.rowByScan(for: msr)
            #expect(a?.first == b?.first && a?.last == b?.last, "MSR \(msr)")
        }
    }

    @Test func theRowsDoNotOverlap() {
        let rows = L1MSRRule.sortedTable
        for (x, y) in zip(rows, rows.dropFirst()) { #expect(x.last < y.first, "\(x.first) and \(y.first)") }
    }
}
