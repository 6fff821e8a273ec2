import SEAMTypes

/// The TDVPS fields L1 reaches with TDG.VP.RD and TDG.VP.WR (module `include/auto_gen/tdvps_fields_lookup.c`,
/// `include/auto_gen/td_l2_vmcs_fields_lookup.c`, `src/common/metadata_handlers/metadata_vp.c`): the management
/// fields of class 32 that TD partitioning adds, each L2 VM's VMCS (classes 36/44/52) and L1's view of its
/// MSR bitmap (classes 37/45/53).
///
/// The other TDVPS classes (L1's own TD VMCS, VAPIC, VE_INFO, GPR and guest state…) are not modelled: an id
/// in them answers FIELD_ID_INCORRECT (README, "Not modelled"). The class-32 fields that are not modelled
/// (`unmodelledManagement`) answer what the module answers: FIELD_NOT_READABLE / FIELD_NOT_WRITABLE.
enum VPField: Hashable {
    /// Management field `kind`, element `vm` (0…3).
    case management(Management, vm: Int)
    /// Row `row` of `L2VMCSLayout` in VM `vm`'s VMCS.
    case vmcs(vm: Int, row: Int)
    /// Word `word` (0…511) of L1's MSR bitmap for VM `vm`.
    case msrBitmap(vm: Int, word: Int)

    /// The class-32 (management) fields SoftSEAM models; the per-VM ones have one element per VM index
    /// (field code = base + VM index). Field codes, sizes and guest masks as the module's TDVPS table gives
    /// them (`include/auto_gen/tdvps_fields_lookup.c`).
    enum Management: UInt32, CaseIterable {
        case vcpuIndex = 2
        case cpuidSupervisorVE = 7
        case cpuidUserVE = 8
        case currentVM = 0x41
        case l2ExitHostRouting = 0x42
        case vmLaunched = 0x44
        case l2Ctls = 0x50
        case l2DebugCtls = 0x54
        case tscDeadline = 0x58

        /// Elements: 4 for the per-VM fields, else 1.
        var elements: UInt32 {
            switch self {
            case .vmLaunched, .l2Ctls, .l2DebugCtls, .tscDeadline: 4
            default: 1
            }
        }

        /// Element size code: 0 = 8-bit, 1 = 16-bit, 2 = 32-bit, 3 = 64-bit.
        var sizeCode: UInt8 {
            switch self {
            case .cpuidSupervisorVE, .cpuidUserVE, .l2ExitHostRouting, .vmLaunched: 0
            case .currentVM: 1
            case .vcpuIndex: 2
            case .l2Ctls, .l2DebugCtls, .tscDeadline: 3
            }
        }

        /// Bits L1 may read; 0 = host or debug only.
        var readMask: UInt64 {
            switch self {
            case .vcpuIndex: 0xFFFF_FFFF
            case .cpuidSupervisorVE, .cpuidUserVE: 0xFF
            case .l2Ctls, .tscDeadline: ~0
            case .currentVM, .l2ExitHostRouting, .vmLaunched, .l2DebugCtls: 0
            }
        }

        /// Bits L1 may write.
        var writeMask: UInt64 {
            switch self {
            case .cpuidSupervisorVE, .cpuidUserVE: 0xFF
            case .l2Ctls: 0x7
            case .tscDeadline: ~0
            default: 0
            }
        }

        /// The guest-readable ones, in field-code order (the order TDG.VP.RD's next-field walk visits).
        static let readable: [Management] = allCases.filter { $0.readMask != 0 }
    }

    static let managementClass: UInt8 = 32

    /// The class-32 entries of the module's TDVPS table that SoftSEAM does not model, as (first field code,
    /// number of codes): VCPU_STATE, NUM_TDVPS_PAGES, ASSOC_LPID, VCPU_EPOCH, LAST_EXIT_TSC, PEND_NMI, XFAM,
    /// LAST_EPF_GPA_LIST_IDX, POSSIBLY_EPF_STEPPING, LAST_TD_EXIT, TDVPS_PAGE_PA (15), HP_LOCK_BUSY_START,
    /// HP_LOCK_BUSY, LAST_SEAMDB_INDEX, NMI_UNBLOCKING_DUE_TO_IRET, LP_DEPENDENT_HPA_UPDATED[4],
    /// MODULE_DEPENDENT_FIELDS_UPDATED[4], SHADOW_TSC_DEADLINE[4], the BASE_L2_CR0/CR4 mask and shadow, the
    /// SHADOW_* per-VM copies (CR masks and shadows, instruction timeout, PID HPA, pin-based controls, PLE,
    /// posted-interrupt vector, secondary controls, shared EPTP), L2_ENTER_GUEST_STATE_GPA/HPA, VE_INFO_GPA/HPA
    /// and L2_VAPIC_GPA/HPA (`include/auto_gen/tdvps_fields_lookup.c`). All have guest masks 0, so TDG.VP.RD
    /// answers FIELD_NOT_READABLE and TDG.VP.WR FIELD_NOT_WRITABLE, as the module does for an existing field.
    static let unmodelledManagement: [(code: UInt32, count: UInt32)] = [
        (0x0, 1), (0x3, 1), (0x4, 1), (0x6, 1), (0xA, 1), (0xB, 1), (0xC, 1), (0xD, 1), (0xE, 1), (0xF, 1),
        (0x10, 15), (0x30, 1), (0x31, 1), (0x32, 1), (0x40, 1), (0x48, 4), (0x4C, 4), (0x5C, 4), (0x80, 1),
        (0x81, 1), (0x82, 1), (0x83, 1), (0x84, 4), (0x88, 4), (0x8C, 4), (0x90, 4), (0x94, 4), (0x98, 4),
        (0x9C, 4), (0xA4, 4), (0xA8, 4), (0xAC, 4), (0xB0, 4), (0xB4, 4), (0x100, 4), (0x104, 4), (0x108, 4),
        (0x10C, 4), (0x110, 4), (0x114, 4),
    ]

    /// Whether `id` names a class-32 field the module has but SoftSEAM does not model.
    static func isUnmodelledManagement(_ id: FieldID) -> Bool {
        id.classCode == managementClass
            && unmodelledManagement.contains { id.fieldCode >= $0.code && id.fieldCode < $0.code + $0.count }
    }
    static func vmcsClass(_ vm: Int) -> UInt8 { UInt8(36 + 8 * (vm - 1)) }
    static func msrBitmapClass(_ vm: Int) -> UInt8 { UInt8(37 + 8 * (vm - 1)) }

    /// The field `id` names, or nil when there is none (FIELD_ID_INCORRECT): an unmodelled class, a VM
    /// above NUM_L2_VMS, the HIGH half of a VMCS field, an encoding the table lacks, a word above 511.
    static func decode(_ id: FieldID, numL2VMs: Int) -> VPField? {
        let cls = Int(id.classCode)
        let code = id.fieldCode
        switch cls {
        case Int(managementClass):
            guard let m = Management.allCases.first(where: { code >= $0.rawValue && code < $0.rawValue + $0.elements })
            else {
                return nil
            }
            return .management(m, vm: Int(code - m.rawValue))
        case 36, 44, 52:
            let vm = (cls - 36) / 8 + 1
            let field = VMCSField(code)
            guard vm <= numL2VMs, !field.isHighAccess, let row = L2VMCSLayout.index(of: field) else { return nil }
            return .vmcs(vm: vm, row: row)
        case 37, 45, 53:
            let vm = (cls - 37) / 8 + 1
            guard vm <= numL2VMs, code < VCPU.msrBitmapWords else { return nil }
            return .msrBitmap(vm: vm, word: Int(code))
        default:
            return nil
        }
    }

    /// The field's id as the module reports it: context VP and the element size; management fields are
    /// non-architectural (bit 63) and L2 VMCS fields carry INC_SIZE (bit 50), as in the module's tables.
    var id: UInt64 {
        switch self {
        case .management(let m, let vm):
            FieldID(
                nonArch: true, classCode: VPField.managementClass, context: 2, elementSizeCode: m.sizeCode,
                fieldCode: m.rawValue + UInt32(vm)
            ).rawValue
        case .vmcs(let vm, let row):
            FieldID(
                nonArch: false, classCode: VPField.vmcsClass(vm), context: 2,
                elementSizeCode: L2VMCSLayout.fields[row].elementSizeCode,
                fieldCode: L2VMCSLayout.fields[row].encoding.rawValue, incSize: true
            ).rawValue
        case .msrBitmap(let vm, let word):
            FieldID(
                nonArch: false, classCode: VPField.msrBitmapClass(vm), context: 2, elementSizeCode: 3,
                fieldCode: UInt32(word)
            ).rawValue
        }
    }

    /// Bits L1 may read.
    var readMask: UInt64 {
        switch self {
        case .management(let m, _): m.readMask
        case .vmcs(_, let row): L2VMCSLayout.fields[row].readMask
        case .msrBitmap: ~0
        }
    }

    /// Bits L1 may write.
    var writeMask: UInt64 {
        switch self {
        case .management(let m, _): m.writeMask
        case .vmcs(_, let row): L2VMCSLayout.fields[row].writeMask
        case .msrBitmap: ~0
        }
    }

    /// Bits an element of the field holds.
    var sizeMask: UInt64 {
        switch self {
        case .vmcs(_, let row): L2VMCSLayout.fields[row].sizeMask
        case .management(let m, _): m.sizeCode == 3 ? ~0 : (1 << (8 << UInt64(m.sizeCode))) - 1
        case .msrBitmap: ~0
        }
    }

    /// The first guest-readable field of the VP context: VCPU_INDEX (no field of L1's own TD VMCS is
    /// guest-readable).
    static let first = VPField.management(.vcpuIndex, vm: 0)

    /// The guest-readable field after this one, in the order management fields (by code, element by
    /// element), then for each existing L2 VM its VMCS fields in table order and its 512 MSR-bitmap words;
    /// nil after the last.
    func nextReadable(numL2VMs: Int) -> VPField? {
        switch self {
        case .management(let m, let vm):
            if vm + 1 < Int(m.elements) { return .management(m, vm: vm + 1) }
            let list = Management.readable
            if let i = list.firstIndex(of: m), i + 1 < list.count { return .management(list[i + 1], vm: 0) }
            return VPField.firstVMCSField(vm: 1, numL2VMs: numL2VMs)
        case .vmcs(let vm, let row):
            if let next = L2VMCSLayout.fields[(row + 1)...].firstIndex(where: { $0.readMask != 0 }) {
                return .vmcs(vm: vm, row: next)
            }
            return .msrBitmap(vm: vm, word: 0)
        case .msrBitmap(let vm, let word):
            if word + 1 < VCPU.msrBitmapWords { return .msrBitmap(vm: vm, word: word + 1) }
            return VPField.firstVMCSField(vm: vm + 1, numL2VMs: numL2VMs)
        }
    }

    static func firstVMCSField(vm: Int, numL2VMs: Int) -> VPField? {
        guard vm <= numL2VMs, let row = L2VMCSLayout.fields.firstIndex(where: { $0.readMask != 0 }) else {
            return nil
        }
        return .vmcs(vm: vm, row: row)
    }
}
