import SEAMCore
import SEAMTypes
import Testing

@Suite struct U64MapTests {
    @Test func behavesLikeADictionaryUnderRandomInsertsAndRemoves() {
        var rng = SplitMix64(seed: 42)
        var map = U64Map<UInt64>(placeholder: 0)
        var model: [UInt64: UInt64] = [:]
        for _ in 0..<50_000 {
            let key = rng.next() % 3000  // dense keys: long probe runs and many backward shifts
            switch rng.next() % 3 {
            case 0, 1:
                let v = rng.next()
                map[key] = v
                model[key] = v
            default:
                map[key] = nil
                model[key] = nil
            }
            #expect(map[key] == model[key])
        }
        #expect(map.count == model.count)
        for (k, v) in model { #expect(map[k] == v) }
        #expect(map.sortedKeys == model.keys.sorted())
    }

    @Test func copiesAreIndependent() {
        var a = U64Map<UInt8>(placeholder: 0)
        a[1] = 1
        var b = a
        b[1] = 2
        b[2] = 3
        #expect(a[1] == 1 && a[2] == nil && b[1] == 2 && b.count == 2)
    }
}

@Suite struct MetadataBudgetTests {
    @Test func leafSlotsNeverPassThirtyTwoBytesPerLeafBetweenInsertions() {
        // DESIGN.md: ≤ 32 bytes of metadata per mapped 4 KiB page; 1 M pages in ≤ 64 MiB. What the map holds
        // between insertions stays inside it. While the map grows it holds the old table and the new one
        // (1.5 times the old) at once: 2.5 × 16 bytes per slot over 3/4 of the old slots is 53⅓ bytes per
        // leaf, over the budget — so a build that knows its size reserves first (next test), and the build's
        // real figure is peak RSS growth (`softseam bench`, `bytes_per_page`).
        var map = U64Map(placeholder: PageRecord(state: .free, level: .size4K))
        let slotSize = Double(MemoryLayout<UInt64>.stride + MemoryLayout<PageRecord>.stride)
        var worst = 0.0, worstWhileGrowing = 0.0
        for key in UInt64(0)..<1_048_576 {
            let before = map.capacity
            map[key] = PageRecord(state: .mapped, level: .size4K)
            if map.count >= 12 {
                worst = max(worst, Double(map.slotBytes) / Double(map.count))
                if map.capacity != before {
                    let held = Double(before + map.capacity) * slotSize / Double(map.count - 1)
                    worstWhileGrowing = max(worstWhileGrowing, held)
                }
            }
        }
        #expect(worst <= 32.0, "worst \(worst) bytes per leaf")
        #expect(map.slotBytes <= 64 << 20)
        #expect(worstWhileGrowing > 32 && worstWhileGrowing <= 54, "\(worstWhileGrowing) bytes per leaf while growing")
    }

    @Test func aReservedMapNeverGrowsAndStaysUnderTwentyTwoBytesPerLeaf() {
        // 1 Mi leaves reserved: ⌈2^20 × 4 / 3⌉ = 1,398,102 slots of 16 bytes, 21⅓ bytes per leaf, and no
        // second table at any moment.
        var map = U64Map(placeholder: PageRecord(state: .free, level: .size4K))
        map.reserve(additional: 1_048_576)
        #expect(map.capacity == 1_398_102)
        var capacities: Set<Int> = []
        for key in UInt64(0)..<1_048_576 {
            map[key] = PageRecord(state: .mapped, level: .size4K)
            capacities.insert(map.capacity)
        }
        #expect(capacities == [1_398_102])
        #expect(Double(map.slotBytes) / 1_048_576 <= 21.34)
    }

    @Test func pageRecordIsOneWord() {
        // DESIGN.md: ≤ 32 bytes of metadata per mapped 4 KiB page. A record is 8 bytes; with its 8-byte key a
        // U64Map slot is 16 bytes, and at the 3/4 maximum load a leaf costs at most 32 bytes of slots.
        #expect(MemoryLayout<PageRecord>.stride == 8)
    }

    @Test func pageRecordFieldsDoNotOverlap() {
        var r = PageRecord(state: .pendingBlocked, level: .size2M)
        r.addAlias(vm: 3, GPAAttributes(0x807F), blocked: true)
        r.addAlias(vm: 1, GPAAttributes(0x8001), blocked: false)
        #expect(r.state == .pendingBlocked && r.level == .size2M)
        #expect(r.tdal == 0b101 && r.l2Blocked == 0b100)
        #expect(r.attrs(vm: 3).rawValue == 0x807F && r.attrs(vm: 1).rawValue == 0x8001 && r.attrs(vm: 2).rawValue == 0)
        r.removeAlias(vm: 3)
        #expect(r.tdal == 0b001 && r.l2Blocked == 0 && r.attrs(vm: 3).rawValue == 0)
    }

    @Test func stateMasksMatchTheStateLists() {
        // tdx-module include/auto_gen/sept_state_lookup.c, tdcall_sept_state_lookup rows 24 (ATTR.WR) and 23
        // (ATTR.RD).
        #expect(Machine.attrWrAllowedStates == SEPTState.mask(.mapped, .exportedDirty, .pending, .pendingExportedDirty))
        #expect(
            Machine.attrRdAllowedStates
                == SEPTState.mask(
                    .mapped, .blockedW, .exportedBlockedW, .exportedDirty, .exportedDirtyBlockedW, .pending,
                    .pendingBlockedW,
                    .pendingExportedBlockedW, .pendingExportedDirty, .pendingExportedDirtyBlockedW))
    }
}

@Suite struct MemoryAccessTests {
    @Test func l1ReadsBackWhatItWroteAcrossAPageBoundary() throws {
        var m = sequenceMachine()
        try m.writeMemory(gpa: 0x10_0FFE, [1, 2, 3, 4])
        #expect(try m.readMemory(gpa: 0x10_0FFC, count: 8) == [0, 0, 1, 2, 3, 4, 0, 0])
    }

    @Test func pendingSharedAndUnmappedMemoryIsRefusedAndNothingIsWritten() {
        var m = sequenceMachine()
        let before = m.stateHash()
        #expect(throws: MachineError.notL1Accessible(gpa: 0x11_0000)) { try m.writeMemory(gpa: 0x10_FFFF, [1, 2]) }
        #expect(throws: MachineError.notL1Accessible(gpa: 0x8000_0010_0000)) {
            try m.readMemory(gpa: 0x8000_0010_0000, count: 1)
        }
        #expect(throws: MachineError.notL1Accessible(gpa: 0x20_0000)) { try m.readMemory(gpa: 0x20_0000, count: 1) }
        #expect(m.stateHash() == before)
    }

    @Test func removedAndReacceptedPageReadsZero() throws {
        var m = sequenceMachine()
        try m.writeMemory(gpa: 0x10_1000, [9, 9, 9])
        for (rax, rcx) in [(UInt64(7), UInt64(0x10_1000)), (38, 0), (29, 0x10_1000)] {
            var h = RegisterFile(rax: rax, rcx: rcx)
            m.seamcall(&h)
            #expect(h.rax == 0)
        }
        var aug = RegisterFile(rax: 6, rcx: 0x10_1000, r8: 0x30_0000_0000)
        m.seamcall(&aug)
        var accept = RegisterFile(rax: 6, rcx: 0x10_1000)
        _ = try m.tdcall(vcpu: 0, &accept)
        #expect(accept.rax == 0)
        #expect(try m.readMemory(gpa: 0x10_1000, count: 3) == [0, 0, 0])
    }

    @Test func noSuchVCPUIsAnAPIError() {
        var m = sequenceMachine()
        var regs = RegisterFile(rax: 1)
        #expect(throws: MachineError.noSuchVCPU(1, count: 1)) { try m.tdcall(vcpu: 1, &regs) }
    }
}
