import SEAMTypes

/// The deterministic host VMM SoftSEAM ships: it turns a `MachineConfig` into the SEAMCALLs a real host
/// issues to build the TD — TDH.MNG.WR of VM_CTLS; TDH.MEM.SEPT.ADD (version 1, with L2 SEPT pages unless
/// `l2_sept` is `on-demand`) down to each region's page size; TDH.MEM.PAGE.ADD of the `mapped` 4K regions;
/// TDH.MR.FINALIZE; then TDH.MEM.PAGE.AUG of the `pending` regions, and of the `mapped` 2M ones, which L1
/// (vCPU 0) accepts at once since PAGE.ADD takes 4K pages only.
public enum BuiltInHost {
    /// First HPA the built-in host hands out; HPAs only need to be well-formed, the model keeps none.
    static let firstHPA: UInt64 = 0x10_0000_0000

    /// Builds the TD `config` describes into `machine`, leaving it finalized unless `config.finalize` is false. A config that passed
    /// `ConfigDecoder` cannot make a SEAMCALL fail; one that does is a bug in SoftSEAM, and stops here.
    public static func setUp(_ machine: inout Machine, _ config: MachineConfig) {
        for (i, ctl) in config.vmCtls.enumerated() where i < config.numL2VMs && ctl != 0 {
            var r = RegisterFile(
                rax: UInt64(SEAMCallLeaf.mngWr.rawValue), rdx: 0x9110_0003_0000_0012 + UInt64(i + 1), r8: ctl, r9: 1)
            machine.seamcall(&r)
            precondition(r.rax == 0, "TDH.MNG.WR VM_CTLS: \(TDXStatus(r.rax))")
        }
        var hpa = firstHPA
        let l2 = config.l2SEPT == .supplied
        let added = config.memory.filter { $0.state == .mapped && $0.pageLevel == .size4K }
        let augmented = config.memory.filter { !($0.state == .mapped && $0.pageLevel == .size4K) }
        for region in added {
            for gpa in stride(from: region.gpa, to: region.gpa + region.size, by: Int(PageLevel.size4K.bytes)) {
                addTables(&machine, gpa: gpa, above: .size4K, l2: l2, hpa: &hpa)
                call(&machine, .memPageAdd, PageInfo(gpa: gpa, level: .size4K), r8: next(&hpa), r9: firstHPA)
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
                if region.state == .mapped {
                    var accept = RegisterFile(
                        rax: UInt64(Leaf.memPageAccept.rawValue), rcx: PageInfo(gpa: gpa, level: level).rawValue)
                    let outcome = try? machine.tdcall(vcpu: 0, &accept)
                    precondition(
                        outcome == .completed && accept.rax == 0,
                        "TDG.MEM.PAGE.ACCEPT \(PageInfo(gpa: gpa, level: level)): \(TDXStatus(accept.rax))")
                }
            }
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
