import SEAMCore
import SEAMTypes
import Testing

/// The built-in host builds a config's memory in bulk (`BuiltInHost.setUp`); the reference is the same TD
/// built by the SEAMCALLs a host issues, one per paging page and per page (`BuiltInHost.setUpBySEAMCalls`).
@Suite struct BulkBuildTests {
    typealias Region = MachineConfig.Region

    /// Configs covering each way the host builds memory: 4K PAGE.ADD across 2M and 1G boundaries, 2M
    /// PAGE.AUG with and without ACCEPT, 4K pending next to 4K mapped under one paging page, several regions
    /// out of GPA order, L2 SEPT pages supplied and on-demand, 0…3 L2 VMs, VM_CTLS written, no finalize, and
    /// the 5-level SEPT of GPAW 52.
    static let configs: [(name: String, config: MachineConfig)] = {
        var list: [(String, MachineConfig)] = []
        list.append(
            (
                "4K mapped across 2M and 1G boundaries, 3 VMs",
                MachineConfig(
                    numL2VMs: 3,
                    memory: [
                        Region(gpa: 0x3FF0_0000, size: 0x20_0000, state: .mapped),  // crosses 1G
                        Region(gpa: 0x1F_E000, size: 0x4000, state: .mapped),  // crosses 2M
                    ])
            ))
        list.append(
            (
                "2M mapped and pending, 4K pending, on-demand, 2 VMs, VM_CTLS",
                MachineConfig(
                    numL2VMs: 2,
                    memory: [
                        Region(gpa: 0x4000_0000, size: 0x60_0000, state: .mapped, pageLevel: .size2M),
                        Region(gpa: 0x20_0000, size: 0x40_0000, state: .pending, pageLevel: .size2M),
                        Region(gpa: 0x1000, size: 0x3000, state: .pending),
                    ], l2SEPT: .onDemand, vmCtls: [1, 1, 0])
            ))
        list.append(
            (
                "4K pending beside 4K mapped in one paging page, 2M mapped, 1 VM",
                MachineConfig(
                    numL2VMs: 1,
                    memory: [
                        Region(gpa: 0x10_0000, size: 0x4000, state: .mapped),
                        Region(gpa: 0x10_4000, size: 0x4000, state: .pending),
                        Region(gpa: 0x60_0000, size: 0x20_0000, state: .mapped, pageLevel: .size2M),
                        Region(gpa: 0x1_0000_0000, size: 0x1000, state: .mapped),
                    ], vmCtls: [1, 0, 0])
            ))
        var unfinalized = MachineConfig(
            numL2VMs: 3,
            memory: [
                Region(gpa: 0x10_0000, size: 0x8000, state: .mapped),
                Region(gpa: 0x80_0000, size: 0x40_0000, state: .pending, pageLevel: .size2M),
            ])
        unfinalized.finalize = false
        list.append(("no finalize, 3 VMs", unfinalized))
        list.append(
            (
                "no L2 VMs",
                MachineConfig(numL2VMs: 0, memory: [Region(gpa: 0x0, size: 0x10_0000, state: .mapped)])
            ))
        list.append(
            (
                "GPAW 52, 5-level SEPT, 2 vCPUs",
                MachineConfig(
                    numL2VMs: 3, vcpus: 2, gpaw: .gpaw52,
                    memory: [
                        Region(gpa: 0x4_0000_0000_0000, size: 0x2000, state: .mapped),
                        Region(gpa: 0x20_0000, size: 0x20_0000, state: .mapped, pageLevel: .size2M),
                    ])
            ))
        return list
    }()

    func bySEAMCalls(_ config: MachineConfig) -> Machine {
        var m = Machine(numL2VMs: config.numL2VMs, vcpus: config.vcpus, width: config.gpaw, profile: config.profile)
        BuiltInHost.setUpBySEAMCalls(&m, config)
        return m
    }

    @Test(arguments: 0..<configs.count)
    func bulkBuildEqualsTheSEAMCallBuild(_ i: Int) {
        let (name, config) = Self.configs[i]
        let bulk = Machine(config: config)
        let reference = bySEAMCalls(config)
        #expect(bulk.stateHash() == reference.stateHash(), "\(name)")
        #expect(bulk.space.digest == bulk.space.recomputedDigest(), "\(name)")
        #expect(bulk.space.leaves.count == reference.space.leaves.count, "\(name)")
        #expect(bulk.space.leaves.sortedKeys == reference.space.leaves.sortedKeys, "\(name)")
        #expect(
            bulk.space.leaves.sortedKeys.map { bulk.space.leaves[$0] }
                == reference.space.leaves.sortedKeys.map { reference.space.leaves[$0] }, "\(name)")
        #expect(bulk.space.tables.sortedKeys == reference.space.tables.sortedKeys, "\(name)")
        #expect(
            bulk.space.tables.sortedKeys.map { bulk.space.tables[$0] }
                == reference.space.tables.sortedKeys.map { reference.space.tables[$0] }, "\(name)")
        #expect(bulk.opState == reference.opState && bulk.vmCtls == reference.vmCtls, "\(name)")
        var checked = bulk
        #expect(checked.validateDecoded() == nil, "\(name)")
    }

    @Test func theReferenceBuildsWhatTheConfigSays() {
        // Hand count for the second config: 3 × 2M mapped + 2 × 2M pending + 3 × 4K pending leaves; paging
        // pages: the level-1 table over 0x0–0x1FFFFF (the 4K pages), the level-2 tables over 0–1 GiB and
        // 1–2 GiB, the level-3 table over 0–512 GiB, each with the L1 bit only (on-demand).
        let m = bySEAMCalls(Self.configs[1].config)
        #expect(m.space.leaves.count == 8)
        #expect(m.space.tables.count == 4)
        #expect(m.space.tables.sortedKeys.allSatisfy { m.space.tables[$0] == GPASpace.l1TableBit })
        #expect(m.space.leaf(at: 0x4000_0000, level: .size2M)?.state == .mapped)
        #expect(m.space.leaf(at: 0x20_0000, level: .size2M)?.state == .pending)
        #expect(m.space.leaf(at: 0x3000, level: .size4K)?.state == .pending)
    }

    @Test func theBuildSizesTheLeafMapOnce() {
        // 100,000 leaves need ⌈100,000 × 4 / 3⌉ = 133,334 slots to stay at most 3/4 full. Grown from 16 slots
        // by half at a time the map would end at 177,513 (…, 118,342 is too small), and hold the 118,342-slot
        // table and the new one at once while it copies.
        let m = Machine(
            config: MachineConfig(numL2VMs: 3, memory: [Region(gpa: 0, size: 100_000 << 12, state: .mapped)]))
        #expect(m.space.leaves.count == 100_000)
        #expect(m.space.leaves.capacity == 133_334)
        #expect(Double(m.space.leaves.slotBytes) / 100_000 <= 21.4)
    }

    @Test func leavesAreVisitedInGPAOrder() {
        // Mixed levels, a blocked paging page, a 1G-aligned page and the top of GPAW 48's private space.
        var m = Machine(
            config: MachineConfig(
                numL2VMs: 3,
                memory: [
                    Region(gpa: 0x7FFF_FFFF_F000, size: 0x1000, state: .mapped),
                    Region(gpa: 0x4000_0000, size: 0x40_0000, state: .pending, pageLevel: .size2M),
                    Region(gpa: 0x10_0000, size: 0x4000, state: .mapped),
                    Region(gpa: 0x1F_F000, size: 0x2000, state: .pending),
                ]))
        var r = RegisterFile(rax: 7, rcx: 0x0000_0001)  // TDH.MEM.RANGE.BLOCK of the level-1 entry over 0–2 MiB
        m.seamcall(&r)
        #expect(r.rax == 0)
        var visited: [UInt64] = []
        m.space.forEachLeafInGPAOrder { gpa, record in
            visited.append(gpa)
            #expect(m.space.leaf(at: gpa, level: record.level) == record)
        }
        #expect(
            visited == [
                0x10_0000, 0x10_1000, 0x10_2000, 0x10_3000, 0x1F_F000, 0x20_0000, 0x4000_0000, 0x4020_0000,
                0x7FFF_FFFF_F000,
            ])
    }
}

@Suite struct LeafBelowPagingPagesTests {
    @Test func aLeafWithoutPagingPagesAboveItIsABrokenState() {
        // A decoded GPA space whose 4K leaf at 0x100000 has no L1 paging pages above it: no SEPT.ADD sequence
        // makes one, and a walk from the root (ATTR.RD, the alias table) would never reach it.
        var space = GPASpace(width: .gpaw48)
        space.setLeaf(GPASpace.leafKey(0x10_0000, .size4K), PageRecord(state: .mapped, level: .size4K))
        #expect(space.problem(numL2VMs: 3)?.0 == "leaves")
        for level: UInt8 in [3, 2] { space.setTableBits(0x10_0000, PageLevel(level), GPASpace.l1TableBit) }
        #expect(space.problem(numL2VMs: 3)?.0 == "leaves", "the level-1 page is still missing")
        space.setTableBits(0x10_0000, .size2M, GPASpace.l1TableBit)
        #expect(space.problem(numL2VMs: 3) == nil)
    }
}
