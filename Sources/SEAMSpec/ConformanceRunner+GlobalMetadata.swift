import SEAMCore
import SEAMFormats
import SEAMTypes

extension ConformanceRunner {
    /// A row of Specs/global-metadata.tsv: TDG.SYS.RD of the field's first and last element answers SUCCESS with
    /// the row's value (a `platform` value: the `default` profile's) when `guest_read` is yes, else
    /// FIELD_NOT_READABLE; the code after the last element belongs to no field or to the next row's.
    static func checkGlobalField(_ row: SpecTable.Row) throws(InputError) -> String? {
        let id = try row.integer("field_id")
        let elements = try row.integer("elements")
        let size = try row.integer("size")
        let readable = try yesNo(row, "guest_read")
        let sizeMask: UInt64 = size >= 8 ? ~0 : (1 << (8 * size)) - 1
        let expected: UInt64
        switch row["value"] {
        case "platform":
            guard let p = GlobalPlatform.default.values.first(where: { $0.name == row["name"] }) else {
                return "the default platform has no value for \(row["name"])"
            }
            expected = p.value & sizeMask
        case "-":
            if readable { return "a guest-readable field needs a value" }
            expected = 0
        default: expected = try row.integer("value") & sizeMask
        }
        var m = Machine(config: MachineConfig(numL2VMs: 1))
        for element in [0, elements - 1] {
            var rd = RegisterFile(rax: 11, rdx: id + element)
            _ = try? m.tdcall(vcpu: 0, &rd)
            if readable {
                if rd.rax != 0 { return "element \(element): read gave \(TDXStatus(rd.rax))" }
                if rd.r8 != expected { return "element \(element): read 0x\(String(rd.r8, radix: 16))" }
            } else if rd.rax != TDXStatus.metadataFieldNotReadable.rawValue {
                return "element \(element): read gave \(TDXStatus(rd.rax)), not FIELD_NOT_READABLE"
            }
        }
        return nil
    }
}
