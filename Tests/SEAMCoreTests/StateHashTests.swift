import SEAMCore
import SEAMTypes
import Testing

/// A small TD for random sequences: 3 L2 VMs, pages 0x100000–0x10FFFF mapped, 0x110000–0x11FFFF pending,
/// L2 paging supplied for the first 2M only, so some alias creations walk off the L2 SEPT.
func sequenceMachine(l2SEPT: MachineConfig.L2SEPT = .supplied) -> Machine {
    Machine(
        config: MachineConfig(
            numL2VMs: 3,
            memory: [
                .init(gpa: 0x10_0000, size: 0x1_0000, state: .mapped),
                .init(gpa: 0x11_0000, size: 0x1_0000, state: .pending),
                .init(gpa: 0x40_0000, size: 0x20_0000, state: .mapped, pageLevel: .size2M),
            ], l2SEPT: l2SEPT))
}

/// One random call against `m`: an L1 TDCALL of a memory leaf or a host SEAMCALL, with operands drawn mostly
/// from the pages the TD has, so most calls do something.
func randomStep(_ m: inout Machine, _ rng: inout SplitMix64) {
    func page() -> UInt64 {
        switch rng.next() % 8 {
        case 0: 0x40_0000 + (rng.next() % 512) << 12
        case 1: rng.next() & 0xFFFF_F000
        default: 0x10_0000 + (rng.next() % 40) << 12
        }
    }
    func attrs() -> UInt64 {
        let choices: [UInt16] = [0, 0x8000, 0x8001, 0x8003, 0x800F, 0x8002, 0x8021, 0x8080, 0x8010]
        var v: UInt64 = 0
        for vm in 1...3 { v |= UInt64(choices[Int(rng.next() % UInt64(choices.count))]) << (16 * UInt64(vm)) }
        return v
    }
    var regs = RegisterFile()
    switch rng.next() % 12 {
    case 0...4:
        regs = RegisterFile(
            rax: 24, rcx: page() | (rng.next() % 10 == 0 ? 1 : 0), rdx: attrs(),
            r8: (rng.next() & 0x800F_800F_800F_0000))
    case 5: regs = RegisterFile(rax: 23, rcx: page())
    case 6: regs = RegisterFile(rax: 6, rcx: page())
    case 7: regs = RegisterFile(rax: 26, rcx: rng.next() & 0xE)
    case 8:
        var h = RegisterFile(
            rax: [7, 38, 39, 29, 6, 2][Int(rng.next() % 6)],
            // Mostly 4K pages; sometimes the 2M entry above one, so non-leaf blocks happen too.
            rcx: rng.next() % 6 == 0 ? page() & ~0x1F_FFFF | 1 : page(), r8: 0x30_0000_0000, r9: 0x30_0000_0000)
        m.seamcall(&h)
        return
    case 9:
        var h = RegisterFile(
            rax: 3 | 1 << 16, rcx: page() & ~0x1F_FFFF | 1, r8: ~0, r9: 0x30_0000_0000, r10: 0x30_0000_1000)
        h.r11 = 0x30_0000_2000
        m.seamcall(&h)
        return
    case 10:
        try? m.writeMemory(gpa: page() + rng.next() % 4000, [UInt8(truncatingIfNeeded: rng.next()), 1, 2])
        return
    default:
        regs = RegisterFile(rax: rng.next() % 41, rcx: page(), rdx: attrs(), r8: rng.next())
    }
    _ = try? m.tdcall(vcpu: 0, &regs)
}

@Suite struct StateHashTests {
    @Test func xxh3KnownAnswers() {
        // STYLE.md: XXH3_64bits("") = 0x2D06800538D394C2, XXH3_64bits("hello") = 0x9555E8555C62DCFD.
        #expect(XXH3.hash([]) == 0x2D06_8005_38D3_94C2)
        #expect(XXH3.hash(Array("hello".utf8)) == 0x9555_E855_5C62_DCFD)
    }

    @Test func incrementalHashEqualsFromScratchOverRandomSequences() {
        // 2,000 seeded sequences of 40 calls each; after every call the kept hash must equal a recomputation,
        // and so must the hash that reuses the vCPUs' part from the previous call while no vCPU changed.
        var checked = 0
        for seed in UInt64(1)...2000 {
            var rng = SplitMix64(seed: seed)
            var m = sequenceMachine(l2SEPT: seed % 3 == 0 ? .onDemand : .supplied)
            for _ in 0..<40 {
                randomStep(&m, &rng)
                if m.stateHash() != m.recomputedStateHash() || m.cachedStateHash() != m.recomputedStateHash() {
                    Issue.record(
                        "seed \(seed): incremental \(hex64(m.stateHash())) != scratch \(hex64(m.recomputedStateHash()))"
                    )
                    return
                }
                checked += 1
            }
        }
        #expect(checked == 80_000)
    }

    @Test func equalStatesReachedDifferentlyHashEqual() {
        // Aliasing then removing leaves the TD as it was: the hash must come back.
        var m = sequenceMachine()
        let before = m.stateHash()
        var create = RegisterFile(rax: 24, rcx: 0x10_0000, rdx: 0x8003 << 16, r8: 0xF << 16)
        _ = try? m.tdcall(vcpu: 0, &create)
        #expect(create.rax == 0)
        #expect(m.stateHash() != before)
        var remove = RegisterFile(rax: 24, rcx: 0x10_0000, rdx: 0x8000 << 16, r8: 0xF << 16)
        _ = try? m.tdcall(vcpu: 0, &remove)
        #expect(remove.rax == 0)
        #expect(m.stateHash() == before)
    }

    @Test func memoryWrittenBackToZeroHashesLikeUntouched() {
        var m = sequenceMachine()
        let before = m.stateHash()
        try? m.writeMemory(gpa: 0x10_0010, [1, 2, 3])
        #expect(m.stateHash() != before)
        try? m.writeMemory(gpa: 0x10_0010, [0, 0, 0])
        #expect(m.stateHash() == before)
    }

    @Test func flushCountsAndVMControlsAreInTheHash() {
        var m = sequenceMachine()
        let before = m.stateHash()
        var invept = RegisterFile(rax: 26, rcx: 0b10)
        _ = try? m.tdcall(vcpu: 0, &invept)
        #expect(invept.rax == 0)
        let afterFlush = m.stateHash()
        #expect(afterFlush != before)
        // TDH.MNG.WR of VM_CTLS[2] bit 0 (field 0x9110000300000014, write mask 1).
        var wr = RegisterFile(rax: 13, rdx: 0x9110_0003_0000_0014, r8: 1, r9: 1)
        m.seamcall(&wr)
        #expect(wr.rax == 0)
        #expect(m.stateHash() != afterFlush)
        #expect(m.stateHash() == m.recomputedStateHash())
    }
}
