import SEAMTypes

/// The TD-scope (TDCS) metadata fields L1 can name with TDG.VM.RD, in the module's table order
/// (reference §12 E8): every field with a guest read mask, then the VM_CTLS fields, which exist but are not
/// guest-readable.
struct TDField {
    /// Canonical field id of element 0.
    let id: UInt64
    let name: String
    /// Number of elements (consecutive field codes).
    let elements: Int
    /// Whether L1 may read it.
    let guestReadable: Bool
    /// Guest read mask applied to the value.
    let readMask: UInt64

    static let all: [TDField] = [
        TDField(id: 0x8010_0003_0000_0020, name: "TD_UUID", elements: 4, guestReadable: true, readMask: ~0),
        TDField(id: 0x9010_0002_0000_0001, name: "NUM_VCPUS", elements: 1, guestReadable: true, readMask: 0xFFFF_FFFF),
        TDField(id: 0x9010_0001_0000_0005, name: "NUM_L2_VMS", elements: 1, guestReadable: true, readMask: 0xFFFF),
        TDField(id: 0x1110_0003_0000_0000, name: "ATTRIBUTES", elements: 1, guestReadable: true, readMask: ~0),
        TDField(id: 0x1110_0003_0000_0001, name: "XFAM", elements: 1, guestReadable: true, readMask: ~0),
        TDField(id: 0x1110_0002_0000_0002, name: "MAX_VCPUS", elements: 1, guestReadable: true, readMask: 0xFFFF_FFFF),
        TDField(id: 0x1110_0000_0000_0003, name: "GPAW", elements: 1, guestReadable: true, readMask: 0xFF),
        TDField(id: 0x1110_0001_0000_000C, name: "TSC_FREQUENCY", elements: 1, guestReadable: true, readMask: 0xFFFF),
        TDField(id: 0x9110_0003_0000_0010, name: "NOTIFY_ENABLES", elements: 1, guestReadable: true, readMask: 1),
        TDField(id: 0x9110_0003_0000_0012, name: "VM_CTLS", elements: 4, guestReadable: false, readMask: 0),
        TDField(id: 0x1110_0003_0000_0016, name: "CONFIG_FLAGS", elements: 1, guestReadable: true, readMask: ~0),
        TDField(id: 0x1110_0003_0000_0017, name: "TD_CTLS", elements: 1, guestReadable: true, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0000, name: "MRTD", elements: 6, guestReadable: true, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0010, name: "MRCONFIGID", elements: 6, guestReadable: true, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0018, name: "MROWNER", elements: 6, guestReadable: true, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0020, name: "MROWNERCONFIG", elements: 6, guestReadable: true, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0040, name: "RTMR", elements: 24, guestReadable: true, readMask: ~0),
        TDField(id: 0x9810_0003_0000_0040, name: "PRE_IMPORT_UUID", elements: 4, guestReadable: true, readMask: ~0),
        TDField(id: 0x9910_0003_0000_0000, name: "SERVTD_HASH", elements: 6, guestReadable: true, readMask: ~0),
        TDField(id: 0x9910_0001_0000_0006, name: "SERVTD_NUM", elements: 1, guestReadable: true, readMask: 0xFFFF),
        TDField(
            id: 0x9910_0003_0000_0080, name: "SERVTD_BINDINGS_TABLE", elements: 16, guestReadable: true, readMask: ~0),
    ]

    var classCode: UInt8 { FieldID(id).classCode }
    var firstCode: UInt32 { FieldID(id).fieldCode }

    /// The field and element index a lookup by class and field code finds (context, size and the non-arch
    /// bit do not take part in the comparison, reference notes on `md_find_entry_idx`).
    static func find(_ id: FieldID) -> (index: Int, element: Int)? {
        for (i, f) in all.enumerated() where f.classCode == id.classCode {
            let code = id.fieldCode
            if code >= f.firstCode && code < f.firstCode + UInt32(f.elements) { return (i, Int(code - f.firstCode)) }
        }
        return nil
    }

    /// The id of element `element` of this field.
    func id(element: Int) -> UInt64 { id + UInt64(element) }

    /// The next guest-readable element after (`index`, `element`), or nil at the end of the context.
    static func nextReadable(after index: Int, element: Int) -> UInt64? {
        var i = index, e = element + 1
        while i < all.count {
            if e < all[i].elements, all[i].guestReadable { return all[i].id(element: e) }
            i += 1
            e = 0
        }
        return nil
    }

    /// The first guest-readable element of the context.
    static var firstReadable: UInt64 { all.first { $0.guestReadable }!.id }
}

extension Machine {
    /// The stored value of a TD-scope field element. Measurement registers, UUIDs and service-TD bindings
    /// are all zero in SoftSEAM until attestation is modelled.
    func tdFieldValue(_ field: TDField, element: Int) -> UInt64 {
        switch field.name {
        case "NUM_VCPUS", "MAX_VCPUS": UInt64(vcpuCount)
        case "NUM_L2_VMS": UInt64(numL2VMs)
        case "ATTRIBUTES": attributes
        case "XFAM": xfam
        case "GPAW": width.control
        case "TSC_FREQUENCY": tscFrequency
        case "NOTIFY_ENABLES": notifyEnables
        case "VM_CTLS": vmCtls[element]
        case "CONFIG_FLAGS": configFlags
        case "TD_CTLS": tdCtls
        default: 0
        }
    }
}
