import SEAMTypes

/// The deterministic host VMM SoftSEAM ships: it builds the TD a `MachineConfig` describes as the SEAMCALLs a
/// real host issues would — TDH.MNG.WR of VM_CTLS; TDH.MEM.SEPT.ADD (version 1, with L2 SEPT pages unless
/// `l2_sept` is `on-demand`) down to each region's page size; TDH.MEM.PAGE.ADD of the `mapped` 4K regions (with
/// the region's `contents` copied, and each page's chunks TDH.MR.EXTENDed when the region is `measured`);
/// TDH.MR.FINALIZE; then TDH.MEM.PAGE.AUG of the `pending` regions, and of the `mapped` 2M ones, which L1
/// (vCPU 0) accepts at once since PAGE.ADD takes 4K pages only. `setUp` reaches that state in bulk,
/// `setUpBySEAMCalls` by the SEAMCALLs themselves.
public enum BuiltInHost {
    /// First HPA the built-in host hands out; HPAs only need to be well-formed, the model keeps none.
    static let firstHPA: UInt64 = 0x10_0000_0000

    /// Builds the TD `config` describes into `machine`, leaving it finalized unless `config.finalize` is false.
    /// A config that passed `ConfigDecoder` cannot make a SEAMCALL fail; one that does is a bug in SoftSEAM,
    /// and stops here.
    ///
    /// The memory is built in bulk: the state is the one `setUpBySEAMCalls` reaches — the same records, the
    /// same state hash (a test compares them) — without a SEAMCALL per page. For a fresh TD each SEAMCALL's
    /// checks are known to pass, so what is left of TDH.MEM.SEPT.ADD is "set the paging page's bits" (once per
    /// paging page, not once per leaf below it) and of PAGE.ADD and PAGE.AUG "insert the leaf's record",
    /// into a leaf map sized up front from the config so it never grows. VM_CTLS, TDH.MR.FINALIZE and L1's
    /// TDG.MEM.PAGE.ACCEPT of `mapped` 2M pages still go through `Machine.seamcall` and `Machine.tdcall`.
    public static func setUp(_ machine: inout Machine, _ config: MachineConfig) {
        writeVMCtls(&machine, config)
        let bits = tableBits(machine, config)
        let (added, augmented) = regionsByLeaf(config)
        machine.space.reserveLeaves(config.memory.reduce(0) { $0 + Int($1.size / $1.pageLevel.bytes) })
        if !added.isEmpty { precondition(machine.opState == .initialized, "TDH.MEM.PAGE.ADD after finalize") }
        for region in added {
            addTables(&machine, region, bits: bits)
            for gpa in stride(from: region.gpa, to: region.gpa + region.size, by: Int(PageLevel.size4K.bytes)) {
                machine.space.addNewLeaf(GPASpace.leafKey(gpa, .size4K), PageRecord(state: .mapped, level: .size4K))
            }
            copyContents(&machine, region)
            if region.measured {  // as the SEAMCALLs do it: each page added, then its 16 chunks extended
                for gpa in stride(from: region.gpa, to: region.gpa + region.size, by: Int(PageLevel.size4K.bytes)) {
                    machine.mrtdLog.pageAdded(gpa)
                    for chunk in 0..<16 { measureChunk(&machine, gpa + UInt64(chunk) << 8) }
                }
            } else {
                machine.mrtdLog.pagesAdded(region.gpa, count: region.size >> 12)  // one entry per region
            }
        }
        if config.finalize { call(&machine, .mrFinalize, PageInfo(rawValue: 0)) }
        for region in augmented {
            let level = region.pageLevel
            addTables(&machine, region, bits: bits)
            for gpa in stride(from: region.gpa, to: region.gpa + region.size, by: Int(level.bytes)) {
                // PAGE.AUG needs a FREE entry: a paging page below it would be refused.
                precondition(level == .size4K || machine.space.tableBits(gpa, level) == 0, "PAGE.AUG over a table")
                machine.space.addNewLeaf(GPASpace.leafKey(gpa, level), PageRecord(state: .pending, level: level))
            }
            if region.state == .mapped {
                for gpa in stride(from: region.gpa, to: region.gpa + region.size, by: Int(level.bytes)) {
                    accept(&machine, PageInfo(gpa: gpa, level: level))
                }
            }
        }
    }

    /// Builds the same TD as `setUp` the way a host VMM does, one SEAMCALL per paging page and per page:
    /// TDH.MNG.WR of VM_CTLS; TDH.MEM.SEPT.ADD (version 1, with L2 SEPT pages unless `l2_sept` is
    /// `on-demand`) down to each page; TDH.MEM.PAGE.ADD of each page of the `mapped` 4K regions;
    /// TDH.MR.FINALIZE; then TDH.MEM.PAGE.AUG of each page of the other regions, each `mapped` one accepted by
    /// L1 (vCPU 0) at once. The reference the bulk build is checked against.
    public static func setUpBySEAMCalls(_ machine: inout Machine, _ config: MachineConfig) {
        writeVMCtls(&machine, config)
        var hpa = firstHPA
        let l2 = config.l2SEPT == .supplied
        let (added, augmented) = regionsByLeaf(config)
        for region in added {
            for gpa in stride(from: region.gpa, to: region.gpa + region.size, by: Int(PageLevel.size4K.bytes)) {
                addTables(&machine, gpa: gpa, above: .size4K, l2: l2, hpa: &hpa)
                call(&machine, .memPageAdd, PageInfo(gpa: gpa, level: .size4K), r8: next(&hpa), r9: firstHPA)
                copyContents(&machine, region, page: gpa)
                if region.measured {
                    for chunk in 0..<16 { call(&machine, .mrExtend, PageInfo(rawValue: gpa + UInt64(chunk) << 8)) }
                }
            }
        }
        if config.finalize { call(&machine, .mrFinalize, PageInfo(rawValue: 0)) }
        for region in augmented {  // PAGE.AUG is allowed before and after finalization; ACCEPT needs L1 running
            let level = region.pageLevel
            for gpa in stride(from: region.gpa, to: region.gpa + region.size, by: Int(level.bytes)) {
                addTables(&machine, gpa: gpa, above: level, l2: l2, hpa: &hpa)
                hpa = (hpa + level.bytes - 1) & ~(level.bytes - 1)
                call(&machine, .memPageAug, PageInfo(gpa: gpa, level: level), r8: hpa)
                hpa += level.bytes
                if region.state == .mapped { accept(&machine, PageInfo(gpa: gpa, level: level)) }
            }
        }
    }

    /// The regions the host PAGE.ADDs (`mapped` 4K) and those it PAGE.AUGs (the rest), each in config order.
    static func regionsByLeaf(_ config: MachineConfig) -> (
        added: [MachineConfig.Region], augmented: [MachineConfig.Region]
    ) {
        let isAdded = { (r: MachineConfig.Region) in r.state == .mapped && r.pageLevel == .size4K }
        return (config.memory.filter(isAdded), config.memory.filter { !isAdded($0) })
    }

    /// TDH.MNG.WR of each L2 VM's non-zero VM_CTLS.
    static func writeVMCtls(_ machine: inout Machine, _ config: MachineConfig) {
        for (i, ctl) in config.vmCtls.enumerated() where i < config.numL2VMs && ctl != 0 {
            var r = RegisterFile(
                rax: UInt64(SEAMCallLeaf.mngWr.rawValue), rdx: 0x9110_0003_0000_0012 + UInt64(i + 1), r8: ctl, r9: 1)
            machine.seamcall(&r)
            precondition(r.rax == 0, "TDH.MNG.WR VM_CTLS: \(TDXStatus(r.rax))")
        }
    }

    /// L1 (vCPU 0) accepts a page the host AUGed.
    static func accept(_ machine: inout Machine, _ info: PageInfo) {
        var accept = RegisterFile(rax: UInt64(Leaf.memPageAccept.rawValue), rcx: info.rawValue)
        let outcome = try? machine.tdcall(vcpu: 0, &accept)
        precondition(outcome == .completed && accept.rax == 0, "TDG.MEM.PAGE.ACCEPT \(info): \(TDXStatus(accept.rax))")
    }

    /// The table bits every paging page of the build gets: the L1 page, and each L2 VM's unless `l2_sept`
    /// is `on-demand`.
    static func tableBits(_ machine: Machine, _ config: MachineConfig) -> UInt8 {
        let vmBits = config.l2SEPT == .supplied ? UInt8(((1 << (machine.numL2VMs + 1)) - 1) & ~1) : 0
        return GPASpace.l1TableBit | vmBits
    }

    /// What TDH.MEM.SEPT.ADD leaves behind for every leaf of `region`: each paging page above its leaves,
    /// from the root down, has `bits` (an existing page keeps its bits and gains the missing ones, as
    /// `addTables(_:gpa:above:l2:hpa:)` adds only what is missing). Stops where SEPT.ADD would fail: a leaf
    /// already in the entry.
    static func addTables(_ machine: inout Machine, _ region: MachineConfig.Region, bits: UInt8) {
        var l = machine.width.rootLevel
        while l > region.pageLevel {
            let first = region.gpa & ~(l.bytes - 1)
            for gpa in stride(from: first, to: region.gpa + region.size, by: Int(l.bytes)) {
                let have = machine.space.tableBits(gpa, l)
                guard have | bits != have else { continue }
                precondition(
                    have != 0 || machine.space.leaf(at: gpa, level: l) == nil,
                    "TDH.MEM.SEPT.ADD level \(l) at \(hexShort(gpa)): a leaf is there")
                machine.space.setTableBits(gpa, l, have | bits)
            }
            l = PageLevel(l.rawValue - 1)
        }
    }

    static func call(_ machine: inout Machine, _ leaf: SEAMCallLeaf, _ info: PageInfo, r8: UInt64 = 0, r9: UInt64 = 0) {
        var r = RegisterFile(rax: UInt64(leaf.rawValue), rcx: info.rawValue, r8: r8, r9: r9)
        machine.seamcall(&r)
        precondition(r.rax == 0, "\(leaf) \(info): \(TDXStatus(r.rax))")
    }

    /// Adds every missing paging page (L1, and L2 for each VM when `l2`) above a level-`level` leaf at `gpa`,
    /// taking HPAs for the new pages from `hpa` onward.
    public static func addTables(
        _ machine: inout Machine, gpa: UInt64, above level: PageLevel, l2: Bool, hpa: inout UInt64
    ) {
        var l = machine.width.rootLevel
        let vmBits: UInt8 = l2 ? UInt8(((1 << (machine.numL2VMs + 1)) - 1) & ~1) : 0
        while l > level {
            let have = machine.space.tableBits(gpa, l)
            let needL1 = have & GPASpace.l1TableBit == 0
            let needL2 = vmBits & ~have
            if needL1 || needL2 != 0 {
                var r = RegisterFile(
                    rax: UInt64(SEAMCallLeaf.memSEPTAdd.rawValue) | 1 << 16,
                    rcx: PageInfo(gpa: gpa & ~(l.bytes - 1), level: l).rawValue)
                r.r8 = needL1 ? next(&hpa) : Machine.nullPA
                r.r9 = needL2 & 0b0010 != 0 ? next(&hpa) : Machine.nullPA
                r.r10 = needL2 & 0b0100 != 0 ? next(&hpa) : Machine.nullPA
                r.r11 = needL2 & 0b1000 != 0 ? next(&hpa) : Machine.nullPA
                machine.seamcall(&r)
                precondition(r.rax == 0, "TDH.MEM.SEPT.ADD level \(l) at \(hexShort(gpa)): \(TDXStatus(r.rax))")
            }
            l = PageLevel(l.rawValue - 1)
        }
    }

    static func next(_ hpa: inout UInt64) -> UInt64 {
        defer { hpa += 0x1000 }
        return hpa
    }
}

extension BuiltInHost {
    /// What PAGE.ADD copies from its source page: the region's `contents` in its pages (all of them, or the
    /// one at `page`); SoftSEAM has no host memory, so the config holds the bytes.
    static func copyContents(_ machine: inout Machine, _ region: MachineConfig.Region, page: UInt64? = nil) {
        guard !region.contents.isEmpty else { return }
        let first = page.map { p in Int(p - region.gpa) } ?? 0
        let end = page.map { _ in min(first + 4096, region.contents.count) } ?? region.contents.count
        guard first < end else { return }
        region.contents.withUnsafeBytes { all in
            var o = first
            while o < end {
                let n = min(4096 - o % 4096, end - o)
                machine.space.write(
                    (region.gpa + UInt64(o)) >> 12, offset: o % 4096, UnsafeRawBufferPointer(rebasing: all[o..<o + n]))
                o += n
            }
        }
    }

    /// TDH.MR.EXTEND's measurement of the 256 bytes at `gpa` of a page just added (the bulk build's form).
    static func measureChunk(_ machine: inout Machine, _ gpa: UInt64) {
        var chunk = [UInt8](repeating: 0, count: 256)
        chunk.withUnsafeMutableBytes { machine.space.read(gpa >> 12, offset: Int(gpa & 0xFFF), into: $0) }
        machine.mrtdLog.chunkExtended(gpa, chunk)
    }
}
