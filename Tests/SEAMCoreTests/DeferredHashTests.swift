import Foundation
import SEAMCore
import SEAMTypes
import Testing

/// Page hashes the GPA space brings up to date only when the digest is asked for (GPASpace+DeferredHashes.swift).
/// The digest is always the from-scratch sum (`recomputedDigest`); settling changes no hash; the list of
/// deferred pages stays bounded; a snapshot is settled. Pages and chunks are worked out by hand: page index =
/// GPA >> 12, chunk = (GPA & 0xFFF) / 64.
@Suite struct DeferredHashTests {
    /// XXH3 of 64 zero bytes with seed `chunk`: what a never-written chunk of a page hashes to.
    static func zeroChunk(_ chunk: UInt64) -> UInt64 {
        [UInt8](repeating: 0, count: 64).withUnsafeBytes { XXH3.hash($0, seed: chunk) }
    }

    static func expectExact(_ m: Machine, _ comment: Comment? = nil) {
        #expect(m.space.digest == m.space.recomputedDigest(), comment)
        #expect(m.stateHash() == m.recomputedStateHash(), comment)
    }

    @Test func aPageWrittenAgainIsDeferredChunkByChunk() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: 0x1000, [1])  // page 1 is new: hashed at once
        #expect(m.space.deferred.isEmpty)
        try m.writeMemory(gpa: 0x1040, [2, 3])  // chunk 1, which was zeros
        #expect(m.space.deferred == [.init(page: 1, mask: 0b10, oldSum: Self.zeroChunk(1))])
        Self.expectExact(m)
        try m.writeMemory(gpa: 0x1041, [4])  // chunk 1 again: what it hashed to before stays the first one
        #expect(m.space.deferred == [.init(page: 1, mask: 0b10, oldSum: Self.zeroChunk(1))])
        try m.writeMemory(gpa: 0x10BE, [5, 6, 7, 8])  // 0xBE…0xC1: chunks 2 and 3
        #expect(
            m.space.deferred == [
                .init(page: 1, mask: 0b1110, oldSum: Self.zeroChunk(1) &+ Self.zeroChunk(2) &+ Self.zeroChunk(3))
            ])
        Self.expectExact(m)

        // The same bytes written into a new page in one go: the same state, the same hash.
        var direct = standardMachine()
        var bytes = [UInt8](repeating: 0, count: 0xC2)
        bytes[0] = 1
        bytes[0x40] = 2
        bytes[0x41] = 4
        bytes[0xBE...0xC1] = [5, 6, 7, 8]
        try direct.writeMemory(gpa: 0x1000, bytes)
        #expect(direct.space.deferred.isEmpty)
        #expect(m.stateHash() == direct.stateHash())
    }

    @Test func writingTheBytesAPageHoldsDefersNothing() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: 0x2000, [9, 9])
        try m.writeMemory(gpa: 0x2000, [9, 9])
        #expect(m.space.deferred.isEmpty)
    }

    @Test func onlyTheChunksAWriteChangesWait() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: 0x6000, [1])
        // 0x6000…0x60BF spans chunks 0–2 of page 6; only the byte at 0x6050 (chunk 1) differs from the page.
        var span = [UInt8](repeating: 0, count: 0xC0)
        span[0] = 1
        span[0x50] = 7
        try m.writeMemory(gpa: 0x6000, span)
        #expect(m.space.deferred == [.init(page: 6, mask: 0b10, oldSum: Self.zeroChunk(1))])
        Self.expectExact(m)
    }

    @Test func settlingChangesNoHashAndEmptiesTheList() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: 0x3000, [1])
        try m.writeMemory(gpa: 0x3FC0, [2])  // chunk 63
        #expect(m.space.deferred.map(\.mask) == [1 << 63])
        let hash = m.stateHash()
        #expect(m.cachedStateHash() == hash)  // settles
        #expect(m.space.deferred.isEmpty)
        #expect(m.stateHash() == hash)
        Self.expectExact(m)
        #expect(m.validateDecoded() == nil)
    }

    @Test func atMostEightPagesWait() throws {
        var m = standardMachine()
        // Pages 0…7 (0x0–0x8000 mapped 4K) and 0x200…0x201 (inside the mapped 2M page at 0x200000): ten pages.
        let pages: [UInt64] = [0, 1, 2, 3, 4, 5, 6, 7, 0x200, 0x201]
        for p in pages { try m.writeMemory(gpa: p << 12, [1]) }
        #expect(m.space.deferred.isEmpty)
        for (n, p) in pages.enumerated() {
            try m.writeMemory(gpa: p << 12 | 0x800, [2])  // chunk 32 of each
            // The ninth page settles the eight before it and waits alone; the tenth joins it.
            let expected = n < 8 ? Array(pages[0...n]) : Array(pages[8...n])
            #expect(m.space.deferred.map(\.page) == expected, "after page \(hexShort(p))")
            Self.expectExact(m, "after page \(hexShort(p))")
        }
    }

    @Test func aDeferredPageWrittenBackToZerosIsDropped() throws {
        var m = standardMachine()
        let untouched = m.stateHash()
        try m.writeMemory(gpa: 0x4000, [1])
        try m.writeMemory(gpa: 0x4100, [2])
        #expect(m.space.deferred.count == 1)
        try m.writeMemory(gpa: 0x4100, [0])
        #expect(m.space.deferred.count == 1)  // page 4 still holds the 1
        try m.writeMemory(gpa: 0x4000, [0])
        #expect(m.space.deferred.isEmpty)
        #expect(m.stateHash() == untouched)
        Self.expectExact(m)
    }

    @Test func aDeferredSharedPageUnmappedIsForgotten() throws {
        let shared: UInt64 = 1 << 47  // GPAW 48
        var m = standardMachine()
        let untouched = m.stateHash()
        try m.mapShared(gpa: shared | 0x8000, size: 0x1000)
        try m.writeShared(gpa: shared | 0x8000, [1])
        try m.writeShared(gpa: shared | 0x8200, [2])
        #expect(m.space.deferred.map(\.page) == [(shared | 0x8000) >> 12])
        try m.unmapShared(gpa: shared | 0x8000, size: 0x1000)
        #expect(m.space.deferred.isEmpty)
        #expect(m.stateHash() == untouched)
        Self.expectExact(m)
    }

    @Test func aSnapshotIsSettledAndDecodesToTheSameHash() throws {
        var m = standardMachine()
        try m.writeMemory(gpa: 0x5000, [1])
        try m.writeMemory(gpa: 0x5400, [2])
        #expect(m.space.deferred.count == 1)
        var settled = m
        _ = settled.cachedStateHash()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded = try encoder.encode(m)
        #expect(encoded == (try encoder.encode(settled.droppingMemos())))
        var back = try JSONDecoder().decode(Machine.self, from: encoded)
        #expect(back.validateDecoded() == nil)
        #expect(back.space.deferred.isEmpty)
        #expect(back.stateHash() == m.stateHash())
    }

    // MARK: In-place stores (PageWriter)

    @Test func aPageWriterThatStoresNothingCreatesNoPage() {
        var s = GPASpace(width: .gpaw48)
        let read: UInt8 = s.withPageWriter(9) { w in
            w.setByte(0x10, 0)  // zero over zero: no change
            return w.byte(0x10)
        }
        #expect(read == 0)
        #expect(s.contents.count == 0 && s.deferred.isEmpty && s.contentVersion == 0)
        #expect(s.digest == 0 && s.recomputedDigest() == 0)
    }

    @Test func aPageWriterDefersTheChunksItChangesAndDropsAZeroedPage() {
        var s = GPASpace(width: .gpaw48)
        s.withPageWriter(9) { $0.setByte(0x10, 1) }  // page 9 is new: stored (and hashed) as one write
        #expect(s.contents.count == 1 && s.deferred.isEmpty)
        #expect(s.digest == s.recomputedDigest())
        let version = s.contentVersion
        s.withPageWriter(9) { w in
            w.setByte(0x10, 1)  // the byte it holds: nothing changes
            w.setByte(0x110, 5)  // chunk 4, zeros before
            w.setByte(0x111, 6)  // chunk 4 again: its earlier hash counted once
        }
        #expect(s.deferred == [.init(page: 9, mask: 1 << 4, oldSum: DeferredHashTests.zeroChunk(4))])
        #expect(s.contentVersion == version + 1)
        #expect(s.digest == s.recomputedDigest())
        s.withPageWriter(9) { w in
            w.setByte(0x110, 0)
            w.setByte(0x111, 0)
            w.setByte(0x10, 0)  // chunk 0: the last non-zero byte
        }
        #expect(s.contents.count == 0 && s.deferred.isEmpty)
        #expect(s.digest == 0 && s.recomputedDigest() == 0)
    }
}
