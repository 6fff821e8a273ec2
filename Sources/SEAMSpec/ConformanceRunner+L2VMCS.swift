import SEAMCore
import SEAMFormats
import SEAMTypes

extension ConformanceRunner {
    /// One row of l2-vmcs-fields.tsv, through TDG.VP.RD and TDG.VP.WR of VM 1 on a fresh TD (module
    /// `src/td_dispatcher/vm_exits/tdg_vp_rd_wr.c`, `include/auto_gen/td_l2_vmcs_fields_lookup.c`): a field with read mask 0 answers FIELD_NOT_READABLE, any other reads back
    /// its reset value & read mask (L1's own copies for the CR masks and shadows: all ones and 0; the
    /// virtual-APIC GPA: NULL_PA); write mask 0 answers FIELD_NOT_WRITABLE; a plain writable field takes the
    /// reset value with its lowest writable bit flipped, returns the reset value in R8 and reads the new value
    /// back; the HIGH encoding (bit 0 set) is FIELD_ID_INCORRECT.
    static func checkL2VMCSField(_ row: SpecTable.Row) throws(InputError) -> String? {
        let encoding = UInt32(try row.integer("encoding"))
        let size = try row.integer("size")
        let readMask = try row.integer("l1_read_mask")
        let writeMask = try row.integer("l1_write_mask")
        let reset = try row.integer("reset")
        let attrs = row["attrs"]
        let sizeCode: UInt64 = size == 16 ? 1 : size == 32 ? 2 : 3
        let id = 0x2420_0000_0000_0000 | sizeCode << 32 | UInt64(encoding)
        var m = Machine(config: MachineConfig(numL2VMs: 1))
        var rd = RegisterFile(rax: 9, rdx: id)
        _ = try? m.tdcall(vcpu: 0, &rd)
        if readMask == 0 {
            if rd.rax != TDXStatus.metadataFieldNotReadable.rawValue { return "read gave \(TDXStatus(rd.rax))" }
        } else {
            let expected: UInt64 =
                attrs.contains("cr_mask")
                ? ~0
                : attrs.contains("cr_shadow")
                    ? 0
                    : encoding == VMCSField.virtualAPICAddress.rawValue ? ~0 : reset
            let sizeMask: UInt64 = size == 64 ? ~0 : (1 << size) - 1
            if rd.rax != 0 { return "read gave \(TDXStatus(rd.rax))" }
            if rd.r8 != expected & readMask & sizeMask {
                return "read \(hex64(rd.r8)), expected \(hex64(expected & readMask & sizeMask))"
            }
        }
        var wr = RegisterFile(rax: 10, rdx: id, r8: reset, r9: ~0)
        _ = try? m.tdcall(vcpu: 0, &wr)
        if writeMask == 0 {
            if wr.rax != TDXStatus.metadataFieldNotWritable.rawValue { return "write gave \(TDXStatus(wr.rax))" }
        } else if attrs == "-" {
            let bit = writeMask & (~writeMask &+ 1)
            var w = RegisterFile(rax: 10, rdx: id, r8: reset ^ bit, r9: writeMask)
            _ = try? m.tdcall(vcpu: 0, &w)
            if w.rax != 0 { return "write of \(hex64(reset ^ bit)) gave \(TDXStatus(w.rax))" }
            if w.r8 != reset & readMask { return "write returned old value \(hex64(w.r8))" }
            var back = RegisterFile(rax: 9, rdx: id)
            _ = try? m.tdcall(vcpu: 0, &back)
            if back.r8 != (reset ^ bit) & readMask { return "read back \(hex64(back.r8)) after the write" }
        }
        var high = RegisterFile(rax: 9, rdx: id | 1)
        _ = try? m.tdcall(vcpu: 0, &high)
        if high.rax != TDXStatus.metadataFieldIDIncorrect.rawValue { return "HIGH access gave \(TDXStatus(high.rax))" }
        return nil
    }
}
