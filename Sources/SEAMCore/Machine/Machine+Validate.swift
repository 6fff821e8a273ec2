import SEAMTypes

extension Machine {
    /// Checks that a machine decoded from outside (a snapshot file) keeps every invariant the leaf handlers
    /// rely on, so that no later operation on it can trap, and drops its memos; throws the first problem.
    ///
    ///     decode ──▶ validateDecoded ──▶ recomputedStateHash() == the file's ──▶ use
    ///
    /// Synthesized `Decodable` only checks types, so a crafted file could otherwise hold a map whose probes
    /// never end, a VMCS array of the wrong size or a vCPU in an L2 VM the TD does not have. Checked, in order:
    /// NUM_L2_VMS and the vCPU count; the RTMRs' word count; the MRTD log's entries; the GPA space (`GPASpace.problem`); then each vCPU: its index, array
    /// sizes, the reset table, where it is (CURR_VM, the L2 VM, the pending TD exit agree and name existing
    /// VMs) and its digest. `field` in the error is the Codable coding path (`vcpus.0.currentVM`).
    ///
    /// The memos (the guest-state buffer copy, `guestStateChecked`, `ripChanged`, the vCPUs' hash) are reset rather than
    /// trusted: they only let an entry or exit skip work whose result they remember, so a fresh vCPU redoes
    /// that work once and reaches the same state; a crafted memo could otherwise skip the VM-entry checks.
    /// - Returns: nil when every invariant holds, else the first problem as (Codable field path, message).
    public mutating func validateDecoded() -> (field: String, message: String)? {
        guard (0...profile.maxL2VMs).contains(numL2VMs) else {
            return ("numL2VMs", "NUM_L2_VMS \(numL2VMs) is outside 0…\(profile.maxL2VMs)")
        }
        guard (1...MachineConfig.maxVCPUs).contains(vcpuCount) else {
            return ("vcpuCount", "\(vcpuCount) vCPUs is outside 1…\(MachineConfig.maxVCPUs)")
        }
        guard vcpus.count == vcpuCount else {
            return ("vcpus", "\(vcpus.count) vCPUs for a vcpuCount of \(vcpuCount)")
        }
        guard space.width == width else { return ("space.width", "\(space.width) in a TD of \(width)") }
        if let message = rtmr.problem { return ("rtmr.words", message) }
        if let message = mrtdLog.problem { return ("mrtdLog.entries", message) }
        if let message = tdParams.problem { return ("tdParams", message) }
        if let (field, message) = space.problem(numL2VMs: numL2VMs) { return ("space." + field, message) }
        for i in vcpus.indices {
            if let (field, message) = vcpus[i].problem(index: i, numL2VMs: numL2VMs) {
                return ("vcpus.\(i).\(field)", message)
            }
            vcpus[i].dropMemos()
        }
        vcpusHashMemo = nil  // recomputed from the vCPUs on the next hash
        return nil
    }
}

extension Machine {
    /// This machine without its memos (the vCPUs' hash, each vCPU's guest-state buffer copy and entry-check
    /// memos): what a snapshot file holds, so one state gives the same bytes whether or not a memo was filled.
    public func droppingMemos() -> Machine {
        var m = self
        for i in m.vcpus.indices { m.vcpus[i].dropMemos() }
        m.vcpusHashMemo = nil
        m.lastDelivery = nil
        m.vectoringOverride = nil
        return m
    }
}

extension GPASpace {
    /// The first broken invariant as (Codable field name, message), or nil: each map's slot table
    /// (`U64Map.problem`), then the records (leaf keys aligned to their level and inside GPAW, the word's
    /// reserved bits 63:60 clear, no alias state for a VM the TD does not have, an L1 paging page above the
    /// leaf at every level, as SEPT.ADD leaves it and `forEachLeafInGPAOrder` relies on; table keys at a level
    /// that has paging pages; contents of 4096 bytes, not all zero, with their hash), then `blockedTables` and
    /// `digest` against a recount.
    package func problem(numL2VMs: Int) -> (String, String)? {
        let maps: [(String, String?)] = [
            ("leaves", leaves.problem()), ("tables", tables.problem()), ("contents", contents.problem()),
            ("blocks", blocks.problem()), ("shared", shared.problem()), ("acceptCounters", acceptCounters.problem()),
        ]
        for case (let name, let message?) in maps { return (name, message) }
        for key in acceptCounters.sortedKeys {
            let n = acceptCounters[key]!
            guard (1...511).contains(n), let r = leaves[key], r.level == .size2M, r.state.isPending else {
                return (
                    "acceptCounters", "accept counter \(n) at \(hexShort(key << 12)): not 1…511 on a pending 2M leaf"
                )
            }
        }
        let pageIndexBits = UInt64(width.bits - 12)
        for key in leaves.sortedKeys {
            let r = leaves[key]!
            let at = "leaf at \(hexShort(key << 12))"
            guard key >> pageIndexBits == 0 else { return ("leaves", "\(at) is beyond GPAW \(width.bits)") }
            guard (key << 12) & width.sharedMask == 0 else {
                return ("leaves", "\(at) is a shared GPA: no shared GPA is ever in a SEPT")
            }
            guard r.raw >> 60 == 0 else { return ("leaves", "\(at): reserved bits 63:60 set in \(hex64(r.raw))") }
            guard r.level <= .size1G else { return ("leaves", "\(at): leaf level \(r.level.rawValue)") }
            guard key & (r.level.pages4K - 1) == 0 else { return ("leaves", "\(at) is not \(r.level)-aligned") }
            for vm in (numL2VMs + 1)..<4
            where r.attrs(vm: vm).rawValue != 0 || r.isAliased(vm: vm) || r.isL2Blocked(vm: vm) {
                return ("leaves", "\(at) has alias state for VM\(vm), which the TD does not have")
            }
            var level = width.rootLevel
            while level > r.level {
                guard tableBits(key << 12, level) & GPASpace.l1TableBit != 0 else {
                    return ("leaves", "\(at) has no L1 paging page under its level-\(level.rawValue) entry")
                }
                level = PageLevel(level.rawValue - 1)
            }
        }
        var blockedCount = 0
        for key in tables.sortedKeys {
            let level = key >> 48
            guard (1...UInt64(width.rootLevel.rawValue)).contains(level), tables[key]! != 0 else {
                return ("tables", "table key \(hex64(key)): level \(level), bits \(tables[key]!)")
            }
            let base = (key & (1 << 48 - 1)) << (12 + 9 * level)
            guard base & width.sharedMask == 0 else {
                return (
                    "tables", "table key \(hex64(key)) covers shared GPA \(hexShort(base)): no shared GPA is in a SEPT"
                )
            }
            if tables[key]! & GPASpace.l1TableBit << GPASpace.blockedShift != 0 { blockedCount += 1 }
        }
        for key in contents.sortedKeys {
            let c = contents[key]!
            let at = "page \(hexShort(key << 12))"
            guard key >> pageIndexBits == 0 else { return ("contents", "\(at) is beyond GPAW \(width.bits)") }
            guard c.bytes.count == 4096 else { return ("contents", "\(at) holds \(c.bytes.count) bytes, not 4096") }
            guard c.bytes.contains(where: { $0 != 0 }) else { return ("contents", "\(at) is all zeros (never kept)") }
            guard settledHash(key) == PageContents.pageHash(c.bytes) else {
                return ("contents", "\(at): hash does not match")
            }
            guard (key << 12) & width.sharedMask == 0 || shared[key] != nil else {
                return ("contents", "\(at) is a shared page the host did not map")
            }
        }
        for (n, e) in deferred.enumerated() {
            guard contents[e.page] != nil, e.mask != 0, deferredIndex(e.page) == n else {
                return ("contents", "deferred hash of page \(hexShort(e.page << 12)): no such page, no chunk, or twice")
            }
        }
        for key in shared.sortedKeys {
            let at = "shared page \(hexShort(key << 12))"
            guard key >> pageIndexBits == 0, (key << 12) & width.sharedMask != 0 else {
                return ("shared", "\(at) is not a shared GPA of GPAW \(width.bits)")
            }
            guard shared[key]! else { return ("shared", "\(at) is recorded unmapped") }
        }
        guard blockedTables == blockedCount else {
            return ("blockedTables", "\(blockedTables), but \(blockedCount) tables are NL_BLOCKED")
        }
        let d = recomputedDigest()
        guard digest == d else { return ("digest", "\(hex64(digest)), but the records sum to \(hex64(d))") }
        return nil
    }
}

extension VCPU {
    /// The first broken invariant as (Codable field name, message), or nil; see `Machine.validateDecoded`.
    func problem(index i: Int, numL2VMs: Int) -> (String, String)? {
        guard index == i else { return ("index", "vCPU \(index) at position \(i)") }
        guard vmcs.count == 3 * L2VMCSLayout.count else {
            return ("vmcs", "\(vmcs.count) words, not 3 × \(L2VMCSLayout.count)")
        }
        guard msrBitmaps.count == 3 * VCPU.msrBitmapWords else {
            return ("msrBitmaps", "\(msrBitmaps.count) words, not 3 × \(VCPU.msrBitmapWords)")
        }
        guard resets == L2VMCSLayout.fields.map(\.reset) else {
            return ("resets", "not the reset values of Specs/l2-vmcs-fields.tsv")
        }
        let vms = 1...max(1, numL2VMs)
        switch location {
        case .l1:
            guard currentVM == 0, pendingExit == nil else {
                return ("location", "in L1 with CURR_VM \(currentVM) or a pending TD exit")
            }
        case .l2(let vm):
            guard numL2VMs > 0, vms.contains(vm), currentVM == vm, pendingExit == nil else {
                return ("location", "in L2 VM\(vm) with CURR_VM \(currentVM), NUM_L2_VMS \(numL2VMs)")
            }
        case .host:
            guard let p = pendingExit else { return ("pendingExit", "out of the TD with no pending TD exit") }
            let fromL1 = p.kind == .l1TDVMCall || p.kind == .l1FaultLike || p.kind == .l1CrossTDTrap
            guard fromL1 ? p.vm == 0 : numL2VMs > 0 && vms.contains(p.vm), currentVM == p.vm else {
                return ("pendingExit", "\(p.kind) exit from VM \(p.vm) with CURR_VM \(currentVM)")
            }
        }
        let d = recomputedDigest()
        guard digest == d else { return ("digest", "\(hex64(digest)), but the fields sum to \(hex64(d))") }
        return nil
    }

    /// Forgets what the memos remember (see `Machine.validateDecoded`); state, and so the hash, is unchanged.
    mutating func dropMemos() {
        bufferWords = GuestStateWords()
        bufferGPA = ~0
        bufferVersion = ~0
        bufferClean = false
        guestStateChecked = 0
        ripChanged = 0
        eventStateChanged = 0
    }
}
