import SEAMCore
import SEAMTypes
import Testing

/// Host blocking of a non-leaf entry (tdx-module src/vmm_dispatcher/api_calls/tdh_mem_range_block.c,
/// tdh_mem_range_unblock.c; src/common/memory_handlers/sept_manager.c secure_ept_walk): NL_MAPPED becomes
/// NL_BLOCKED, walks stop there, and the TD exits carry the NL_BLOCKED public state 0x81.
@Suite struct NLBlockTests {
    /// 3 L2 VMs; 0x100000–0x103FFF mapped 4K, 0x104000–0x107FFF pending 4K; all under one level-1 (PDE) entry
    /// whose page table is the one blocked below.
    func machine() -> Machine {
        Machine(
            config: MachineConfig(
                numL2VMs: 3,
                memory: [
                    .init(gpa: 0x10_0000, size: 0x4000, state: .mapped),
                    .init(gpa: 0x10_4000, size: 0x4000, state: .pending),
                ]))
    }

    /// RANGE.BLOCK (7) of the level-1 entry covering 0x000000–0x1FFFFF.
    func blocked() -> Machine {
        var m = machine()
        let r = m.host(TDH.block, rcx: 0x0000_0001)
        #expect(r.rax == 0)
        return m
    }

    @Test func attrWrBelowABlockedTableTDExitsWithTheNLBlockedState() throws {
        var m = blocked()
        var regs = RegisterFile(rax: 24, rcx: 0x10_0000, rdx: 0x8003 << 16, r8: 0xF << 16)
        let input = regs
        guard case .tdExit(let exit) = try m.tdcall(vcpu: 0, &regs) else {
            Issue.record("expected a TD exit")
            return
        }
        // ATTR.WR's L1 walk stops at the blocked table (tdg_mem_page_attr_wr.c, td_other_exits.c
        // async_tdexit_ept_violation): qualification 0x2; EEQ type 5, req 0, err level 1, state 0x81, not a leaf.
        #expect(exit.rax == 48)
        #expect(exit.rcx == 0x2)
        #expect(exit.rdx == (UInt64(0 | 1 << 3 | 0x81 << 6) << 32 | 5))
        #expect(exit.r8 == 0x10_0000)
        #expect(regs == input)
    }

    @Test func attrRdAndAcceptBelowABlockedTableTDExit() throws {
        var m = blocked()
        var rd = RegisterFile(rax: 23, rcx: 0x10_1000)
        guard case .tdExit(let rdExit) = try m.tdcall(vcpu: 0, &rd) else {
            Issue.record("ATTR.RD should TD-exit")
            return
        }
        // tdg_mem_page_attr_rd.c basic_ept_violation_exit: qualification 0, no EEQ.
        #expect(rdExit.rcx == 0 && rdExit.rdx == 0 && rdExit.r8 == 0x10_1000)
        m.reenterAfterFaultLikeExit()
        var accept = RegisterFile(rax: 6, rcx: 0x10_5000)
        guard case .tdExit(let acceptExit) = try m.tdcall(vcpu: 0, &accept) else {
            Issue.record("ACCEPT should TD-exit")
            return
        }
        // ACCEPT's walk stops at the blocked table (tdg_mem_page_accept.c): EEQ type 1, err level 1, state 0x81, not
        // a leaf.
        #expect(acceptExit.rdx == (UInt64(1 << 3 | 0x81 << 6) << 32 | 1))
        #expect(acceptExit.rcx == 0x2)
    }

    @Test func blockingTwiceIsAWarningAndHostWalksStopThere() {
        var m = blocked()
        #expect(m.host(TDH.block, rcx: 0x0000_0001).rax == 0x0000_0B07_0000_0001)  // GPA_RANGE_ALREADY_BLOCKED(RCX)
        var aug = RegisterFile(rax: 6, rcx: 0x10_8000, r8: 0x30_0000_0000)
        m.seamcall(&aug)
        // EPT_WALK_FAILED(RCX); RDX = level 1 | NL_BLOCKED 0x81 << 8; RCX = the entry, no permissions.
        #expect(aug.rax == 0xC000_0B00_0000_0001)
        #expect(aug.rdx == 0x8101)
        #expect(aug.rcx == 0)
    }

    @Test func unblockNeedsTrackThenRestoresTheWalk() throws {
        var m = blocked()
        #expect(m.host(TDH.unblock, rcx: 0x0000_0001).rax == 0xC000_0B08_0000_0092)  // TLB_TRACKING_NOT_DONE(SEPT_TREE)
        #expect(m.host(TDH.track, rcx: 0).rax == 0)
        #expect(m.host(TDH.unblock, rcx: 0x0000_0001).rax == 0)
        var regs = RegisterFile(rax: 24, rcx: 0x10_0000, rdx: 0x8003 << 16, r8: 0xF << 16)
        #expect(try m.tdcall(vcpu: 0, &regs) == .completed)
        #expect(regs.rax == 0)
        #expect(m.stateHash() == m.recomputedStateHash())
    }

    @Test func blockAndUnblockLeaveTheStateAsItWas() {
        var m = machine()
        let before = m.stateHash()
        _ = m.host(TDH.block, rcx: 0x0000_0001)
        #expect(m.stateHash() != before)
        _ = m.host(TDH.track, rcx: 0)
        _ = m.host(TDH.unblock, rcx: 0x0000_0001)
        // Only the TD epoch differs from the start.
        var n = machine()
        _ = n.host(TDH.track, rcx: 0)
        #expect(m.stateHash() == n.stateHash())
    }

    @Test func newAliasBehindABlockedL2TableFailsItsL2Walk() throws {
        // Blocking the level-2 entry blocks the L1 PD page and each L2 VM's, so the L1 walk stops first:
        // a 4K request there TD-exits at level 2.
        var m = machine()
        #expect(m.host(TDH.block, rcx: 0x0000_0002).rax == 0)
        var regs = RegisterFile(rax: 24, rcx: 0x10_2000, rdx: 0x8001 << 16, r8: 0x1 << 16)
        guard case .tdExit(let exit) = try m.tdcall(vcpu: 0, &regs) else {
            Issue.record("expected a TD exit")
            return
        }
        #expect(exit.eeq.errorLevel == 2 && exit.eeq.errorState == 0x81 && !exit.eeq.isLeaf)
    }
}
