import SEAMTypes

/// The deterministic host VMM SoftSEAM ships: it turns a `MachineConfig` into the SEAMCALLs a real host
/// issues to build the TD — TDH.MNG.WR of VM_CTLS, TDH.MEM.SEPT.ADD (version 1, with L2 SEPT pages unless
/// `l2_sept` is `on-demand`) down to each region's page size, then TDH.MEM.PAGE.ADD for `mapped` regions and
/// TDH.MEM.PAGE.AUG for `pending` ones.
public enum BuiltInHost {
    /// First HPA the built-in host hands out; HPAs only need to be well-formed, the model keeps none.
    static let firstHPA: UInt64 = 0x10_0000_0000

    /// Builds the TD `config` describes into `machine`. A config that passed `ConfigDecoder` cannot make a
    /// SEAMCALL fail; one that does is a bug in SoftSEAM, and stops here.
    public static func setUp(_ machine: inout Machine, _ config: MachineConfig) {
        for (i, ctl) in config.vmCtls.enumerated() where i < config.numL2VMs && ctl != 0 {
            var r = RegisterFile(
                rax: UInt64(SEAMCallLeaf.mngWr.rawValue), rdx: 0x9110_0003_0000_0012 + UInt64(i + 1),
                r8: ctl, r9: 1)
            machine.seamcall(&r)
            precondition(r.rax == 0, "TDH.MNG.WR VM_CTLS: \(TDXStatus(r.rax))")
        }
        var hpa = firstHPA
        for region in config.memory {
            let level = region.pageLevel
            var gpa = region.gpa
            while gpa < region.gpa + region.size {
                addTables(&machine, gpa: gpa, above: level, l2: config.l2SEPT == .supplied, hpa: &hpa)
                let leaf: SEAMCallLeaf = region.state == .mapped ? .memPageAdd : .memPageAug
                hpa = (hpa + level.bytes - 1) & ~(level.bytes - 1)
                var r = RegisterFile(
                    rax: UInt64(leaf.rawValue), rcx: PageInfo(gpa: gpa, level: level).rawValue,
                    r8: hpa, r9: firstHPA)
                if region.state == .mapped && level != .size4K {
                    // TDH.MEM.PAGE.ADD takes 4K pages only: a 2M mapped page is AUGed and accepted for L1.
                    r.rax = UInt64(SEAMCallLeaf.memPageAug.rawValue)
                    machine.seamcall(&r)
                    precondition(
                        r.rax == 0, "TDH.MEM.PAGE.AUG \(PageInfo(gpa: gpa, level: level)): \(TDXStatus(r.rax))")
                    var accept = RegisterFile(
                        rax: UInt64(Leaf.memPageAccept.rawValue), rcx: PageInfo(gpa: gpa, level: level).rawValue)
                    _ = try? machine.tdcall(vcpu: 0, &accept)
                    precondition(
                        accept.rax == 0,
                        "TDG.MEM.PAGE.ACCEPT \(PageInfo(gpa: gpa, level: level)): \(TDXStatus(accept.rax))")
                } else {
                    machine.seamcall(&r)
                    precondition(r.rax == 0, "\(leaf) \(PageInfo(gpa: gpa, level: level)): \(TDXStatus(r.rax))")
                }
                hpa += level.bytes
                gpa += level.bytes
            }
        }
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
