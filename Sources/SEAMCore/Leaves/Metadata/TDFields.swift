import SEAMTypes

/// The TDR/TDCS metadata fields of TDX module 1.5.01, in the module's lookup-table order (its
/// auto-generated TDR/TDCS field table; module `src/common/metadata_handlers/metadata_td.c`): id, name, element count (fields × elements, at
/// consecutive field codes) and the guest read mask. TDG.VM.RD reads the fields with a non-zero guest mask;
/// any other field that exists answers METADATA_FIELD_NOT_READABLE, and an id matching none
/// METADATA_FIELD_ID_INCORRECT. The L2 SEPT roots of VMs the TD does not have are not in the module's table.
struct TDField {
    /// Canonical field id of element 0.
    let id: UInt64
    let name: String
    /// Number of elements (consecutive field codes).
    let elements: Int
    /// Guest read mask applied to the value; 0 = not guest-readable.
    let readMask: UInt64
    /// Whether L1 may read it.
    var guestReadable: Bool { readMask != 0 }

    static let all: [TDField] = [
        TDField(id: 0x8010_0000_0000_0001, name: "FATAL", elements: 1, readMask: 0),
        TDField(id: 0x8010_0002_0000_0002, name: "NUM_TDCX", elements: 1, readMask: 0),
        TDField(id: 0x8010_0003_0000_0004, name: "CHLDCNT", elements: 1, readMask: 0),
        TDField(id: 0x8010_0002_0000_0005, name: "LIFECYCLE_STATE", elements: 1, readMask: 0),
        TDField(id: 0x8010_0003_0000_0010, name: "TDCX_PA", elements: 9, readMask: 0),
        TDField(id: 0x8010_0003_0000_0020, name: "TD_UUID", elements: 4, readMask: ~0),
        TDField(id: 0x8110_0001_0000_0001, name: "HKID", elements: 1, readMask: 0),
        TDField(id: 0x8110_0003_0000_0002, name: "PKG_CONFIG_BITMAP", elements: 1, readMask: 0),
        TDField(id: 0x8210_0001_0000_0000, name: "HANDOFF_VERSION", elements: 1, readMask: 0),
        TDField(id: 0x8210_0003_0000_0001, name: "SEAMDB_INDEX", elements: 1, readMask: 0),
        TDField(id: 0x8210_0003_0000_0002, name: "SEAMDB_NONCE", elements: 4, readMask: 0),
        TDField(id: 0x9010_0002_0000_0001, name: "NUM_VCPUS", elements: 1, readMask: 0xFFFFFFFF),
        TDField(id: 0x9010_0002_0000_0002, name: "NUM_ASSOC_VCPUS", elements: 1, readMask: 0),
        TDField(id: 0x9010_0002_0000_0004, name: "OP_STATE", elements: 1, readMask: 0),
        TDField(id: 0x9010_0001_0000_0005, name: "NUM_L2_VMS", elements: 1, readMask: 0xFFFF),
        TDField(id: 0x1110_0003_0000_0000, name: "ATTRIBUTES", elements: 1, readMask: ~0),
        TDField(id: 0x1110_0003_0000_0001, name: "XFAM", elements: 1, readMask: ~0),
        TDField(id: 0x1110_0002_0000_0002, name: "MAX_VCPUS", elements: 1, readMask: 0xFFFFFFFF),
        TDField(id: 0x1110_0000_0000_0003, name: "GPAW", elements: 1, readMask: 0xFF),
        TDField(id: 0x1110_0003_0000_0004, name: "EPTP", elements: 1, readMask: 0),
        TDField(id: 0x1110_0003_0000_000A, name: "TSC_OFFSET", elements: 1, readMask: 0),
        TDField(id: 0x1110_0003_0000_000B, name: "TSC_MULTIPLIER", elements: 1, readMask: 0),
        TDField(id: 0x1110_0001_0000_000C, name: "TSC_FREQUENCY", elements: 1, readMask: 0xFFFF),
        TDField(id: 0x1110_0003_0000_000D, name: "VIRTUAL_TSC", elements: 1, readMask: 0),
        TDField(id: 0x9110_0001_0000_000E, name: "NUM_CPUID_VALUES", elements: 1, readMask: 0),
        TDField(id: 0x9110_0002_0000_000F, name: "XBUFF_SIZE", elements: 1, readMask: 0),
        TDField(id: 0x9110_0003_0000_0010, name: "NOTIFY_ENABLES", elements: 1, readMask: 0x1),
        TDField(id: 0x9110_0003_0000_0011, name: "HP_LOCK_TIMEOUT", elements: 1, readMask: 0),
        TDField(id: 0x9110_0003_0000_0012, name: "VM_CTLS", elements: 4, readMask: 0),
        TDField(id: 0x1110_0003_0000_0016, name: "CONFIG_FLAGS", elements: 1, readMask: ~0),
        TDField(id: 0x1110_0003_0000_0017, name: "TD_CTLS", elements: 1, readMask: ~0),
        TDField(id: 0x9110_0000_0000_0080, name: "CPUID_VALID", elements: 80, readMask: 0),
        TDField(id: 0x9110_0002_0000_0800, name: "XBUFF_OFFSETS", elements: 19, readMask: 0),
        TDField(id: 0x9210_0003_0000_0000, name: "TD_EPOCH", elements: 1, readMask: 0),
        TDField(id: 0x9210_0001_0000_0001, name: "REFCOUNT", elements: 2, readMask: 0),
        TDField(id: 0x1310_0003_0000_0000, name: "MRTD", elements: 6, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0010, name: "MRCONFIGID", elements: 6, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0018, name: "MROWNER", elements: 6, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0020, name: "MROWNERCONFIG", elements: 6, readMask: ~0),
        TDField(id: 0x1310_0003_0000_0040, name: "RTMR", elements: 24, readMask: ~0),
        TDField(id: 0x9410_0003_0000_0000, name: "CPUID_VALUES", elements: 160, readMask: 0),
        TDField(id: 0x9610_0003_0000_010A, name: "VIRTUAL_IA32_ARCH_CAPABILITIES", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0480, name: "VIRTUAL_IA32_VMX_BASIC", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0485, name: "VIRTUAL_IA32_VMX_MISC", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0486, name: "VIRTUAL_IA32_VMX_CR0_FIXED0", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0487, name: "VIRTUAL_IA32_VMX_CR0_FIXED1", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0488, name: "VIRTUAL_IA32_VMX_CR4_FIXED0", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0489, name: "VIRTUAL_IA32_VMX_CR4_FIXED1", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_048B, name: "VIRTUAL_IA32_VMX_PROCBASED_CTLS2", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_048C, name: "VIRTUAL_IA32_VMX_EPT_VPID_CAP", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_048D, name: "VIRTUAL_IA32_VMX_TRUE_PINBASED_CTLS", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_048E, name: "VIRTUAL_IA32_VMX_TRUE_PROCBASED_CTLS", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_048F, name: "VIRTUAL_IA32_VMX_TRUE_EXIT_CTLS", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0490, name: "VIRTUAL_IA32_VMX_TRUE_ENTRY_CTLS", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0491, name: "VIRTUAL_IA32_VMX_VMFUNC", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0492, name: "VIRTUAL_IA32_VMX_PROCBASED_CTLS3", elements: 1, readMask: 0),
        TDField(id: 0x9610_0003_0000_0493, name: "VIRTUAL_IA32_VMX_EXIT_CTLS2", elements: 1, readMask: 0),
        TDField(id: 0x9810_0000_0000_0001, name: "MIG_DEC_KEY_SET", elements: 1, readMask: 0),
        TDField(id: 0x9810_0002_0000_0002, name: "EXPORT_COUNT", elements: 1, readMask: 0),
        TDField(id: 0x9810_0002_0000_0003, name: "IMPORT_COUNT", elements: 1, readMask: 0),
        TDField(id: 0x9810_0002_0000_0004, name: "MIG_EPOCH", elements: 1, readMask: 0),
        TDField(id: 0x9810_0003_0000_0005, name: "BW_EPOCH", elements: 1, readMask: 0),
        TDField(id: 0x9810_0003_0000_0006, name: "TOTAL_MB_COUNT", elements: 1, readMask: 0),
        TDField(id: 0x9810_0003_0000_0010, name: "MIG_DEC_KEY", elements: 4, readMask: 0),
        TDField(id: 0x9810_0003_0000_0014, name: "MIG_DEC_WORKING_KEY", elements: 4, readMask: 0),
        TDField(id: 0x9810_0003_0000_0018, name: "MIG_ENC_KEY", elements: 4, readMask: 0),
        TDField(id: 0x9810_0003_0000_001C, name: "MIG_ENC_WORKING_KEY", elements: 4, readMask: 0),
        TDField(id: 0x9810_0001_0000_0020, name: "MIG_VERSION", elements: 1, readMask: 0),
        TDField(id: 0x9810_0001_0000_0021, name: "MIG_WORKING_VERSION", elements: 1, readMask: 0),
        TDField(id: 0x9810_0003_0000_0030, name: "DIRTY_COUNT", elements: 1, readMask: 0),
        TDField(id: 0x9810_0003_0000_0031, name: "MIG_COUNT", elements: 1, readMask: 0),
        TDField(id: 0x9810_0001_0000_0032, name: "NUM_MIGS", elements: 1, readMask: 0),
        TDField(id: 0x9810_0002_0000_0034, name: "NUM_MIGRATED_VCPUS", elements: 1, readMask: 0),
        TDField(id: 0x9810_0003_0000_0040, name: "PRE_IMPORT_UUID", elements: 4, readMask: ~0),
        TDField(id: 0x9910_0003_0000_0000, name: "SERVTD_HASH", elements: 6, readMask: ~0),
        TDField(id: 0x9910_0001_0000_0006, name: "SERVTD_NUM", elements: 1, readMask: 0xFFFF),
        TDField(id: 0x9910_0003_0000_0080, name: "SERVTD_BINDINGS_TABLE", elements: 16, readMask: ~0),
        TDField(id: 0x9A10_0003_0000_0000, name: "MIGSC_LINKS", elements: 512, readMask: 0),
        TDField(id: 0x2010_0003_0000_0000, name: "MSR_BITMAPS", elements: 512, readMask: 0),
        TDField(id: 0x2110_0003_0000_0000, name: "SEPT_ROOT", elements: 512, readMask: 0),
        TDField(id: 0x2510_0003_0000_0000, name: "L2_SEPT_ROOT_1", elements: 512, readMask: 0),
        TDField(id: 0x2910_0003_0000_0000, name: "L2_SEPT_ROOT_2", elements: 512, readMask: 0),
        TDField(id: 0x2D10_0003_0000_0000, name: "L2_SEPT_ROOT_3", elements: 512, readMask: 0),
    ]

    /// Host read mask (TDH.MNG.RD), before the element-size mask: all ones except for the fields the module's
    /// table gives a production mask of 0 (readable only in a DEBUG TD) or no host mask at all.
    func hostReadMask(debug: Bool) -> UInt64 {
        switch name {
        case "SEAMDB_NONCE", "VIRTUAL_TSC": 0
        case "NOTIFY_ENABLES", "TD_CTLS", "CPUID_VALID", "RTMR", "MIG_DEC_KEY", "MIG_DEC_WORKING_KEY", "MIG_ENC_KEY",
            "MIG_ENC_WORKING_KEY", "MSR_BITMAPS", "SEPT_ROOT", "L2_SEPT_ROOT_1", "L2_SEPT_ROOT_2", "L2_SEPT_ROOT_3":
            debug ? ~0 : 0
        default: name.hasPrefix("VIRTUAL_IA32_") ? (debug ? ~0 : 0) : ~0
        }
    }

    /// The next element after (`index`, `element`) whose field `readable` accepts, or nil at the end.
    static func next(after index: Int, element: Int, _ readable: (TDField) -> Bool) -> UInt64? {
        var i = index, e = element + 1
        while i < all.count {
            if e < all[i].elements, readable(all[i]) { return all[i].id(element: e) }
            i += 1
            e = 0
        }
        return nil
    }

    /// Guest write mask: in the module's table only NOTIFY_ENABLES and TD_CTLS have one (bit 0 each); every
    /// other field answers METADATA_FIELD_NOT_WRITABLE to TDG.VM.WR.
    var guestWriteMask: UInt64 {
        switch name {
        case "NOTIFY_ENABLES", "TD_CTLS": 0x1
        default: 0
        }
    }

    var classCode: UInt8 { FieldID(id).classCode }
    /// For L2_SEPT_ROOT_n, n: the module leaves these out for VMs the TD does not have.
    var l2SEPTRootVM: Int? { name.hasPrefix("L2_SEPT_ROOT_") ? Int(name.suffix(1)) : nil }
    var firstCode: UInt32 { FieldID(id).fieldCode }

    /// The field and element index a lookup by class and field code finds (context, size and the non-arch
    /// bit do not take part in the comparison, module `src/common/metadata_handlers/metadata_generic.c`, `md_find_entry_idx`).
    static func find(_ id: FieldID, numL2VMs: Int) -> (index: Int, element: Int)? {
        for (i, f) in all.enumerated() where f.classCode == id.classCode {
            if let vm = f.l2SEPTRootVM, vm > numL2VMs { continue }
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
    /// The stored value of a TD-scope field element. RTMR is the registers TDG.MR.RTMR.EXTEND extends; MRTD
    /// the build's measurement (`mrtd`, zero until TDH.MR.FINALIZE); MRCONFIGID, MROWNER, MROWNERCONFIG
    /// what TD_PARAMS gave (`tdParams`); UUIDs and service-TD bindings are zero in SoftSEAM until the rest of attestation is modelled; so is
    /// every field the model does not keep (HKID, TDCX addresses, CPUID values, the virtual VMX MSRs,
    /// migration state…).
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
        case "FATAL": isFatal ? 1 : 0
        case "TD_EPOCH": tdEpoch
        case "RTMR": rtmr.word(element)
        case "MRTD": mrtdWord(element)
        case "MRCONFIGID": tdParams.word(0, element)
        case "MROWNER": tdParams.word(1, element)
        case "MROWNERCONFIG": tdParams.word(2, element)
        default: 0
        }
    }

    /// Stores a guest-writable TD-scope field (the ones with a `guestWriteMask`).
    mutating func setTDFieldValue(_ field: TDField, _ value: UInt64) {
        switch field.name {
        case "NOTIFY_ENABLES": notifyEnables = value
        case "TD_CTLS": tdCtls = value
        default: preconditionFailure("\(field.name) is not guest-writable")
        }
    }
}

extension Machine {
    /// Word `element` (0…5) of MRTD, little-endian. MRTD is hashed from its log on each read (O(pages added)).
    func mrtdWord(_ element: Int) -> UInt64 {
        guard opState != .initialized else { return 0 }
        return UInt64(littleEndianBytes: mrtd[8 * element..<8 * element + 8])
    }
}
