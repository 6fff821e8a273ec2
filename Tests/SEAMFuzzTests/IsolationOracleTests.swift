import SEAMCore
import SEAMFuzz
import SEAMTypes
import Testing

@Suite struct IsolationOracleTests {
    static let attrWr = UInt64(Leaf.memPageAttrWr.rawValue)

    func run(_ ops: [FuzzOp], shape: Int = 0) -> (FuzzExecutor<NoObserver>, IsolationOracle.Violation?) {
        var x = FuzzExecutor(world: FuzzWorld.shapes[shape], observer: NoObserver())
        for op in ops { if let v = x.run(op) { return (x, v) } }
        return (x, x.finalCheck())
    }

    /// An alias granting R|W: VM1's read and write complete in L2, its fetch exits to L1 (ABI: EPT
    /// violation routed to L1 for a guest-accessible page), and nothing is violated.
    @Test func grantedAccessesCompleteAndTheOthersExitToL1() {
        let (x, v) = run([
            .tdcall(RegisterFile(rax: Self.attrWr, rcx: 0x10_4000, rdx: 0x8003_0000, r8: 0xF_0000)),
            .access(vm: 1, MemoryAccess(kind: .write, gpa: 0x10_4008, size: 8, value: 0xABCD)),
            .access(vm: 1, MemoryAccess(kind: .read, gpa: 0x10_4008, size: 8)),
        ])
        #expect(v == nil)
        #expect(x.engine.machine.vcpus[0].location == .l2(vm: 1))
        #expect(x.engine.machine.vcpus[0].gprs.rax == 0xABCD)
        let (y, w) = run([
            .tdcall(RegisterFile(rax: Self.attrWr, rcx: 0x10_4000, rdx: 0x8003_0000, r8: 0xF_0000)),
            .access(vm: 1, MemoryAccess(kind: .fetch, gpa: 0x10_4000)),
        ])
        #expect(w == nil)
        #expect(y.engine.machine.vcpus[0].location == .l1)
    }

    /// Found by this fuzzer: after the host blocks the non-leaf entry for the 2M at 0 above page A (TDH.MEM.RANGE.BLOCK,
    /// level 1), an L2 access through A's alias must not complete. The module's L1 SEPT walk stops at the
    /// NL_BLOCKED entry, which is neither a guest-accessible leaf nor pending, so the EPT violation is a TD
    /// exit (tdx-module `src/td_dispatcher/vm_exits_l2/td_l2_ept_violation.c`).
    @Test func anAccessUnderABlockedTableExitsToTheHost() {
        var x = FuzzExecutor(world: FuzzWorld.shapes[0], observer: NoObserver())
        #expect(x.run(.tdcall(RegisterFile(rax: Self.attrWr, rcx: 0x10_4000, rdx: 0x8007_0000, r8: 0xF_0000))) == nil)
        #expect(x.run(.seamcall(RegisterFile(rax: UInt64(SEAMCallLeaf.memRangeBlock.rawValue), rcx: 0x1))) == nil)
        #expect(x.engine.machine.space.blockedTables == 1)
        #expect(x.run(.access(vm: 1, MemoryAccess(kind: .read, gpa: 0x10_4000, size: 8))) == nil)
        #expect(x.engine.machine.vcpus[0].location == .host)
    }

    /// A rejected ATTR.WR (W without R: PAGE_ATTR_INVALID) is checked against the hash before it and passes.
    @Test func aRejectedAttrWrChangesNothing() {
        var x = FuzzExecutor(world: FuzzWorld.shapes[0], observer: NoObserver())
        let before = x.engine.machine.stateHash()
        #expect(x.run(.tdcall(RegisterFile(rax: Self.attrWr, rcx: 0x10_4000, rdx: 0x8002_0000, r8: 0xF_0000))) == nil)
        #expect(x.engine.machine.stateHash() == before)
    }

    /// VM3 on the 2-VM TD: ATTR.WR naming it is OPERAND_INVALID(RDX), and an access by it cannot enter L2
    /// (TDG.VP.ENTER is OPERAND_INVALID(RCX)): skipped, no violation.
    @Test func aVMTheTDLacksIsRefused() {
        var x = FuzzExecutor(world: FuzzWorld.shapes[1], observer: NoObserver())
        #expect(x.run(.tdcall(RegisterFile(rax: Self.attrWr, rcx: 0x10_4000, rdx: 0x8001 << 48, r8: 0))) == nil)
        #expect(x.run(.access(vm: 3, MemoryAccess(kind: .read, gpa: 0x10_4000, size: 8))) == nil)
        #expect(x.skipped == 1)
        #expect(x.engine.machine.vcpus[0].location == .l1)
    }

    /// With no bug planted, random inputs from a fixed seed find nothing (a short run; the long one is
    /// `softseam fuzz` in CI and `FuzzCampaignTests`).
    @Test func randomInputsFindNothingOnTheModel() {
        var rng = SplitMix64(seed: 0xF0CC)
        for _ in 0..<300 {
            let bytes = (0..<Int(rng.next() % 160 + 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let finding = bytes.withUnsafeBytes { fuzzOne($0) }
            #expect(finding == nil, "\(finding.map(\.description) ?? "")")
        }
    }
}
